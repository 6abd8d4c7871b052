import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DecodedWebhook } from '../decode/canonical';
import { detailTypeOf } from '../contract';
import { type Delivery, deliveryOf } from './delivery';

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
  return {
    EventBusName: target.eventBusName,
    Source: target.eventSource,
    DetailType: detailTypeOf(decoded.eventName),
    Detail: detailJson(decoded.detail, deliveryOf(decoded.detail, receivedAt, decoded.encoding)),
    ...(typeof timestamp === 'number' ? { Time: new Date(timestamp) } : {}),
  };
}

/**
 * `JSON.stringify({ ...detail, delivery })`, without copying the detail: its
 * text with the delivery block appended, which is where the spread puts a key
 * the detail does not already have.
 */
function detailJson(detail: DecodedWebhook['detail'], delivery: Delivery): string {
  if (Object.prototype.hasOwnProperty.call(detail, 'delivery')) return JSON.stringify({ ...detail, delivery });
  const text = JSON.stringify(detail);
  return `${text.length > 2 ? `${text.slice(0, -1)},` : '{'}"delivery":${JSON.stringify(delivery)}}`;
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
