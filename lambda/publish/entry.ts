import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DecodedWebhook } from '../decode/canonical';
import { detailTypeOf } from '../contract';
import { canonicalJson, deliveryJson, deliveryOf, deliveryOfCanonical } from './delivery';

export { MAX_ENTRY_BYTES } from '../contract';

export interface EntryTarget {
  readonly eventBusName: string;
  readonly eventSource: string;
}

/**
 * The PutEvents entry of a webhook received at `receivedAt`: detail-type
 * `jamf.<Name>`, the canonical `{ webhook, event }` and its `delivery` block as
 * detail, and Jamf's own timestamp as the event time when it sent one.
 */
export function toPutEventsEntry(decoded: DecodedWebhook, target: EntryTarget, receivedAt: Date): PutEventsRequestEntry {
  const timestamp = decoded.detail.webhook.eventTimestamp;
  const entry: PutEventsRequestEntry = {
    EventBusName: target.eventBusName,
    Source: target.eventSource,
    DetailType: detailTypeOf(decoded.eventName),
    Detail: detailJson(decoded.detail, receivedAt, decoded.encoding),
  };
  // Assigned rather than spread in: a spread copies through a new object for every entry.
  if (typeof timestamp === 'number') entry.Time = new Date(timestamp);
  return entry;
}

/**
 * The canonical JSON of the detail (`canonicalJson`: keys sorted at every
 * depth, the text its delivery id is hashed from) with the delivery block
 * appended: one serialisation for both. The decoder builds every detail in
 * that order, so this is also `JSON.stringify({ ...detail, delivery })` for
 * a decoded detail. A detail that already has a delivery block keeps its place,
 * as the spread does.
 */
function detailJson(detail: DecodedWebhook['detail'], receivedAt: Date, encoding: DecodedWebhook['encoding']): string {
  if (Object.prototype.hasOwnProperty.call(detail, 'delivery')) return JSON.stringify({ ...detail, delivery: deliveryOf(detail, receivedAt, encoding) });
  const text = canonicalJson(detail);
  const delivery = deliveryJson(deliveryOfCanonical(text, detail, receivedAt, encoding));
  return `${text.length > 2 ? `${text.slice(0, -1)},` : '{'}"delivery":${delivery}}`;
}

/**
 * The size EventBridge counts against MAX_ENTRY_BYTES.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  for (const part of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (part) size += Buffer.byteLength(part, 'utf8');
  }
  return size;
}
