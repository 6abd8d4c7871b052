/** The ingest function's configuration, read once at module load from the variables in `INGEST_ENV`. */
import {
  DEFAULT_EVENT_SOURCE,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PUBLISH_BUDGET_MS,
  DEFAULT_SECRET_MAX_STALE_SECONDS,
  DEFAULT_SECRET_TTL_SECONDS,
  INGEST_ENV,
} from '../contract';
import { type Instances, readInstances } from '../shared/instances';
import { readAllowedSourceCidrs } from '../shared/source-allowlist';
import { booleanEnv, type Env, optionalEnv, positiveIntegerEnv, requiredEnv, wholeNumberEnv } from '../shared/env';

export interface IngestConfig {
  /** Name or ARN of the EventBridge bus events are published to. */
  readonly eventBusName: string;
  /** `Source` of every published entry. */
  readonly eventSource: string;
  /** URL of the SQS queue that keeps what could not be published. */
  readonly deadLetterQueueUrl: string;
  /** Secrets Manager id (ARN or name) of the webhook credentials document, when authentication is on. */
  readonly webhookAuthSecretId: string | undefined;
  /** Largest accepted request body in bytes. */
  readonly maxBodyBytes: number;
  /** Milliseconds the publish path may spend on PutEvents and its retries. */
  readonly publishBudgetMs: number;
  /** Seconds the credentials may be used after they were last read, while they cannot be read again; 0: never. */
  readonly secretMaxStaleSeconds: number;
  /** Seconds the credentials are used before they are read again. @default DEFAULT_SECRET_TTL_SECONDS */
  readonly secretTtlSeconds?: number;
  /** The source ranges allowed to call (`allowedSourceCidrs`); unset: any address. */
  readonly allowedSourceCidrs?: readonly string[];
  /** Whether a published webhook gets its log line; failures and refusals always do. @default true */
  readonly logPublishedWebhooks?: boolean;
  /** The named Jamf Pro instances (`/webhooks/<name>`), each with its credentials and source. @default none */
  readonly instances?: Instances;
  /** The oversize bucket (claim checks, dead letters over SQS's limit); unset: none. */
  readonly oversizeBucketName?: string;
}

/** Reads the ingest configuration; throws a ConfigurationError naming the variable that is missing or wrong. */
export function readIngestConfig(env: Env): IngestConfig {
  return {
    eventBusName: requiredEnv(env, INGEST_ENV.eventBusName),
    eventSource: optionalEnv(env, INGEST_ENV.eventSource) ?? DEFAULT_EVENT_SOURCE,
    deadLetterQueueUrl: requiredEnv(env, INGEST_ENV.deadLetterQueueUrl),
    webhookAuthSecretId: optionalEnv(env, INGEST_ENV.webhookAuthSecretId),
    maxBodyBytes: positiveIntegerEnv(env, INGEST_ENV.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
    publishBudgetMs: positiveIntegerEnv(env, INGEST_ENV.publishBudgetMs, DEFAULT_PUBLISH_BUDGET_MS),
    secretMaxStaleSeconds: wholeNumberEnv(env, INGEST_ENV.secretMaxStaleSeconds, DEFAULT_SECRET_MAX_STALE_SECONDS),
    secretTtlSeconds: positiveIntegerEnv(env, INGEST_ENV.secretTtlSeconds, DEFAULT_SECRET_TTL_SECONDS),
    logPublishedWebhooks: optionalEnv(env, INGEST_ENV.logPublishedWebhooks) === undefined || booleanEnv(env, INGEST_ENV.logPublishedWebhooks),
    allowedSourceCidrs: readAllowedSourceCidrs(env),
    instances: readInstances(env),
    oversizeBucketName: optionalEnv(env, INGEST_ENV.oversizeBucketName),
  };
}
