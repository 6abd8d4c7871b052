/**
 * The ingest handler with a smart-group change too large for one event: it
 * answers 200 only when every part is on the bus; a part that will not go is
 * dead-lettered alone, and a redrive publishes only it.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { authenticatorFor } from '../../../lambda/auth/source';
import { createVerifier } from '../../../lambda/auth/verify';
import { MAX_DEAD_LETTER_BYTES, MAX_ENTRY_BYTES } from '../../../lambda/contract';
import type { IngestConfig } from '../../../lambda/ingest/config';
import { createIngestHandler } from '../../../lambda/ingest/ingest';
import type { DeadLetterRecord } from '../../../lambda/publish/dead-letters';
import { redrive } from '../../../lambda/redrive/redrive';
import { basicAuth, proxyEvent } from '../../support/requests';
import { smartGroupChange } from '../../support/smart-group-change';

const config: IngestConfig = {
  eventBusName: 'jamf-bus',
  eventSource: 'jamf.pro',
  deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/dlq',
  webhookAuthSecretId: 'secret',
  // The change is 2.2 MB as JSON, 4.5 MB as XML; this test is about the parts, not the body limit in force.
  maxBodyBytes: 6 * 1024 * 1024,
  publishBudgetMs: 1000,
  secretMaxStaleSeconds: 86400,
};
const AUTH = { authorization: basicAuth('jamf', 'pw') };

type Detail = { delivery: { id: string; part?: { index: number; count: number } } };
const partIndex = (entry: { Detail?: string }) => (JSON.parse(entry.Detail!) as Detail).delivery.part?.index;

describe('the ingest handler, with a smart-group change of 20,000 devices', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const sqs = mockClient(SQSClient);
  const s3 = mockClient(S3Client);
  const dependencies = {
    config,
    eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
    sqs: new SQSClient({ region: 'us-east-1' }),
    authenticate: authenticatorFor(async () => createVerifier({ basic: [{ username: 'jamf', password: 'pw' }] })),
    publishOptions: { sleep: async () => {}, backoffBaseMs: 1, maxAttempts: 3 },
  };
  const handler = createIngestHandler(dependencies);
  /** With the oversize bucket, which keeps a dead letter too large for the queue. */
  const withBucket = createIngestHandler({ ...dependencies, oversize: { bucket: 'oversize', client: new S3Client({ region: 'us-east-1' }) } });
  const fleet = smartGroupChange();

  /** EventBridge taking every entry but the parts `failing` names, which fail with `errorCode`. */
  function eventBridgeFailing(failing: readonly number[], errorCode = 'InternalFailure') {
    eventBridge.on(PutEventsCommand).callsFake(async (input: { Entries: PutEventsRequestEntry[] }) => {
      const entries = input.Entries.map((entry) => {
        const index = partIndex(entry)!;
        return failing.includes(index) ? { ErrorCode: errorCode, ErrorMessage: 'failed' } : { EventId: `evt-${index}` };
      });
      return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
    });
  }
  const sent = () => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries!.map(partIndex));
  const deadLetters = () => sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.MessageBody!);

  beforeEach(() => {
    eventBridge.reset();
    sqs.reset();
    s3.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    s3.on(PutObjectCommand).resolves({});
  });

  /** Redrives the letter `body` (reading what it points at from the objects S3 was given); what it published. */
  async function redriven(body: string): Promise<{ summary: object; published: PutEventsRequestEntry[] }> {
    const objects = new Map(s3.commandCalls(PutObjectCommand).map((call) => [call.args[0].input.Key!, call.args[0].input.Body as string]));
    const published: PutEventsRequestEntry[] = [];
    let handedOut = false;
    const summary = await redrive(
      {
        receive: async () => (handedOut ? [] : ((handedOut = true), [{ messageId: 'm-1', receiptHandle: 'h-1', body }])),
        publish: async (entry) => {
          published.push(entry);
          return { ok: true, eventId: 'redriven', attempts: 1, ambiguous: false };
        },
        remove: async () => {},
        readStored: async (stored) => objects.get(stored.key)!,
      },
      { eventBusName: 'jamf-bus' },
    );
    return { summary, published };
  }

  it.each(['json', 'xml'] as const)('publishes the %s body as 3 parts and answers 200 with every event id', async (format) => {
    eventBridgeFailing([]);
    const response = await handler(proxyEvent(fleet[format], { 'content-type': fleet.contentType[format], ...AUTH }));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      status: 'published',
      eventId: 'evt-1',
      detailType: 'jamf.SmartGroupComputerMembershipChange',
      parts: 3,
      eventIds: ['evt-1', 'evt-2', 'evt-3'],
    });
    // Parts of nearly 1 MiB each go in a request of their own.
    expect(sent().sort()).toEqual([[1], [2], [3]]);
    expect(deadLetters()).toEqual([]);
  });

  it('retries a failed part alone, and answers 200 once it is on the bus', async () => {
    let failures = 0;
    eventBridge.on(PutEventsCommand).callsFake(async (input: { Entries: PutEventsRequestEntry[] }) => {
      const index = partIndex(input.Entries[0]!)!;
      if (index === 2 && failures++ === 0) return { FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] };
      return { FailedEntryCount: 0, Entries: [{ EventId: `evt-${index}` }] };
    });
    const response = await handler(proxyEvent(fleet.json, AUTH));
    expect(response.statusCode).toBe(200);
    expect(sent().slice(3)).toEqual([[2]]);
  });

  describe('when the change cannot be split (one device over the limit)', () => {
    const device = { deviceName: 'd'.repeat(MAX_ENTRY_BYTES), jssID: 1, serialNumber: 'C02000000001', username: 'u' };
    const sent = JSON.stringify({
      webhook: { id: 30, name: 'Fleet compliance', webhookEvent: 'SmartGroupComputerMembershipChange' },
      event: { computer: true, jssid: 64, name: 'Compliance', smartGroup: true, groupAddedDevices: [device], groupAddedDevicesIds: [1] },
    });

    it('keeps it whole in the bucket and publishes a stub that names the group, as any event too large', async () => {
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-stub' }] });
      const response = await withBucket(proxyEvent(sent, AUTH));
      expect(response.statusCode).toBe(200);
      const [stub] = eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries![0]!);
      const detail = JSON.parse(stub!.Detail!);
      expect(detail.event).toMatchObject({ jssid: 64, name: 'Compliance' });
      const [object] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
      expect(detail.delivery.oversize).toEqual({ bucket: 'oversize', key: object!.Key, bytes: Buffer.byteLength(object!.Body as string) });
      expect(JSON.parse(object!.Body as string).event.groupAddedDevices).toEqual([device]);
    });

    it('parses the multi-MB text once, decoding the body: the claim check is given the detail it was built from', async () => {
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-stub' }] });
      const parse = jest.spyOn(JSON, 'parse');
      try {
        const response = await withBucket(proxyEvent(sent, AUTH));
        expect(response.statusCode).toBe(200);
        expect(parse.mock.calls.filter(([text]) => text.length > MAX_ENTRY_BYTES)).toHaveLength(1);
      } finally {
        parse.mockRestore();
      }
    });

    it('answers 413 without a bucket, and dead-letters it', async () => {
      const response = await handler(proxyEvent(sent, AUTH));
      expect(response.statusCode).toBe(413);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'EventTooLarge', deadLettered: true });
    });
  });

  describe('when a part will not go', () => {
    it('answers 503, and dead-letters that part alone, saying which of how many is missing', async () => {
      eventBridgeFailing([3]);
      const response = await handler(proxyEvent(fleet.json, AUTH));
      expect(response.statusCode).toBe(503);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'PublishFailed', deadLettered: true });
      const [letter, ...more] = deadLetters().map((body) => JSON.parse(body) as DeadLetterRecord);
      expect(more).toEqual([]);
      expect(letter).toMatchObject({
        eventName: 'SmartGroupComputerMembershipChange',
        reason: { code: 'PublishFailed', statusCode: 503, attempts: 3, message: expect.stringContaining('1 of the 3 parts') },
        parts: { count: 3, missing: [3] },
      });
      expect(letter!.entries!.map(partIndex)).toEqual([3]);
      expect(letter).not.toHaveProperty('entry');
      expect(letter!.deliveryId).toBe((JSON.parse(letter!.entries![0]!.Detail) as Detail).delivery.id);
    });

    it('publishes only the missing part when the letter is redriven', async () => {
      eventBridgeFailing([3]);
      await handler(proxyEvent(fleet.json, AUTH));
      const [body] = deadLetters();
      const published: PutEventsRequestEntry[] = [];
      let handedOut = false;
      const summary = await redrive(
        {
          receive: async () => (handedOut ? [] : ((handedOut = true), [{ messageId: 'm-1', receiptHandle: 'h-1', body: body! }])),
          publish: async (entry) => {
            published.push(entry);
            return { ok: true, eventId: 'redriven', attempts: 1, ambiguous: false };
          },
          remove: async () => {},
        },
        { eventBusName: 'jamf-bus' },
      );
      expect(summary).toMatchObject({ read: 1, published: 1, deleted: 1, leftUnpublishable: 0 });
      expect(published.map(partIndex)).toEqual([3]);
      expect(published[0]).toMatchObject({ EventBusName: 'jamf-bus', DetailType: 'jamf.SmartGroupComputerMembershipChange' });
    });

    it('still says which parts are missing when their entries are too large for a queue message', async () => {
      // Parts 1 and 2 are nearly 1 MiB each: with JSON's escaping they cannot go in a letter of 1 MiB.
      eventBridgeFailing([1, 2]);
      await handler(proxyEvent(fleet.json, AUTH));
      const [body] = deadLetters();
      expect(Buffer.byteLength(body!)).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
      const letter = JSON.parse(body!) as DeadLetterRecord;
      expect(letter).toMatchObject({ parts: { count: 3, missing: [1, 2] }, bodyTruncated: true });
      expect(letter).not.toHaveProperty('entries');
      // The body gets the room the entries left: as much of it as fits.
      expect(letter.body.length).toBeGreaterThan(MAX_DEAD_LETTER_BYTES / 2);
    });

    it('with the oversize bucket, keeps the letter of parts 1 and 2 whole there, and a redrive publishes exactly those', async () => {
      eventBridgeFailing([1, 2]);
      const response = await withBucket(proxyEvent(fleet.json, AUTH));
      expect(JSON.parse(response.body)).toMatchObject({ error: 'PublishFailed', deadLettered: true });
      const parts = eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries![0]!);
      const [body] = deadLetters();
      expect(Buffer.byteLength(body!)).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
      const letter = JSON.parse(body!) as DeadLetterRecord;
      expect(letter).toMatchObject({ parts: { count: 3, missing: [1, 2] }, stored: { bucket: 'oversize' } });
      const { summary, published } = await redriven(body!);
      expect(summary).toMatchObject({ read: 1, published: 1, deleted: 1, leftUnpublishable: 0 });
      expect(published.map(partIndex)).toEqual([1, 2]);
      // Exactly the parts that failed, as they were built.
      for (const entry of published) {
        expect(entry.Detail).toBe(parts.find((part) => partIndex(part) === partIndex(entry))!.Detail);
      }
    });
  });
});
