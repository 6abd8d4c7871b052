/**
 * Stubs, as a subscriber tells them from whole events: an event too large for
 * one EventBridge entry is published as a stub whose `detail.delivery.oversize`
 * says where the whole detail is. Pure, like the rest of `jamf-eventbridge/events`;
 * the loader that reads the bucket (`fetchOversize`) is in
 * `jamf-eventbridge/events/oversize`, so that this entry point pulls in no AWS SDK.
 */
import type { Oversize } from './delivery';

/** What `oversizeOf` reads of an event: any EventBridge event with a `detail`. */
export interface WithDetail {
  readonly detail?: unknown;
}

/**
 * Where the whole event behind a stub is kept, or `undefined` for a whole event
 * (or anything that is not one of ours).
 *
 * @example
 * if (oversizeOf(event)) event = await fetchOversize(event);
 */
export function oversizeOf(event: WithDetail): Oversize | undefined {
  const detail = event.detail;
  if (detail === null || typeof detail !== 'object') return undefined;
  const delivery = (detail as { delivery?: unknown }).delivery;
  if (delivery === null || typeof delivery !== 'object') return undefined;
  const oversize = (delivery as { oversize?: unknown }).oversize;
  if (oversize === null || typeof oversize !== 'object') return undefined;
  const { bucket, key, bytes } = oversize as Record<string, unknown>;
  if (typeof bucket !== 'string' || typeof key !== 'string' || typeof bytes !== 'number') return undefined;
  return { bucket, key, bytes };
}

/** Whether `event` is a stub: its whole detail is in the oversize bucket. */
export function isOversizeStub(event: WithDetail): boolean {
  return oversizeOf(event) !== undefined;
}
