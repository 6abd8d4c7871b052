import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DecodedWebhook } from '../decode/canonical';
import { detailTypeOf } from '../contract';
import { deliveryOf } from './delivery';

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
    Detail: JSON.stringify({ ...decoded.detail, delivery: deliveryOf(decoded.detail, receivedAt, decoded.encoding) }),
    ...(typeof timestamp === 'number' ? { Time: new Date(timestamp) } : {}),
  };
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
