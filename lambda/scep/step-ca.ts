/**
 * step-ca's side of the verifier: its `SCEPCHALLENGE` webhook request, and the
 * signature it puts on it (`X-Smallstep-Signature`: hex HMAC-SHA256 of the
 * body under the webhook's signing secret).
 *
 * Its secret is base64, as `step ca provisioner webhook add` prints it, or
 * `{"secrets": ["...", "..."]}` while one is being replaced.
 *
 * @see https://smallstep.com/docs/step-ca/webhooks/
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as v from 'valibot';
import { canonicalJson } from '../publish/delivery';
import { UnauthorizedError } from '../shared/errors';
import { InvalidSecretError, parseSecretDocument } from '../secrets/document';

export const STEP_CA_SIGNATURE_HEADER = 'x-smallstep-signature';
export const STEP_CA_WEBHOOK_ID_HEADER = 'x-smallstep-webhook-id';

/** The fields of step-ca's webhook request the verifier reads; the rest is kept and ignored. */
export const StepCaChallengeRequestSchema = v.looseObject({
  scepChallenge: v.optional(v.string('scepChallenge must be a string')),
  scepTransactionID: v.optional(v.string('scepTransactionID must be a string')),
  provisionerName: v.optional(v.string('provisionerName must be a string')),
  /** The certificate request as step-ca parsed it (subject, SANs, ...). */
  x509CertificateRequest: v.optional(v.unknown()),
}, 'the body must be a JSON object');
export type StepCaChallengeRequest = v.InferOutput<typeof StepCaChallengeRequestSchema>;

/** The signature step-ca sends for `body` under `secret` (the decoded base64 secret). */
export function stepCaSignature(secret: Uint8Array, body: Uint8Array | string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Throws `UnauthorizedError` unless the request carries a valid signature
 * under one of `secrets`. Digests are compared in constant time, and against
 * every secret, so the time taken leaks nothing.
 */
export function checkStepCaSignature(
  secrets: readonly Uint8Array[],
  headers: Readonly<Record<string, string | undefined>>,
  body: Uint8Array,
): void {
  if (secrets.length === 0) {
    throw new UnauthorizedError('No step-ca webhook secret is configured, so every verification is rejected');
  }
  const given = headers[STEP_CA_SIGNATURE_HEADER]?.trim() ?? '';
  // Hash both sides so that a malformed header costs the same as a wrong one.
  const givenDigest = createHash('sha256').update(HEX_SHA256.test(given) ? Buffer.from(given, 'hex') : given).digest();
  let matched = false;
  for (const secret of secrets) {
    const expected = createHash('sha256').update(createHmac('sha256', secret).update(body).digest()).digest();
    matched = timingSafeEqual(givenDigest, expected) || matched;
  }
  if (!matched) throw new UnauthorizedError('Missing or wrong X-Smallstep-Signature');
}

/** Keys of the certificate request that hold key material or secrets, not names. */
const NOT_A_NAME = /^(?:publicKey|raw|signature|challengePassword|extensions)$/i;

/**
 * Every name in step-ca's JSON form of the certificate request: subject
 * attributes, SANs, e-mail addresses, URIs. Jamf's SCEP payload puts the
 * device's UDID or serial number there (`CN=$UDID`), which is what the
 * device check compares with.
 */
export function certificateRequestNames(request: unknown, depth = 0): string[] {
  if (typeof request === 'string') return [request];
  if (request === null || typeof request !== 'object' || depth > 8) return [];
  const values = Array.isArray(request)
    ? request
    : Object.entries(request as Record<string, unknown>)
        .filter(([key]) => !NOT_A_NAME.test(key))
        .map(([, value]) => value);
  return values.flatMap((value) => certificateRequestNames(value, depth + 1));
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const VerifySecretDocumentSchema = v.strictObject({
  secrets: v.array(v.pipe(v.string(), v.regex(BASE64, 'secrets must be base64 strings'))),
});

/**
 * Parses step-ca's webhook secret(s) to the HMAC keys they stand for. An empty
 * list is valid and accepts nothing: the state of a fresh deployment before the
 * admin has pasted the secret step-ca printed.
 */
export function parseVerifySecrets(text: string): readonly Uint8Array[] {
  const trimmed = text.trim();
  let encoded: readonly string[];
  if (trimmed.startsWith('{')) {
    encoded = parseSecretDocument(trimmed, VerifySecretDocumentSchema, 'the step-ca webhook secret document').secrets;
  } else if (trimmed === '') {
    encoded = [];
  } else {
    if (!BASE64.test(trimmed)) throw new InvalidSecretError('the step-ca webhook secret is not base64');
    encoded = [trimmed];
  }
  return encoded.map((secret) => Buffer.from(secret, 'base64')).filter((key) => key.length > 0);
}

/** A digest of the certificate request as step-ca describes it (its JSON form), hex; `undefined` without one. */
export function certificateRequestDigest(request: unknown): string | undefined {
  if (request === undefined || request === null) return undefined;
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}
