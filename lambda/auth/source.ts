/**
 * Where the credentials document comes from: Secrets Manager, fetched on
 * first use and cached for a short TTL, so a rotated secret takes effect
 * within minutes without a redeploy. A failed fetch denies (503), never allows.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceUnavailableError } from '../errors';
import { parseCredentialsDocument } from './credentials';
import { createVerifier, type AuthRequest, type Verifier } from './verify';

export const DEFAULT_CREDENTIALS_TTL_MS = 5 * 60 * 1000;

export interface CredentialsSourceOptions {
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** Returns a function that yields the current Verifier, fetching the secret when the cache is cold or stale. */
export function secretsManagerVerifier(
  client: SecretsManagerClient,
  secretId: string,
  options: CredentialsSourceOptions = {},
): () => Promise<Verifier> {
  const ttlMs = options.ttlMs ?? DEFAULT_CREDENTIALS_TTL_MS;
  const now = options.now ?? Date.now;
  let cached: { verifier: Verifier; expires: number } | undefined;
  let inFlight: Promise<Verifier> | undefined;

  const fetchVerifier = async (): Promise<Verifier> => {
    let secret: string | undefined;
    try {
      const response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      secret = response.SecretString ?? (response.SecretBinary && Buffer.from(response.SecretBinary).toString('utf8'));
    } catch (error) {
      throw new ServiceUnavailableError('CredentialsUnavailable', 'The webhook credentials could not be read', {
        cause: error,
      });
    }
    let verifier: Verifier;
    try {
      verifier = createVerifier(parseCredentialsDocument(secret ?? ''));
    } catch (error) {
      throw new ServiceUnavailableError('CredentialsInvalid', 'The webhook credentials document is invalid', {
        cause: error,
      });
    }
    cached = { verifier, expires: now() + ttlMs };
    return verifier;
  };

  return () => {
    if (cached && cached.expires > now()) return Promise.resolve(cached.verifier);
    // Concurrent cold requests share one fetch.
    inFlight ??= fetchVerifier().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

/** The authenticate step of a handler: resolves for an authorised request, throws a WebhookError otherwise. */
export function authenticatorFor(verifier: () => Promise<Verifier>): (request: AuthRequest) => Promise<void> {
  return async (request) => (await verifier()).verify(request);
}

/** Used when no secret is configured: every request is rejected, as with an empty document. */
export const rejectAll: Verifier = createVerifier({});
