import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { decodeWebhook } from '../../../lambda/decode/decode';
import { isJamfEvent } from '../../../lambda/events';
import { MAX_ENTRY_BYTES } from '../../../lambda/contract';
import { entrySize, toPutEventsEntries, toPutEventsEntry, webhookEntries } from '../../../lambda/publish/entry';
import { claimCheck, needsClaimCheck, STUB_MAX_BYTES, withClaimCheck } from '../../../lambda/publish/oversize';
import { oversizeEventKey, putOversizeObject } from '../../../lambda/publish/oversize-store';
import type { PublishResult } from '../../../lambda/publish/publisher';
import { eventBridgeEnvelope } from '../../../lambda/local/rules';
import type { CanonicalDetail } from '../../../lambda/decode/canonical';
import { oversizeInventoryWebhook, oversizeUnknownWebhook } from '../../support/oversize';

const TARGET = { eventBusName: 'jamf-bus', eventSource: 'jamf.pro' };
const RECEIVED = new Date('2026-02-03T14:27:51.000Z');

/** What a subscriber receives for `entry`. */
function delivered(entry: ReturnType<typeof entryOf>) {
  return eventBridgeEnvelope(
    { detailType: entry.DetailType as `jamf.${string}`, source: entry.Source!, detail: JSON.parse(entry.Detail!) as CanonicalDetail },
    { id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', account: '123456789012', region: 'eu-west-1', time: entry.Time ?? RECEIVED },
  );
}

/** The entry the ingest function builds for `webhook`. */
function entryOf(webhook: Record<string, unknown>) {
  return toPutEventsEntry(decodeWebhook(Buffer.from(JSON.stringify(webhook)), 'application/json'), TARGET, RECEIVED);
}

const s3 = mockClient(S3Client);
const store = { bucket: 'oversize-bucket', client: new S3Client({ region: 'us-east-1' }) };
/** What PutObject was given, by key. */
const written = () => new Map(s3.commandCalls(PutObjectCommand).map((call) => [call.args[0].input.Key!, call.args[0].input]));

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
});

describe('the claim check', () => {
  describe('of an inventory event with huge extension attributes', () => {
    const entry = entryOf(oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES));
    const whole = JSON.parse(entry.Detail!) as { delivery: { id: string }; event: Record<string, unknown> };

    it('is needed: the entry is over the limit', () => {
      expect(entrySize(entry)).toBeGreaterThan(MAX_ENTRY_BYTES);
      expect(needsClaimCheck(entry)).toBe(true);
    });

    it('stores exactly the whole canonical detail, under a key from its delivery id', async () => {
      const result = await claimCheck(entry, store, { budgetMs: 1000 });
      expect(result).toMatchObject({ ok: true, attempts: 1 });
      const key = oversizeEventKey(whole.delivery.id);
      const object = written().get(key);
      expect(object).toMatchObject({ Bucket: 'oversize-bucket', ContentType: 'application/json' });
      expect(object!.Body).toBe(entry.Detail);
      expect(JSON.parse(object!.Body as string)).toEqual(whole);
      expect((whole.event.extensionAttributes as unknown[]).length).toBe(oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES).event.extensionAttributes.length);
    });

    it('publishes a stub under the limit, under its detail-type, with the webhook block and the identifying fields', async () => {
      const result = await claimCheck(entry, store, { budgetMs: 1000 });
      if (!result.ok) throw new Error(result.errorCode);
      const stub = JSON.parse(result.stub.Detail!);
      expect(entrySize(result.stub)).toBeLessThanOrEqual(STUB_MAX_BYTES + 200);
      expect(result.stub).toMatchObject({ DetailType: entry.DetailType, Source: entry.Source, EventBusName: entry.EventBusName, Time: entry.Time });
      expect(stub.webhook).toEqual(JSON.parse(entry.Detail!).webhook);
      expect(stub.event).toMatchObject({ serialNumber: 'MQ2VN7K4PX', udid: 'D4B8F2A6-7C1E-4D3B-9F5A-6E8C0B2D4F7A', jssID: 1107, deviceName: 'SOKAFOR-MBA' });
      expect(stub.event).not.toHaveProperty('extensionAttributes');
      expect(stub.delivery).toEqual({
        ...whole.delivery,
        oversize: { bucket: 'oversize-bucket', key: oversizeEventKey(whole.delivery.id), bytes: Buffer.byteLength(entry.Detail!) },
      });
    });

    it('is a published event the consumer kit accepts as one of its detail-type', async () => {
      const result = await claimCheck(entry, store, { budgetMs: 1000 });
      if (!result.ok) throw new Error(result.errorCode);
      expect(isJamfEvent(delivered(result.stub), 'ComputerInventoryCompleted')).toBe(true);
    });

    it('writes the same object for a second copy of the webhook: the key is deterministic', async () => {
      await claimCheck(entry, store, { budgetMs: 1000 });
      await claimCheck(entryOf(oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES)), store, { budgetMs: 1000 });
      const calls = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
      expect(calls).toHaveLength(2);
      expect(calls[1]).toEqual(calls[0]);
    });
  });

  describe('of an event the catalogue does not know', () => {
    const entry = entryOf(oversizeUnknownWebhook(2 * MAX_ENTRY_BYTES));

    it('keeps its scalar fields, and those of the objects in it, and leaves out its lists', async () => {
      const result = await claimCheck(entry, store, { budgetMs: 1000 });
      if (!result.ok) throw new Error(result.errorCode);
      const stub = JSON.parse(result.stub.Detail!);
      expect(result.stub.DetailType).toBe('jamf.FleetReportGenerated');
      expect(stub.event).toEqual({ generatedBy: { id: 4, username: 'ops' }, reportId: 'r-2026-02', reportName: 'Nightly compliance', rowCount: expect.any(Number) });
      expect(JSON.parse(written().get(stub.delivery.oversize.key)!.Body as string)).toEqual(JSON.parse(entry.Detail!));
    });
  });

  it('leaves out of a stub a string too long to name anything, and stops adding fields at its size', async () => {
    const webhook = oversizeUnknownWebhook(2 * MAX_ENTRY_BYTES);
    webhook.event.script = 'echo hi\n'.repeat(1000);
    for (let i = 0; i < 2000; i += 1) webhook.event[`field${String(i).padStart(4, '0')}`] = `value ${i}`;
    const result = await claimCheck(entryOf(webhook), store, { budgetMs: 1000 });
    if (!result.ok) throw new Error(result.errorCode);
    const stub = JSON.parse(result.stub.Detail!);
    expect(stub.event).not.toHaveProperty('script');
    expect(Buffer.byteLength(result.stub.Detail!)).toBeLessThanOrEqual(STUB_MAX_BYTES);
    expect(stub.event.field0000).toBe('value 0');
  });

  describe('the stub, whatever the event holds', () => {
    /** The stub an unknown event with `event` (and `webhook` added to its block) gets. */
    async function stubOf(event: Record<string, unknown>, webhook: Record<string, unknown> = {}) {
      const sent = oversizeUnknownWebhook(2 * MAX_ENTRY_BYTES);
      const entry = entryOf({ webhook: { ...sent.webhook, ...webhook }, event: { ...sent.event, ...event } });
      const result = await claimCheck(entry, store, { budgetMs: 1000 });
      if (!result.ok) throw new Error(result.errorCode);
      return { entry, stub: result.stub, detail: JSON.parse(result.stub.Detail!) };
    }
    const many = (count: number, value: (i: number) => unknown) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${String(i).padStart(5, '0')}`, value(i)]));

    it('stays within its size when a nested object has thousands of scalar keys', async () => {
      const { stub, detail } = await stubOf({ inventory: many(5000, (i) => `value ${i}`) });
      expect(Buffer.byteLength(stub.Detail!)).toBeLessThanOrEqual(STUB_MAX_BYTES);
      expect(entrySize(stub)).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
      expect(detail.event.inventory.k00000).toBe('value 0');
    });

    it('counts the key and braces of each object it keeps: thousands of small objects stay within its size too', async () => {
      const { stub } = await stubOf(many(5000, (i) => ({ id: i })));
      expect(Buffer.byteLength(stub.Detail!)).toBeLessThanOrEqual(STUB_MAX_BYTES);
    });

    it('keeps the webhook block Jamf sends and the delivery block when the webhook block has thousands of fields more', async () => {
      const { entry, detail } = await stubOf({}, many(5000, (i) => i));
      const whole = JSON.parse(entry.Detail!);
      expect(Buffer.byteLength(JSON.stringify(detail))).toBeLessThanOrEqual(STUB_MAX_BYTES);
      expect(detail.webhook).toMatchObject({ id: 77, name: 'Fleet report', webhookEvent: 'FleetReportGenerated', eventTimestamp: 1770128870336 });
      expect(detail.delivery).toEqual({ ...whole.delivery, oversize: expect.objectContaining({ key: oversizeEventKey(whole.delivery.id) }) });
    });
  });

  it('gives the same stub from the detail the caller holds as from the Detail text, without parsing it', async () => {
    const decoded = decodeWebhook(Buffer.from(JSON.stringify(oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES))), 'application/json');
    const built = webhookEntries(decoded, TARGET, RECEIVED);
    const [entry] = built.entries;
    const parsed = await claimCheck(entry!, store, { budgetMs: 1000 });
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const known = await claimCheck(entry!, store, { budgetMs: 1000 }, { detail: { ...decoded.detail, delivery: built.delivery }, bytes: built.detailBytes });
      expect(parse).not.toHaveBeenCalled();
      expect(known).toEqual(parsed);
    } finally {
      parse.mockRestore();
    }
  });

  describe('of a SmartGroup membership change', () => {
    /** The entries the ingest function builds for a change of these lists. */
    const entriesOf = (lists: Record<string, unknown[]>) =>
      toPutEventsEntries(
        decodeWebhook(Buffer.from(JSON.stringify({ webhook: { webhookEvent: 'SmartGroupComputerMembershipChange', id: 30 }, event: { jssid: 64, name: 'Compliance', smartGroup: true, ...lists } })), 'application/json'),
        TARGET,
        RECEIVED,
      );

    it('is not for one that is split into parts, each within the limit', () => {
      const entries = entriesOf({ groupAddedDevicesIds: Array.from({ length: 200_000 }, (_, i) => 100_000 + i) });
      expect(entries.length).toBeGreaterThan(1);
      expect(entries.filter(needsClaimCheck)).toEqual([]);
    });

    it('is for one that cannot be split: a single device over the limit, kept whole, its group in the stub', async () => {
      const device = { deviceName: 'd'.repeat(MAX_ENTRY_BYTES), jssID: 1, serialNumber: 'C02000000001', username: 'u' };
      const [entry, ...more] = entriesOf({ groupAddedDevices: [device], groupAddedDevicesIds: [1] });
      expect(more).toEqual([]);
      expect(needsClaimCheck(entry!)).toBe(true);
      const result = await claimCheck(entry!, store, { budgetMs: 1000 });
      if (!result.ok) throw new Error(result.errorCode);
      const stub = JSON.parse(result.stub.Detail!);
      expect(result.stub.DetailType).toBe('jamf.SmartGroupComputerMembershipChange');
      // A rule on the group matches the stub as it would the change.
      expect(stub.event).toMatchObject({ jssid: 64, name: 'Compliance', smartGroup: true });
      expect(written().get(stub.delivery.oversize.key)!.Body).toBe(entry!.Detail);
    });
  });

  describe('when S3 fails', () => {
    const entry = entryOf(oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES));

    it('retries a 500 and succeeds', async () => {
      s3.on(PutObjectCommand)
        .rejectsOnce(Object.assign(new Error('internal'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }))
        .resolves({});
      const result = await claimCheck(entry, store, { budgetMs: 1000, sleep: async () => {} });
      expect(result).toMatchObject({ ok: true, attempts: 2 });
    });

    it('does not retry a refusal, and says why', async () => {
      s3.on(PutObjectCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
      const result = await claimCheck(entry, store, { budgetMs: 1000 });
      expect(result).toMatchObject({ ok: false, attempts: 1, errorCode: 'AccessDenied', retryable: false, ambiguous: false });
    });

    it('gives up a PutObject that never answers at the end of its budget', async () => {
      s3.on(PutObjectCommand).callsFake(() => new Promise(() => undefined));
      const result = await putOversizeObject(store, 'events/x.json', '{}', { budgetMs: 50, maxAttempts: 1 });
      expect(result).toMatchObject({ ok: false, attempts: 1, errorCode: 'TimeoutError', ambiguous: true });
    });
  });

  describe('in front of the redrive publish', () => {
    const ok: PublishResult = { ok: true, eventId: 'e', attempts: 1, ambiguous: false };

    it('publishes an entry under the limit as it is, and the stub of one over it', async () => {
      const published: string[] = [];
      const publish = withClaimCheck(async (entry) => (published.push(entry.Detail!), ok), store, 1000);
      const small = entryOf({ webhook: { webhookEvent: 'ComputerAdded', id: 1 }, event: { serialNumber: 'S1' } });
      const big = entryOf(oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES));
      await publish(small);
      await publish(big);
      expect(published[0]).toBe(small.Detail);
      expect(JSON.parse(published[1]!).delivery.oversize.key).toBe(oversizeEventKey(JSON.parse(big.Detail!).delivery.id));
    });

    it('is a failed publish when the object cannot be stored, and publishes nothing', async () => {
      s3.on(PutObjectCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
      const publish = jest.fn(async () => ok);
      const result = await withClaimCheck(publish, store, 1000)(entryOf(oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES)));
      expect(result).toMatchObject({ ok: false, errorCode: 'AccessDenied' });
      expect(publish).not.toHaveBeenCalled();
      expect(s3.commandCalls(GetObjectCommand)).toEqual([]);
    });
  });
});
