/**
 * Body and content type in, the canonical Jamf event out: the same object
 * whether Jamf sent JSON or XML.
 */
import { canonicalEventName, EVENT_SCHEMAS } from '../events/catalogue';
import { UnknownEventSchema } from '../events/schemas';
import { decodeEvent, readEnvelope, type DecodedWebhook } from './canonical';
import { type BodyEncoding, decodeBodyText } from './charset';
import { chooseFormat, type BodyFormat } from './format';
import { parseJson } from './json';
import { parseXml } from './xml';

export type { CanonicalDetail, DecodedWebhook } from './canonical';

/**
 * Reads the envelope, then the event body by the schema its name selects.
 * Known names are matched whatever their casing and published under the
 * canonical spelling; unknown well-formed names pass their body through.
 */
export function decodeTree(tree: unknown, format: BodyFormat, encoding: BodyEncoding = 'utf-8'): DecodedWebhook {
  const envelope = readEnvelope(tree);
  const known = canonicalEventName(envelope.webhook.webhookEvent);
  return known
    ? decodeEvent(envelope, { eventName: known, schema: EVENT_SCHEMAS[known], known: true, format, encoding })
    : decodeEvent(envelope, { eventName: envelope.webhook.webhookEvent, schema: UnknownEventSchema, known: false, format, encoding });
}

/** Decodes a webhook request body. Throws a `WebhookError` that says what is wrong. */
export function decodeWebhook(body: Uint8Array, contentType: string | undefined): DecodedWebhook {
  const { text, encoding } = decodeBodyText(body, contentType);
  const format = chooseFormat(contentType, text);
  const tree = format === 'json' ? parseJson(text) : parseXml(text);
  return decodeTree(tree, format, encoding);
}
