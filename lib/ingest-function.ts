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
  /** Whether a line is logged for every published webhook, not only for failures and refusals. */
  readonly logPublishedWebhooks: boolean;
}

/**
 * The ingest function's memory, in MB, and so its CPU share (a full vCPU at 1769 MB). Chosen
 * from `npm run bench`: a warm webhook takes about 0.6 ms of a full core (2 ms at this share)
 * besides the PutEvents round trip, so the bill is mostly the round trip and halving memory
 * halves it; the cold path (about 110 ms of a full core: the bundle, the Secrets Manager and
 * EventBridge clients, TLS) stays near 400 ms at this share, inside the 600 ms credentials
 * budget and Jamf's 2 s. 256 MB would save about $0.04 per million but put a cold start's
 * credentials read near its budget.
 */
export const INGEST_MEMORY_MB = 512;

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
      memorySize: INGEST_MEMORY_MB,
      // A line per published webhook is the largest log cost; WARN keeps failures and refusals.
      applicationLogLevel: props.logPublishedWebhooks ? 'INFO' : 'WARN',
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
