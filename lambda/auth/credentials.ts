/**
 * The credentials document: one JSON object that lists every credential the
 * webhook endpoints accept. It lives in Secrets Manager (locally: the
 * `JAMF_WEBHOOK_AUTH` environment variable, served by the local Secrets
 * Manager endpoint). Lists let several credentials be valid at once, so a
 * secret can be rotated without downtime: add the new one, switch Jamf Pro,
 * remove the old one.
 *
 * @example
 * {
 *   "basic": [{ "username": "jamf", "password": "..." }],
 *   "headers": [{ "name": "X-Api-Key", "value": "..." }],
 *   // or, as Jamf Pro's own webhook settings write header authentication:
 *   // "headers": { "X-Api-Key": "..." },
 *   "hmac": [{ "header": "X-Jamf-Signature", "algorithm": "sha256", "encoding": "hex", "prefix": "sha256=", "secret": "..." }]
 * }
 */
import * as v from 'valibot';
import { describeIssuesWithoutValues } from '../shared/issues';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const nonEmpty = (what: string) => v.pipe(v.string(`${what} must be a string`), v.minLength(1, `${what} must not be empty`));

export const BasicCredentialSchema = v.strictObject({
  username: nonEmpty('basic username'),
  password: nonEmpty('basic password'),
});

export const HeaderCredentialSchema = v.strictObject({
  /** Header name, matched case-insensitively. */
  name: v.pipe(v.string(), v.regex(HEADER_NAME, 'headers name must be an HTTP header name')),
  value: nonEmpty('headers value'),
});

/**
 * `headers` as a list: several values for one name can be valid at once,
 * which a rotation needs.
 */
export const HeaderCredentialListSchema = v.array(HeaderCredentialSchema);

/**
 * `headers` as one object of name to value: the JSON Jamf Pro's webhook
 * settings ask for under header authentication (`{"Authorization": "..."}`),
 * so it can be pasted as it is. Read into the list form, so nothing else
 * knows there were two.
 */
export const HeaderCredentialObjectSchema = v.pipe(
  v.record(
    v.pipe(v.string(), v.regex(HEADER_NAME, 'headers names must be HTTP header names')),
    nonEmpty('headers value'),
  ),
  v.check((headers) => Object.keys(headers).length > 0, 'headers must name at least one header'),
  v.transform((headers) => Object.entries(headers).map(([name, value]) => ({ name, value }))),
);

/**
 * Picks the form by the input's shape rather than with `v.union`: a union
 * whose every option fails reports only "expected Array | Object", while this
 * reports the issue inside the form that was meant.
 */
const HeadersSchema = v.lazy((input) => (Array.isArray(input) ? HeaderCredentialListSchema : HeaderCredentialObjectSchema));

export const HmacCredentialSchema = v.strictObject({
  /** The header that carries the signature; Jamf does not document its name publicly. */
  header: v.pipe(v.string(), v.regex(HEADER_NAME, 'hmac header must be an HTTP header name')),
  algorithm: v.picklist(['sha256', 'sha512'], 'hmac algorithm must be sha256 or sha512'),
  /** @default 'hex' */
  encoding: v.optional(v.picklist(['hex', 'base64'], 'hmac encoding must be hex or base64'), 'hex'),
  /** A prefix such as `sha256=` before the signature; accepted with or without it. */
  prefix: v.optional(v.string(), ''),
  /** Jamf Pro requires at least 16 characters. */
  secret: v.pipe(v.string(), v.minLength(16, 'hmac secret must be at least 16 characters')),
});

export const CredentialsDocumentSchema = v.strictObject({
  /** Accept unauthenticated requests. Must be chosen explicitly. */
  none: v.optional(v.literal(true, 'none must be true when present')),
  basic: v.optional(v.array(BasicCredentialSchema)),
  headers: v.optional(HeadersSchema),
  hmac: v.optional(v.array(HmacCredentialSchema)),
  /**
   * One Basic credential at the top level: the shape of the secret the CDK
   * stack generates (`{"username":"jamf","password":"<generated>"}`).
   */
  username: v.optional(nonEmpty('username')),
  password: v.optional(nonEmpty('password')),
});

export type CredentialsDocument = v.InferOutput<typeof CredentialsDocumentSchema>;
export type HeaderCredential = v.InferOutput<typeof HeaderCredentialSchema>;
export type HmacCredential = v.InferOutput<typeof HmacCredentialSchema>;

export class InvalidCredentialsDocumentError extends Error {
  override readonly name = 'InvalidCredentialsDocumentError';
}

/** Parses the document; the error says what is wrong but never echoes a value. */
export function parseCredentialsDocument(text: string): CredentialsDocument {
  let json: unknown;
  try {
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new InvalidCredentialsDocumentError('the credentials document is not valid JSON');
  }
  // An object schema takes an array for an object with keys "0", "1"...: say what it is instead.
  if (Array.isArray(json)) throw new InvalidCredentialsDocumentError('the credentials document must be a JSON object, not a list');
  const result = v.safeParse(CredentialsDocumentSchema, json);
  if (!result.success) {
    throw new InvalidCredentialsDocumentError(
      `the credentials document is invalid: ${describeIssuesWithoutValues(result.issues)}`,
    );
  }
  const { username, password } = result.output;
  if ((username === undefined) !== (password === undefined)) {
    throw new InvalidCredentialsDocumentError('the credentials document must give both username and password, or neither');
  }
  return result.output;
}
