import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DecodedWebhook } from '../decode/canonical';
import { detailTypeOf, MAX_ENTRY_BYTES } from '../contract';
import { canonicalJson, type Delivery, deliveryJson, deliveryOf, deliveryOfCanonical } from './delivery';
import { partDetails } from './parts';
import { entrySize } from './size';

export { MAX_ENTRY_BYTES } from '../contract';
export { entrySize } from './size';

export interface EntryTarget {
  readonly eventBusName: string;
  readonly eventSource: string;
  /** The named Jamf Pro instance the webhook came from (`delivery.instance`); absent for the default one. */
  readonly instance?: string;
}

/**
 * The PutEvents entry of a webhook received at `receivedAt`: detail-type
 * `jamf.<Name>`, the canonical `{ webhook, event }` and its `delivery` block as
 * detail, and Jamf's own timestamp as the event time when it sent one.
 */
export function toPutEventsEntry(decoded: DecodedWebhook, target: EntryTarget, receivedAt: Date): PutEventsRequestEntry {
  return wholeEntry(decoded, target, receivedAt).entry;
}

/**
 * The PutEvents entries of a webhook: its one entry, or, when that is over
 * `maxEntryBytes` and the event is split along lists (`PART_LISTS`), the
 * entries of its parts, each within it, sharing the whole's `delivery.id`. An
 * entry over the limit that cannot be split comes back alone, as it is: the
 * caller says what becomes of it.
 */
export function toPutEventsEntries(
  decoded: DecodedWebhook,
  target: EntryTarget,
  receivedAt: Date,
  maxEntryBytes: number = MAX_ENTRY_BYTES,
): PutEventsRequestEntry[] {
  return webhookEntries(decoded, target, receivedAt, maxEntryBytes).entries;
}

/** A webhook's entries, and what building them measured, for a caller that would otherwise measure again. */
export interface WebhookEntries {
  /** As `toPutEventsEntries` gives them. */
  readonly entries: PutEventsRequestEntry[];
  /** The whole entry's size (`entrySize`), before any split. */
  readonly size: number;
  /** The whole entry's Detail in UTF-8 bytes. */
  readonly detailBytes: number;
  /** The delivery block appended to the Detail; absent when the detail had one of its own. */
  readonly delivery?: Delivery;
}

/** `toPutEventsEntries`, with the sizes it measured and the delivery block it wrote. */
export function webhookEntries(
  decoded: DecodedWebhook,
  target: EntryTarget,
  receivedAt: Date,
  maxEntryBytes: number = MAX_ENTRY_BYTES,
): WebhookEntries {
  const { entry, delivery } = wholeEntry(decoded, target, receivedAt);
  const { Detail: detail, ...rest } = entry;
  const restSize = entrySize(rest);
  const detailBytes = Buffer.byteLength(detail ?? '', 'utf8');
  const size = restSize + detailBytes;
  const whole = { entries: [entry], size, detailBytes, ...(delivery ? { delivery } : {}) };
  if (delivery === undefined || size <= maxEntryBytes) return whole;
  const details = partDetails(decoded.eventName, decoded.detail, delivery, maxEntryBytes - restSize);
  return details === undefined ? whole : { ...whole, entries: details.map((Detail) => ({ ...rest, Detail })) };
}

/** The one entry of a webhook, and its delivery block when it is the one written here (not the detail's own). */
function wholeEntry(decoded: DecodedWebhook, target: EntryTarget, receivedAt: Date): { entry: PutEventsRequestEntry; delivery?: Delivery } {
  const timestamp = decoded.detail.webhook.eventTimestamp;
  const { text, delivery } = detailJson(decoded.detail, receivedAt, decoded.encoding, target.instance);
  const entry: PutEventsRequestEntry = {
    EventBusName: target.eventBusName,
    Source: target.eventSource,
    DetailType: detailTypeOf(decoded.eventName),
    Detail: text,
  };
  // Assigned rather than spread in: a spread copies through a new object for every entry.
  if (typeof timestamp === 'number') entry.Time = new Date(timestamp);
  return delivery ? { entry, delivery } : { entry };
}

/**
 * The canonical JSON of the detail (`canonicalJson`: keys sorted at every
 * depth, the text its delivery id is hashed from) with the delivery block
 * appended: one serialisation for both. The decoder builds every detail in
 * that order, so this is also `JSON.stringify({ ...detail, delivery })` for
 * a decoded detail. A detail that already has a delivery block keeps its place,
 * as the spread does.
 */
function detailJson(
  detail: DecodedWebhook['detail'],
  receivedAt: Date,
  encoding: DecodedWebhook['encoding'],
  instance: string | undefined,
): { text: string; delivery?: Delivery } {
  if (Object.prototype.hasOwnProperty.call(detail, 'delivery')) return { text: JSON.stringify({ ...detail, delivery: deliveryOf(detail, receivedAt, encoding, instance) }) };
  const text = canonicalJson(detail);
  const delivery = deliveryOfCanonical(text, detail, receivedAt, encoding, instance);
  return { text: `${text.length > 2 ? `${text.slice(0, -1)},` : '{'}"delivery":${deliveryJson(delivery)}}`, delivery };
}
