/**
 * Where the credentials document comes from: a secret read on first use and
 * cached for a short TTL (see `secrets/cache.ts`). Without a document it may
 * trust, it denies (503), never allows.
 *
 * The parser and the verifier are loaded with the secret, not at init: they
 * (and node:crypto) are needed only once the document has arrived.
 */
import { ServiceUnavailableError } from '../shared/errors';
import { cachedSecret, type SecretCacheOptions } from '../secrets/cache';
import type { WebhookRequest } from '../shared/request';
import type { Verifier } from './verify';

async function verifierFor(document: string): Promise<Verifier> {
  const [{ parseCredentialsDocument }, { createVerifier }] = await Promise.all([
    import('./credentials.js'),
    import('./verify.js'),
  ]);
  return createVerifier(parseCredentialsDocument(document));
}

/**
 * Returns a function that yields the current Verifier. `read` returns the
 * document's text, e.g. `() => readSecretString(client, secretId)`; without a
 * secret, pass `noCredentials`, which rejects every request.
 */
export function credentialsVerifier(read: () => Promise<string>, options: SecretCacheOptions = {}): () => Promise<Verifier> {
  return cachedSecret(
    read,
    verifierFor,
    { what: 'the webhook credentials', unavailableCode: 'CredentialsUnavailable', invalidCode: 'CredentialsInvalid' },
    options,
  );
}

/** The document when no secret is configured: empty, so every request is rejected. */
export const noCredentials = async (): Promise<string> => '';

export interface AuthenticatorOptions {
  /**
   * Refuse to serve when the document lets anyone in (`{"none": true}`): for a
   * route whose answer is itself a credential, such as a SCEP challenge.
   */
  readonly requireCredentials?: boolean;
}

/** The authenticate step of a handler: resolves for an authorised request, throws a WebhookError otherwise. */
export function authenticatorFor(
  verifier: () => Promise<Verifier>,
  options: AuthenticatorOptions = {},
): (request: WebhookRequest) => Promise<void> {
  return async (request) => {
    const current = await verifier();
    if (options.requireCredentials && current.anonymous) {
      throw new ServiceUnavailableError(
        'CredentialsRequired',
        'This route hands out credentials, so it does not accept {"none": true}: add a credential to the webhook credentials document',
      );
    }
    current.verify(request);
  };
}

/**
 * The authenticate step of a function that serves named Jamf Pro instances besides the
 * default one: a request for `instance` is checked against that instance's credentials
 * document only (so one Jamf Pro's credential is refused on another's route), each read
 * from its own secret and cached apart. The verifier of an instance is made on its first request.
 */
export function instanceAuthenticator(
  defaultVerifier: () => Promise<Verifier>,
  verifierOf: (instance: string) => () => Promise<Verifier>,
  options: AuthenticatorOptions = {},
): (request: WebhookRequest, instance: string | undefined) => Promise<void> {
  const byInstance = new Map<string, (request: WebhookRequest) => Promise<void>>();
  const defaultAuthenticator = authenticatorFor(defaultVerifier, options);
  return (request, instance) => {
    if (instance === undefined) return defaultAuthenticator(request);
    let authenticate = byInstance.get(instance);
    if (authenticate === undefined) {
      authenticate = authenticatorFor(verifierOf(instance), options);
      byInstance.set(instance, authenticate);
    }
    return authenticate(request);
  };
}
