import { Duration, RemovalPolicy, SecretValue, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createFunction } from './function';
import { grantReadSecret } from './grants';

/**
 * The SCEP function's entry, relative to the repository root (the contract
 * with lambda/): an ES module so that it can await its init (see the file).
 */
export const SCEP_ENTRY = 'lambda/scep/lambda.mts';

/**
 * The environment variables the SCEP handler reads (`SCEP_ENV` in
 * lambda/scep/config.ts holds the same names on the Lambda side; a test keeps
 * the two in step).
 */
export const SCEP_ENV = {
  eventBusName: 'EVENT_BUS_NAME',
  eventSource: 'EVENT_SOURCE',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  webhookAuthSecretId: 'WEBHOOK_AUTH_SECRET_ID',
  signingKeySecretId: 'SCEP_SIGNING_KEY_SECRET_ID',
  verifySecretId: 'SCEP_VERIFY_SECRET_ID',
  usedChallengesTable: 'SCEP_USED_CHALLENGES_TABLE',
  challengeTtlSeconds: 'SCEP_CHALLENGE_TTL_SECONDS',
  auditBudgetMs: 'SCEP_AUDIT_BUDGET_MS',
  requireDeviceMatch: 'SCEP_REQUIRE_DEVICE_MATCH',
  upstreamUrl: 'SCEP_UPSTREAM_URL',
  upstreamSecretId: 'SCEP_UPSTREAM_SECRET_ID',
  upstreamTimeoutMs: 'SCEP_UPSTREAM_TIMEOUT_MS',
  prepareAtInit: 'SCEP_PREPARE_AT_INIT',
  maxBodyBytes: 'MAX_BODY_BYTES',
} as const;

/**
 * The custom metrics the SCEP function writes in CloudWatch Embedded Metric
 * Format, one log line per request.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const SCEP_METRICS = {
  namespace: 'JamfEventBridge',
  dimensions: { Function: 'scep' },
  issued: 'Issued',
  auditFailed: 'AuditFailed',
  deadLettered: 'DeadLettered',
  verifyAllowed: 'VerifyAllowed',
  verifyDenied: 'VerifyDenied',
} as const;

/** Path, under the stage, of the route Jamf Pro asks for a challenge on. The handler sees it as `event.resource`. */
export const SCEP_CHALLENGE_PATH = 'scep-challenge';
/** Path, under the stage, of the route step-ca's SCEPCHALLENGE webhook calls to check a challenge. */
export const SCEP_VERIFY_PATH = 'scep-challenge/verify';

/** Name of the alias the routes invoke when provisioned concurrency is on. */
export const SCEP_LIVE_ALIAS = 'live';

/**
 * Memory of the SCEP function, in MB: 1769, where Lambda gives a function one
 * full vCPU.
 *
 * Lambda allocates CPU in proportion to memory, and a cold start (loading the
 * module, the first TLS handshakes with Secrets Manager and DynamoDB) is CPU-bound,
 * so below 1769 MB it is slower in proportion: at 1024 MB the function gets about
 * 58% of a vCPU. Above 1769 MB the extra CPU is a second vCPU, which the handler,
 * single-threaded, would not use. Jamf Pro gives up after 2 s and enrolment waits
 * on this answer, while requests are rare (one per profile installed) and warm ones
 * take milliseconds, so the higher rate per millisecond costs next to nothing.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
 */
export const SCEP_FUNCTION_MEMORY_MB = 1769;

/** How long a signed challenge is valid unless set otherwise: long enough to install the profile and enrol. */
export const DEFAULT_SCEP_CHALLENGE_TTL = Duration.hours(1);
/** The longest challenge lifetime: the handler keeps used challenges (and the table its items) at most a week. */
export const MAX_SCEP_CHALLENGE_TTL = Duration.days(7);
/** What the audit publish may add to a response unless set otherwise. */
export const DEFAULT_SCEP_AUDIT_BUDGET = Duration.millis(500);
/** The longest audit budget: it must leave the answer well inside Jamf Pro's 2 s read timeout. */
export const MAX_SCEP_AUDIT_BUDGET = Duration.millis(1500);
/**
 * What a failed audit publish adds over its budget: the grace for a cold
 * client and the wait for the dead-letter write (the function's `AUDIT_OVERHEAD_MS`).
 */
export const SCEP_AUDIT_OVERHEAD = Duration.millis(250);
/** The limit on a call to the upstream issuer unless set otherwise. */
export const DEFAULT_SCEP_UPSTREAM_TIMEOUT = Duration.millis(1000);
/**
 * The longest upstream timeout, under Jamf Pro's 2 s read timeout; also the
 * most the upstream call and the audit publish may take together (the
 * function's `MAX_ISSUE_WAIT_MS`).
 */
export const MAX_SCEP_UPSTREAM_TIMEOUT = Duration.millis(1800);
/**
 * The SCEP function's default body limit. Both callers send small JSON documents
 * (Jamf Pro's SCEPChallenge webhook, step-ca's webhook request with the CSR),
 * a few KB each; the verify route has no authorizer in API Gateway, so a small
 * limit also bounds what an unauthenticated caller can make the function read.
 */
export const DEFAULT_SCEP_MAX_BODY_BYTES = 64 * 1024;
/** The largest SCEP body limit: what fails is dead-lettered, base64-encoded, in a 1 MiB message. */
export const MAX_SCEP_MAX_BODY_BYTES = 768 * 1024;

/** An issuer that hands out the challenges instead of this function signing them. */
export interface ScepUpstream {
  /**
   * The issuer's challenge URL. https only, and without credentials in it (use
   * `credentialsSecret`).
   * @example 'https://ca.example.com/scep/challenge'
   */
  readonly url: string;
  /**
   * A secret `{"username": "...", "password": "..."}` for Basic authentication
   * with the issuer; the function may read it.
   * @default - requests to the issuer carry no credentials
   */
  readonly credentialsSecret?: secretsmanager.ISecret;
  /**
   * Limit on one call to the issuer, connection included, in whole milliseconds;
   * at most 1800 ms, under Jamf Pro's 2 s read timeout, and at most 1550 ms
   * together with `scepAuditBudget` (a failed audit adds 250 ms more).
   * @default Duration.millis(1000)
   */
  readonly timeout?: Duration;
}

/**
 * How the SCEP dynamic-challenge service is set up; part of the properties of
 * `JamfEventBridge`, where `scepChallenge: false` leaves the service out.
 */
export interface ScepChallengeOptions {
  /**
   * An existing secret holding the challenge signing key, a JSON document
   * `{"key": "<random string>"}`, optionally with `"previousKeys": [...]` that
   * still verify challenges issued before a key change.
   * @default - a new secret with a generated 64-character key
   */
  readonly scepSigningKeySecret?: secretsmanager.ISecret;

  /**
   * An existing secret holding step-ca's webhook signing secret: the base64
   * value `step ca provisioner webhook add` prints, or `{"secrets": ["<base64>", ...]}`.
   * @default - a new secret with the placeholder `{"secrets":[]}` (no request verifies
   * until the value from step-ca is put in it)
   */
  readonly scepVerifySecret?: secretsmanager.ISecret;

  /**
   * How long a challenge is valid, in whole seconds, at most 7 days.
   * @default Duration.hours(1)
   */
  readonly scepChallengeTtl?: Duration;

  /**
   * How long publishing the `jamf.SCEPChallenge` audit event may add to a
   * response before the function dead-letters it instead; whole milliseconds,
   * at most 1500 ms.
   * @default Duration.millis(500)
   */
  readonly scepAuditBudget?: Duration;

  /**
   * Whether the verifier also requires the certificate request to name the
   * device the challenge was issued for.
   * @default false
   */
  readonly scepRequireDeviceMatch?: boolean;

  /**
   * Largest request body, in bytes, the SCEP function accepts (413 above); at
   * most 786432.
   * @default 65536
   */
  readonly scepMaxBodyBytes?: number;

  /**
   * An upstream issuer to get challenges from, instead of signing them here.
   * @default - the function signs challenges with the signing key
   */
  readonly scepUpstream?: ScepUpstream;

  /**
   * Instances of the SCEP function kept initialized, so that no request waits
   * for a cold start. When above 0, a version and an alias `live` are published
   * and both routes invoke the alias. Each instance is billed all the time.
   * @default 0 - none; a cold start answers in well under Jamf Pro's 2 s
   */
  readonly scepProvisionedConcurrency?: number;
}

/** The name of every SCEP option; the type makes sure none is missing. */
const SCEP_OPTIONS: { readonly [K in keyof Required<ScepChallengeOptions>]: true } = {
  scepSigningKeySecret: true,
  scepVerifySecret: true,
  scepChallengeTtl: true,
  scepAuditBudget: true,
  scepRequireDeviceMatch: true,
  scepMaxBodyBytes: true,
  scepUpstream: true,
  scepProvisionedConcurrency: true,
};

/** The names of the SCEP options, e.g. to reject them when the service is off. */
export const SCEP_OPTION_NAMES = Object.keys(SCEP_OPTIONS) as ReadonlyArray<keyof ScepChallengeOptions>;

/** Properties of {@link ScepChallenge}: its options and what it shares with the ingest function. */
export interface ScepChallengeProps extends ScepChallengeOptions {
  /** The bus the audit events go to. */
  readonly eventBus: events.IEventBus;
  /** `Source` of the audit events. */
  readonly eventSource: string;
  /** Where the function keeps what it could not publish. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The credentials Jamf Pro authenticates with (the webhook credentials). */
  readonly webhookAuthSecret: secretsmanager.ISecret;
  /** How long the function's logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /** Whether X-Ray active tracing is on. */
  readonly tracing: boolean;
}

/**
 * The SCEP dynamic-challenge service: one function behind two routes.
 *
 * Jamf Pro asks for a challenge (`POST /scep-challenge`, with the webhook
 * credentials); the function signs one with the key in `signingKeySecret` (or
 * gets one from `scepUpstream`) and publishes a `jamf.SCEPChallenge` audit event.
 * step-ca's SCEPCHALLENGE webhook then checks it (`POST /scep-challenge/verify`,
 * HMAC-signed with the secret in `verifySecret`); the function records the
 * challenge as used in `usedChallengesTable`, so it works once.
 *
 * The routes themselves are added by `JamfEventBridge`, which owns the API.
 */
export class ScepChallenge extends Construct {
  /** The function. */
  public readonly function: lambda.Function;
  /** The alias `live` with provisioned concurrency, when `scepProvisionedConcurrency` is above 0. */
  public readonly alias?: lambda.Alias;
  /** What the routes invoke: the alias if there is one, else the function. */
  public readonly target: lambda.IFunction;
  /** The challenges already verified, each kept until it expires. */
  public readonly usedChallengesTable: dynamodb.Table;
  /** The challenge signing key. */
  public readonly signingKeySecret: secretsmanager.ISecret;
  /** step-ca's webhook signing secret. */
  public readonly verifySecret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: ScepChallengeProps) {
    super(scope, id);
    const problems = scepOptionProblems(props);
    if (problems.length > 0) {
      throw new Error(`Invalid SCEP challenge properties:\n- ${problems.join('\n- ')}`);
    }

    const fn = createFunction(this, 'Scep', {
      entry: SCEP_ENTRY,
      description: 'Issues SCEP challenges to Jamf Pro and verifies them for step-ca',
      logRetention: props.logRetention,
      tracing: props.tracing,
      memorySize: SCEP_FUNCTION_MEMORY_MB,
      // Reading the source maps of the modules loaded at init adds about 10 ms to
      // every cold start (npm run bench), and this path has a 2 s budget. The
      // handler logs error codes, not stack traces, so the maps rarely matter.
      sourceMapsAtRuntime: false,
    });
    this.function = fn;

    // The audit event and the dead letters: the ingest function's bus, source and queue.
    fn.addEnvironment(SCEP_ENV.eventSource, props.eventSource);
    props.eventBus.grantPutEventsTo(fn);
    fn.addEnvironment(SCEP_ENV.eventBusName, props.eventBus.eventBusName);
    props.deadLetterQueue.grantSendMessages(fn);
    fn.addEnvironment(SCEP_ENV.deadLetterQueueUrl, props.deadLetterQueue.queueUrl);

    // Secrets by ARN, never by value: the function reads them at run time.
    grantReadSecret(fn, props.webhookAuthSecret);
    fn.addEnvironment(SCEP_ENV.webhookAuthSecretId, props.webhookAuthSecret.secretArn);
    this.signingKeySecret = props.scepSigningKeySecret ?? this.createSigningKeySecret();
    grantReadSecret(fn, this.signingKeySecret);
    fn.addEnvironment(SCEP_ENV.signingKeySecretId, this.signingKeySecret.secretArn);
    this.verifySecret = props.scepVerifySecret ?? this.createVerifySecret();
    grantReadSecret(fn, this.verifySecret);
    fn.addEnvironment(SCEP_ENV.verifySecretId, this.verifySecret.secretArn);

    this.usedChallengesTable = this.createUsedChallengesTable();
    // Recording a challenge as used is a conditional PutItem; the function reads nothing back.
    this.usedChallengesTable.grant(fn, 'dynamodb:PutItem');
    fn.addEnvironment(SCEP_ENV.usedChallengesTable, this.usedChallengesTable.tableName);

    // Every setting explicitly, so the deployed values are the documented defaults.
    fn.addEnvironment(SCEP_ENV.challengeTtlSeconds, String((props.scepChallengeTtl ?? DEFAULT_SCEP_CHALLENGE_TTL).toSeconds()));
    fn.addEnvironment(SCEP_ENV.auditBudgetMs, String((props.scepAuditBudget ?? DEFAULT_SCEP_AUDIT_BUDGET).toMilliseconds()));
    fn.addEnvironment(SCEP_ENV.requireDeviceMatch, String(props.scepRequireDeviceMatch ?? false));
    fn.addEnvironment(SCEP_ENV.maxBodyBytes, String(props.scepMaxBodyBytes ?? DEFAULT_SCEP_MAX_BODY_BYTES));

    const upstream = props.scepUpstream;
    if (upstream !== undefined) {
      fn.addEnvironment(SCEP_ENV.upstreamUrl, upstream.url);
      fn.addEnvironment(
        SCEP_ENV.upstreamTimeoutMs,
        String((upstream.timeout ?? DEFAULT_SCEP_UPSTREAM_TIMEOUT).toMilliseconds()),
      );
      if (upstream.credentialsSecret !== undefined) {
        grantReadSecret(fn, upstream.credentialsSecret);
        fn.addEnvironment(SCEP_ENV.upstreamSecretId, upstream.credentialsSecret.secretArn);
      }
    }

    const provisioned = props.scepProvisionedConcurrency ?? 0;
    if (provisioned > 0) {
      // A provisioned instance is initialized before it serves: init also loads the
      // issue path and reads its secrets, so its first request is a warm one.
      fn.addEnvironment(SCEP_ENV.prepareAtInit, 'true');
      // currentVersion publishes a new version whenever the code or configuration changes.
      this.alias = new lambda.Alias(this, 'LiveAlias', {
        aliasName: SCEP_LIVE_ALIAS,
        version: fn.currentVersion,
        provisionedConcurrentExecutions: provisioned,
        description: 'What the SCEP routes invoke: the current version, kept initialized',
      });
    }
    this.target = this.alias ?? fn;
  }

  private createSigningKeySecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'SigningKeySecret', {
      description: 'Key that signs SCEP challenges: {"key": "...", "previousKeys": [...]}',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'key',
        passwordLength: 64,
        excludePunctuation: true,
      },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation would need a rotation function that keeps the old key verifying until its challenges expire. ' +
        'The key is rotated by hand instead: put a new "key" and move the old one to "previousKeys" for one ' +
        'challenge lifetime (at most 7 days).',
    });
    return secret;
  }

  private createVerifySecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'VerifySecret', {
      description:
        "step-ca's SCEPCHALLENGE webhook signing secret: the base64 value `step ca provisioner webhook add` " +
        'prints, or {"secrets": ["<base64>", ...]}',
      // A placeholder, not a secret: step-ca issues the real value, which the admin
      // puts here after deploying. Until then the list is empty and no request
      // verifies. CloudFormation sets SecretString only when this template value
      // changes, so later deployments leave the admin's value in place.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ secrets: [] })),
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The value is issued by step-ca (step ca provisioner webhook add), which Secrets Manager cannot change. ' +
        'Rotate it in step-ca, then put the new value here, listing the old one too until step-ca uses the new.',
    });
    return secret;
  }

  private createUsedChallengesTable(): dynamodb.Table {
    const table = new dynamodb.Table(this, 'UsedChallenges', {
      partitionKey: { name: 'challengeId', type: dynamodb.AttributeType.STRING },
      // DynamoDB deletes an item after its expiresAt (epoch seconds), when the
      // challenge could no longer verify anyway.
      timeToLiveAttribute: 'expiresAt',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      // Items live at most one challenge lifetime; a table deleted with the stack
      // loses nothing a new stack would need.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'Point-in-time recovery would cost more than the table and restore nothing of value: an item only records ' +
        'that a challenge was used, and lives at most one challenge lifetime (7 days at most).',
    });
    return table;
  }
}

/** What is wrong with the SCEP options, each with what to change; empty when nothing is. */
export function scepOptionProblems(options: ScepChallengeOptions): string[] {
  const problems: string[] = [];

  const ttl = options.scepChallengeTtl;
  if (ttl !== undefined) {
    const seconds = ttl.toSeconds({ integral: false });
    const max = MAX_SCEP_CHALLENGE_TTL.toSeconds();
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > max) {
      problems.push(`scepChallengeTtl must be a whole number of seconds from 1 to ${max} (7 days), got ${seconds} s.`);
    }
  }

  const budget = options.scepAuditBudget;
  if (budget !== undefined) {
    const ms = budget.toMilliseconds({ integral: false });
    const max = MAX_SCEP_AUDIT_BUDGET.toMilliseconds();
    if (!Number.isInteger(ms) || ms < 1 || ms > max) {
      problems.push(
        `scepAuditBudget must be a whole number of milliseconds from 1 to ${max}, leaving the answer inside ` +
          `Jamf Pro's 2 s read timeout, got ${ms} ms.`,
      );
    }
  }

  const bytes = options.scepMaxBodyBytes;
  if (bytes !== undefined && (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_SCEP_MAX_BODY_BYTES)) {
    problems.push(
      `scepMaxBodyBytes must be a whole number from 1 to ${MAX_SCEP_MAX_BODY_BYTES} (768 KiB, so that a request ` +
        `fits base64-encoded in a 1 MiB dead-letter message), got ${bytes}.`,
    );
  }

  const provisioned = options.scepProvisionedConcurrency;
  if (provisioned !== undefined && (!Number.isInteger(provisioned) || provisioned < 0)) {
    problems.push(
      `scepProvisionedConcurrency must be a whole number of instances, 0 for none, got ${provisioned}.`,
    );
  }

  const upstream = options.scepUpstream;
  if (upstream !== undefined) {
    problems.push(...upstreamUrlProblems(upstream.url));
    if (upstream.timeout !== undefined) {
      const ms = upstream.timeout.toMilliseconds({ integral: false });
      const max = MAX_SCEP_UPSTREAM_TIMEOUT.toMilliseconds();
      if (!Number.isInteger(ms) || ms < 1 || ms > max) {
        problems.push(
          `scepUpstream.timeout must be a whole number of milliseconds from 1 to ${max}, under Jamf Pro's 2 s ` +
            `read timeout, got ${ms} ms.`,
        );
      }
    }
    // The function waits for the issuer, then for the audit publish (its budget and, when it fails, the
    // overhead of giving up and dead-lettering): together they must leave Jamf time to read.
    const wait =
      (upstream.timeout ?? DEFAULT_SCEP_UPSTREAM_TIMEOUT).toMilliseconds({ integral: false }) +
      (options.scepAuditBudget ?? DEFAULT_SCEP_AUDIT_BUDGET).toMilliseconds({ integral: false });
    const max = MAX_SCEP_UPSTREAM_TIMEOUT.toMilliseconds() - SCEP_AUDIT_OVERHEAD.toMilliseconds();
    if (wait > max) {
      problems.push(
        `scepUpstream.timeout plus scepAuditBudget must be at most ${max} ms, so that Jamf Pro's 2 s read ` +
          `timeout is never reached, got ${wait} ms: lower one of them.`,
      );
    }
  }
  return problems;
}

function upstreamUrlProblems(value: string): string[] {
  // A value known only at deployment (a token) cannot be checked here; the function checks it at start-up.
  if (Token.isUnresolved(value)) return [];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`scepUpstream.url "${value}" is not a URL; give the issuer's challenge URL, e.g. "https://ca.example.com/challenge".`];
  }
  if (url.username !== '' || url.password !== '') {
    return [
      'scepUpstream.url carries credentials, which would end up in logs and the function configuration: ' +
        'remove them from the URL and put them in scepUpstream.credentialsSecret.',
    ];
  }
  if (url.protocol !== 'https:') {
    return [
      `scepUpstream.url "${value}" must use https: the challenge it returns is a credential and must not cross ` +
        'the network in clear text.',
    ];
  }
  return [];
}
