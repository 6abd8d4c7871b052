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

function isStubScalar(value: unknown): value is Scalar {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return true;
  return typeof value === 'string' && value.length <= STUB_MAX_STRING_CHARS;
}

/**
 * The scalar fields of `value` and of the objects directly in it (`event.computer.serialNumber`),
 * lists left out, each added while the running size stays within `budget`. Objects that keep no
 * field are left out too.
 */
function scalarFields(value: unknown, budget: { left: number }, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (isStubScalar(item)) {
      const cost = Buffer.byteLength(JSON.stringify(key), 'utf8') + Buffer.byteLength(JSON.stringify(item), 'utf8') + 2;
      if (cost > budget.left) continue;
      budget.left -= cost;
      out[key] = item;
    } else if (depth === 0 && item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const inner = scalarFields(item, budget, depth + 1);
      if (Object.keys(inner).length > 0) out[key] = inner;
    }
  }
  return out;
}

/**
 * The stub's detail for a whole `detail` kept at `oversize`: the webhook block
 * (its scalar fields: the block Jamf sends has nothing else), the event's
 * identifying scalar fields that fit, and the delivery block with `oversize`.
 */
export function stubDetail(detail: Record<string, unknown>, oversize: Oversize): Record<string, unknown> {
  const delivery = detail.delivery as Record<string, unknown> | undefined;
  const budget = { left: STUB_MAX_BYTES - 512 };
  const webhook = scalarFields(detail.webhook, budget, 1);
  const event = scalarFields(detail.event, budget);
  return { webhook, event, delivery: { ...delivery, oversize } };
}

/** The stub entry of `entry`, whose whole detail (`full`, parsed) is kept at `oversize`. */
export function stubEntry(entry: PutEventsRequestEntry, full: Record<string, unknown>, oversize: Oversize): PutEventsRequestEntry {
  return { ...entry, Detail: JSON.stringify(stubDetail(full, oversize)) };
}

export type ClaimCheckResult =
  | { readonly ok: true; readonly stub: PutEventsRequestEntry; readonly oversize: Oversize; readonly attempts: number }
  | ({ readonly ok: false; readonly attempts: number } & CallFailure);

/**
 * Keeps `entry`'s whole detail in the bucket and gives the stub to publish in
 * its place, or why it could not (the caller dead-letters the webhook).
 */
export async function claimCheck(entry: PutEventsRequestEntry, store: OversizeStore, options: StoreOptions): Promise<ClaimCheckResult> {
  const text = entry.Detail ?? '{}';
  const full = JSON.parse(text) as Record<string, unknown>;
  const id = (full.delivery as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string') {
    return { ok: false, attempts: 0, errorCode: 'NoDeliveryId', errorMessage: 'the detail has no delivery.id to key its object by', retryable: false, ambiguous: false };
  }
  const oversize: Oversize = { bucket: store.bucket, key: oversizeEventKey(id), bytes: Buffer.byteLength(text, 'utf8') };
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
