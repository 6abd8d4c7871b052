/**
 * `detail.delivery`: what a subscriber needs to tell one webhook from another.
 *
 * EventBridge delivers at least once, and a publish whose answer was lost is
 * retried, so one webhook can reach a subscriber more than once. Every copy
 * carries the same `delivery.id`, derived from the canonical event alone: the
 * same whether Jamf sent JSON or XML, on every retry and after a redrive.
 */
import * as crypto from 'node:crypto';
import type { CanonicalDetail } from '../decode/canonical';
import type { BodyEncoding } from '../decode/charset';
import type { Delivery } from '../events/delivery';

export type { Delivery } from '../events/delivery';

/** Whether JSON.stringify would write `text` as is between quotes: no quote, backslash, control character or surrogate. */
function isPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return false;
  }
  return true;
}

function quoted(text: string): string {
  return isPlain(text) ? `"${text}"` : JSON.stringify(text);
}

/** `"key":` for the keys met so far: the same few dozen names come with every webhook. Bounded. */
const KEY_PREFIXES = new Map<string, string>();
const MAX_KEY_PREFIXES = 4096;

function keyPrefix(key: string): string {
  let prefix = KEY_PREFIXES.get(key);
  if (prefix === undefined) {
    prefix = `${quoted(key)}:`;
    if (KEY_PREFIXES.size < MAX_KEY_PREFIXES) KEY_PREFIXES.set(key, prefix);
  }
  return prefix;
}

/**
 * Whether `JSON.stringify(value)` is already `canonicalJson(value)`: every
 * object's own keys come in sorted order (as the decoder builds them), and
 * nothing in the tree is written differently by the two (a function or
 * symbol, an object with a prototype of its own such as a Date, an array
 * hole). Stops at `depth` 64 with `false`, leaving deeper trees to the walk below.
 *
 * `for...in` rather than `Object.keys`, which allocates an array per object:
 * the own keys come in the same order, and an inherited enumerable key (only
 * if `Object.prototype` was polluted) comes after them, where at worst it
 * sends the tree to the walk.
 */
function isInCanonicalOrder(value: object, depth: number): boolean {
  if (depth > 64) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object') {
        if (item !== null && !isInCanonicalOrder(item, depth + 1)) return false;
      } else if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean' && !(item === undefined && i in value)) {
        // A function or symbol (`null` in JSON.stringify's array, `"null"` in the walk's: alike, but rare enough to leave to it), a bigint, a hole.
        return false;
      }
    }
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const record = value as Record<string, unknown>;
  let previous = '';
  let first = true;
  for (const key in record) {
    if (!first && !(previous < key)) return false;
    first = false;
    previous = key;
    const item = record[key];
    if (typeof item === 'object') {
      if (item !== null && !isInCanonicalOrder(item, depth + 1)) return false;
    } else if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean' && item !== undefined) {
      // A function or symbol: JSON.stringify leaves the key out, the walk writes `null`.
      return false;
    }
  }
  return true;
}

/**
 * JSON with object keys in sorted order at every depth, so that two trees
 * with the same content serialize alike whatever order their fields came in
 * (Jamf's JSON and XML writers need not agree on it).
 *
 * It runs for every webhook (the delivery id, and the Detail is this text),
 * so a tree already in that order (the decoder builds every detail so) is
 * written by `JSON.stringify`, which is then the same text, in one flat
 * string; any other by the walk below. The output is the same, character for
 * character: keys sort by UTF-16 code units (what `Array.prototype.sort`
 * does), keys whose value is `undefined` are left out, and every leaf is what
 * `JSON.stringify` gives it (`null` when it gives nothing).
 */
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && isInCanonicalOrder(value, 0)) return JSON.stringify(value);
  return canonicalWalk(value);
}

/**
 * `canonicalJson` for any tree, as one recursive function that appends to a
 * string (the `map`/`filter`/`sort`/`join` form it replaced took 2.5 times as
 * long as `JSON.parse` of the body).
 */
function canonicalWalk(value: unknown): string {
  if (typeof value === 'string') return quoted(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // `map` skips holes and `join` writes them as nothing.
      if (i in value) out += canonicalWalk(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Insertion sort: the keys come mostly sorted (the schemas list them so), and `<` on
  // strings compares UTF-16 code units as the default sort does.
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += keyPrefix(key) + canonicalWalk(item);
  }
  return `${out}}`;
}

/** SHA-256 in hex: the one-shot `crypto.hash` where Node has it (20.12, 21.7), else a Hash object. */
const sha256Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash: (algorithm: string, data: string, encoding: 'hex') => string }).hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * The delivery block of a webhook received at `receivedAt`. Jamf's
 * `eventTimestamp` is part of the canonical event, so two webhooks that differ
 * only in it have different ids; a webhook without one (Jamf Pro before 10.12,
 * some events) has the time it was received mixed in, so two identical
 * timestamp-less check-ins stay two events.
 */
export function deliveryOf(detail: Omit<CanonicalDetail, 'delivery'>, receivedAt: Date, encoding: BodyEncoding, instance?: string): Delivery {
  return deliveryOfCanonical(canonicalJson(detail), detail, receivedAt, encoding, instance);
}

/**
 * `deliveryOf(detail, ...)` where `canonical` is `canonicalJson(detail)`, already written.
 *
 * A named instance (`jamfInstances`) is hashed too, after the rest, so that the same payload
 * from two Jamf Pros is two events; without one the hashed text is what it always was, and so
 * is every id of the default instance.
 */
export function deliveryOfCanonical(
  canonical: string,
  detail: Omit<CanonicalDetail, 'delivery'>,
  receivedAt: Date,
  encoding: BodyEncoding,
  instance?: string,
): Delivery {
  const event = typeof detail.webhook.eventTimestamp === 'number' ? canonical : `${canonical}\n${receivedAt.getTime()}`;
  // A line a canonical form cannot end with (it ends in `}` or a number), so no default id can equal an instance's.
  const hashed = instance === undefined ? event : `${event}\ninstance:${instance}`;
  const delivery: Delivery = { id: sha256Hex(hashed).slice(0, 32), receivedAt: isoTime(receivedAt), encoding };
  if (instance !== undefined) delivery.instance = instance;
  return delivery;
}

/** `00` to `99`, and `000` to `999`. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** 10000-01-01T00:00:00.000Z: from there on `toISOString` writes six-digit years. */
const YEAR_10000 = 253402300800000;
const DAY = 86400000;

/**
 * `date.toISOString()`, written in JS for the years 1970 to 9999 (three
 * times as fast as the built-in, which every webhook calls once); any other
 * date, an invalid one included, is left to the built-in.
 */
export function isoTime(date: Date): string {
  const time = date.getTime();
  if (!(time >= 0 && time < YEAR_10000)) return date.toISOString();
  const days = Math.floor(time / DAY);
  let rest = time - days * DAY;
  const hours = Math.floor(rest / 3600000);
  rest -= hours * 3600000;
  const minutes = Math.floor(rest / 60000);
  rest -= minutes * 60000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  // The civil date of a day count (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"), with eras of 400 years from 0000-03-01.
  const shifted = days + 719468;
  const era = Math.floor(shifted / 146097);
  const dayOfEra = shifted - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}Z`;
}

/** `JSON.stringify(delivery)`, for a block built by `deliveryOf`: its id is hex and its time ISO 8601, neither needs escaping. */
export function deliveryJson(delivery: Delivery): string {
  const instance = delivery.instance === undefined ? '' : `,"instance":${quoted(delivery.instance)}`;
  return `{"id":"${delivery.id}","receivedAt":"${delivery.receivedAt}","encoding":${quoted(delivery.encoding)}${instance}}`;
}
