/**
 * Checks a request against the credentials document. Every comparison is
 * between SHA-256 digests with `timingSafeEqual`, so neither the content nor
 * the length of a secret leaks through timing.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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
  /** Whether credentials recorded with {@link presentedCredentials} (and the body they came with) would have passed. */
  accepts(presented: PresentedCredentials, body: Uint8Array): boolean;
  /** Whether it accepts HMAC signatures, which only the exact body can prove. */
  readonly checksSignatures: boolean;
}

/**
 * What a request presented as credentials, kept so that it can be checked
 * later, when the credentials document could not be read at the time: never a
 * value that is itself a credential. Basic credentials and every header value
 * are kept as HMAC-SHA256 under a random salt of this record (so a weak
 * password cannot be looked up in a table); a header value shaped like a
 * SHA-256 or SHA-512 signature is kept as it was, since an HMAC over the body
 * proves nothing for any other body.
 */
export interface PresentedCredentials {
  /** 16 random bytes, hex: the key of the digests below. */
  readonly salt: string;
  /** HMAC-SHA256 (hex) of the Basic `username:password`, when the request had Basic credentials. */
  readonly basic?: string;
  /** HMAC-SHA256 (hex) of each header's value, by lower-case name. */
  readonly headers: Readonly<Record<string, string>>;
  /** Header values shaped like a signature (hex or base64 of 32 or 64 bytes, maybe `sha256=`-prefixed), by lower-case name. */
  readonly signatures: Readonly<Record<string, string>>;
}

const SIGNATURE_SHAPE = /^(?:sha(?:256|512)=)?(?:[0-9a-f]{64}|[0-9a-f]{128}|[A-Za-z0-9+/]{43}=|[A-Za-z0-9+/]{86}==)$/i;
/** At most this many headers are recorded: a request is not a way to make us store much. */
const MAX_RECORDED_HEADERS = 50;

function basicCredentials(authorization: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : undefined;
}

const salted = (salt: string, value: string): Buffer => createHmac('sha256', Buffer.from(salt, 'hex')).update(value).digest();

/** What `request` presents, as {@link PresentedCredentials}. */
export function presentedCredentials(request: WebhookRequest): PresentedCredentials {
  const salt = randomBytes(16).toString('hex');
  const basic = basicCredentials(request.headers.authorization);
  const headers: Record<string, string> = {};
  const signatures: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (SIGNATURE_SHAPE.test(value.trim())) signatures[name] = value.trim();
    if (Object.keys(headers).length < MAX_RECORDED_HEADERS) headers[name] = salted(salt, value).toString('hex');
  }
  return { salt, ...(basic !== undefined ? { basic: salted(salt, basic).toString('hex') } : {}), headers, signatures };
}

function hmacMatches(credential: HmacCredential, request: WebhookRequest): boolean {
  return signatureMatches(credential, request.headers[credential.header.toLowerCase()], request.body);
}

function signatureMatches(credential: HmacCredential, header: string | undefined, body: Uint8Array): boolean {
  let provided = header?.trim();
  if (!provided) return false;
  if (credential.prefix && provided.toLowerCase().startsWith(credential.prefix.toLowerCase())) {
    provided = provided.slice(credential.prefix.length);
  }
  const providedBytes = Buffer.from(provided, credential.encoding);
  const expected = createHmac(credential.algorithm, credential.secret).update(body).digest();
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
      const basicGiven = basicCredentials(request.headers.authorization);
      if (basicGiven !== undefined && basicDigests.length > 0) {
        const given = digest(basicGiven);
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
    accepts(presented, body) {
      if (allowAll) return true;
      const matches = (hex: string | undefined, value: string) =>
        hex !== undefined && /^[0-9a-f]{64}$/.test(hex) && sameDigest(Buffer.from(hex, 'hex'), salted(presented.salt, value));
      if (basic.some(({ username, password }) => matches(presented.basic, `${username}:${password}`))) return true;
      if ((document.headers ?? []).some(({ name, value }) => matches(presented.headers[name.toLowerCase()], value))) return true;
      return hmac.some((credential) => signatureMatches(credential, presented.signatures[credential.header.toLowerCase()], body));
    },
    checksSignatures: hmac.length > 0,
  };
}
