/**
 * A webhook too large for one EventBridge entry, split into parts along the
 * lists `PART_LISTS` names (lambda/events/parts.ts says what a part holds).
 *
 * The split depends on nothing but the detail, its delivery block and the room
 * an entry leaves for a Detail: the same webhook gives the same parts, from
 * JSON or XML, on every retry and after a redrive.
 */
import type { CanonicalDetail } from '../decode/canonical';
import { partListsOf } from '../events/parts';
import { canonicalJson, type Delivery, deliveryJson } from './delivery';

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** What `"delivery":{...}` is closed with on a part. */
const partBlock = (index: number | string, count: number | string) => `,"part":{"index":${index},"count":${count}}`;

/** The bytes one list item takes in a part's Detail (commas apart). */
function itemBytes(item: unknown): number {
  // Ids are most of the items: a whole number's JSON is its digits.
  if (typeof item === 'number' && Number.isSafeInteger(item)) return String(item).length;
  return utf8Bytes(canonicalJson(item));
}

/**
 * The Detail texts of the parts of `detail`, each at most `maxDetailBytes`
 * UTF-8 bytes, in order: each holds the detail with a slice of every list that
 * `eventName` is split along, and `delivery` with `part` added. Items fill
 * the parts greedily, list after list in canonical order, so each part is as
 * full as its next item allows. `undefined` when the event is not split along
 * lists, or when one item, or the event without its lists, does not fit in a part.
 */
export function partDetails(
  eventName: string,
  detail: Omit<CanonicalDetail, 'delivery'>,
  delivery: Delivery,
  maxDetailBytes: number,
): string[] | undefined {
  const event = detail.event;
  const lists = partListsOf(eventName).filter((name) => Array.isArray(event[name]));
  const arrays = lists.map((name) => event[name] as readonly unknown[]);
  const totalItems = arrays.reduce((sum, items) => sum + items.length, 0);
  if (totalItems < 2) return undefined;

  const withSlices = (slice: (list: number) => unknown[]): Omit<CanonicalDetail, 'delivery'> => {
    // A copy of the event keeps its keys' (canonical) order; only the lists' values change.
    const partEvent: Record<string, unknown> = { ...event };
    lists.forEach((name, list) => (partEvent[name] = slice(list)));
    return { ...detail, event: partEvent };
  };
  const deliveryOpen = deliveryJson(delivery).slice(0, -1);
  // A part's index and count are at most the number of items: room for that many digits is kept
  // in every part, so the split does not depend on how many parts it makes.
  const digits = '9'.repeat(String(totalItems).length);
  const fixedBytes = utf8Bytes(canonicalJson(withSlices(() => []))) + utf8Bytes(`,"delivery":${deliveryOpen}${partBlock(digits, digits)}}`);
  const room = maxDetailBytes - fixedBytes;
  if (room <= 0) return undefined;

  // ends[k][list]: how far into each list part k reaches.
  const ends: number[][] = [];
  const reached = lists.map(() => 0);
  let used = 0;
  let listInPart = -1;
  for (let list = 0; list < arrays.length; list++) {
    const items = arrays[list]!;
    for (let i = 0; i < items.length; i++) {
      const bytes = itemBytes(items[i]);
      // A comma before every item of a list but its first in the part.
      let cost = bytes + (listInPart === list && used > 0 ? 1 : 0);
      if (used + cost > room) {
        if (used === 0) return undefined;
        ends.push([...reached]);
        used = 0;
        cost = bytes;
        if (cost > room) return undefined;
      }
      used += cost;
      listInPart = list;
      reached[list] = i + 1;
    }
    // The next list's first item in this part has no comma before it.
    listInPart = -1;
  }
  if (used > 0) ends.push([...reached]);
  const count = ends.length;
  if (count < 2) return undefined;

  const starts = lists.map(() => 0);
  return ends.map((end, k) => {
    const text = canonicalJson(withSlices((list) => arrays[list]!.slice(starts[list], end[list])));
    end.forEach((reach, list) => (starts[list] = reach));
    return `${text.slice(0, -1)},"delivery":${deliveryOpen}${partBlock(k + 1, count)}}}`;
  });
}
