/**
 * A consumer's stack: the subscriber in subscriber.ts, behind the `PolicyFailed`
 * recipe, on the bus of a JamfEventBridge stack deployed separately. It imports
 * the bus and the source from that stack's exports, or takes them as given.
 */
import * as path from 'node:path';
import { Duration, Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { JamfEvents } from '../../lib/event-rules';
import { jamfExportName } from '../../lib/jamf-eventbridge-stack';
import { addRecipe } from '../recipes';

/** Properties of {@link JamfConsumerStack}. */
export interface JamfConsumerStackProps extends StackProps {
  /**
   * The JamfEventBridge stack whose exports name the bus and the source.
   * @default 'JamfEventBridge'
   */
  readonly jamfStackName?: string;
  /**
   * The bus ARN, instead of the export: the consumer then does not pin the
   * export (CloudFormation refuses to change an export another stack imports).
   * @default - imported from `<jamfStackName>-EventBusArn`
   */
  readonly eventBusArn?: string;
  /**
   * The events' source, the publishing stack's `eventSource` setting.
   * @default - imported from `<jamfStackName>-EventSource`
   */
  readonly eventSource?: string;
}

/**
 * The `PolicyFailed` rule and the function it invokes, with a dead-letter queue
 * so that no failed policy is lost without a trace. Checked by the same cdk-nag
 * packs as the publishing stack (app.ts).
 */
export class JamfConsumerStack extends Stack {
  /** The function that handles failed policies. */
  public readonly subscriber: nodejs.NodejsFunction;
  /** The rule that sends failed policies to it. */
  public readonly rule: events.Rule;
  /** Where the events go that EventBridge could not deliver to the function, or the function failed on. */
  public readonly undelivered: sqs.Queue;

  constructor(scope: Construct, id: string, props: JamfConsumerStackProps = {}) {
    super(scope, id, { description: 'jamf-eventbridge example consumer: alerts on failed policies', ...props });
    const jamfStackName = props.jamfStackName ?? 'JamfEventBridge';

    const jamf = new JamfEvents(this, 'Jamf', {
      eventBus: events.EventBus.fromEventBusArn(
        this,
        'JamfBus',
        props.eventBusArn ?? Fn.importValue(jamfExportName(jamfStackName, 'EventBusArn')),
      ),
      eventSource: props.eventSource ?? Fn.importValue(jamfExportName(jamfStackName, 'EventSource')),
    });

    // Where what cannot be handled waits to be looked at: events EventBridge could not deliver (the
    // function throttled for a day), and those the function failed on after Lambda's own retries
    // (EventBridge invokes it asynchronously, so its errors go nowhere else).
    this.undelivered = new sqs.Queue(this, 'Undelivered', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const isTheDeadLetterQueue = 'This queue is the dead-letter queue of the rule target and the function; people read it.';
    Validations.of(this.undelivered).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: isTheDeadLetterQueue },
      { id: 'Serverless-SQSRedrivePolicy', reason: isTheDeadLetterQueue },
    );

    // A role that may write to the function's own log group and nothing else, instead of the
    // managed AWSLambdaBasicExecutionRole (any log group of the account).
    const logGroup = new logs.LogGroup(this, 'PolicyFailedLogs', { retention: logs.RetentionDays.ONE_MONTH });
    const role = new iam.Role(this, 'PolicyFailedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);

    this.subscriber = new nodejs.NodejsFunction(this, 'PolicyFailedFunction', {
      entry: path.join(__dirname, 'subscriber.ts'),
      // The export named after the rule: the same name the local runtime calls.
      handler: 'PolicyFailed',
      description: 'Logs each failed Jamf Pro policy',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      role,
      logGroup,
      deadLetterQueue: this.undelivered,
      bundling: {
        // An ES module, built with the esbuild in node_modules (never Docker), as the project's own
        // handlers are (lib/bundle.ts); it imports only types, so nothing but the handler ships.
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        forceDockerBundling: false,
        logLevel: nodejs.LogLevel.WARNING,
      },
    });
    Validations.of(this.subscriber).acknowledge({
      id: 'Serverless-LambdaTracing',
      reason: 'One log line per failed policy says all there is to know; X-Ray would add cost and no insight.',
    });

    this.rule = addRecipe(jamf, 'PolicyFailed', {
      description: 'Failed Jamf Pro policies, to the PolicyFailed function',
      target: new targets.LambdaFunction(this.subscriber, {
        deadLetterQueue: this.undelivered,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    });
  }
}
