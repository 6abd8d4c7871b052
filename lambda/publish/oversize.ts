/**
 * The claim check: an event too large for one PutEvents entry is kept whole in
 * the oversize bucket, and what goes on the bus is a stub under its usual
 * detail-type: the webhook block, the event's identifying scalar fields, and
 * `delivery.oversize` saying where the whole detail is. A subscriber loads it
 * with `fetchOversize` (lambda/events/fetch-oversize.ts).
 *
 * The object's key comes from `delivery.id`, so a retry, a second copy of the
 * webhook and a redrive all write the same object with the same content.
 *
 * A SmartGroup membership change is split into parts that each fit instead
 * (./parts.ts); one that cannot be split (a single device, or its fields
 * without the lists, over the limit) comes here like any other event.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { MAX_ENTRY_BYTES } from '../contract';
import type { Oversize } from '../events/delivery';
import { WebhookSchema } from '../events/webhook';
import type { CallFailure } from '../shared/aws-calls';
import { entrySize } from './entry';
import { oversizeEventKey, type OversizeStore, putOversizeObject, type StoreOptions } from './oversize-store';
import type { PublishResult } from './publisher';

export { oversizeEventKey, type OversizeStore } from './oversize-store';

/**
 * Whether `entry` is over the entry limit and goes through the claim check: any
 * one entry is, an event that could be split having been split already
 * (`toPutEventsEntries`), so that nothing an authorised sender sends is too big for the bus.
 */
export function needsClaimCheck(entry: PutEventsRequestEntry): boolean {
  return entrySize(entry) > MAX_ENTRY_BYTES;
}

/**
 * The most a stub's detail takes: ample for the webhook block and the fields
 * that name a device, a user or a policy, far under the entry limit.
 */
export const STUB_MAX_BYTES = 16 * 1024;
/** A string longer than this names nothing (a script, a certificate, a list in one string): left out of a stub. */
export const STUB_MAX_STRING_CHARS = 512;

type Scalar = string | number | boolean | null;

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function isStubScalar(value: unknown): value is Scalar {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return true;
  return typeof value === 'string' && value.length <= STUB_MAX_STRING_CHARS;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The fewest bytes a field takes in a stub: `"":0,`. */
const MIN_FIELD_BYTES = 5;

/**
 * The scalar fields of `value` and of the objects directly in it (`event.computer.serialNumber`),
 * lists left out, each added while the running size stays within `budget`, the keys in `first`
 * before the others; in `value`'s order. Objects that keep no field are left out too. What a field
 * is charged is at least what it adds to the JSON: `"key":value,`, and for an object `"key":{},`
 * before its own fields (the braces of `value` itself are the caller's to count).
 */
function scalarFields(value: unknown, budget: { left: number }, nested: boolean, first: readonly string[] = []): Record<string, unknown> {
  if (!isObject(value)) return {};
  const kept = new Map<string, unknown>();
  const keys = [...first.filter((key) => Object.prototype.hasOwnProperty.call(value, key)), ...Object.keys(value).filter((key) => !first.includes(key))];
  for (const key of keys) {
    if (budget.left < MIN_FIELD_BYTES) break;
    const item = value[key];
    const keyCost = utf8Bytes(JSON.stringify(key)) + 2;
    if (isStubScalar(item)) {
      const cost = keyCost + utf8Bytes(JSON.stringify(item));
      if (cost > budget.left) continue;
      budget.left -= cost;
      kept.set(key, item);
    } else if (nested && isObject(item)) {
      const wrapper = keyCost + 2;
      if (wrapper > budget.left) continue;
      budget.left -= wrapper;
      const inner = scalarFields(item, budget, false);
      if (Object.keys(inner).length > 0) kept.set(key, inner);
      else budget.left += wrapper;
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (kept.has(key)) out[key] = kept.get(key);
  return out;
}

/** The fields of the webhook block Jamf sends: a stub keeps them before any other. */
const WEBHOOK_FIELDS = Object.keys(WebhookSchema.entries);

/**
 * The stub's detail for a whole `detail` kept at `oversize`, at most
 * STUB_MAX_BYTES as JSON: the delivery block with `oversize`, the webhook
 * block (its scalar fields: the block Jamf sends has nothing else; its own
 * fields first), and the event's identifying scalar fields that fit.
 */
export function stubDetail(detail: Record<string, unknown>, oversize: Oversize): Record<string, unknown> {
  const delivery = { ...(detail.delivery as Record<string, unknown> | undefined), oversize };
  // What the stub takes whatever fields it keeps: its frame, the two objects' braces, the delivery block.
  const budget = { left: STUB_MAX_BYTES - utf8Bytes(`{"webhook":{},"event":{},"delivery":${JSON.stringify(delivery)}}`) };
  const webhook = scalarFields(detail.webhook, budget, false, WEBHOOK_FIELDS);
  const event = scalarFields(detail.event, budget, true);
  return { webhook, event, delivery };
}

/** The stub entry of `entry`, whose whole detail (`full`, parsed) is kept at `oversize`. */
export function stubEntry(entry: PutEventsRequestEntry, full: Record<string, unknown>, oversize: Oversize): PutEventsRequestEntry {
  return { ...entry, Detail: JSON.stringify(stubDetail(full, oversize)) };
}

export type ClaimCheckResult =
  | { readonly ok: true; readonly stub: PutEventsRequestEntry; readonly oversize: Oversize; readonly attempts: number }
  | ({ readonly ok: false; readonly attempts: number } & CallFailure);

/**
 * What the caller already holds of an entry's Detail (the ingest function built it), so that
 * the claim check neither parses nor measures again a text of megabytes.
 */
export interface KnownDetail {
  /** The Detail as an object: the decoded detail and its delivery block. */
  readonly detail: Record<string, unknown>;
  /** The Detail's UTF-8 bytes. */
  readonly bytes: number;
}

/**
 * Keeps `entry`'s whole detail in the bucket and gives the stub to publish in
 * its place, or why it could not (the caller dead-letters the webhook).
 */
export async function claimCheck(entry: PutEventsRequestEntry, store: OversizeStore, options: StoreOptions, known?: KnownDetail): Promise<ClaimCheckResult> {
  const text = entry.Detail ?? '{}';
  const full = known?.detail ?? (JSON.parse(text) as Record<string, unknown>);
  const id = (full.delivery as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string') {
    return { ok: false, attempts: 0, errorCode: 'NoDeliveryId', errorMessage: 'the detail has no delivery.id to key its object by', retryable: false, ambiguous: false };
  }
  const oversize: Oversize = { bucket: store.bucket, key: oversizeEventKey(id), bytes: known?.bytes ?? utf8Bytes(text) };
  const stored = await putOversizeObject(store, oversize.key, text, options);
  if (!stored.ok) return stored;
  return { ok: true, stub: stubEntry(entry, full, oversize), oversize, attempts: stored.attempts };
}

/**
 * `publish` with the claim check in front, for the redrive: an entry over the
 * limit is stored and its stub published; a store
 * that fails is a failed publish, and the letter stays for the next run.
 */
export function withClaimCheck(
  publish: (entry: PutEventsRequestEntry) => Promise<PublishResult>,
  store: OversizeStore | undefined,
  budgetMs: number,
): (entry: PutEventsRequestEntry) => Promise<PublishResult> {
  if (store === undefined) return publish;
  return async (entry) => {
    if (!needsClaimCheck(entry)) return publish(entry);
    const checked = await claimCheck(entry, store, { budgetMs });
    if (!checked.ok) {
      return { ok: false, attempts: checked.attempts, ambiguous: checked.ambiguous, errorCode: checked.errorCode, errorMessage: checked.errorMessage, retryable: checked.retryable };
    }
    return publish(checked.stub);
  };
}
