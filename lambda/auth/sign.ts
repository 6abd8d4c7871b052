/**
 * The client side of the credentials document: the headers a sender that
 * holds the document's first credential puts on a request. Used by
 * `npm run send` and the tests, never by the handlers.
 */
import { createHmac } from 'node:crypto';
import type { CredentialsDocument } from './credentials';

export function authHeadersFor(document: CredentialsDocument, body: Uint8Array): Record<string, string> {
  const basic = document.basic?.[0] ?? (document.username && document.password ? document : undefined);
  if (basic?.username && basic.password) {
    const token = Buffer.from(`${basic.username}:${basic.password}`, 'utf8').toString('base64');
    return { authorization: `Basic ${token}` };
  }
  const header = document.headers?.[0];
  if (header) return { [header.name]: header.value };
  const hmac = document.hmac?.[0];
  if (hmac) {
    const signature = createHmac(hmac.algorithm, hmac.secret).update(body).digest(hmac.encoding);
    return { [hmac.header]: `${hmac.prefix}${signature}` };
  }
  return {};
}
