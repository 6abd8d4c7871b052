import type { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { JamfInstanceOptions } from './jamf-instance';
import type { JamfWebhooksOptions } from './jamf-webhooks';
import type { ScepChallengeOptions } from './scep-options';

/** The API Gateway API type of the front door (see {@link JamfEventBridgeProps.apiType}). */
export type ApiType = 'http' | 'rest';

/** The API types, for checks and the settings. */
export const API_TYPES: readonly ApiType[] = ['http', 'rest'];

/**
 * The construct's front door unless `apiType` says otherwise: the REST API it always had, so
 * that a stack built on the construct keeps its API and URL when it upgrades. The app
 * (`cdk deploy` from this repository) defaults to `http` through its settings.
 */
export const DEFAULT_API_TYPE: ApiType = 'rest';

/**
 * Properties of {@link JamfEventBridge}. Every one is optional: the defaults make a working deployment.
 * The `scep*` options of the SCEP challenge service are documented in {@link ScepChallengeOptions}.
 */
export interface JamfEventBridgeProps extends ScepChallengeOptions {
  /**
   * `Source` of every event the ingest function publishes. EventBridge reserves
   * sources starting with `aws.`.
   * @default 'jamf.pro'
   */
  readonly eventSource?: string;

  /**
   * An existing event bus (same account and region) to publish to.
   * @default - a new event bus named `eventBusName`
   */
  readonly eventBus?: events.IEventBus;

  /**
   * Name of the event bus this construct creates. Cannot be combined with `eventBus`.
   * @default - the name of the stack
   */
  readonly eventBusName?: string;

  /**
   * Whether to archive the published events on the bus, so that they can be
   * replayed to consumers after an outage.
   * @default true
   */
  readonly archive?: boolean;

  /**
   * How long the archive keeps an event, in whole days; `Duration.days(0)` keeps
   * events indefinitely. Requires `archive`.
   * @default Duration.days(30)
   */
  readonly archiveRetention?: Duration;

  /**
   * The front door. `'http'`: an API Gateway HTTP API, about a third of the REST
   * API's price per request; the functions enforce `allowedSourceCidrs`. `'rest'`:
   * a REST API, which can have an AWS WAF web ACL (`webAclArn`) and a resource
   * policy. Routes, URLs (`.../v1/webhooks`) and answers are the same. A
   * deployment made before this property existed has a REST API: set `'rest'`
   * to keep it, as another type replaces the API and its URL.
   * @default 'rest' (the app's setting `apiType` defaults to `http`)
   */
  readonly apiType?: ApiType;

  /**
   * Whether a rule sends every published event (source `eventSource`, detail-type
   * `jamf.*`) to a CloudWatch log group, so that a new installation can watch
   * events arrive. It ingests every event into CloudWatch Logs again (see docs/costs.md).
   * @default true (the app's setting `eventLog` defaults to `false`, for cost)
   */
  readonly eventLog?: boolean;

  /**
   * AWS accounts (12-digit ids) that may create rules on the bus this construct
   * creates, and manage each only the rules it created (the bus policy's
   * `events:creatorAccount` condition): subscribers in other accounts. Cannot be
   * combined with `eventBus`, whose policy is not this construct's.
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html
   * @default - no other account
   */
  readonly consumerAccounts?: readonly string[];

  /**
   * An AWS Organizations id (`o-` and 10 to 32 lower-case letters or digits)
   * whose every account may create rules on the bus this construct creates,
   * each managing only its own. Cannot be combined with `eventBus`.
   * @default - no organization
   */
  readonly consumerOrganizationId?: string;

  /**
   * Whether to create an EventBridge schema registry with an OpenAPI 3 schema for
   * every detail-type the construct publishes (see `JamfSchemaRegistry`), so
   * that subscribers can browse the events and download code bindings for them.
   * @default true
   */
  readonly schemaRegistry?: boolean;

  /**
   * Whether the ingest function writes a log line, with the `Published` metric, for every
   * webhook it publishes. Failures, refusals and dead letters are logged either way.
   * @default true (the app's setting `logPublishedWebhooks` defaults to `false`, for cost)
   */
  readonly logPublishedWebhooks?: boolean;

  /**
   * How long CloudWatch keeps every log group of this construct: function logs,
   * API access and execution logs, and the event log.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Steady-state requests per second the API stage accepts before answering 429, which Jamf Pro
   * does not resend. The default carries 50,000 devices at the start of a working day
   * (docs/operations.md, "Sizing for a fleet"); it was 100 before.
   * @default DEFAULT_THROTTLING_RATE_LIMIT (500)
   */
  readonly throttlingRateLimit?: number;

  /**
   * Requests the API stage accepts at once (the token bucket's size), refilled at the steady rate,
   * before answering 429. It was 200 before.
   * @default DEFAULT_THROTTLING_BURST_LIMIT (500)
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Lambda instances reserved for the ingest function, so that other functions in the account
   * cannot starve it. Also the most it runs at once, and taken from the account's unreserved
   * concurrency (which Lambda keeps at 100 or more). Set it, to at least `throttlingBurstLimit`,
   * when other busy functions share the account.
   * @default - none: the function draws on the account's unreserved concurrency
   */
  readonly ingestReservedConcurrency?: number;

  /**
   * Largest webhook body, in bytes, the ingest function accepts; larger ones are
   * answered with 413. At most 4694016 (`MAX_BODY_BYTES_LIMIT`): the largest body API Gateway
   * can hand a function base64-encoded within Lambda's 6 MiB synchronous payload.
   * An event too large for the bus is kept in the oversize bucket and published as a stub.
   * @default 4694016 (`DEFAULT_MAX_BODY_BYTES`)
   */
  readonly maxBodyBytes?: number;

  /**
   * How long the oversize bucket keeps an object: the whole event behind a stub (an event too
   * large for one EventBridge entry), and a dead letter too large for SQS. Whole days, at
   * least 14, the dead-letter queue's retention, so that no letter outlives the object it points at.
   * @default Duration.days(30)
   */
  readonly oversizeRetention?: Duration;

  /**
   * How long the ingest function may spend publishing (PutEvents and its retries)
   * before it dead-letters the webhook instead. At most 8 s, to leave time for
   * the dead-letter write inside the function's 10 s timeout.
   * @default - the function's own default (1400 ms: what Jamf Pro's 2 s read timeout leaves before the dead-letter write)
   */
  readonly publishBudget?: Duration;

  /**
   * CIDR ranges (IPv4 or IPv6) allowed to call the API; every other source
   * address gets 403. The functions check the address API Gateway saw (with both
   * API types), and with `apiType: 'rest'` a resource policy refuses it first. For Jamf Cloud, use the
   * outbound IP ranges Jamf publishes for your instance's region.
   * @default - any source address may call the API
   */
  readonly allowedSourceCidrs?: readonly string[];

  /**
   * ARN of a regional AWS WAF web ACL, in the stack's region, to associate with
   * the API stage. Requires `apiType: 'rest'`: an HTTP API cannot have a web ACL.
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * An existing Secrets Manager secret with the webhook credentials, a JSON
   * document `{"username": "...", "password": "..."}`.
   * @default - a new secret with username `jamf` and a generated 32-character password
   */
  readonly webhookAuthSecret?: secretsmanager.ISecret;

  /**
   * Email address to notify when an alarm changes state: it is subscribed to the
   * construct's own SNS topic (the address must confirm the subscription).
   * Cannot be combined with `alarmTopic`.
   * @default - no email; the alarms still notify the construct's topic, to which subscribers can be added
   */
  readonly alarmEmail?: string;

  /**
   * Existing SNS topic to notify when an alarm changes state, instead of the
   * construct's own.
   * @default - a new topic (with the `alarmEmail` subscription, if given), which every alarm notifies
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Whether X-Ray active tracing is on for the API stage and the functions.
   * Off by default for cost: at webhook rates X-Ray's sampling (the first request
   * each second, then 5%) records nearly every request, about $5 per million,
   * more than the rest of the stack. Turn it on to diagnose latency.
   * @default false
   */
  readonly tracing?: boolean;

  /**
   * Whether to set the account's API Gateway CloudWatch Logs role, which API
   * Gateway needs to write access and execution logs. It is one setting per
   * account and region: set false if it is already managed elsewhere.
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;

  /**
   * Whether to deploy the SCEP dynamic-challenge service: `POST /scep-challenge`
   * for Jamf Pro and `POST /scep-challenge/verify` for step-ca, with its function,
   * table and secrets. Without it, none of these exist and no `scep*` option may be set.
   * @default true
   */
  readonly scepChallenge?: boolean;

  /**
   * How often the redrive function runs on its own, publishing what the
   * dead-letter queue holds and can be published; `Duration.minutes(0)` for on
   * demand only. Whole minutes.
   * @default Duration.hours(1)
   */
  readonly redriveSchedule?: Duration;

  /**
   * How long a function keeps using the secrets it read last (the webhook
   * credentials, the SCEP keys) while Secrets Manager cannot be read: a warm
   * instance then serves on, and logs it. Whole hours; `Duration.hours(0)`
   * never uses a secret past its 5-minute cache.
   * @default Duration.hours(24)
   */
  readonly secretMaxStale?: Duration;

  /**
   * Registers the webhooks in Jamf Pro at deploy time, and deletes them with the stack, through
   * Jamf Pro's Classic API as an API client whose secret you give ({@link JamfWebhooks}).
   * @default - nothing is registered: enter the URLs in Jamf Pro, or run `npm run jamf -- sync`
   */
  readonly jamfWebhooks?: JamfWebhooksOptions;

  /**
   * More Jamf Pro instances besides the default one at `/webhooks` (production and sandbox, one
   * per subsidiary), at most 10. Each has its own routes (`/webhooks/<name>`, and
   * `/scep-challenge/<name>` with the SCEP service), credentials, optionally its own source and
   * deploy-time registration, served by the same functions; its events carry its name in
   * `detail.delivery.instance`, so one rule can tell them apart ({@link JamfInstanceOptions}).
   * @default - the default instance only
   */
  readonly instances?: readonly JamfInstanceOptions[];
}
