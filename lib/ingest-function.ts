import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DEFAULT_MAX_BODY_BYTES, INGEST_ENV } from '../lambda/contract';
import { acknowledgeFunctionRules, createFunction } from './function';
import { grantSharedResources, type SharedResources } from './grants';
import type { LogGroupSettings } from './log-group';

/** The ingest handler, relative to the repository root (the contract with lambda/). */
export const INGEST_ENTRY = 'lambda/ingest/handler.ts';

/** Properties of {@link IngestFunction}. */
export interface IngestFunctionProps extends SharedResources {
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

    grantSharedResources(fn, props);
    fn.addEnvironment(INGEST_ENV.maxBodyBytes, String(props.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
    if (props.publishBudget !== undefined) {
      fn.addEnvironment(INGEST_ENV.publishBudgetMs, String(props.publishBudget.toMilliseconds()));
    }
  }
}
