/**
 * Runtime configuration of the SCEP challenge function, read once at module load.
 *
 * The variable names are the contract with the CDK construct (lib/, `SCEP_ENV`)
 * and the local runtime (lambda/local/stack.ts).
 */
import {
  booleanEnv,
  ConfigurationError,
  DEFAULT_EVENT_SOURCE,
  DEFAULT_MAX_BODY_BYTES,
  optionalEnv as optional,
  positiveIntegerEnv as positiveInteger,
  requiredEnv as required,
  type Env,
} from '../config';

export interface UpstreamConfig {
  /** The challenge URL of the upstream issuer (https in AWS). */
  readonly url: string;
  /** Secrets Manager id of `{"username": "...", "password": "..."}` for Basic authentication upstream. */
  readonly credentialsSecretId: string | undefined;
  /** Hard limit on the upstream call, connection included. */
  readonly timeoutMs: number;
}

export interface ScepConfig {
  /** Bus and source of the `jamf.SCEPChallenge` audit event. */
  readonly eventBusName: string;
  readonly eventSource: string;
  /** Where a request is kept when its audit event could not be published. */
  readonly deadLetterQueueUrl: string;
  /** The credentials document Jamf Pro authenticates with: the ingest function's secret. */
  readonly webhookAuthSecretId: string | undefined;
  /** Secrets Manager id of the signing-key document (`{"key": "...", "previousKeys": [...]}`). */
  readonly signingKeySecretId: string | undefined;
  /** Secrets Manager id of step-ca's webhook signing secret (base64, as `step ca provisioner webhook add` prints it). */
  readonly verifySecretId: string | undefined;
  /** DynamoDB table that records used challenges (partition key `challengeId`, TTL attribute `expiresAt`). */
  readonly usedChallengesTable: string | undefined;
  /** Lifetime of a signed challenge, in seconds. */
  readonly challengeTtlSeconds: number;
  /** Milliseconds the audit publish may add to a response. */
  readonly auditBudgetMs: number;
  /** Whether the verifier also requires the certificate request to name the device the challenge was issued for. */
  readonly requireDeviceMatch: boolean;
  /** Set when challenges come from an upstream issuer instead of being signed here. */
  readonly upstream: UpstreamConfig | undefined;
  /**
   * Whether init also loads the issue path's code and reads its secrets, so
   * that the first request is a warm one: worth it only where init runs ahead
   * of requests, with provisioned concurrency.
   */
  readonly prepareAtInit: boolean;
  readonly maxBodyBytes: number;
}

export const SCEP_ENV = {
  eventBusName: 'EVENT_BUS_NAME',
  eventSource: 'EVENT_SOURCE',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  webhookAuthSecretId: 'WEBHOOK_AUTH_SECRET_ID',
  signingKeySecretId: 'SCEP_SIGNING_KEY_SECRET_ID',
  verifySecretId: 'SCEP_VERIFY_SECRET_ID',
  usedChallengesTable: 'SCEP_USED_CHALLENGES_TABLE',
  challengeTtlSeconds: 'SCEP_CHALLENGE_TTL_SECONDS',
  auditBudgetMs: 'SCEP_AUDIT_BUDGET_MS',
  requireDeviceMatch: 'SCEP_REQUIRE_DEVICE_MATCH',
  upstreamUrl: 'SCEP_UPSTREAM_URL',
  upstreamSecretId: 'SCEP_UPSTREAM_SECRET_ID',
  upstreamTimeoutMs: 'SCEP_UPSTREAM_TIMEOUT_MS',
  prepareAtInit: 'SCEP_PREPARE_AT_INIT',
  maxBodyBytes: 'MAX_BODY_BYTES',
} as const;

/** One hour: long enough for a device to install the profile and enrol, short enough to limit a leaked challenge. */
export const DEFAULT_CHALLENGE_TTL_SECONDS = 3600;
/** The audit publish may add at most this to a response, keeping cold starts well inside Jamf's 2 s read timeout. */
export const DEFAULT_AUDIT_BUDGET_MS = 500;
/** Well under Jamf's 2 s read timeout, leaving room for our own work on a cold start. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 1000;
/**
 * Time over the audit budget after which a response stops waiting for the
 * publish: the budget starts when PutEvents does, and loading the client on a
 * cold start comes before that.
 */
export const AUDIT_GRACE_MS = 50;
/** How long a response waits for the dead-letter write after a failed audit publish. */
export const AUDIT_DEAD_LETTER_WAIT_MS = 200;
/** What a failed audit publish can add on top of its budget. */
export const AUDIT_OVERHEAD_MS = AUDIT_GRACE_MS + AUDIT_DEAD_LETTER_WAIT_MS;
/**
 * The most the upstream call and the audit (its budget and overhead) together
 * may add to a challenge response, leaving Jamf's 2 s read timeout room for
 * the rest.
 */
export const MAX_ISSUE_WAIT_MS = 1800;
/** Signed challenges live at most a week: the token stores its expiry in seconds and a verifier keeps used ids that long. */
export const MAX_CHALLENGE_TTL_SECONDS = 7 * 24 * 3600;

function upstreamUrl(env: Env): string | undefined {
  const raw = optional(env, SCEP_ENV.upstreamUrl);
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(`Environment variable ${SCEP_ENV.upstreamUrl} must be a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(`Environment variable ${SCEP_ENV.upstreamUrl} must be an http(s) URL`);
  }
  if (url.username || url.password) {
    // Credentials in a URL end up in logs; they belong in the secret.
    throw new ConfigurationError(`${SCEP_ENV.upstreamUrl} must not carry credentials; use ${SCEP_ENV.upstreamSecretId}`);
  }
  return url.toString();
}

/** Reads the SCEP configuration; throws a ConfigurationError naming the variable that is missing or wrong. */
export function readScepConfig(env: Env): ScepConfig {
  const url = upstreamUrl(env);
  const config: ScepConfig = {
    eventBusName: required(env, SCEP_ENV.eventBusName),
    eventSource: optional(env, SCEP_ENV.eventSource) ?? DEFAULT_EVENT_SOURCE,
    deadLetterQueueUrl: required(env, SCEP_ENV.deadLetterQueueUrl),
    webhookAuthSecretId: optional(env, SCEP_ENV.webhookAuthSecretId),
    signingKeySecretId: optional(env, SCEP_ENV.signingKeySecretId),
    verifySecretId: optional(env, SCEP_ENV.verifySecretId),
    usedChallengesTable: optional(env, SCEP_ENV.usedChallengesTable),
    challengeTtlSeconds: positiveInteger(
      env,
      SCEP_ENV.challengeTtlSeconds,
      DEFAULT_CHALLENGE_TTL_SECONDS,
      MAX_CHALLENGE_TTL_SECONDS,
    ),
    auditBudgetMs: positiveInteger(env, SCEP_ENV.auditBudgetMs, DEFAULT_AUDIT_BUDGET_MS, 1500),
    requireDeviceMatch: booleanEnv(env, SCEP_ENV.requireDeviceMatch),
    upstream: url
      ? {
          url,
          credentialsSecretId: optional(env, SCEP_ENV.upstreamSecretId),
          timeoutMs: positiveInteger(env, SCEP_ENV.upstreamTimeoutMs, DEFAULT_UPSTREAM_TIMEOUT_MS, 1800),
        }
      : undefined,
    prepareAtInit: booleanEnv(env, SCEP_ENV.prepareAtInit),
    maxBodyBytes: positiveInteger(env, SCEP_ENV.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
  };
  const upstreamMs = config.upstream?.timeoutMs ?? 0;
  if (upstreamMs + config.auditBudgetMs + AUDIT_OVERHEAD_MS > MAX_ISSUE_WAIT_MS) {
    throw new ConfigurationError(
      `${config.upstream ? `${SCEP_ENV.upstreamTimeoutMs} plus ` : ''}${SCEP_ENV.auditBudgetMs} must be at most ` +
        `${MAX_ISSUE_WAIT_MS - AUDIT_OVERHEAD_MS} ms, so that Jamf's 2 s read timeout is never reached`,
    );
  }
  return config;
}
