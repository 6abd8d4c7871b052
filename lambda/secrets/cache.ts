/**
 * A secret read on first use and kept for a short TTL, so a rotated value takes
 * effect within minutes without a redeploy and a warm request makes no network
 * call. A failed read or an invalid value is a 503: a handler denies, never
 * allows, when it cannot read what it checks against.
 */
import { ServiceUnavailableError } from '../shared/errors';
import { logNotice } from '../shared/log';

export const DEFAULT_SECRET_TTL_MS = 5 * 60 * 1000;

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
 * Past its TTL, a value read within `maxStaleMs` is answered at once while a
 * read goes on in the background: a request never waits on Secrets Manager
 * for a value it already has, and when the read fails (an outage, a throttle)
 * the last good value serves on, and the failure is reported to `onStale`.
 * Only a cold cache, or a value older than `maxStaleMs`, waits for the read.
 */
export function cachedSecret<T>(
  read: () => Promise<string>,
  parse: (text: string) => T | Promise<T>,
  description: SecretDescription,
  options: SecretCacheOptions = {},
): () => Promise<T> {
  const ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
  const maxStaleMs = options.maxStaleMs ?? DEFAULT_SECRET_MAX_STALE_MS;
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

  return () => {
    if (cached === undefined) return refresh();
    const age = now() - cached.readAt;
    if (age < ttlMs) return Promise.resolve(cached.value);
    if (age >= ttlMs + maxStaleMs) return refresh();
    const stale = cached;
    refresh().catch((error: unknown) => {
      (options.onStale ?? logStale)({
        what: description.what,
        code: (error as { code?: string }).code ?? description.unavailableCode,
        ageMs: now() - stale.readAt,
      });
    });
    return Promise.resolve(stale.value);
  };
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
