/**
 * Checks a request against the credentials document. Every comparison is
 * between SHA-256 digests with `timingSafeEqual`, so neither the content nor
 * the length of a secret leaks through timing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../shared/errors';
import type { WebhookRequest } from '../shared/request';
import type { CredentialsDocument, HmacCredential } from './credentials';


export const BASIC_CHALLENGE = 'Basic realm="jamf-eventbridge", charset="UTF-8"';

function digest(value: string | Uint8Array): Buffer {
  return createHash('sha256').update(value).digest();
}

function sameDigest(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}

/** A credentials document prepared for checking: digests computed once per fetch, not per request. */
export interface Verifier {
  /** Whether the document accepts anything at all. */
  readonly acceptsAnything: boolean;
  /** Whether it accepts requests without credentials (`{"none": true}`). */
  readonly anonymous: boolean;
  verify(request: WebhookRequest): void;
}

function hmacMatches(credential: HmacCredential, request: WebhookRequest): boolean {
  let provided = request.headers[credential.header.toLowerCase()]?.trim();
  if (!provided) return false;
  if (credential.prefix && provided.toLowerCase().startsWith(credential.prefix.toLowerCase())) {
    provided = provided.slice(credential.prefix.length);
  }
  const providedBytes = Buffer.from(provided, credential.encoding);
  const expected = createHmac(credential.algorithm, credential.secret).update(request.body).digest();
  return sameDigest(digest(providedBytes), digest(expected));
}

export function createVerifier(document: CredentialsDocument): Verifier {
  const basic = [...(document.basic ?? [])];
  if (document.username !== undefined && document.password !== undefined) {
    basic.push({ username: document.username, password: document.password });
  }
  const basicDigests = basic.map(({ username, password }) => digest(`${username}:${password}`));
  const headerDigests = (document.headers ?? []).map(({ name, value }) => ({
    name: name.toLowerCase(),
    digest: digest(value),
  }));
  const hmac = document.hmac ?? [];
  const allowAll = document.none === true;
  const acceptsAnything = allowAll || basicDigests.length + headerDigests.length + hmac.length > 0;
  const challenge = basicDigests.length > 0 ? BASIC_CHALLENGE : undefined;

  return {
    acceptsAnything,
    anonymous: allowAll,
    verify(request) {
      if (allowAll) return;
      if (!acceptsAnything) {
        throw new UnauthorizedError('No credentials are configured, so every request is rejected');
      }
      const authorization = request.headers.authorization;
      const basicMatch = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
      if (basicMatch && basicDigests.length > 0) {
        const given = digest(Buffer.from(basicMatch[1]!, 'base64').toString('utf8'));
        // Compare against every credential, so the time taken does not say which one is close.
        let matched = false;
        for (const expected of basicDigests) matched = sameDigest(given, expected) || matched;
        if (matched) return;
      }
      for (const header of headerDigests) {
        const value = request.headers[header.name];
        if (value !== undefined && sameDigest(digest(value), header.digest)) return;
      }
      for (const credential of hmac) {
        if (hmacMatches(credential, request)) return;
      }
      throw new UnauthorizedError('Missing or wrong credentials', challenge);
    },
  };
}
