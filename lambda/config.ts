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

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** The variable's value, trimmed; `undefined` when unset or blank. */
export function optionalEnv(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

export function requiredEnv(env: Env, name: string): string {
  const value = optionalEnv(env, name);
  if (!value) throw new ConfigurationError(`Environment variable ${name} is required`);
  return value;
}

export function positiveIntegerEnv(env: Env, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = optionalEnv(env, name);
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new ConfigurationError(`Environment variable ${name} must be an integer from 1 to ${max}, got "${raw}"`);
  }
  return value;
}

export function booleanEnv(env: Env, name: string): boolean {
  const raw = optionalEnv(env, name)?.toLowerCase();
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigurationError(`Environment variable ${name} must be true or false, got "${raw}"`);
}

/** Reads the ingest configuration; throws a ConfigurationError naming the variable that is missing or wrong. */
export function readIngestConfig(env: Env): IngestConfig {
  return {
    eventBusName: requiredEnv(env, 'EVENT_BUS_NAME'),
    eventSource: optionalEnv(env, 'EVENT_SOURCE') ?? DEFAULT_EVENT_SOURCE,
    deadLetterQueueUrl: requiredEnv(env, 'DEAD_LETTER_QUEUE_URL'),
    webhookAuthSecretId: optionalEnv(env, 'WEBHOOK_AUTH_SECRET_ID'),
    maxBodyBytes: positiveIntegerEnv(env, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES),
    publishBudgetMs: positiveIntegerEnv(env, 'PUBLISH_BUDGET_MS', DEFAULT_PUBLISH_BUDGET_MS),
  };
}
