import { type CfnElement, CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { EVENT_NAMES, type JamfEventName } from '../lambda/events/catalogue';
import {
  DEFAULT_EVENTS,
  isSmartGroupEvent,
  type SmartGroupEvent,
  type WebhookAuth,
  type WebhookFormat,
} from '../lambda/jamf/registrar';
import { acknowledgeFunctionRules, createFunction } from './function';
import { grantReadSecret } from './grants';
import { isKnown } from './known';
import { createLogGroup, type LogGroupSettings } from './log-group';
import { acknowledgeControlTowerRules } from './nag';

/** The custom resource's handler, relative to the repository root. */
export const JAMF_REGISTRAR_ENTRY = 'lambda/jamf-registrar/handler.ts';

/** The CloudFormation type of the resource, as the stack's events and the console show it. */
export const JAMF_WEBHOOKS_RESOURCE_TYPE = 'Custom::JamfWebhooks';

/** A SmartGroup event and the id of the smart group Jamf Pro sends it for. */
export interface JamfSmartGroup {
  readonly event: SmartGroupEvent;
  /** The smart group's id in Jamf Pro (its page's URL ends in `id=12`). */
  readonly id: number;
}

/**
 * Registering this stack's webhooks in Jamf Pro at deploy time ({@link JamfWebhooks}).
 * Jamf Pro needs an API client with the privileges Create, Read, Update and Delete Webhooks
 * (docs/jamf-pro.md).
 */
export interface JamfWebhooksOptions {
  /** The Jamf Pro URL, e.g. `https://example.jamfcloud.com`. */
  readonly jamfUrl: string;
  /** The secret holding Jamf Pro's API client as `{"clientId": "...", "clientSecret": "..."}`. */
  readonly apiClientSecret: secretsmanager.ISecret;
  /**
   * The events to register; a SmartGroup event goes in `smartGroups` instead.
   * @default - every event but the SmartGroup ones (SCEPChallenge only with the SCEP service)
   */
  readonly events?: readonly JamfEventName[];
  /**
   * The body Jamf Pro sends (SCEPChallenge is always JSON).
   * @default 'json'
   */
  readonly format?: WebhookFormat;
  /**
   * How Jamf Pro authenticates: with the first credential of that kind in the webhook credentials
   * document (the stack's own secret holds a `basic` one).
   * @default 'basic'
   */
  readonly auth?: WebhookAuth;
  /**
   * SmartGroup membership events, one webhook per event and smart group.
   * @default - none
   */
  readonly smartGroups?: readonly JamfSmartGroup[];
}

/** Properties of {@link JamfWebhooks}. */
export interface JamfWebhooksProps extends JamfWebhooksOptions {
  /** Where every event but SCEPChallenge goes. */
  readonly webhookUrl: string;
  /** Where SCEPChallenge goes; without it SCEPChallenge is not registered. */
  readonly scepChallengeUrl?: string;
  /** The credentials document the functions check: Jamf Pro is given its credential. */
  readonly webhookAuthSecret: secretsmanager.ISecret;
  readonly logGroups: LogGroupSettings;
  readonly tracing: boolean;
}

/** The `jamfWebhooks` problems, each saying what to change; empty when there are none. Tokens pass. */
export function jamfWebhooksProblems(options: JamfWebhooksOptions): string[] {
  const problems: string[] = [];
  if (isKnown(options.jamfUrl)) {
    let url: URL | undefined;
    try {
      url = new URL(options.jamfUrl);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') {
      problems.push(`jamfWebhooks.jamfUrl "${options.jamfUrl}" is not an https URL; e.g. "https://example.jamfcloud.com".`);
    }
  }
  const unknown = (options.events ?? []).filter((e) => isKnown(e) && !(EVENT_NAMES as readonly string[]).includes(e));
  if (unknown.length > 0) problems.push(`jamfWebhooks.events has names that are not Jamf Pro events: ${unknown.join(', ')}.`);
  const smartGroupEvents = (options.events ?? []).filter((e) => isKnown(e) && isSmartGroupEvent(e));
  if (smartGroupEvents.length > 0) {
    problems.push(
      `jamfWebhooks.events lists ${smartGroupEvents.join(', ')}: a SmartGroup event needs its smart group; ` +
        'give it in jamfWebhooks.smartGroups (e.g. SmartGroupComputerMembershipChange:12) instead.',
    );
  }
  for (const group of options.smartGroups ?? []) {
    if (!isKnown(group.event) || !isKnown(group.id)) continue;
    if (!isSmartGroupEvent(group.event)) problems.push(`jamfWebhooks.smartGroups: ${group.event} is not a SmartGroup event.`);
    if (!Number.isInteger(group.id) || group.id < 1) problems.push(`jamfWebhooks.smartGroups: the id of ${group.event} must be a whole number from 1, got ${group.id}.`);
  }
  return problems;
}

/**
 * Registers the stack's webhooks in Jamf Pro when it deploys, through the Classic API
 * (lambda/jamf/registrar.ts, as `npm run jamf -- sync` does), and deletes them when it is
 * deleted: a CloudFormation custom resource behind CDK's `Provider`, which answers
 * CloudFormation for the function.
 *
 * The resource's properties carry the URLs, the choices and the two secrets' ARNs, never a
 * secret's value: the function reads the values itself. One resource per Jamf Pro URL, so that a
 * new URL registers in the new Jamf Pro and then deletes from the old.
 *
 * A change of a secret's value alone is not a change CloudFormation sees: after rotating the
 * webhook credentials, run `npm run jamf -- sync --rotate` (docs/jamf-pro.md).
 */
export class JamfWebhooks extends Construct {
  /** The function that talks to Jamf Pro. */
  public readonly function: lambda.Function;
  /** The custom resource; `getAttString('Created')` (and Updated, Deleted, Unchanged) counts its last run's changes. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: JamfWebhooksProps) {
    super(scope, id);
    const fn = createFunction(this, 'Registrar', {
      entry: JAMF_REGISTRAR_ENTRY,
      description: "Registers the stack's webhooks in Jamf Pro (a custom resource)",
      logGroups: props.logGroups,
      tracing: props.tracing,
      // A sync is two calls per webhook (about 30) to a Jamf Pro on the internet, each cut at 10 s:
      // seconds normally, but nothing waits on it by the second, and a slow Jamf must not fail a deploy.
      timeout: Duration.minutes(5),
    });
    this.function = fn;
    grantReadSecret(fn, props.apiClientSecret);
    grantReadSecret(fn, props.webhookAuthSecret);
    acknowledgeFunctionRules(
      fn,
      props.tracing,
      "CloudFormation's Provider framework invokes it synchronously and reports its failure to CloudFormation, " +
        'which fails the deploy: there is no asynchronous invocation for a Lambda dead-letter queue to keep.',
    );

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: fn,
      logGroup: createLogGroup(this, 'ProviderLogGroup', props.logGroups),
    });
    acknowledgeProviderRules(provider, fn);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: JAMF_WEBHOOKS_RESOURCE_TYPE,
      properties: {
        JamfUrl: props.jamfUrl,
        ApiClientSecretArn: props.apiClientSecret.secretArn,
        WebhookAuthSecretArn: props.webhookAuthSecret.secretArn,
        WebhookUrl: props.webhookUrl,
        ...(props.scepChallengeUrl === undefined ? {} : { ScepUrl: props.scepChallengeUrl }),
        // The default written out, not left to the function: an event added in a later release is
        // then a change CloudFormation sees, and the update registers it.
        Events: [...(props.events ?? DEFAULT_EVENTS)],
        Format: props.format ?? 'json',
        Auth: props.auth ?? 'basic',
        SmartGroups: (props.smartGroups ?? []).map((group) => `${group.event}:${group.id}`),
      },
    });
  }
}

/** The findings on the Provider framework's own function, which CDK writes and this project cannot change. */
function acknowledgeProviderRules(provider: cr.Provider, onEvent: lambda.Function): void {
  // cdk-nag names each finding of these rules by the policy or resource it found.
  const onEventArn = `<${Stack.of(onEvent).getLogicalId(onEvent.node.defaultChild as CfnElement)}.Arn>`;
  const framework = 'The Provider framework function is written and configured by aws-cdk-lib (custom_resources.Provider)';
  Validations.of(provider).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: `${framework}: its role has AWSLambdaBasicExecutionRole, for its logs only, which it writes to a log group of this construct.`,
    },
    {
      id: `AwsSolutions-IAM5[Resource::${onEventArn}:*]`,
      reason: `${framework}: it may invoke the registrar function's versions (":*"), that function only.`,
    },
    {
      id: 'Serverless-LambdaDLQ',
      reason: `${framework}: CloudFormation invokes it and waits for its answer; a failure fails the deploy.`,
    },
    {
      id: 'Serverless-LambdaTracing',
      reason: `${framework}: it runs once per deploy; its log group says what it did.`,
    },
    {
      id: 'Serverless-LambdaDefaultMemorySize',
      reason: `${framework}: it forwards one request per deploy, for which the default memory is plenty.`,
    },
  );
  acknowledgeControlTowerRules(provider, {
    lambda_inside_vpc_check:
      `${framework}: it calls only the registrar function and CloudFormation's response URL, both public AWS ` +
      'endpoints; a VPC would need NAT or endpoints for one call per deploy.',
  });
}
