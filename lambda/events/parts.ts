/**
 * Webhooks published in parts. A smart-group membership change can list tens
 * of thousands of devices, more than one EventBridge entry holds (1 MiB); such
 * a change is published as several events of its usual detail-type. Each part
 * carries the `webhook` block and every other field of the event as sent, and
 * a slice of each list named here, so that a rule on the group's name or id
 * matches every part. All parts share `delivery.id`; `delivery.part` says
 * which part an event is (`index`, 1 to `count`). Joined in index order, the
 * slices give each list back whole, in its order.
 *
 * Pure: a subscriber can import it (`jamf-eventbridge/events`) to join parts.
 */
import type { JamfEventName } from './catalogue';
import type { Delivery } from './delivery';

/**
 * The lists a webhook too large for one event is split along, by event, in
 * the order their items fill the parts (the canonical order of the keys). An
 * event not named here is never split.
 */
export const PART_LISTS = {
  SmartGroupComputerMembershipChange: ['groupAddedDevices', 'groupAddedDevicesIds', 'groupRemovedDevices', 'groupRemovedDevicesIds'],
  SmartGroupMobileDeviceMembershipChange: ['groupAddedDevices', 'groupAddedDevicesIds', 'groupRemovedDevices', 'groupRemovedDevicesIds'],
  SmartGroupUserMembershipChange: ['groupAddedUserIds', 'groupRemovedUserIds'],
} as const satisfies Partial<Record<JamfEventName, readonly string[]>>;

/** The names of the events that may be published in parts. */
export type PartedEventName = keyof typeof PART_LISTS;

/** The lists `eventName` is split along; none for an event that is never split. */
export function partListsOf(eventName: string): readonly string[] {
  return Object.prototype.hasOwnProperty.call(PART_LISTS, eventName) ? PART_LISTS[eventName as PartedEventName] : [];
}

/** What joining needs of a published detail. */
export interface PartDetail {
  readonly webhook: { readonly webhookEvent: string };
  readonly event: Readonly<Record<string, unknown>>;
  readonly delivery: Delivery;
}

/** Parts that cannot be of one webhook: different delivery ids or counts, or different events. */
export class PartsMismatchError extends Error {
  override readonly name = 'PartsMismatchError';
}

/**
 * The whole detail of a webhook from the details of its parts, in any order;
 * `undefined` while a part is still missing. A part delivered twice (EventBridge
 * delivers at least once) counts once. A detail that is not a part comes back as
 * it is. The joined detail has no `delivery.part`.
 *
 * @example
 * // Keep parts by delivery.id until joinParts gives the whole change.
 * const parts = (byId.get(detail.delivery.id) ?? []).concat(detail);
 * byId.set(detail.delivery.id, parts);
 * const whole = joinParts(parts);
 * if (whole) { byId.delete(detail.delivery.id); handle(whole); }
 */
export function joinParts<TDetail extends PartDetail>(details: readonly TDetail[]): TDetail | undefined {
  const first = details[0];
  if (first === undefined) return undefined;
  const { id, part } = first.delivery;
  if (part === undefined) {
    if (details.some((detail) => detail.delivery.id !== id || detail.delivery.part !== undefined)) {
      throw new PartsMismatchError('A detail that is not a part cannot be joined with others');
    }
    return first;
  }
  const byIndex = new Map<number, TDetail>();
  for (const detail of details) {
    const other = detail.delivery.part;
    if (detail.delivery.id !== id || other?.count !== part.count || detail.webhook.webhookEvent !== first.webhook.webhookEvent) {
      throw new PartsMismatchError(`Parts of different webhooks: ${id} (${part.count} parts) and ${detail.delivery.id} (${other?.count ?? 'not'} parts)`);
    }
    if (!byIndex.has(other.index)) byIndex.set(other.index, detail);
  }
  const ordered: TDetail[] = [];
  for (let index = 1; index <= part.count; index++) {
    const detail = byIndex.get(index);
    if (detail === undefined) return undefined;
    ordered.push(detail);
  }
  const event: Record<string, unknown> = { ...first.event };
  for (const name of partListsOf(first.webhook.webhookEvent)) {
    if (!Array.isArray(first.event[name])) continue;
    event[name] = ordered.flatMap((detail) => (Array.isArray(detail.event[name]) ? (detail.event[name] as unknown[]) : []));
  }
  const { part: _part, ...delivery } = first.delivery;
  return { ...first, event, delivery };
}
