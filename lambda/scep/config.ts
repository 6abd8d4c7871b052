/**
 * Runtime configuration of the SCEP challenge function, read once at module load.
 *
 * The variable names (`SCEP_ENV`) are in the contract module, which the CDK
 * construct and the local runtime use too.
 */
import {
  DEFAULT_EVENT_SOURCE,
  DEFAULT_SCEP_AUDIT_BUDGET_MS,
  DEFAULT_SCEP_CHALLENGE_TTL_SECONDS,
  DEFAULT_SCEP_MAX_BODY_BYTES,
  DEFAULT_SCEP_UPSTREAM_TIMEOUT_MS,
  DEFAULT_SECRET_MAX_STALE_SECONDS,
  DEFAULT_SECRET_TTL_SECONDS,
  MAX_SCEP_AUDIT_BUDGET_MS,
  MAX_SCEP_CHALLENGE_TTL_SECONDS,
  MAX_SCEP_ISSUE_WAIT_MS,
  SCEP_AUDIT_OVERHEAD_MS,
  SCEP_ENV,
} from '../contract';
import {
  booleanEnv,
  ConfigurationError,
  optionalEnv as optional,
  positiveIntegerEnv as positiveInteger,
  requiredEnv as required,
  type Env,
  wholeNumberEnv,
} from '../shared/env';
import { type Instances, readInstances } from '../shared/instances';

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
  /** Seconds a secret may be used after it was last read, while it cannot be read again; 0: never. */
  readonly secretMaxStaleSeconds: number;
  /** Seconds a secret is used before it is read again. */
  readonly secretTtlSeconds: number;
  /** The named Jamf Pro instances with a route of their own (`/scep-challenge/<name>`). @default none */
  readonly instances?: Instances;
}

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
      DEFAULT_SCEP_CHALLENGE_TTL_SECONDS,
      MAX_SCEP_CHALLENGE_TTL_SECONDS,
    ),
    auditBudgetMs: positiveInteger(env, SCEP_ENV.auditBudgetMs, DEFAULT_SCEP_AUDIT_BUDGET_MS, MAX_SCEP_AUDIT_BUDGET_MS),
    requireDeviceMatch: booleanEnv(env, SCEP_ENV.requireDeviceMatch),
    upstream: url
      ? {
          url,
          credentialsSecretId: optional(env, SCEP_ENV.upstreamSecretId),
          timeoutMs: positiveInteger(
            env,
            SCEP_ENV.upstreamTimeoutMs,
            DEFAULT_SCEP_UPSTREAM_TIMEOUT_MS,
            MAX_SCEP_ISSUE_WAIT_MS,
          ),
        }
      : undefined,
    prepareAtInit: booleanEnv(env, SCEP_ENV.prepareAtInit),
    maxBodyBytes: positiveInteger(env, SCEP_ENV.maxBodyBytes, DEFAULT_SCEP_MAX_BODY_BYTES),
    secretMaxStaleSeconds: wholeNumberEnv(env, SCEP_ENV.secretMaxStaleSeconds, DEFAULT_SECRET_MAX_STALE_SECONDS),
    secretTtlSeconds: positiveInteger(env, SCEP_ENV.secretTtlSeconds, DEFAULT_SECRET_TTL_SECONDS),
    instances: readInstances(env),
  };
  const upstreamMs = config.upstream?.timeoutMs ?? 0;
  if (upstreamMs + config.auditBudgetMs + SCEP_AUDIT_OVERHEAD_MS > MAX_SCEP_ISSUE_WAIT_MS) {
    throw new ConfigurationError(
      `${config.upstream ? `${SCEP_ENV.upstreamTimeoutMs} plus ` : ''}${SCEP_ENV.auditBudgetMs} must be at most ` +
        `${MAX_SCEP_ISSUE_WAIT_MS - SCEP_AUDIT_OVERHEAD_MS} ms, so that Jamf's 2 s read timeout is never reached`,
    );
  }
  return config;
}
