/**
 * The signing key document, `{"key": "...", "previousKeys": ["..."]}`: the key
 * signs new challenges; it and the previous keys verify them, so a key can be
 * rotated without failing challenges already in profiles.
 */
import * as v from 'valibot';

/** HMAC-SHA256 keys shorter than this would be the weakest part of a challenge. */
export const MIN_SIGNING_KEY_CHARS = 32;

const SigningKey = v.pipe(
  v.string('key must be a string'),
  v.minLength(MIN_SIGNING_KEY_CHARS, `key must be at least ${MIN_SIGNING_KEY_CHARS} characters`),
);

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

export class InvalidSecretError extends Error {
  override readonly name = 'InvalidSecretError';
}

export function problems(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`).join('; ');
}

/** Parses the signing key document; the error names what is wrong, never a value. */
export function parseSigningKeys(text: string): SigningKeys {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidSecretError('the signing key document is not JSON');
  }
  const result = v.safeParse(SigningKeyDocumentSchema, json);
  if (!result.success) throw new InvalidSecretError(`the signing key document is invalid: ${problems(result.issues)}`);
  const current = Buffer.from(result.output.key, 'utf8');
  return { current, all: [current, ...result.output.previousKeys.map((key) => Buffer.from(key, 'utf8'))] };
}
