import { isIPv4, isIPv6 } from 'node:net';
import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { createFunction, FUNCTION_TIMEOUT } from './function';
import { grantReadSecret } from './grants';
import {
  SCEP_CHALLENGE_PATH,
  SCEP_METRICS,
  SCEP_VERIFY_PATH,
  ScepChallenge,
  type ScepChallengeOptions,
  SCEP_OPTION_NAMES,
  scepOptionProblems,
} from './scep-challenge';

/** The ingest handler, relative to the repository root (the contract with lambda/). */
export const INGEST_ENTRY = 'lambda/ingest/handler.ts';

/**
 * The environment variables the ingest handler reads (lambda/config.ts holds the
 * same names on the Lambda side; a test keeps the two in step).
 */
export const INGEST_ENV = {
  eventBusName: 'EVENT_BUS_NAME',
  eventSource: 'EVENT_SOURCE',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  webhookAuthSecretId: 'WEBHOOK_AUTH_SECRET_ID',
  maxBodyBytes: 'MAX_BODY_BYTES',
  publishBudgetMs: 'PUBLISH_BUDGET_MS',
} as const;

/**
 * The custom metrics the ingest function writes in CloudWatch Embedded Metric Format.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const INGEST_METRICS = {
  namespace: 'JamfEventBridge',
  dimensions: { Function: 'ingest' },
  published: 'Published',
  deadLettered: 'DeadLettered',
  publishFailed: 'PublishFailed',
} as const;

/** Detail-types of published events all start with this (`jamf.ComputerAdded`). */
export const DETAIL_TYPE_PREFIX = 'jamf.';

/** Name of the API stage: the first path segment of the webhook URL. */
export const STAGE_NAME = 'v1';

/** Path of the webhook route under the stage. */
export const WEBHOOKS_PATH = 'webhooks';

/** The default body limit: the size of one EventBridge entry, and of almost any webhook. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
/** The largest body API Gateway accepts; nothing larger reaches the function. */
const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/**
 * The largest `maxBodyBytes` allowed: a rejected or unpublishable body must
 * still fit, base64-encoded (4/3 larger), in a 1 MiB dead-letter message.
 */
export const MAX_BODY_BYTES_LIMIT = 768 * 1024;
/** Why tracing is off unless asked for (cdk-nag acknowledgements). */
const TRACING_OFF =
  'X-Ray is off by default for cost: at webhook rates its sampling records nearly every request (about $5 per ' +
  'million, more than the rest of the stack). Access logs, function logs and metrics cover operations; set ' +
  'tracing to true to diagnose latency.';
/** Time the function keeps after the publish budget for the dead-letter write. */
const DEAD_LETTER_RESERVE = Duration.seconds(2);
/**
 * p99 duration, in ms, over which the SCEP function is slow: Jamf Pro gives up
 * on a challenge request after 2 s, and the network and API Gateway need the rest.
 */
const SCEP_SLOW_MS = 1500;

/** Who calls a route and how the function, not API Gateway, authenticates them (cdk-nag acknowledgements). */
interface RouteAuthentication {
  readonly caller: string;
  readonly howTheFunctionAuthenticates: string;
}

const JAMF_CREDENTIALS_CHECKED: RouteAuthentication = {
  caller: 'Jamf Pro',
  howTheFunctionAuthenticates:
    'Jamf Pro can only send Basic or header credentials, not IAM signatures or tokens. The function checks them ' +
    'against the Secrets Manager secret before doing anything else, and answers 401 otherwise.',
};

const STEP_CA_SIGNATURE_CHECKED: RouteAuthentication = {
  caller: "step-ca's SCEPCHALLENGE webhook",
  howTheFunctionAuthenticates:
    'step-ca signs each webhook request with HMAC-SHA256 over the body and sends no credentials API Gateway ' +
    'could check. The function verifies the signature with the secret from Secrets Manager before doing ' +
    'anything else, and answers 401 otherwise.',
};

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
   * Whether a rule sends every published event (source `eventSource`, detail-type
   * `jamf.*`) to a CloudWatch log group, so that a new installation can watch
   * events arrive. Turn it off once real consumers exist if the logs are not wanted.
   * @default true
   */
  readonly eventLog?: boolean;

  /**
   * How long CloudWatch keeps every log group of this construct: function logs,
   * API access and execution logs, and the event log.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Steady-state requests per second the API stage accepts before answering 429.
   * @default 100
   */
  readonly throttlingRateLimit?: number;

  /**
   * Requests the API stage accepts at once, above the steady rate, before answering 429.
   * @default 200
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Largest webhook body, in bytes, the ingest function accepts; larger ones are
   * answered with 413. At most 786432 (768 KiB), so that any accepted body fits,
   * base64-encoded, in a dead-letter message. API Gateway itself rejects bodies
   * over 10 MB.
   * @default 262144 (256 KiB, the size of an EventBridge entry)
   */
  readonly maxBodyBytes?: number;

  /**
   * How long the ingest function may spend publishing (PutEvents and its retries)
   * before it dead-letters the webhook instead. At most 8 s, to leave time for
   * the dead-letter write inside the function's 10 s timeout.
   * @default - the function's own default (1200 ms)
   */
  readonly publishBudget?: Duration;

  /**
   * CIDR ranges (IPv4 or IPv6) allowed to call the API, enforced by a resource
   * policy that denies every other source address (403). For Jamf Cloud, use the
   * outbound IP ranges Jamf publishes for your instance's region.
   * @default - any source address may call the API
   */
  readonly allowedSourceCidrs?: readonly string[];

  /**
   * ARN of a regional AWS WAF web ACL, in the stack's region, to associate with
   * the API stage.
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
   * Email address to notify when an alarm changes state, through a new SNS topic.
   * Cannot be combined with `alarmTopic`.
   * @default - no email
   */
  readonly alarmEmail?: string;

  /**
   * Existing SNS topic to notify when an alarm changes state.
   * @default - alarms have no actions (unless `alarmEmail` is set)
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
}

/**
 * Jamf Pro webhooks in, Amazon EventBridge events out.
 *
 * A regional REST API (`POST /webhooks`) passes the raw request to the ingest
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
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The URL to enter in Jamf Pro's webhook settings. */
  public readonly webhookUrl: string;
  /** The SCEP challenge service, unless `scepChallenge` is false. */
  public readonly scep?: ScepChallenge;
  /** The challenge URL to enter in Jamf Pro's SCEP dynamic challenge settings, unless `scepChallenge` is false. */
  public readonly scepChallengeUrl?: string;
  /** The URL for step-ca's SCEPCHALLENGE webhook, unless `scepChallenge` is false. */
  public readonly scepVerifyUrl?: string;
  /** The topic alarms notify, if any. */
  public readonly alarmTopic?: sns.ITopic;
  /** Every alarm of this construct. */
  public readonly alarms: cloudwatch.Alarm[] = [];

  private readonly logRetention: logs.RetentionDays;
  private readonly tracing: boolean;

  constructor(scope: Construct, id: string, props: JamfEventBridgeProps = {}) {
    super(scope, id);
    validateProps(props);

    const eventSource = props.eventSource ?? 'jamf.pro';
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.tracing = props.tracing ?? false;

    // --- EventBridge -------------------------------------------------------
    this.eventBus =
      props.eventBus ??
      new events.EventBus(this, 'EventBus', {
        eventBusName: props.eventBusName ?? Stack.of(this).stackName,
        description: `Jamf Pro webhook events (source ${eventSource})`,
      });

    if (props.archive ?? true) {
      this.archive = new events.Archive(this, 'Archive', {
        sourceEventBus: this.eventBus,
        description: `Jamf Pro webhook events (source ${eventSource}), kept for replay`,
        eventPattern: { source: [eventSource] },
        retention: props.archiveRetention ?? Duration.days(30),
      });
    }

    if (props.eventLog ?? true) {
      this.eventLogGroup = this.createEventLog(eventSource);
    }

    // --- Dead letters ------------------------------------------------------
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Records carry the webhook body, possibly base64-encoded.
      maxMessageSizeBytes: 1024 * 1024,
    });
    const isTheDeadLetterStore =
      'This queue is the dead-letter store itself: the functions write what they could not publish (webhooks, ' +
      'SCEP audit records), and people inspect and re-send them. A dead-letter queue behind it would never ' +
      'receive anything.';
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: isTheDeadLetterStore },
      { id: 'Serverless-SQSRedrivePolicy', reason: isTheDeadLetterStore },
    );

    // --- Webhook credentials -----------------------------------------------
    this.webhookAuthSecret = props.webhookAuthSecret ?? this.createWebhookAuthSecret();

    // --- Ingest function ---------------------------------------------------
    const ingest = createFunction(this, 'Ingest', {
      entry: INGEST_ENTRY,
      description: 'Receives Jamf Pro webhooks and publishes them to EventBridge',
      logRetention: this.logRetention,
      tracing: this.tracing,
    });
    this.ingestFunction = ingest;
    this.acknowledgeFunctionRules(ingest);

    ingest.addEnvironment(INGEST_ENV.eventSource, eventSource);
    this.eventBus.grantPutEventsTo(ingest);
    ingest.addEnvironment(INGEST_ENV.eventBusName, this.eventBus.eventBusName);
    this.deadLetterQueue.grantSendMessages(ingest);
    ingest.addEnvironment(INGEST_ENV.deadLetterQueueUrl, this.deadLetterQueue.queueUrl);
    // The ARN, not the value: the function reads the secret at run time.
    grantReadSecret(ingest, this.webhookAuthSecret);
    ingest.addEnvironment(INGEST_ENV.webhookAuthSecretId, this.webhookAuthSecret.secretArn);
    ingest.addEnvironment(INGEST_ENV.maxBodyBytes, String(props.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
    if (props.publishBudget !== undefined) {
      ingest.addEnvironment(INGEST_ENV.publishBudgetMs, String(props.publishBudget.toMilliseconds()));
    }

    // --- API -------------------------------------------------------------
    this.api = this.createApi(props);
    this.addLambdaRoute(WEBHOOKS_PATH, ingest, JAMF_CREDENTIALS_CHECKED);
    this.webhookUrl = this.api.urlForPath(`/${WEBHOOKS_PATH}`);

    // --- SCEP challenge service -----------------------------------------------
    if (props.scepChallenge ?? true) {
      const scep = new ScepChallenge(this, 'ScepChallenge', {
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
        logRetention: this.logRetention,
        tracing: this.tracing,
      });
      this.scep = scep;
      this.acknowledgeFunctionRules(scep.function);
      // One function, both routes: it tells them apart by event.resource.
      this.addLambdaRoute(SCEP_CHALLENGE_PATH, scep.target, JAMF_CREDENTIALS_CHECKED);
      this.addLambdaRoute(SCEP_VERIFY_PATH, scep.target, STEP_CA_SIGNATURE_CHECKED);
      this.scepChallengeUrl = this.api.urlForPath(`/${SCEP_CHALLENGE_PATH}`);
      this.scepVerifyUrl = this.api.urlForPath(`/${SCEP_VERIFY_PATH}`);
    }

    // --- Alarms ----------------------------------------------------------
    if (props.alarmEmail !== undefined) {
      const topic = new sns.Topic(this, 'AlarmTopic', {
        displayName: 'Jamf EventBridge alarms',
        enforceSSL: true,
      });
      // Not KMS-encrypted: notifications carry alarm names and states only, and
      // CloudWatch cannot publish to a topic under the AWS managed SNS key.
      const subscription = topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'A failed alarm email is not worth a queue that would itself need watching: the alarm and its state ' +
          'stay visible in the CloudWatch console.',
      });
      this.alarmTopic = topic;
    } else {
      this.alarmTopic = props.alarmTopic;
    }
    this.createAlarms();
  }

  /**
   * Routes `POST /<path>` to a function through a Lambda proxy integration,
   * without an authorizer: the function authenticates the caller, as `auth` says.
   */
  private addLambdaRoute(path: string, fn: lambda.IFunction, auth: RouteAuthentication): apigw.Method {
    const method = this.api.root.resourceForPath(path).addMethod('POST', new apigw.LambdaIntegration(fn), {
      authorizationType: apigw.AuthorizationType.NONE,
    });
    Validations.of(method).acknowledge(
      { id: 'AwsSolutions-APIG4', reason: auth.howTheFunctionAuthenticates },
      {
        id: 'AwsSolutions-COG4',
        reason: `The caller is ${auth.caller}, not a user: there is no Cognito user pool to sign in to (see AwsSolutions-APIG4).`,
      },
    );
    return method;
  }

  private createApi(props: JamfEventBridgeProps): apigw.RestApi {
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: this.logRetention });

    const allowedSourceCidrs = props.allowedSourceCidrs;
    const api = new apigw.RestApi(this, 'Api', {
      restApiName: Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }),
      description: 'Receives Jamf Pro webhooks',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Every body reaches the function base64-encoded and byte for byte, as
      // signatures over the raw bytes need.
      binaryMediaTypes: ['*/*'],
      cloudWatchRole: props.apiGatewayCloudWatchRole ?? true,
      policy: allowedSourceCidrs === undefined ? undefined : sourceIpPolicy(allowedSourceCidrs),
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: props.throttlingRateLimit ?? 100,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 200,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
        // Execution logs for errors only, and never the request data: bodies and
        // headers carry credentials and device details.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: this.tracing,
      },
    });

    // The stack outputs the webhook URL itself; the API's default output (the
    // stage URL without the route) would only be pasted into Jamf Pro by mistake.
    api.node.tryRemoveChild('Endpoint');

    // A resource policy takes effect only through a new deployment.
    if (allowedSourceCidrs !== undefined) {
      api.latestDeployment?.addToLogicalId({ allowedSourceCidrs });
    }

    // API Gateway would create this log group on first use, with no retention.
    const executionLogs = new logs.LogGroup(this, 'ApiExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${STAGE_NAME}`,
      retention: this.logRetention,
    });
    api.deploymentStage.node.addDependency(executionLogs);

    if (props.webAclArn !== undefined) {
      const association = new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: api.deploymentStage.stageArn,
        webAclArn: props.webAclArn,
      });
      association.node.addDependency(api.deploymentStage);
    } else {
      Validations.of(api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'AWS WAF is optional (it costs a monthly fee per web ACL): set webAclArn to associate one. Without it, ' +
          'callers are limited by stage throttling, the optional source IP allowlist and the webhook credentials.',
      });
    }
    if (!this.tracing) {
      Validations.of(api.deploymentStage).acknowledge({ id: 'Serverless-APIGWXrayEnabled', reason: TRACING_OFF });
    }

    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Bodies are passed through as raw bytes (binaryMediaTypes */*) so the function can verify signatures over ' +
        'them; API Gateway cannot validate a binary body. The function checks size, credentials and schema and ' +
        'answers 4xx itself.',
    });
    if (props.apiGatewayCloudWatchRole ?? true) {
      const cloudWatchRole = api.node.findChild('CloudWatchRole');
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "AWS's managed policy for the API Gateway account logging role, the one its documentation prescribes; " +
          'only API Gateway can assume the role.',
      });
    }
    return api;
  }

  /** A log group and a rule that copies every published event into it. */
  private createEventLog(eventSource: string): logs.LogGroup {
    const logGroup = new logs.LogGroup(this, 'EventLog', {
      // EventBridge's console lists log groups under /aws/events/.
      logGroupName: `/aws/events/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: this.logRetention,
      // Deleted with the stack: it has a fixed name, so a kept one would block the
      // next deployment, and the archive holds the same events.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const rule = new events.Rule(this, 'EventLogRule', {
      eventBus: this.eventBus,
      description: `Copies every ${eventSource} event to a log group, to watch events arrive`,
      eventPattern: {
        source: [eventSource],
        detailType: events.Match.prefix(DETAIL_TYPE_PREFIX),
      },
    });
    // A plain target instead of aws-events-targets' CloudWatchLogGroup, which
    // sets the log group's resource policy with a custom resource (another
    // function and a wildcard IAM policy). CloudFormation can set it directly.
    const logGroupArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: logGroup.logGroupName,
    });
    rule.addTarget({ bind: () => ({ arn: logGroupArn }) });
    logGroup.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
    Validations.of(rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'The event log is a window for people, not a consumer: every event it could miss is also in the archive ' +
        'and can be replayed.',
    });
    return logGroup;
  }

  private createWebhookAuthSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'WebhookAuthSecret', {
      description: 'Credentials Jamf Pro sends with each webhook (HTTP Basic)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'jamf' }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 32,
      },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The same credentials are entered in Jamf Pro, which Secrets Manager cannot update, so automatic rotation ' +
        'would break delivery. Rotate by hand: change the secret, then the webhook settings in Jamf Pro.',
    });
    return secret;
  }

  /** Rules that do not fit a function invoked synchronously by API Gateway. */
  private acknowledgeFunctionRules(fn: lambda.Function): void {
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'API Gateway invokes the function synchronously, so a Lambda dead-letter queue (for asynchronous ' +
        'invocations) would never be used; the function writes failures to its own SQS dead-letter queue.',
    });
    if (this.tracing) {
      const policy = fn.role?.node.tryFindChild('DefaultPolicy');
      if (policy !== undefined) {
        Validations.of(policy).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'Only the X-Ray actions (xray:PutTraceSegments, xray:PutTelemetryRecords) have resource "*": X-Ray ' +
            'has no resource-level permissions for them.',
        });
      }
    } else {
      Validations.of(fn).acknowledge({ id: 'Serverless-LambdaTracing', reason: TRACING_OFF });
    }
  }

  private createAlarms(): void {
    const fiveMinutes = Duration.minutes(5);
    const ingest = this.ingestFunction;
    this.addAlarm('Api5xxAlarm', {
      metric: this.api.deploymentStage.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      description:
        'The API answered 5xx: Jamf Pro does not resend webhooks, so these events may be lost, and a failed SCEP ' +
        'challenge request fails an enrolment. The access logs (resourcePath) say which route; check that ' +
        "function's logs.",
    });
    this.addAlarm('IngestErrorsAlarm', {
      metric: ingest.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      description: 'The ingest function failed (error, crash or timeout). Check its logs.',
    });
    this.addAlarm('IngestThrottlesAlarm', {
      metric: ingest.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
      description:
        'The ingest function was throttled: the account or function concurrency limit was reached and Jamf Pro ' +
        'got errors. Ask for a higher Lambda concurrency quota or lower the API throttling.',
    });
    this.addAlarm('PublishFailedAlarm', {
      metric: new cloudwatch.Metric({
        namespace: INGEST_METRICS.namespace,
        metricName: INGEST_METRICS.publishFailed,
        dimensionsMap: { ...INGEST_METRICS.dimensions },
        period: fiveMinutes,
        statistic: 'Sum',
      }),
      description:
        'PutEvents failed for webhooks (the function dead-letters them). Check the ingest logs for the error code ' +
        'and the dead-letter queue.',
    });
    // No separate alarm on the DeadLettered metrics (ingest and SCEP): every dead
    // letter lands in this one queue, and the queue depth alarm also covers
    // messages nobody has handled yet.
    this.addAlarm('DeadLetterQueueNotEmptyAlarm', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      description:
        'Webhooks or SCEP audit records are waiting in the dead-letter queue (kept 14 days). Fix the cause, then ' +
        're-send them: each message holds the original body.',
    });
    if (this.scep !== undefined) this.createScepAlarms(this.scep.function);
  }

  private createScepAlarms(fn: lambda.Function): void {
    const fiveMinutes = Duration.minutes(5);
    this.addAlarm('ScepErrorsAlarm', {
      metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      description: 'The SCEP challenge function failed (error, crash or timeout): an enrolment may have failed. Check its logs.',
    });
    this.addAlarm('ScepThrottlesAlarm', {
      metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
      description:
        'The SCEP challenge function was throttled: the account or function concurrency limit was reached and ' +
        'Jamf Pro or step-ca got errors. Ask for a higher Lambda concurrency quota or lower the API throttling.',
    });
    this.addAlarm('ScepSlowAlarm', {
      // Per function, so verify requests count too; both should be fast.
      metric: fn.metricDuration({ period: fiveMinutes, statistic: 'p99' }),
      threshold: SCEP_SLOW_MS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        `The SCEP challenge function took over ${SCEP_SLOW_MS} ms (p99): Jamf Pro gives up after 2 s, and the ` +
        'enrolment fails. Check for cold starts, a slow upstream issuer or a slow audit publish; consider ' +
        'scepProvisionedConcurrency.',
    });
    this.addAlarm('ScepAuditFailedAlarm', {
      metric: new cloudwatch.Metric({
        namespace: SCEP_METRICS.namespace,
        metricName: SCEP_METRICS.auditFailed,
        dimensionsMap: { ...SCEP_METRICS.dimensions },
        period: fiveMinutes,
        statistic: 'Sum',
      }),
      description:
        'The SCEP function could not publish jamf.SCEPChallenge audit events (it dead-letters them). Check its ' +
        'logs for the error code and the dead-letter queue.',
    });
  }

  /** An alarm on one period of `metric`, at or over 1 unless said otherwise. */
  private addAlarm(
    id: string,
    options: {
      metric: cloudwatch.IMetric;
      description: string;
      threshold?: number;
      comparisonOperator?: cloudwatch.ComparisonOperator;
    },
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      alarmDescription: options.description,
      threshold: options.threshold ?? 1,
      evaluationPeriods: 1,
      comparisonOperator: options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.alarmTopic !== undefined) {
      const action = new cloudwatchActions.SnsAction(this.alarmTopic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms.push(alarm);
  }
}

/** Allow anyone to invoke, then deny every source address outside the list. */
function sourceIpPolicy(cidrs: readonly string[]): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AllowInvoke',
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
      }),
      new iam.PolicyStatement({
        sid: 'DenyOutsideAllowedSourceCidrs',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { NotIpAddress: { 'aws:SourceIp': [...cidrs] } },
      }),
    ],
  });
}

/** One JSON object per request; no headers or bodies (they carry credentials). */
function accessLogFormat(): apigw.AccessLogFormat {
  const f = apigw.AccessLogField;
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: f.contextRequestId(),
      extendedRequestId: f.contextExtendedRequestId(),
      requestTime: f.contextRequestTime(),
      ip: f.contextIdentitySourceIp(),
      userAgent: f.contextIdentityUserAgent(),
      httpMethod: f.contextHttpMethod(),
      resourcePath: f.contextResourcePath(),
      protocol: f.contextProtocol(),
      status: f.contextStatus(),
      responseLength: f.contextResponseLength(),
      responseLatency: f.contextResponseLatency(),
      integrationStatus: f.contextIntegrationStatus(),
      integrationLatency: f.contextIntegrationLatency(),
      errorMessage: f.contextErrorMessage(),
      wafStatus: f.contextWafStatus(),
      xrayTraceId: f.contextXrayTraceId(),
    }),
  );
}

const REGIONAL_WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]+\/[\w-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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

/** Rejects values and combinations that cannot work, saying what to change. */
function validateProps(props: JamfEventBridgeProps): void {
  const problems: string[] = [];
  const isSet = <T>(value: T | undefined): value is T => value !== undefined;

  if (isSet(props.eventSource)) {
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
  if (isSet(props.eventBusName) && !/^[A-Za-z0-9._-]{1,256}$/.test(props.eventBusName)) {
    problems.push(
      `eventBusName "${props.eventBusName}" is not a valid bus name: use up to 256 letters, digits, ".", "_" and "-".`,
    );
  }
  if (isSet(props.archiveRetention)) {
    if (props.archive === false) {
      problems.push('archiveRetention is set but archive is false: remove archiveRetention or turn the archive on.');
    }
    const days = props.archiveRetention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 0) {
      problems.push(`archiveRetention must be a whole number of days (0 keeps events indefinitely), got ${days} days.`);
    }
  }
  if (isSet(props.throttlingRateLimit) && !(props.throttlingRateLimit > 0 && Number.isFinite(props.throttlingRateLimit))) {
    problems.push(`throttlingRateLimit must be a number of requests per second above 0, got ${props.throttlingRateLimit}.`);
  }
  if (isSet(props.throttlingBurstLimit) && !(Number.isInteger(props.throttlingBurstLimit) && props.throttlingBurstLimit > 0)) {
    problems.push(`throttlingBurstLimit must be a whole number of requests above 0, got ${props.throttlingBurstLimit}.`);
  }
  if (isSet(props.maxBodyBytes)) {
    const bytes = props.maxBodyBytes;
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_BODY_BYTES_LIMIT) {
      problems.push(
        `maxBodyBytes must be a whole number from 1 to ${MAX_BODY_BYTES_LIMIT} (768 KiB, so that a body fits ` +
          `base64-encoded in a 1 MiB dead-letter message; API Gateway's own limit is ${API_GATEWAY_MAX_BODY_BYTES}), got ${bytes}.`,
      );
    }
  }
  if (isSet(props.publishBudget)) {
    const ms = props.publishBudget.toMilliseconds();
    const max = FUNCTION_TIMEOUT.toMilliseconds() - DEAD_LETTER_RESERVE.toMilliseconds();
    if (ms < 1 || ms > max) {
      problems.push(
        `publishBudget must be from 1 ms to ${max} ms, leaving ${DEAD_LETTER_RESERVE.toSeconds()} s of the ` +
          `function's ${FUNCTION_TIMEOUT.toSeconds()} s timeout for the dead-letter write, got ${ms} ms.`,
      );
    }
  }
  if (isSet(props.allowedSourceCidrs)) {
    const cidrs = props.allowedSourceCidrs;
    if (cidrs.length === 0) {
      problems.push(
        'allowedSourceCidrs is empty, which would deny every caller: list at least one CIDR, or leave it unset to allow any source address.',
      );
    }
    const invalid = cidrs.filter((cidr) => !isCidr(cidr));
    if (invalid.length > 0) {
      problems.push(
        `allowedSourceCidrs has entries that are not CIDR ranges: ${invalid.map((c) => `"${c}"`).join(', ')}. ` +
          'Write each as address/prefix, e.g. "192.0.2.0/24" or "198.51.100.7/32".',
      );
    }
  }
  if (isSet(props.webAclArn) && !REGIONAL_WEB_ACL_ARN.test(props.webAclArn)) {
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
    if (!EMAIL.test(props.alarmEmail)) {
      problems.push(`alarmEmail "${props.alarmEmail}" is not an email address.`);
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

  if (problems.length > 0) {
    throw new Error(`Invalid JamfEventBridge properties:\n- ${problems.join('\n- ')}`);
  }
}
