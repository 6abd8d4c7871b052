/**
 * The signing key document, `{"key": "...", "previousKeys": ["..."]}`: the key
 * signs new challenges; it and the previous keys verify them, so a key can be
 * rotated without failing challenges already in profiles.
 */
import * as v from 'valibot';
import { parseSecretDocument } from '../secrets/document';

/** HMAC-SHA256 keys shorter than this would be the weakest part of a challenge. */
export const MIN_SIGNING_KEY_CHARS = 32;

const SigningKey = v.pipe(v.string(), v.minLength(MIN_SIGNING_KEY_CHARS));

export const SigningKeyDocumentSchema = v.strictObject({
  key: SigningKey,
  previousKeys: v.optional(v.array(SigningKey), []),
});

export interface SigningKeys {
  /** Signs new challenges. */
  readonly current: Uint8Array;
  /** Every key a valid challenge may carry: current first. */
  readonly all: readonly Uint8Array[];
}

/** Parses the signing key document; the error names what is wrong, never a value. */
export function parseSigningKeys(text: string): SigningKeys {
  const document = parseSecretDocument(text, SigningKeyDocumentSchema, 'the signing key document');
  const current = Buffer.from(document.key, 'utf8');
  return { current, all: [current, ...document.previousKeys.map((key) => Buffer.from(key, 'utf8'))] };
}
