import { RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SCEP_ENV } from '../lambda/contract';
import { throwIfProblems } from './problems';
import { acknowledgeFunctionRules, createFunction } from './function';
import { createLogKey, type LogGroupSettings } from './log-group';
import { grantReadSecret, grantSharedResources, type SharedResources } from './grants';
import {
  DEFAULT_SCEP_AUDIT_BUDGET,
  DEFAULT_SCEP_CHALLENGE_TTL,
  DEFAULT_SCEP_MAX_BODY_BYTES,
  DEFAULT_SCEP_UPSTREAM_TIMEOUT,
  type ScepChallengeOptions,
  scepOptionProblems,
} from './scep-options';

/**
 * The SCEP function's entry, relative to the repository root (the contract
 * with lambda/): an ES module so that it can await its init (see the file).
 */
export const SCEP_ENTRY = 'lambda/scep/lambda.mts';

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

/** Properties of {@link ScepChallenge}: its options and what it shares with the ingest function. */
export interface ScepChallengeProps extends ScepChallengeOptions, SharedResources {
  /** Retention and encryption key of the function's log group. */
  /**
   * Retention and encryption key of the function's log group.
   * @default - `logRetention`, and a key of this construct's own
   */
  readonly logGroups?: LogGroupSettings;
  /**
   * How long the function's logs are kept, when `logGroups` is not given (the
   * property of the first release, kept for code that passes it).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
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
    throwIfProblems('ScepChallenge', scepOptionProblems(props));

    const fn = createFunction(this, 'Scep', {
      entry: SCEP_ENTRY,
      description: 'Issues SCEP challenges to Jamf Pro and verifies them for step-ca',
      logGroups: props.logGroups ?? {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        encryptionKey: createLogKey(this, 'LogKey'),
      },
      tracing: props.tracing,
      memorySize: SCEP_FUNCTION_MEMORY_MB,
      // Reading the source maps of the modules loaded at init adds about 10 ms to
      // every cold start (npm run bench), and this path has a 2 s budget. The
      // handler logs error codes, not stack traces, so the maps rarely matter.
      sourceMapsAtRuntime: false,
    });
    this.function = fn;
    acknowledgeFunctionRules(fn, props.tracing);

    // The audit event, the dead letters and Jamf's credentials: the ingest function's.
    grantSharedResources(fn, props);
    // Secrets by ARN, never by value: the function reads them at run time.
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
      // It restores little (an item only records that a challenge was used, for at most a week), but it
      // costs next to nothing on a table this small, and accounts that enforce AWS Control Tower's
      // proactive controls refuse a table without it: no acknowledgement gets past their hook.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Items live at most one challenge lifetime; a table deleted with the stack
      // loses nothing a new stack would need.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return table;
  }
}

