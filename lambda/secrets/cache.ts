/**
 * A secret read on first use and kept for a short TTL, so a rotated value takes
 * effect within minutes without a redeploy and a warm request makes no network
 * call. A failed read or an invalid value is a 503: a handler denies, never
 * allows, when it cannot read what it checks against.
 */
import { ServiceUnavailableError } from '../shared/errors';

export const DEFAULT_SECRET_TTL_MS = 5 * 60 * 1000;

export interface SecretCacheOptions {
  readonly ttlMs?: number;
  readonly now?: () => number;
}

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
 * is cold or stale. Concurrent cold calls share one read; a failure is not
 * cached. `parse` may be async, to load its code with the secret.
 */
export function cachedSecret<T>(
  read: () => Promise<string>,
  parse: (text: string) => T | Promise<T>,
  description: SecretDescription,
  options: SecretCacheOptions = {},
): () => Promise<T> {
  const ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
  const now = options.now ?? Date.now;
  let cached: { value: T; expires: number } | undefined;
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
    cached = { value, expires: now() + ttlMs };
    return value;
  };

  return () => {
    if (cached && cached.expires > now()) return Promise.resolve(cached.value);
    inFlight ??= load().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
