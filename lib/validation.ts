/**
 * The checks on `JamfEventBridge`'s properties: every problem at once, each
 * saying what to change. A value that is a token (known only at deployment)
 * passes: it cannot be checked here.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { Token } from 'aws-cdk-lib';
import { MAX_BODY_BYTES_LIMIT, API_GATEWAY_MAX_BODY_BYTES } from '../lambda/contract';
import { FUNCTION_TIMEOUT } from './function';
import { jamfWebhooksProblems } from './jamf-webhooks';
import { instancesProblems } from './jamf-instance';
import { isKnown } from './known';
import { MIN_OVERSIZE_RETENTION_DAYS } from './oversize-bucket';
import { API_TYPES, DEFAULT_API_TYPE, type JamfEventBridgeProps } from './props';
import { SCEP_OPTION_NAMES, scepOptionProblems } from './scep-options';

/**
 * Time the ingest function keeps of its timeout after the longest publish budget, for the
 * dead-letter write and its fallback (not the per-request reserve of the contract, which is
 * what a request keeps inside Jamf's read timeout).
 */
export const FUNCTION_TIMEOUT_RESERVE_MS = 2000;

const REGIONAL_WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]+\/[\w-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const BUS_NAME = /^[A-Za-z0-9._-]{1,256}$/;
const ACCOUNT_ID = /^\d{12}$/;
/** What AWS Organizations' API accepts as an organization id. */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** Whether `value` is an IPv4 or IPv6 range in address/prefix form. */
function isCidr(value: string): boolean {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (match === null) return false;
  const [, address = '', prefix = ''] = match;
  const bits = Number(prefix);
  if (isIPv4(address)) return bits <= 32;
  if (isIPv6(address)) return bits <= 128;
  return false;
}

/** What is wrong with the properties, each with what to change; empty when nothing is. */
export function propsProblems(props: JamfEventBridgeProps): string[] {
  const problems: string[] = [];
  const isSet = <T>(value: T | undefined): value is T => value !== undefined;

  if (isKnown(props.eventSource)) {
    const source = props.eventSource;
    if (source.trim() === '' || source.length > 256) {
      problems.push('eventSource must be 1 to 256 characters, e.g. "jamf.pro".');
    } else if (source.toLowerCase().startsWith('aws.')) {
      problems.push(`eventSource "${source}" starts with "aws.", which EventBridge reserves for AWS services; use e.g. "jamf.pro".`);
    }
  }
  if (isSet(props.eventBus) && isSet(props.eventBusName)) {
    problems.push(
      'eventBusName names the bus this construct creates, but eventBus (an existing bus) is also set: remove one of them.',
    );
  }
  if (isKnown(props.eventBusName) && !BUS_NAME.test(props.eventBusName)) {
    problems.push(
      `eventBusName "${props.eventBusName}" is not a valid bus name: use up to 256 letters, digits, ".", "_" and "-".`,
    );
  }
  if (isSet(props.archiveRetention)) {
    if (props.archive === false) {
      problems.push('archiveRetention is set but archive is false: remove archiveRetention or turn the archive on.');
    }
    if (!props.archiveRetention.isUnresolved()) {
      const days = props.archiveRetention.toDays({ integral: false });
      if (!Number.isInteger(days) || days < 0) {
        problems.push(`archiveRetention must be a whole number of days (0 keeps events indefinitely), got ${days} days.`);
      }
    }
  }
  if (isKnown(props.throttlingRateLimit) && !(props.throttlingRateLimit > 0 && Number.isFinite(props.throttlingRateLimit))) {
    problems.push(`throttlingRateLimit must be a number of requests per second above 0, got ${props.throttlingRateLimit}.`);
  }
  if (isKnown(props.throttlingBurstLimit) && !(Number.isInteger(props.throttlingBurstLimit) && props.throttlingBurstLimit > 0)) {
    problems.push(`throttlingBurstLimit must be a whole number of requests above 0, got ${props.throttlingBurstLimit}.`);
  }
  if (isKnown(props.ingestReservedConcurrency) && !(Number.isInteger(props.ingestReservedConcurrency) && props.ingestReservedConcurrency > 0)) {
    // 0 is a valid Lambda setting, and it stops the function: every webhook would be lost.
    problems.push(
      `ingestReservedConcurrency must be a whole number of instances above 0 (leave it unset for none), got ${props.ingestReservedConcurrency}.`,
    );
  }
  if (isKnown(props.maxBodyBytes)) {
    const bytes = props.maxBodyBytes;
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_BODY_BYTES_LIMIT) {
      problems.push(
        `maxBodyBytes must be a whole number from 1 to ${MAX_BODY_BYTES_LIMIT} (the largest body API Gateway can hand ` +
          `a function base64-encoded within Lambda's 6 MiB payload; API Gateway's own limit is ${API_GATEWAY_MAX_BODY_BYTES}), got ${bytes}.`,
      );
    }
  }
  if (isSet(props.oversizeRetention) && !props.oversizeRetention.isUnresolved()) {
    const days = props.oversizeRetention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < MIN_OVERSIZE_RETENTION_DAYS) {
      problems.push(
        `oversizeRetention must be a whole number of days from ${MIN_OVERSIZE_RETENTION_DAYS} (the dead-letter queue's ` +
          `retention: a letter may point at an object), got ${days} days.`,
      );
    }
  }
  if (isSet(props.publishBudget) && !props.publishBudget.isUnresolved()) {
    const ms = props.publishBudget.toMilliseconds();
    const max = FUNCTION_TIMEOUT.toMilliseconds() - FUNCTION_TIMEOUT_RESERVE_MS;
    if (ms < 1 || ms > max) {
      problems.push(
        `publishBudget must be from 1 ms to ${max} ms, leaving ${FUNCTION_TIMEOUT_RESERVE_MS / 1000} s of the ` +
          `function's ${FUNCTION_TIMEOUT.toSeconds()} s timeout for the dead-letter write, got ${ms} ms.`,
      );
    }
  }
  if (isSet(props.allowedSourceCidrs) && !Token.isUnresolved(props.allowedSourceCidrs)) {
    const cidrs = props.allowedSourceCidrs;
    if (cidrs.length === 0) {
      problems.push(
        'allowedSourceCidrs is empty, which would deny every caller: list at least one CIDR, or leave it unset to allow any source address.',
      );
    }
    const invalid = cidrs.filter((cidr) => isKnown(cidr) && !isCidr(cidr));
    if (invalid.length > 0) {
      problems.push(
        `allowedSourceCidrs has entries that are not CIDR ranges: ${invalid.map((c) => `"${c}"`).join(', ')}. ` +
          'Write each as address/prefix, e.g. "192.0.2.0/24" or "198.51.100.7/32".',
      );
    }
  }
  problems.push(...consumerProblems(props));
  if (isSet(props.apiType) && !API_TYPES.includes(props.apiType)) {
    problems.push(`apiType must be 'http' or 'rest', got ${JSON.stringify(props.apiType)}.`);
  }
  if (isSet(props.webAclArn) && (props.apiType ?? DEFAULT_API_TYPE) === 'http') {
    problems.push(
      "webAclArn is set but apiType is 'http' (the default), and an HTTP API cannot have an AWS WAF web ACL: " +
        "set apiType to 'rest' to attach the web ACL, or remove webAclArn.",
    );
  }
  if (isKnown(props.webAclArn) && !REGIONAL_WEB_ACL_ARN.test(props.webAclArn)) {
    problems.push(
      props.webAclArn.includes(':global/')
        ? `webAclArn "${props.webAclArn}" is a CloudFront (global) web ACL, which cannot protect a regional API: ` +
            "create the web ACL with scope REGIONAL in the stack's region."
        : `webAclArn "${props.webAclArn}" is not the ARN of a regional WAF web ACL ` +
            '(arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>).',
    );
  }
  if (isSet(props.alarmEmail)) {
    if (isSet(props.alarmTopic)) {
      problems.push(
        'alarmEmail and alarmTopic are both set: subscribe the address to your topic yourself and remove alarmEmail, or remove alarmTopic.',
      );
    }
    if (isKnown(props.alarmEmail) && !EMAIL.test(props.alarmEmail)) {
      problems.push(`alarmEmail "${props.alarmEmail}" is not an email address.`);
    }
  }

  if (isSet(props.redriveSchedule) && !props.redriveSchedule.isUnresolved()) {
    const minutes = props.redriveSchedule.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 0) {
      problems.push(`redriveSchedule must be a whole number of minutes, 0 for on demand only, got ${minutes} minutes.`);
    }
  }

  if (isSet(props.secretMaxStale) && props.secretMaxStale.isUnresolved()) {
    try {
      props.secretMaxStale.toSeconds();
    } catch {
      problems.push('secretMaxStale from a token must be given as Duration.seconds(token): a token cannot be converted.');
    }
  } else if (isSet(props.secretMaxStale)) {
    const hours = props.secretMaxStale.toHours({ integral: false });
    if (!Number.isInteger(hours) || hours < 0) {
      problems.push(`secretMaxStale must be a whole number of hours, 0 to never use a secret past its cache, got ${hours} hours.`);
    }
  }

  if (props.scepChallenge === false) {
    const scepOptions = SCEP_OPTION_NAMES.filter((name) => isSet(props[name]));
    if (scepOptions.length > 0) {
      problems.push(
        `scepChallenge is false, but ${scepOptions.join(', ')} ${scepOptions.length === 1 ? 'is' : 'are'} set: ` +
          'remove them, or turn the SCEP challenge service on.',
      );
    }
  } else {
    problems.push(...scepOptionProblems(props));
  }
  if (props.jamfWebhooks !== undefined) problems.push(...jamfWebhooksProblems(props.jamfWebhooks));
  if (props.instances !== undefined) problems.push(...instancesProblems(props.instances, props.scepChallenge ?? true));
  return problems;
}

/** The checks on `consumerAccounts` and `consumerOrganizationId`. */
function consumerProblems(props: JamfEventBridgeProps): string[] {
  const problems: string[] = [];
  const { consumerAccounts: accounts, consumerOrganizationId: organization } = props;
  if ((accounts !== undefined || organization !== undefined) && props.eventBus !== undefined) {
    problems.push(
      'consumerAccounts and consumerOrganizationId give other accounts rules on the bus this construct creates, but eventBus ' +
        '(an existing bus) is set: add the statements to that bus\'s own policy, or remove eventBus.',
    );
  }
  if (accounts !== undefined && !Token.isUnresolved(accounts)) {
    if (accounts.length === 0) {
      problems.push('consumerAccounts is empty: list at least one 12-digit account id, or leave it unset.');
    }
    const invalid = accounts.filter((account) => isKnown(account) && !ACCOUNT_ID.test(account));
    if (invalid.length > 0) {
      problems.push(
        `consumerAccounts has entries that are not AWS account ids: ${invalid.map((a) => `"${a}"`).join(', ')}. ` +
          'Write each as its 12 digits, e.g. "111122223333".',
      );
    }
  }
  if (isKnown(organization) && !ORGANIZATION_ID.test(organization)) {
    problems.push(
      `consumerOrganizationId "${organization}" is not an AWS Organizations id: it is "o-" and 10 to 32 lower-case letters or digits, ` +
        'e.g. "o-a1b2c3d4e5" (aws organizations describe-organization).',
    );
  }
  if (props.jamfWebhooks !== undefined) problems.push(...jamfWebhooksProblems(props.jamfWebhooks));
  return problems;
}
