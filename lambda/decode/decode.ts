/**
 * Body and content type in, the canonical Jamf event out: the same object
 * whether Jamf sent JSON or XML.
 *
 * This module loads the XML parser with it. A handler that should load it only
 * on its first XML body uses `decodeWebhookAsync` from `decode-async.ts`.
 */
import { decodeBodyTextWith, readBodyText } from './tree';
import { parseXml } from './xml';
import type { DecodedWebhook } from './canonical';

export type { CanonicalDetail, DecodedWebhook } from './canonical';
export { decodeTree } from './tree';

/** Decodes a webhook request body. Throws a `WebhookError` that says what is wrong. */
export function decodeWebhook(body: Uint8Array, contentType: string | undefined): DecodedWebhook {
  return decodeBodyTextWith(readBodyText(body, contentType), parseXml);
}
