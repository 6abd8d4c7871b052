import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { deadLetterMessage, type DeadLetterInput } from '../../../lambda/publish/dead-letters';
import type { PublishResult } from '../../../lambda/publish/publisher';
import { redriveQueueThenLog } from '../../../lambda/redrive/logs';
import { redrive, type QueuedLetter, type RedriveDependencies } from '../../../lambda/redrive/redrive';
import { Deadline } from '../../../lambda/shared/deadline';

const ENTRY: PutEventsRequestEntry = {
  EventBusName: 'original-bus',
  Source: 'jamf.pro',
  DetailType: 'jamf.ComputerAdded',
  Detail: JSON.stringify({ webhook: {}, event: {}, delivery: { id: 'a'.repeat(32), receivedAt: '2026-11-27T10:00:00.000Z', encoding: 'utf-8' } }),
  Time: new Date('2026-11-27T09:59:59.000Z'),
};

/** ENTRY as another webhook: its own delivery.id. */
function entryOf(id: string): PutEventsRequestEntry {
  const detail = JSON.parse(ENTRY.Detail!) as { delivery: { id: string } };
  return { ...ENTRY, Detail: JSON.stringify({ ...detail, delivery: { ...detail.delivery, id: id.padStart(32, '0') } }) };
}

function letter(id: string, input: Partial<DeadLetterInput> & Pick<DeadLetterInput, 'reason'>): QueuedLetter {
  const body = deadLetterMessage({
    requestId: id,
    receivedAt: new Date('2026-11-27T10:00:00.000Z'),
    contentType: 'application/json',
    eventName: 'ComputerAdded',
    body: Buffer.from('{}'),
    ...input,
  });
  return { messageId: id, receiptHandle: `handle-${id}`, body };
}

const publishFailed = { code: 'PublishFailed', message: 'x', statusCode: 503 };
const ok: PublishResult = { ok: true, eventId: 'e', attempts: 1, ambiguous: false };
const failed: PublishResult = { ok: false, attempts: 1, errorCode: 'InternalFailure', errorMessage: 'x', retryable: true, ambiguous: false };

/** A queue of `letters` that hands each out once, and records what was published and removed. */
function store(letters: QueuedLetter[], publishResult: PublishResult = ok) {
  const queue = [...letters];
  const published: PutEventsRequestEntry[] = [];
  const removed: string[] = [];
  const deps: RedriveDependencies = {
    receive: async (max) => queue.splice(0, max),
    publish: async (entry) => {
      published.push(entry);
      return publishResult;
    },
    remove: async (l) => {
      removed.push(l.messageId);
    },
  };
  return { deps, published, removed };
}

describe('redrive', () => {
  it('publishes a letter that holds its entry, exactly as built, to the bus it is given, then deletes it', async () => {
    const { deps, published, removed } = store([letter('1', { reason: publishFailed, entry: ENTRY })]);
    const summary = await redrive(deps, { eventBusName: 'jamf-bus' });
    expect(summary).toEqual({ read: 1, published: 1, deleted: 1, leftBadInput: 0, leftUnpublishable: 0, leftFailed: 0, droppedUnverified: 0, deleteFailed: 0, duplicates: 0 });
    expect(published).toEqual([{ ...ENTRY, EventBusName: 'jamf-bus' }]);
    expect(removed).toEqual(['1']);
  });

  it('leaves bad input (4xx) and letters without an event where they are', async () => {
    const { deps, published, removed } = store([
      letter('bad', { reason: { code: 'InvalidEvent', message: 'x', statusCode: 422 } }),
      letter('never-decoded', { reason: { code: 'InternalError', message: 'x', statusCode: 500 } }),
      { messageId: 'garbage', receiptHandle: 'h', body: 'not json' },
    ]);
    const summary = await redrive(deps, { eventBusName: 'jamf-bus' });
    expect(summary).toMatchObject({ read: 3, published: 0, deleted: 0, leftBadInput: 1, leftUnpublishable: 2 });
    expect(published).toEqual([]);
    expect(removed).toEqual([]);
  });

  it('keeps a letter whose event could not be published again', async () => {
    const { deps, removed } = store([letter('1', { reason: publishFailed, entry: ENTRY })], failed);
    expect(await redrive(deps, { eventBusName: 'jamf-bus' })).toMatchObject({ published: 0, leftFailed: 1 });
    expect(removed).toEqual([]);
  });

  it('counts a letter it published but could not delete, to be published again with the same id', async () => {
    const { deps } = store([letter('1', { reason: publishFailed, entry: ENTRY })]);
    const summary = await redrive({ ...deps, remove: () => Promise.reject(new Error('gone')) }, { eventBusName: 'b' });
    expect(summary).toMatchObject({ published: 1, deleted: 0, deleteFailed: 1, leftFailed: 0 });
  });

  it('publishes a SCEP audit letter (answered 200) that holds its entry', async () => {
    const { deps } = store([letter('1', { reason: { code: 'AuditPublishFailed', message: 'x', statusCode: 200 }, entry: ENTRY })]);
    expect(await redrive(deps, { eventBusName: 'b' })).toMatchObject({ published: 1, deleted: 1 });
  });

  it('reads no more than maxLetters, and nothing once its deadline has passed', async () => {
    const letters = Array.from({ length: 25 }, (_, i) => letter(String(i), { reason: publishFailed, entry: entryOf(String(i)) }));
    expect(await redrive(store(letters).deps, { eventBusName: 'b', maxLetters: 12 })).toMatchObject({ read: 12, published: 12 });
    expect(await redrive(store(letters).deps, { eventBusName: 'b', deadline: Deadline.after(0, Date.now() - 1) })).toMatchObject({ read: 0 });
  });
});

describe('redrive of one webhook kept twice', () => {
  it('publishes it once and deletes every letter of it, in the queue', async () => {
    const { deps, published, removed } = store([
      letter('1', { reason: publishFailed, entry: ENTRY }),
      letter('other', { reason: publishFailed, entry: entryOf('other') }),
      letter('1-again', { reason: publishFailed, entry: ENTRY }),
    ]);
    const summary = await redrive(deps, { eventBusName: 'b' });
    expect(summary).toMatchObject({ read: 3, published: 2, duplicates: 1, deleted: 3 });
    expect(published.map((entry) => entry.Detail)).toEqual([ENTRY.Detail, entryOf('other').Detail]);
    expect(removed).toEqual(['1', 'other', '1-again']);
  });

  it('publishes a second letter again when the first could not be published', async () => {
    let calls = 0;
    const { deps, published } = store([letter('1', { reason: publishFailed, entry: ENTRY }), letter('1-again', { reason: publishFailed, entry: ENTRY })]);
    const summary = await redrive({ ...deps, publish: async (entry) => (calls++ === 0 ? failed : deps.publish(entry)) }, { eventBusName: 'b' });
    expect(summary).toMatchObject({ published: 1, leftFailed: 1, duplicates: 0 });
    expect(published).toHaveLength(1);
  });

  it("passes over a letter in a log whose webhook the queue's redrive published in the same run", async () => {
    const { deps } = store([letter('1', { reason: publishFailed, entry: ENTRY })]);
    const logLine = `${JSON.stringify({ message: 'dead-letter', deadLetter: JSON.parse(letter('1', { reason: publishFailed, entry: ENTRY }).body) })}\n`;
    const alsoInLog = `${JSON.stringify({ message: 'dead-letter', deadLetter: JSON.parse(letter('2', { reason: publishFailed, entry: entryOf('2') }).body) })}\n`;
    const answer = await redriveQueueThenLog(deps, { eventBusName: 'b' }, logLine + alsoInLog);
    expect(answer).toMatchObject({ read: 1, published: 1, fromLog: { read: 2, published: 1, duplicates: 1, deleted: 0 } });
  });

  it('leaves bad input kept twice where it is, both letters', async () => {
    const bad = { reason: { code: 'InvalidEvent', message: 'x', statusCode: 422 }, entry: ENTRY };
    const { deps, removed } = store([letter('1', bad), letter('2', bad)]);
    expect(await redrive(deps, { eventBusName: 'b' })).toMatchObject({ leftBadInput: 2, duplicates: 0 });
    expect(removed).toEqual([]);
  });
});

describe('redrive of unverified letters', () => {
  const unverified = (id: string) =>
    letter(id, { reason: { code: 'CredentialsUnavailable', message: 'x', statusCode: 503 }, unverified: { salt: '00', headers: {}, signatures: {} } });

  it('publishes those that pass their check, drops those that do not, and leaves those it cannot check', async () => {
    const outcomes = new Map([
      ['pass', { outcome: 'verified', entries: [ENTRY] }],
      ['fail', { outcome: 'rejected' }],
      ['later', { outcome: 'unchecked' }],
      ['bad', { outcome: 'badInput' }],
    ] as const);
    const { deps, published, removed } = store([unverified('pass'), unverified('fail'), unverified('later'), unverified('bad')]);
    const summary = await redrive(
      { ...deps, checkUnverified: async (record) => outcomes.get(record.requestId as 'pass')! },
      { eventBusName: 'jamf-bus' },
    );
    expect(summary).toEqual({ read: 4, published: 1, deleted: 2, leftBadInput: 1, leftUnpublishable: 0, leftFailed: 1, droppedUnverified: 1, deleteFailed: 0, duplicates: 0 });
    expect(published).toEqual([{ ...ENTRY, EventBusName: 'jamf-bus' }]);
    expect(removed.sort()).toEqual(['fail', 'pass']);
  });

  it('never publishes an unverified letter it has no way to check', async () => {
    const { deps, published, removed } = store([unverified('1')]);
    expect(await redrive(deps, { eventBusName: 'b' })).toMatchObject({ leftUnpublishable: 1, published: 0 });
    expect(published).toEqual([]);
    expect(removed).toEqual([]);
  });
});

describe('redrive of a letter too large for the queue', () => {
  /** The whole record in the bucket, and the cut message that points at it. */
  function storedLetter(id: string) {
    const whole = JSON.parse(letter(id, { reason: publishFailed, entry: ENTRY }).body) as Record<string, unknown>;
    const { entry: _entry, ...cut } = whole;
    const stored = { bucket: 'oversize', key: `dead-letters/2026-11-27/${id}.json`, bytes: 1 };
    const message: QueuedLetter = { messageId: id, receiptHandle: `handle-${id}`, body: JSON.stringify({ ...cut, bodyTruncated: true, stored }) };
    return { whole: JSON.stringify(whole), message };
  }

  it('reads the whole record from the bucket and publishes its entry', async () => {
    const { whole, message } = storedLetter('1');
    const { deps, published, removed } = store([message]);
    const read: string[] = [];
    const summary = await redrive({ ...deps, readStored: async (stored) => (read.push(stored.key), whole) }, { eventBusName: 'jamf-bus' });
    expect(read).toEqual(['dead-letters/2026-11-27/1.json']);
    expect(summary).toMatchObject({ read: 1, published: 1, deleted: 1 });
    expect(published[0]).toMatchObject({ Detail: ENTRY.Detail, EventBusName: 'jamf-bus' });
    expect(removed).toEqual(['1']);
  });

  it('leaves the letter for a later run when the bucket cannot be read now', async () => {
    const { message } = storedLetter('1');
    const { deps, published, removed } = store([message]);
    const summary = await redrive({ ...deps, readStored: async () => Promise.reject(new Error('down')) }, { eventBusName: 'jamf-bus' });
    expect(summary).toMatchObject({ read: 1, published: 0, leftFailed: 1 });
    expect([published, removed]).toEqual([[], []]);
  });

  it('publishes nothing from an object that is another letter\'s', async () => {
    const { message } = storedLetter('1');
    const { whole: other } = storedLetter('2');
    const { deps, published } = store([message]);
    const summary = await redrive({ ...deps, readStored: async () => other }, { eventBusName: 'jamf-bus' });
    expect(summary).toMatchObject({ read: 1, published: 0, leftUnpublishable: 1 });
    expect(published).toEqual([]);
  });

  it('without a bucket to read, leaves the cut letter unpublishable', async () => {
    const { message } = storedLetter('1');
    const { deps } = store([message]);
    expect(await redrive(deps, { eventBusName: 'jamf-bus' })).toMatchObject({ read: 1, leftUnpublishable: 1 });
  });
});
