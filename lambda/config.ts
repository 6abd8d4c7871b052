/**
 * Runtime configuration of the ingest Lambda, read once at module load.
 *
 * The variable names are the contract between the CDK construct (lib/), the
 * local runtime (lambda/local/) and the handler.
 */

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
}

export const DEFAULT_EVENT_SOURCE = 'jamf.pro';
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
/** Leaves Jamf's 2 s read timeout room for init, decoding and the response. */
export const DEFAULT_PUBLISH_BUDGET_MS = 1200;

type Env = Readonly<Record<string, string | undefined>>;

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigurationError(`Environment variable ${name} is required`);
  return value;
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigurationError(`Environment variable ${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

/** Reads the ingest configuration; throws a ConfigurationError naming the variable that is missing or wrong. */
export function readIngestConfig(env: Env): IngestConfig {
  return {
    eventBusName: required(env, 'EVENT_BUS_NAME'),
    eventSource: env.EVENT_SOURCE?.trim() || DEFAULT_EVENT_SOURCE,
    deadLetterQueueUrl: required(env, 'DEAD_LETTER_QUEUE_URL'),
    webhookAuthSecretId: env.WEBHOOK_AUTH_SECRET_ID?.trim() || undefined,
    maxBodyBytes: positiveInteger(env, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES),
    publishBudgetMs: positiveInteger(env, 'PUBLISH_BUDGET_MS', DEFAULT_PUBLISH_BUDGET_MS),
  };
}
