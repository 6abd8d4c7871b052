/**
 * Removes what must never reach the bus, a dead letter or a log: Jamf sends
 * the user's password in `SCEPChallenge.targetUser.password`, and any key
 * named like a password is treated the same, so a future event cannot leak one.
 */

const SECRET_KEY = /^(?:password|passwd|secret|challenge|scepChallenge)$/i;

export const REDACTED = '[REDACTED]';

/** Whether a key names a secret. The length test only skips the regular expression for keys it cannot match. */
export function isSecretKey(key: string): boolean {
  const { length } = key;
  return (length === 6 || length === 8 || length === 9 || length === 13) && SECRET_KEY.test(key);
}

/** Deletes secret-named keys from a decoded tree, in place. Safe on any depth the decoder accepts. */
export function removeSecrets(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) removeSecrets(item);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (isSecretKey(key)) delete record[key];
    else removeSecrets(record[key]);
  }
}

const JSON_SECRET = /("(?:password|passwd|secret|challenge|scepChallenge)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const XML_SECRET = /<(password|passwd|secret|challenge|scepChallenge)(\s[^>]*)?>[\s\S]*?<\/\1\s*>/gi;

/**
 * Masks secret values in a raw body that could not be decoded (it is kept as
 * text in the dead-letter store). It works on malformed input too, since
 * that is exactly when the structured `removeSecrets` cannot run.
 */
export function redactRawBody(text: string): string {
  return text
    .replace(JSON_SECRET, `$1"${REDACTED}"`)
    .replace(XML_SECRET, (_match, name: string) => `<${name}>${REDACTED}</${name}>`);
}
