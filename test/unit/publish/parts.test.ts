/**
 * A smart-group change too large for one EventBridge entry, published in parts:
 * what each part holds, that the parts join back into the change, and that a
 * subscriber's rule sees every part.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { MAX_ENTRY_BYTES } from '../../../lambda/contract';
import { decodeWebhook } from '../../../lambda/decode/decode';
import { isJamfEvent, joinParts, PART_LISTS, type PartDetail } from '../../../lambda/events';
import { wireEntrySize } from '../../../lambda/local/event-bus';
import { matchesEventPattern, parseEventPattern } from '../../../lambda/local/event-pattern';
import { eventBridgeEnvelope } from '../../../lambda/local/rules';
import { deliveryOf } from '../../../lambda/publish/delivery';
import { entrySize, toPutEventsEntries, toPutEventsEntry } from '../../../lambda/publish/entry';
import { partDetails } from '../../../lambda/publish/parts';
import { smartGroupChange, type SmartGroupChange, type SmartGroupKind } from '../../support/smart-group-change';

const TARGET = { eventBusName: 'jamf-bus', eventSource: 'jamf.pro' };
const RECEIVED_AT = new Date('2026-05-04T10:00:00.000Z');

type Detail = PartDetail & { webhook: Record<string, unknown> };

function entriesOf(change: SmartGroupChange, format: 'json' | 'xml', maxEntryBytes?: number): PutEventsRequestEntry[] {
  return toPutEventsEntries(decodeWebhook(change[format], change.contentType[format]), TARGET, RECEIVED_AT, maxEntryBytes);
}

const detailOf = (entry: PutEventsRequestEntry) => JSON.parse(entry.Detail!) as Detail;

/** The lists of a detail's event that the change is split along. */
function listsOf(detail: Detail, eventName: keyof typeof PART_LISTS): Record<string, unknown> {
  return Object.fromEntries(PART_LISTS[eventName].map((name) => [name, detail.event[name]]));
}

describe('a smart-group change over the entry limit', () => {
  // The change the issue is about: 20,000 devices with their display fields, about 2 MB of JSON.
  const fleet = smartGroupChange();
  const fromJson = entriesOf(fleet, 'json');
  const parts = fromJson.map(detailOf);

  it('is over the limit as one entry, and so published in parts', () => {
    expect(fleet.json.byteLength).toBeGreaterThan(2_000_000);
    const whole = toPutEventsEntry(decodeWebhook(fleet.json, fleet.contentType.json), TARGET, RECEIVED_AT);
    expect(entrySize(whole)).toBeGreaterThan(2 * MAX_ENTRY_BYTES);
    expect(fromJson.length).toBe(3);
  });

  it('has every part within the limit, measured as EventBridge measures an entry', () => {
    for (const entry of fromJson) {
      expect(entrySize(entry)).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
      // The local bus measures the entry as the SDK sends it.
      expect(wireEntrySize({ ...entry, Time: entry.Time!.getTime() / 1000 })).toBe(entrySize(entry));
    }
  });

  it('fills each part but the last as far as its next item allows', () => {
    // Greedy packing by measured size: the parts before the last are within 1 KiB of the limit.
    for (const entry of fromJson.slice(0, -1)) expect(entrySize(entry)).toBeGreaterThan(MAX_ENTRY_BYTES - 1024);
  });

  it('gives every part the delivery id of the whole change, and its index of the count', () => {
    const whole = decodeWebhook(fleet.json, fleet.contentType.json);
    const { id } = deliveryOf(whole.detail, RECEIVED_AT, whole.encoding);
    expect(parts.map((detail) => detail.delivery)).toEqual(
      parts.map((_detail, i) => ({ id, receivedAt: RECEIVED_AT.toISOString(), encoding: 'utf-8', part: { index: i + 1, count: parts.length } })),
    );
  });

  it('gives every part the webhook block, the scalar fields, the time and the detail-type of the change', () => {
    for (const [i, detail] of parts.entries()) {
      expect(detail.webhook).toEqual({ eventTimestamp: 1781119613092, id: 30, name: 'Fleet compliance', webhookEvent: fleet.eventName });
      expect(detail.event).toMatchObject({ computer: true, jssid: fleet.group.jssid, name: fleet.group.name, smartGroup: true });
      // Each list is there in every part, if only as an empty slice.
      for (const name of PART_LISTS[fleet.eventName]) expect(Array.isArray(detail.event[name])).toBe(true);
      expect(fromJson[i]).toMatchObject({ DetailType: `jamf.${fleet.eventName}`, Source: 'jamf.pro', Time: new Date(1781119613092) });
    }
  });

  it('joins back into exactly the lists Jamf sent, in their order', () => {
    const joined = joinParts([...parts].reverse())!;
    expect(listsOf(joined, fleet.eventName)).toEqual(fleet.lists);
    expect(joined.delivery).toEqual({ id: parts[0]!.delivery.id, receivedAt: RECEIVED_AT.toISOString(), encoding: 'utf-8' });
    // Joined by hand, slice after slice, as a subscriber without the kit would.
    for (const name of PART_LISTS[fleet.eventName]) {
      expect(parts.flatMap((detail) => detail.event[name] as unknown[])).toEqual(fleet.lists[name]);
    }
  });

  it('is joined only once every part is there, a part delivered twice counting once', () => {
    expect(joinParts(parts.slice(1))).toBeUndefined();
    expect(listsOf(joinParts([parts[0]!, ...parts, parts[1]!])!, fleet.eventName)).toEqual(fleet.lists);
  });

  it('is split into the same parts from the XML body', () => {
    expect(entriesOf(fleet, 'xml')).toEqual(fromJson);
  });

  it('is split into the same parts every time', () => {
    expect(entriesOf(fleet, 'json')).toEqual(fromJson);
  });

  it('is matched in every part by a rule on the group id or name, as the published event it is', () => {
    const rules = [
      { 'detail-type': [`jamf.${fleet.eventName}`], detail: { event: { jssid: [fleet.group.jssid] } } },
      { source: ['jamf.pro'], detail: { event: { name: [fleet.group.name], smartGroup: [true] } } },
    ].map(parseEventPattern);
    for (const [i, detail] of parts.entries()) {
      const event = eventBridgeEnvelope(
        { detailType: fromJson[i]!.DetailType!, source: 'jamf.pro', detail },
        { id: `part-${i}`, account: '123456789012', region: 'eu-west-1', time: fromJson[i]!.Time! },
      );
      for (const rule of rules) expect(matchesEventPattern(rule, event)).toBe(true);
      expect(isJamfEvent(event, fleet.eventName)).toBe(true);
    }
  });

  it.each<[SmartGroupKind, number]>([
    ['mobileDevice', 20_000],
    ['user', 200_000],
  ])('is split the same way for a %s group of %i members', (kind, members) => {
    const change = smartGroupChange({ kind, members });
    const entries = entriesOf(change, 'json');
    expect(entries.length).toBeGreaterThan(1);
    for (const entry of entries) expect(entrySize(entry)).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect(listsOf(joinParts(entries.map(detailOf))!, change.eventName)).toEqual(change.lists);
    expect(entriesOf(change, 'xml')).toEqual(entries);
  });

  it('is split whatever its size: 60,000 devices, about 6 MB', () => {
    const change = smartGroupChange({ members: 60_000 });
    const entries = entriesOf(change, 'json');
    expect(entries.length).toBeGreaterThanOrEqual(6);
    for (const entry of entries) expect(entrySize(entry)).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect(listsOf(joinParts(entries.map(detailOf))!, change.eventName)).toEqual(change.lists);
  });

  it('is split within any limit given, each list slice by slice', () => {
    const change = smartGroupChange({ members: 500 });
    const entries = entriesOf(change, 'json', 8 * 1024);
    expect(entries.length).toBeGreaterThan(5);
    for (const entry of entries) expect(entrySize(entry)).toBeLessThanOrEqual(8 * 1024);
    expect(listsOf(joinParts(entries.map(detailOf))!, change.eventName)).toEqual(change.lists);
  });
});

describe('an event within the entry limit', () => {
  it('is published whole, without delivery.part', () => {
    const change = smartGroupChange({ members: 100 });
    const [entry, ...more] = entriesOf(change, 'json');
    expect(more).toEqual([]);
    expect(detailOf(entry!).delivery).not.toHaveProperty('part');
    expect(entry).toEqual(toPutEventsEntry(decodeWebhook(change.json, change.contentType.json), TARGET, RECEIVED_AT));
  });
});

describe('an event over the entry limit that cannot be split', () => {
  it('comes back whole when it has no list to split along', () => {
    const body = JSON.stringify({ webhook: { webhookEvent: 'ComputerAdded' }, event: { jssID: 1, notes: 'x'.repeat(MAX_ENTRY_BYTES) } });
    const entries = toPutEventsEntries(decodeWebhook(Buffer.from(body), 'application/json'), TARGET, RECEIVED_AT);
    expect(entries).toHaveLength(1);
    expect(entrySize(entries[0]!)).toBeGreaterThan(MAX_ENTRY_BYTES);
  });

  it('comes back whole when one device alone is over the limit', () => {
    const change = smartGroupChange({ members: 10 });
    const decoded = decodeWebhook(change.json, change.contentType.json);
    const devices = decoded.detail.event.groupAddedDevices as Record<string, unknown>[];
    devices[3] = { ...devices[3], deviceName: 'x'.repeat(MAX_ENTRY_BYTES) };
    const entries = toPutEventsEntries(decoded, TARGET, RECEIVED_AT);
    expect(entries).toHaveLength(1);
    expect(entrySize(entries[0]!)).toBeGreaterThan(MAX_ENTRY_BYTES);
  });

  it('comes back whole when the event without its lists is over the limit', () => {
    const decoded = decodeWebhook(smartGroupChange({ members: 10 }).json, 'application/json');
    expect(partDetails(decoded.eventName, { ...decoded.detail, event: { ...decoded.detail.event, name: 'x'.repeat(2000) } }, { id: 'a'.repeat(32), receivedAt: RECEIVED_AT.toISOString(), encoding: 'utf-8' }, 1500)).toBeUndefined();
  });
});
