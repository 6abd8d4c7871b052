import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DEFAULT_MAX_BODY_BYTES, INGEST_ENV } from '../lambda/contract';
import { acknowledgeFunctionRules, createFunction } from './function';
import { grantSharedResources, type SharedResources } from './grants';
import type { LogGroupSettings } from './log-group';
import type { OversizeBucket } from './oversize-bucket';

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
  /** Instances reserved for the function (and the most it runs at once). @default - none: the account's unreserved pool */
  readonly reservedConcurrency?: number;
  /** Whether a line is logged for every published webhook, not only for failures and refusals. @default true */
  readonly logPublishedWebhooks?: boolean;
  /**
   * Where an event too large for the bus is kept whole (and a dead letter too large for SQS).
   * @default - none: such an event is refused (413) and dead-lettered
   */
  readonly oversizeBucket?: OversizeBucket;
}

/**
 * The ingest function's memory, in MB, and so its CPU share (a full vCPU at 1769 MB), chosen
 * from `npm run bench`. A warm webhook takes about 0.6 ms of a full core besides the PutEvents
 * round trip, so the bill is mostly the round trip: 512 MB costs about $0.05 per million more
 * than 256 MB. What decides is the largest webhook: a smart-group change of 20,000 devices
 * (4.5 MB of XML, published as 3 parts) takes the whole handler about 0.8 s at 512 MB's share,
 * while at 256 MB it leaves no time to publish within Jamf's 2 s and every such change would be
 * dead-lettered (bench: fleet.*.handler_*). The cold path (init and a first request) is about
 * 0.4 s at this share.
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
      reservedConcurrentExecutions: props.reservedConcurrency,
    });
    this.function = fn;
    acknowledgeFunctionRules(fn, props.tracing);

    grantSharedResources(fn, props);
    fn.addEnvironment(INGEST_ENV.maxBodyBytes, String(props.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
    // A line per published webhook is the largest log cost at fleet volume; the function leaves it
    // out itself (Lambda's own level filter would need a timestamp in each line to read its level).
    fn.addEnvironment(INGEST_ENV.logPublishedWebhooks, String(props.logPublishedWebhooks ?? true));
    if (props.oversizeBucket !== undefined) {
      // Writes only: what it keeps there, it never reads back.
      props.oversizeBucket.grantFunction(fn, 'write');
      fn.addEnvironment(INGEST_ENV.oversizeBucketName, props.oversizeBucket.bucket.bucketName);
    }
    if (props.publishBudget !== undefined) {
      fn.addEnvironment(INGEST_ENV.publishBudgetMs, String(props.publishBudget.toMilliseconds()));
    }
  }
}
