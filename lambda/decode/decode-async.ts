/**
 * `decodeWebhook` for handlers bundled with code splitting: the XML parser
 * (fast-xml-parser, most of the decoder's size and load time) is loaded with
 * `import()` on the first XML body, so a JSON-only installation never loads it.
 * Same result and same errors as `decodeWebhook`.
 */
import { lazy } from '../shared/lazy';
import type { DecodedWebhook } from './canonical';
import { decodeBodyTextWith, readBodyText } from './tree';

export type { CanonicalDetail, DecodedWebhook } from './canonical';

/** The XML parser module, loaded once on first use. */
export const loadXml = lazy(() => import('./xml.js'));

/** Decodes a webhook request body, loading the XML parser first if the body is XML and it is not loaded yet. */
export async function decodeWebhookAsync(body: Uint8Array, contentType: string | undefined): Promise<DecodedWebhook> {
  const text = readBodyText(body, contentType);
  const parseXml = text.format === 'xml' ? (await loadXml()).parseXml : unusedXmlParser;
  return decodeBodyTextWith(text, parseXml);
}

function unusedXmlParser(): never {
  throw new Error('The XML parser was not loaded');
}
