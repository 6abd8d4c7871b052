/**
 * A secret read on first use and kept for a short TTL, so a rotated value takes
 * effect within minutes without a redeploy and a warm request makes no network
 * call. When it cannot be read again because Secrets Manager is out of reach,
 * the last value serves on for a bounded time; otherwise a failed read or an
 * invalid value is a 503: a handler denies, never allows, without a value it
 * may trust.
 */
import { DEFAULT_SECRET_TTL_SECONDS } from '../contract/limits';
import { ServiceUnavailableError } from '../shared/errors';
import { within } from '../shared/deadline';
import { logNotice } from '../shared/log';

export const DEFAULT_SECRET_TTL_MS = DEFAULT_SECRET_TTL_SECONDS * 1000;

export interface SecretCacheOptions {
  readonly ttlMs?: number;
  /**
   * How old a value may be and still be used when it cannot be read again
   * (Secrets Manager down or slow): a warm instance keeps serving with what it
   * read last, and says so in its log. 0 never uses a value past its TTL.
   * @default DEFAULT_SECRET_MAX_STALE_MS (24 hours)
   */
  readonly maxStaleMs?: number;
  readonly now?: () => number;
  /** How long a request waits for a read of a value past its TTL before using the last one. @default 250 */
  readonly refreshWaitMs?: number;
  /** Told each time a value past its TTL is used because the read failed. @default a WARN line in the log */
  readonly onStale?: (notice: StaleSecretNotice) => void;
}

/** A value used past its TTL because reading it again failed. */
export interface StaleSecretNotice {
  readonly what: string;
  /** The error code of the failed read, e.g. `CredentialsUnavailable`. */
  readonly code: string;
  /** How long ago the value in use was read. */
  readonly ageMs: number;
}

/**
 * How long a request waits for a secret past its TTL to be read again before it
 * uses the last one. Not a read in the background: a Lambda instance is frozen
 * once it has answered, and a read left running would fail on the next thaw.
 */
const DEFAULT_REFRESH_WAIT_MS = 250;

/** How old a secret may be and still be used while Secrets Manager cannot be read. */
export const DEFAULT_SECRET_MAX_STALE_MS = 24 * 60 * 60 * 1000;

/** How a secret failure is reported: error codes and a name for messages (never the value). */
export interface SecretDescription {
  /** e.g. `the webhook credentials` */
  readonly what: string;
  /** Code when the secret cannot be read, e.g. `CredentialsUnavailable`. */
  readonly unavailableCode: string;
  /** Code when its value is not what `parse` accepts, e.g. `CredentialsInvalid`. */
  readonly invalidCode: string;
}

/**
 * Returns a function that yields the parsed secret, reading it when the cache
 * is cold or past its TTL. Concurrent reads share one; a failure is not cached.
 * `parse` may be async, to load its code with the secret.
 *
 * Past its TTL, the secret is read again, and a request waits at most
 * `refreshWaitMs` for it. When that read fails because Secrets Manager is out
 * of reach (not because the secret was deleted, refused or broken), or is
 * slow, the last value serves on while it is younger than `maxStaleMs`, and
 * `onStale` is told. A cold cache, or a value older than that, waits for the
 * read and fails with it: a 503, never an allow.
 */
export function cachedSecret<T>(
  read: () => Promise<string>,
  parse: (text: string) => T | Promise<T>,
  description: SecretDescription,
  options: SecretCacheOptions = {},
): () => Promise<T> {
  const ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
  const maxStaleMs = options.maxStaleMs ?? DEFAULT_SECRET_MAX_STALE_MS;
  const refreshWaitMs = options.refreshWaitMs ?? DEFAULT_REFRESH_WAIT_MS;
  const now = options.now ?? Date.now;
  let cached: { value: T; readAt: number } | undefined;
  let inFlight: Promise<T> | undefined;

  const load = async (): Promise<T> => {
    let text: string;
    try {
      text = await read();
    } catch (error) {
      throw new ServiceUnavailableError(description.unavailableCode, `${capitalise(description.what)} could not be read`, {
        cause: error,
      });
    }
    let value: T;
    try {
      value = await parse(text);
    } catch (error) {
      throw new ServiceUnavailableError(description.invalidCode, `${capitalise(description.what)} is invalid`, {
        cause: error,
      });
    }
    cached = { value, readAt: now() };
    return value;
  };

  const refresh = (): Promise<T> =>
    (inFlight ??= load().finally(() => {
      inFlight = undefined;
    }));

  return async () => {
    if (cached === undefined) return refresh();
    const age = now() - cached.readAt;
    if (age < ttlMs) return cached.value;
    if (age >= ttlMs + maxStaleMs) return refresh();
    const stale = cached;
    const report = (code: string) => (options.onStale ?? logStale)({ what: description.what, code, ageMs: now() - stale.readAt });
    try {
      // A read that answers in time is used; one that does not goes on, and the last value serves meanwhile.
      const fresh = await within(refresh(), refreshWaitMs);
      if (fresh !== undefined) return fresh;
      report(description.unavailableCode);
      return stale.value;
    } catch (error) {
      if (!isOutage(error, description)) throw error;
      report(description.unavailableCode);
      return stale.value;
    }
  };
}

/**
 * Failures that say the secret is gone or refused to us, not that Secrets
 * Manager is out of reach: revoking access, deleting the secret or breaking its
 * value must take effect at once, not after `maxStaleMs`.
 */
const REFUSALS = new Set(['AccessDeniedException', 'ResourceNotFoundException', 'DecryptionFailure', 'InvalidRequestException']);

function isOutage(error: unknown, description: SecretDescription): boolean {
  if (!(error instanceof ServiceUnavailableError) || error.code !== description.unavailableCode) return false;
  return !REFUSALS.has((error.cause as { name?: string } | undefined)?.name ?? '');
}

function logStale(notice: StaleSecretNotice): void {
  logNotice('WARN', 'secret-stale', {
    secret: notice.what,
    errorCode: notice.code,
    ageSeconds: Math.round(notice.ageMs / 1000),
  });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
