/**
 * `detail.delivery`: what a subscriber needs to tell one webhook from another.
 *
 * EventBridge delivers at least once, and a publish whose answer was lost is
 * retried, so one webhook can reach a subscriber more than once. Every copy
 * carries the same `delivery.id`, derived from the canonical event alone: the
 * same whether Jamf sent JSON or XML, on every retry and after a redrive.
 */
import { createHash } from 'node:crypto';
import type { CanonicalDetail } from '../decode/canonical';
import type { BodyEncoding } from '../decode/charset';

export interface Delivery {
  /** 32 lowercase hex characters; the same for every copy of one webhook. */
  readonly id: string;
  /** When the webhook reached us (ISO 8601). */
  readonly receivedAt: string;
  /** How its body was read: `utf-8`, or the charset it declared, or `windows-1252` for bytes that were not UTF-8. */
  readonly encoding: BodyEncoding;
}

/**
 * JSON with object keys in sorted order at every depth, so that two trees
 * with the same content serialize alike whatever order their fields came in
 * (Jamf's JSON and XML writers need not agree on it).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const fields = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The delivery block of a webhook received at `receivedAt`. Jamf's
 * `eventTimestamp` is part of the canonical event, so two webhooks that differ
 * only in it have different ids; a webhook without one (Jamf Pro before 10.12,
 * some events) has the time it was received mixed in, so two identical
 * timestamp-less check-ins stay two events.
 */
export function deliveryOf(detail: Omit<CanonicalDetail, 'delivery'>, receivedAt: Date, encoding: BodyEncoding): Delivery {
  const hash = createHash('sha256').update(canonicalJson(detail));
  if (typeof detail.webhook.eventTimestamp !== 'number') hash.update(`\n${receivedAt.getTime()}`);
  return { id: hash.digest('hex').slice(0, 32), receivedAt: receivedAt.toISOString(), encoding };
}
