import type { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_MAX_BODY_BYTES, INGEST_ENV } from '../lambda/contract';
import { acknowledgeFunctionRules, createFunction } from './function';
import { grantReadSecret } from './grants';
import type { LogGroupSettings } from './log-group';

/** The ingest handler, relative to the repository root (the contract with lambda/). */
export const INGEST_ENTRY = 'lambda/ingest/handler.ts';

/** Properties of {@link IngestFunction}. */
export interface IngestFunctionProps {
  /** The bus the events go to. */
  readonly eventBus: events.IEventBus;
  /** `Source` of the events. */
  readonly eventSource: string;
  /** Where the function keeps what it could not publish. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The credentials document Jamf Pro authenticates with. */
  readonly webhookAuthSecret: secretsmanager.ISecret;
  /** Largest body accepted. @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
  /** Time for PutEvents and its retries. @default - the function's own default */
  readonly publishBudget?: Duration;
  /** Retention and encryption key of the function's log group. */
  readonly logGroups: LogGroupSettings;
  /** Whether X-Ray active tracing is on. */
  readonly tracing: boolean;
}

/**
 * The function behind `POST /webhooks`: checks the credentials, decodes the
 * JSON or XML body and publishes it to the bus, or keeps it in the
 * dead-letter queue with the reason. Each grant comes with the variable that
 * gives it its meaning.
 */
export class IngestFunction extends Construct {
  /** The function. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: IngestFunctionProps) {
    super(scope, id);
    const fn = createFunction(this, 'Ingest', {
      entry: INGEST_ENTRY,
      description: 'Receives Jamf Pro webhooks and publishes them to EventBridge',
      logGroups: props.logGroups,
      tracing: props.tracing,
    });
    this.function = fn;
    acknowledgeFunctionRules(fn, props.tracing);

    fn.addEnvironment(INGEST_ENV.eventSource, props.eventSource);
    props.eventBus.grantPutEventsTo(fn);
    fn.addEnvironment(INGEST_ENV.eventBusName, props.eventBus.eventBusName);
    props.deadLetterQueue.grantSendMessages(fn);
    fn.addEnvironment(INGEST_ENV.deadLetterQueueUrl, props.deadLetterQueue.queueUrl);
    // The ARN, not the value: the function reads the secret at run time.
    grantReadSecret(fn, props.webhookAuthSecret);
    fn.addEnvironment(INGEST_ENV.webhookAuthSecretId, props.webhookAuthSecret.secretArn);
    fn.addEnvironment(INGEST_ENV.maxBodyBytes, String(props.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
    if (props.publishBudget !== undefined) {
      fn.addEnvironment(INGEST_ENV.publishBudgetMs, String(props.publishBudget.toMilliseconds()));
    }
  }
}
