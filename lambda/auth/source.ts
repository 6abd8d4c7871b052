/**
 * Where the credentials document comes from: a secret read on first use and
 * cached for a short TTL (see `secret-cache.ts`). A failed read denies (503),
 * never allows.
 */
import { cachedSecret, DEFAULT_SECRET_TTL_MS, type SecretCacheOptions } from '../secret-cache';
import { parseCredentialsDocument } from './credentials';
import { createVerifier, type AuthRequest, type Verifier } from './verify';

export const DEFAULT_CREDENTIALS_TTL_MS = DEFAULT_SECRET_TTL_MS;

/**
 * Returns a function that yields the current Verifier. `read` returns the
 * document's text, e.g. `() => readSecretString(client, secretId)`.
 */
export function credentialsVerifier(read: () => Promise<string>, options: SecretCacheOptions = {}): () => Promise<Verifier> {
  return cachedSecret(
    read,
    (text) => createVerifier(parseCredentialsDocument(text)),
    { what: 'the webhook credentials', unavailableCode: 'CredentialsUnavailable', invalidCode: 'CredentialsInvalid' },
    options,
  );
}

/** The authenticate step of a handler: resolves for an authorised request, throws a WebhookError otherwise. */
export function authenticatorFor(verifier: () => Promise<Verifier>): (request: AuthRequest) => Promise<void> {
  return async (request) => (await verifier()).verify(request);
}

/** Used when no secret is configured: every request is rejected, as with an empty document. */
export const rejectAll: Verifier = createVerifier({});
