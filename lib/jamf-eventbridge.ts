import { Duration, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DEFAULT_EVENT_SOURCE,
  DEFAULT_SECRET_MAX_STALE_SECONDS,
  INGEST_ENV,
  instanceIdPart,
  type InstanceTarget,
  MAX_DEAD_LETTER_BYTES,
  SCEP_CHALLENGE_PATH,
  SCEP_VERIFY_PATH,
  WEBHOOKS_PATH,
} from '../lambda/contract';
import type { JamfEventName } from '../lambda/events/catalogue';
import { JamfAlarms } from './alarms';
import { jamfEventRule, type JamfRuleOptions } from './event-rules';
import { JamfEventBus } from './event-bus';
import { HttpWebhookApi } from './http-webhook-api';
import { IngestFunction } from './ingest-function';
import { JamfWebhooks } from './jamf-webhooks';
import { JamfInstance } from './jamf-instance';
import { createWebhookAuthSecret } from './webhook-auth-secret';
import { createLogKey, type LogGroupSettings } from './log-group';
import { keepLogicalIdsOfParent } from './logical-ids';
import { grantReadSecret } from './grants';
import { OversizeBucket } from './oversize-bucket';
import { throwIfProblems } from './problems';
import { DEFAULT_API_TYPE, type ApiType, type JamfEventBridgeProps } from './props';

export type { ApiType, JamfEventBridgeProps } from './props';
import { ScepChallenge } from './scep-challenge';
import { JamfSchemaRegistry } from './schema-registry';
import { RedriveFunction } from './redrive-function';
import { propsProblems } from './validation';

/** How often the redrive function runs unless set otherwise. */
export const DEFAULT_REDRIVE_SCHEDULE = Duration.hours(1);

/** How long the functions use the secrets they read last while Secrets Manager cannot be read, unless set otherwise. */
export const DEFAULT_SECRET_MAX_STALE = Duration.seconds(DEFAULT_SECRET_MAX_STALE_SECONDS);
import { JAMF_CREDENTIALS_CHECKED, STEP_CA_SIGNATURE_CHECKED, WebhookApi } from './webhook-api';

/**
 * Jamf Pro webhooks in, Amazon EventBridge events out.
 *
 * An API Gateway HTTP API (`apiType: 'http'`, the default) or REST API
 * (`apiType: 'rest'`, which can have AWS WAF) at `POST /webhooks` passes the raw request to the ingest
 * function, which checks the credentials from Secrets Manager, decodes the JSON or
 * XML body and publishes it to an event bus; what it cannot publish goes to an
 * encrypted dead-letter queue. The bus archives the events for replay, and an
 * optional rule logs them. Alarms watch the API, the functions, the failed
 * publishes and the dead-letter queue.
 *
 * Unless `scepChallenge` is false, the same API also serves the SCEP dynamic
 * challenge service ({@link ScepChallenge}): `POST /scep-challenge` for Jamf Pro
 * and `POST /scep-challenge/verify` for step-ca, publishing a `jamf.SCEPChallenge`
 * audit event to the same bus for each challenge issued.
 *
 * @example
 * new JamfEventBridge(this, 'Jamf', {
 *   eventSource: 'jamf.prod',
 *   allowedSourceCidrs: ['192.0.2.0/24'],
 *   alarmEmail: 'ops@example.com',
 * });
 */
export class JamfEventBridge extends Construct {
  /** The bus events are published to. */
  public readonly eventBus: events.IEventBus;
  /** The archive of published events, if `archive` is on. */
  public readonly archive?: events.Archive;
  /** The log group the event log rule writes to, if `eventLog` is on. */
  public readonly eventLogGroup?: logs.LogGroup;
  /** The secret holding the webhook credentials. */
  public readonly webhookAuthSecret: secretsmanager.ISecret;
  /** Where the ingest function keeps the webhooks it could not publish. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The function behind `POST /webhooks`. */
  public readonly ingestFunction: lambda.Function;
  /** The front door's type. */
  public readonly apiType: ApiType;
  /**
   * The REST API, when `apiType` is `rest`. Still typed as always being there, so that code
   * written for the first release compiles; with an HTTP API it throws and says to use `httpApi`.
   */
  public get api(): apigw.RestApi {
    if (this.restApi === undefined) {
      throw new Error("This JamfEventBridge has an HTTP API (apiType 'http', the default): use httpApi, or set apiType 'rest' for a REST API");
    }
    return this.restApi;
  }
  private readonly restApi?: apigw.RestApi;
  /** The HTTP API, when `apiType` is `http` (the default). */
  public readonly httpApi?: apigwv2.HttpApi;
  /** The URL to enter in Jamf Pro's webhook settings. */
  public readonly webhookUrl: string;
  /** The SCEP challenge service, unless `scepChallenge` is false. */
  public readonly scep?: ScepChallenge;
  /** The challenge URL to enter in Jamf Pro's SCEP dynamic challenge settings, unless `scepChallenge` is false. */
  public readonly scepChallengeUrl?: string;
  /** The URL for step-ca's SCEPCHALLENGE webhook, unless `scepChallenge` is false. */
  public readonly scepVerifyUrl?: string;
  /** The topic every alarm notifies: `alarmTopic`, or the construct's own (with the `alarmEmail` subscription, if given). */
  public readonly alarmTopic: sns.ITopic;
  /** Every alarm of this construct. */
  public readonly alarms: cloudwatch.Alarm[];
  /** The function that publishes what the dead-letter queue holds and can be published. */
  public readonly redriveFunction: lambda.Function;
  /** `Source` of every published event. */
  public readonly eventSource: string;
  /** The key that encrypts every log group of this construct. */
  public readonly logKey: kms.Key;
  /** The schema registry with a schema per detail-type, unless `schemaRegistry` is false. */
  public readonly schemaRegistry?: JamfSchemaRegistry;
  /** The custom resource that registers the webhooks in Jamf Pro, when `jamfWebhooks` is given. */
  public readonly jamfWebhooks?: JamfWebhooks;
  /** The named Jamf Pro instances besides the default one (`instances`), in their order. */
  public readonly instances: readonly JamfInstance[];
  /**
   * Where what is too large for its service is kept: the whole event behind a stub (an event over
   * EventBridge's entry limit), and a dead letter over SQS's. Subscribers read the events with
   * {@link grantReadOversize}.
   */
  public readonly oversizeBucket: s3.Bucket;
  private readonly oversize: OversizeBucket;

  constructor(scope: Construct, id: string, props: JamfEventBridgeProps = {}) {
    super(scope, id);
    throwIfProblems('JamfEventBridge', propsProblems(props));

    const eventSource = props.eventSource ?? DEFAULT_EVENT_SOURCE;
    this.eventSource = eventSource;
    const tracing = props.tracing ?? false;
    this.logKey = createLogKey(this, 'LogKey');
    const logGroups: LogGroupSettings = {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: this.logKey,
    };

    // The archive and the event log keep the events of every instance's source.
    const otherEventSources = [...new Set((props.instances ?? []).flatMap((instance) => instance.eventSource ?? []))].filter(
      (source) => source !== eventSource,
    );
    const bus = new JamfEventBus(this, 'Events', { ...props, eventSource, otherEventSources, logGroups });
    this.eventBus = bus.eventBus;
    this.archive = bus.archive;
    this.eventLogGroup = bus.eventLogGroup;
    if (props.schemaRegistry ?? true) this.schemaRegistry = new JamfSchemaRegistry(this, 'SchemaRegistry', { eventSource });

    this.deadLetterQueue = createDeadLetterQueue(this);
    this.oversize = new OversizeBucket(this, 'OversizeBucket', { retention: props.oversizeRetention });
    this.oversizeBucket = this.oversize.bucket;
    this.webhookAuthSecret = props.webhookAuthSecret ?? createWebhookAuthSecret(this);

    const ingest = new IngestFunction(this, 'IngestFunction', {
      eventBus: this.eventBus,
      eventSource,
      deadLetterQueue: this.deadLetterQueue,
      webhookAuthSecret: this.webhookAuthSecret,
      maxBodyBytes: props.maxBodyBytes,
      publishBudget: props.publishBudget,
      logPublishedWebhooks: props.logPublishedWebhooks ?? true,
      reservedConcurrency: props.ingestReservedConcurrency,
      oversizeBucket: this.oversize,
      logGroups,
      tracing,
    });
    this.ingestFunction = ingest.function;

    this.apiType = props.apiType ?? DEFAULT_API_TYPE;
    // The REST API keeps the construct and logical IDs it always had; the HTTP API's are
    // other IDs, so that switching types replaces the API instead of failing to change a type.
    const webhookApi =
      this.apiType === 'rest'
        ? new WebhookApi(this, 'WebhookApi', { ...props, logGroups, tracing })
        : new HttpWebhookApi(this, 'HttpWebhookApi', { ...props, logGroups });
    if (webhookApi instanceof WebhookApi) this.restApi = webhookApi.api;
    else this.httpApi = webhookApi.api;
    this.webhookUrl = webhookApi.addLambdaRoute(WEBHOOKS_PATH, this.ingestFunction, JAMF_CREDENTIALS_CHECKED);

    if (props.scepChallenge ?? true) {
      this.scep = new ScepChallenge(this, 'ScepChallenge', {
        scepSigningKeySecret: props.scepSigningKeySecret,
        scepVerifySecret: props.scepVerifySecret,
        scepChallengeTtl: props.scepChallengeTtl,
        scepAuditBudget: props.scepAuditBudget,
        scepRequireDeviceMatch: props.scepRequireDeviceMatch,
        scepMaxBodyBytes: props.scepMaxBodyBytes,
        scepUpstream: props.scepUpstream,
        scepProvisionedConcurrency: props.scepProvisionedConcurrency,
        eventBus: this.eventBus,
        eventSource,
        deadLetterQueue: this.deadLetterQueue,
        webhookAuthSecret: this.webhookAuthSecret,
        logGroups,
        tracing,
      });
      // One function, both routes: it tells them apart by event.resource.
      this.scepChallengeUrl = webhookApi.addLambdaRoute(SCEP_CHALLENGE_PATH, this.scep.target, JAMF_CREDENTIALS_CHECKED);
      this.scepVerifyUrl = webhookApi.addLambdaRoute(SCEP_VERIFY_PATH, this.scep.target, STEP_CA_SIGNATURE_CHECKED);
    }

    // Each named instance: its secret, its routes on the same API and functions, and its registration.
    this.instances = (props.instances ?? []).map(
      (options) =>
        new JamfInstance(this, `Instance${instanceIdPart(options.name)}`, {
          ...options,
          api: webhookApi,
          ingestFunction: this.ingestFunction,
          scep: this.scep === undefined ? undefined : { target: this.scep.target, function: this.scep.function },
          defaultEventSource: eventSource,
          logGroups,
          tracing,
        }),
    );

    if (props.jamfWebhooks !== undefined) {
      this.jamfWebhooks = new JamfWebhooks(this, 'JamfWebhooks', {
        ...props.jamfWebhooks,
        webhookUrl: this.webhookUrl,
        scepChallengeUrl: this.scepChallengeUrl,
        webhookAuthSecret: this.webhookAuthSecret,
        logGroups,
        tracing,
      });
      // Jamf Pro may send a webhook as soon as it is registered: the routes and functions come first.
      this.jamfWebhooks.node.addDependency(webhookApi, this.ingestFunction, ...(this.scep ? [this.scep] : []));
    }

    // How long the functions ride out a Secrets Manager outage on what they read last.
    // A token (a parameter) passes through as it is, in the unit it was given.
    const secretMaxStaleSeconds = (props.secretMaxStale ?? DEFAULT_SECRET_MAX_STALE).toSeconds().toString();
    for (const fn of [this.ingestFunction, this.scep?.function]) fn?.addEnvironment(INGEST_ENV.secretMaxStaleSeconds, secretMaxStaleSeconds);
    // The functions check the caller's address themselves: the only check an HTTP API has, and a
    // second one behind the REST API's resource policy.
    if (props.allowedSourceCidrs !== undefined) {
      const cidrs = Token.isUnresolved(props.allowedSourceCidrs)
        ? Fn.join(',', props.allowedSourceCidrs as string[])
        : props.allowedSourceCidrs.join(',');
      for (const fn of [this.ingestFunction, this.scep?.function]) fn?.addEnvironment(INGEST_ENV.allowedSourceCidrs, cidrs);
    }

    const redrive = new RedriveFunction(this, 'Redrive', {
      eventBus: this.eventBus,
      deadLetterQueue: this.deadLetterQueue,
      eventSource,
      webhookAuthSecret: this.webhookAuthSecret,
      schedule: props.redriveSchedule ?? DEFAULT_REDRIVE_SCHEDULE,
      oversizeBucket: this.oversize,
      logGroups,
      tracing,
    });
    this.redriveFunction = redrive.function;
    this.serveInstances();

    const alarms = new JamfAlarms(this, 'Alarms', {
      apiServerErrors: (options) => webhookApi.metricServerError(options),
      apiThrottled: (options) => webhookApi.metricThrottled(options),
      ingestFunction: this.ingestFunction,
      deadLetterQueue: this.deadLetterQueue,
      scepFunction: this.scep?.function,
      alarmEmail: props.alarmEmail,
      alarmTopic: props.alarmTopic,
    });
    this.alarmTopic = alarms.alarmTopic;
    this.alarms = alarms.alarms;

    // These parts were carved out of this construct after it was first deployed:
    // their resources keep the logical IDs they had here.
    for (const part of [bus, ingest, webhookApi, alarms]) keepLogicalIdsOfParent(part);
  }

  /**
   * Tells the functions the named instances (`WEBHOOK_INSTANCES`): each one's credentials secret
   * and its own source; the SCEP function only those with a SCEP route. Nothing is set without
   * instances, so that a construct without them has the functions it always had.
   */
  private serveInstances(): void {
    if (this.instances.length === 0) return;
    const targets = (instances: readonly JamfInstance[]) =>
      Stack.of(this).toJsonString(
        Object.fromEntries(
          instances.map((instance): [string, InstanceTarget] => [
            instance.name,
            {
              webhookAuthSecretId: instance.webhookAuthSecret.secretArn,
              ...(instance.hasOwnEventSource ? { eventSource: instance.eventSource } : {}),
            },
          ]),
        ),
      );
    this.ingestFunction.addEnvironment(INGEST_ENV.instances, targets(this.instances));
    // A redrive checks an unverified letter of an instance against that instance's credentials.
    for (const instance of this.instances) grantReadSecret(this.redriveFunction, instance.webhookAuthSecret);
    this.redriveFunction.addEnvironment(INGEST_ENV.instances, targets(this.instances));
    const withScep = this.instances.filter((instance) => instance.scepChallengeUrl !== undefined);
    if (this.scep !== undefined && withScep.length > 0) this.scep.function.addEnvironment(INGEST_ENV.instances, targets(withScep));
  }

  /**
   * Lets a subscriber read the whole event behind a stub (`detail.delivery.oversize`) from the
   * oversize bucket, as `fetchOversize` from `jamf-eventbridge/events/oversize` does: `s3:GetObject`
   * on the `events/` keys only (dead letters, which hold raw bodies, stay private).
   *
   * @example
   * jamf.grantReadOversize(subscriberFunction);
   */
  public grantReadOversize(grantee: iam.IGrantable): iam.Grant {
    return this.oversize.grantReadEvents(grantee);
  }

  /**
   * A rule on this construct's bus for the events of `detailType`, with a `detail`
   * pattern checked against the catalogue when it compiles (see {@link jamfEventRule}).
   *
   * @example
   * jamf.onEvent('PolicyFailed', {
   *   detailType: 'ComputerPolicyFinished',
   *   detail: { event: { successful: [false] } },
   *   target: new targets.LambdaFunction(onFailure),
   * });
   */
  public onEvent<const TName extends JamfEventName = JamfEventName>(id: string, options: JamfRuleOptions<TName>): events.Rule {
    return jamfEventRule<TName>(this, id, { ...options, eventBus: this.eventBus, eventSource: this.eventSource });
  }
}

/** The dead-letter store: an encrypted queue that keeps what could not be published, with the reason. */
function createDeadLetterQueue(scope: Construct): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    // Records carry the webhook body, possibly base64-encoded.
    maxMessageSizeBytes: MAX_DEAD_LETTER_BYTES,
    // Declares the queue a dead-letter queue, which it is, with the permission SQS
    // gives any queue without this policy (any queue of the account may redrive to
    // it): nothing changes but the declaration, which is how Control Tower's
    // CT.SQS.PR.1 (sqs_dlq_check) tells a dead-letter queue from a queue that lacks one.
    redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
  });
  const isTheDeadLetterStore =
    'This queue is the dead-letter store itself: the functions write what they could not publish (webhooks, ' +
    'SCEP audit records), and people inspect and re-send them. A dead-letter queue behind it would never ' +
    'receive anything.';
  Validations.of(queue).acknowledge(
    { id: 'AwsSolutions-SQS3', reason: isTheDeadLetterStore },
    { id: 'Serverless-SQSRedrivePolicy', reason: isTheDeadLetterStore },
  );
  return queue;
}
