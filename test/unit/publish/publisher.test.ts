import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES } from '../../../lambda/contract';
import { entrySize } from '../../../lambda/publish/entry';
import { packRequests, publishEntries, publishEntry, type PublishOptions } from '../../../lambda/publish/publisher';

const entry = { EventBusName: 'bus', Source: 'jamf.pro', DetailType: 'jamf.ComputerAdded', Detail: '{}' };

/** A fake clock: sleeping advances it, so budgets are tested without waiting. */
function fakeTime(): Required<Pick<PublishOptions, 'now' | 'sleep' | 'random'>> & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    random: () => 1,
  };
}

const throttled = { FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] };
const ok = (id = 'e-1') => ({ FailedEntryCount: 0, Entries: [{ EventId: id }] });

function serverError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

describe('publishEntry', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const client = new EventBridgeClient({ region: 'us-east-1' });
  beforeEach(() => eventBridge.reset());

  it('puts the entry once and returns its event id', async () => {
    eventBridge.on(PutEventsCommand).resolves(ok('abc'));
    const result = await publishEntry(client, entry, { budgetMs: 1000, ...fakeTime() });
    expect(result).toEqual({ ok: true, eventId: 'abc', attempts: 1, ambiguous: false });
    expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input).toEqual({ Entries: [entry] });
  });

  describe('when the entry is throttled', () => {
    it('retries with backoff and succeeds', async () => {
      eventBridge.on(PutEventsCommand).resolvesOnce(throttled).resolvesOnce(throttled).resolves(ok());
      const time = fakeTime();
      const result = await publishEntry(client, entry, { budgetMs: 1000, backoffBaseMs: 20, ...time });
      expect(result).toMatchObject({ ok: true, attempts: 3 });
      expect(time.slept).toEqual([20, 40]);
    });

    it('gives up when the budget is spent, saying the failure was transient', async () => {
      eventBridge.on(PutEventsCommand).resolves(throttled);
      const result = await publishEntry(client, entry, { budgetMs: 100, backoffBaseMs: 40, minRetryMs: 0, ...fakeTime() });
      expect(result).toMatchObject({ ok: false, errorCode: 'ThrottlingException', retryable: true });
      expect(result.attempts).toBeGreaterThan(1);
      expect(result.attempts).toBeLessThan(5);
    });

    it('starts no retry with less than minRetryMs of the budget left, so none is cut off while it lands', async () => {
      eventBridge.on(PutEventsCommand).resolves(throttled);
      const time = fakeTime();
      // Backoffs of 100, 200, 400 ms: the third retry would start with 300 ms left.
      const result = await publishEntry(client, entry, { budgetMs: 1000, backoffBaseMs: 100, minRetryMs: 400, ...time });
      expect(result).toMatchObject({ ok: false, attempts: 3, retryable: true, ambiguous: false });
      expect(time.now()).toBe(700);
    });

    it('tells the caller of each failed attempt, so that it can get ready for a dead letter', async () => {
      eventBridge.on(PutEventsCommand).resolvesOnce(throttled).resolvesOnce(throttled).resolves(ok());
      let failed = 0;
      const result = await publishEntry(client, entry, { budgetMs: 1000, onAttemptFailed: () => (failed += 1), ...fakeTime() });
      expect(result).toMatchObject({ ok: true, attempts: 3 });
      expect(failed).toBe(2);
    });

    it('stops after maxAttempts', async () => {
      eventBridge.on(PutEventsCommand).resolves(throttled);
      const result = await publishEntry(client, entry, { budgetMs: 60_000, maxAttempts: 3, ...fakeTime() });
      expect(result).toMatchObject({ ok: false, attempts: 3 });
    });
  });

  it('does not retry an entry error that a retry cannot fix', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' }] });
    const result = await publishEntry(client, entry, { budgetMs: 1000, ...fakeTime() });
    expect(result).toEqual({ ok: false, attempts: 1, errorCode: 'MalformedDetail', errorMessage: 'bad', retryable: false, ambiguous: false });
  });

  it('retries a whole-call 5xx and succeeds', async () => {
    eventBridge.on(PutEventsCommand).rejectsOnce(serverError('InternalException', 500)).resolves(ok());
    expect(await publishEntry(client, entry, { budgetMs: 1000, ...fakeTime() })).toMatchObject({ ok: true, attempts: 2 });
  });

  it('retries a network error (no HTTP status)', async () => {
    eventBridge.on(PutEventsCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).resolves(ok());
    expect(await publishEntry(client, entry, { budgetMs: 1000, ...fakeTime() })).toMatchObject({ ok: true, attempts: 2, ambiguous: true });
  });

  it('says a failure may have landed when an attempt had no answer', async () => {
    eventBridge.on(PutEventsCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).rejects(serverError('AccessDeniedException', 400));
    expect(await publishEntry(client, entry, { budgetMs: 1000, ...fakeTime() })).toMatchObject({ ok: false, attempts: 2, ambiguous: true });
  });

  it('says a failure did not land when EventBridge answered every attempt', async () => {
    eventBridge.on(PutEventsCommand).resolves(throttled);
    expect(await publishEntry(client, entry, { budgetMs: 1000, maxAttempts: 2, ...fakeTime() })).toMatchObject({ ok: false, ambiguous: false });
  });

  it('does not retry access denied', async () => {
    eventBridge.on(PutEventsCommand).rejects(serverError('AccessDeniedException', 400));
    expect(await publishEntry(client, entry, { budgetMs: 1000, ...fakeTime() })).toMatchObject({
      ok: false,
      attempts: 1,
      errorCode: 'AccessDeniedException',
      retryable: false,
    });
  });

  it('treats a response without an event id as a failure', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
    expect(await publishEntry(client, entry, { budgetMs: 1000, maxAttempts: 1, ...fakeTime() })).toMatchObject({
      ok: false,
      errorCode: 'MissingEventId',
    });
  });

  it('aborts an attempt that outlives its timeout and retries', async () => {
    let calls = 0;
    eventBridge.on(PutEventsCommand).callsFake(async () => {
      calls += 1;
      if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 10_000).unref());
      return ok();
    });
    const result = await publishEntry(client, entry, { budgetMs: 2000, attemptTimeoutMs: 50, backoffBaseMs: 1 });
    // aws-sdk-client-mock ignores abortSignal, as a stuck socket might: the publisher must move on anyway.
    expect(result).toMatchObject({ ok: true, attempts: 2, ambiguous: true });
  });

  it('waits for a slow EventBridge for the whole budget rather than retrying it early, by default', async () => {
    let calls = 0;
    eventBridge.on(PutEventsCommand).callsFake(async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 150));
      return ok();
    });
    const result = await publishEntry(client, entry, { budgetMs: 2000 });
    expect(result).toMatchObject({ ok: true, attempts: 1, ambiguous: false });
    expect(calls).toBe(1);
  });
});

describe('packRequests', () => {
  it('puts at most 10 entries in a request', () => {
    expect(packRequests(Array.from({ length: 23 }, () => 100)).map((request) => request.length)).toEqual([10, 10, 3]);
  });

  it('keeps the sizes of a request within 1 MiB, in order', () => {
    const mib = MAX_REQUEST_BYTES;
    expect(packRequests([mib - 10, 10, 1, mib, 600_000, 448_576, 1])).toEqual([[0, 1], [2], [3], [4, 5], [6]]);
  });

  it('sends an entry over the request limit alone, for EventBridge to refuse', () => {
    expect(packRequests([5, MAX_REQUEST_BYTES + 1, 5])).toEqual([[0], [1], [2]]);
  });
});

describe('publishEntries', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const client = new EventBridgeClient({ region: 'us-east-1' });
  beforeEach(() => eventBridge.reset());

  /** Parts of `bytes` each, told apart by their Detail. */
  const partsOf = (count: number, bytes: number) =>
    Array.from({ length: count }, (_, i) => {
      const part = { Source: 'jamf.pro', DetailType: 'jamf.SmartGroupComputerMembershipChange', Detail: `{"i":${i}}` };
      return { ...part, Detail: `{"i":${i},"pad":"${'x'.repeat(bytes - entrySize(part) - 10)}"}` };
    });
  const sentDetails = () =>
    eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries!.map((e) => (JSON.parse(e.Detail!) as { i: number }).i));
  /** Answers each entry with an event id, except those `fail` says fail (by Detail index), with their error. */
  function answer(fail: (i: number, call: number) => string | undefined) {
    let call = 0;
    eventBridge.on(PutEventsCommand).callsFake(async (input: { Entries: { Detail: string }[] }) => {
      call += 1;
      const entries = input.Entries.map(({ Detail }) => {
        const i = (JSON.parse(Detail) as { i: number }).i;
        const error = fail(i, call);
        return error ? { ErrorCode: error, ErrorMessage: `${error} for ${i}` } : { EventId: `e-${i}` };
      });
      return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
    });
  }

  it('sends parts of nearly 1 MiB one to a request, and returns every event id in order', async () => {
    answer(() => undefined);
    const result = await publishEntries(client, partsOf(3, MAX_REQUEST_BYTES - 100), { budgetMs: 1000, ...fakeTime() });
    expect(result).toEqual({ ok: true, eventIds: ['e-0', 'e-1', 'e-2'], attempts: 1, ambiguous: false });
    expect(sentDetails().sort()).toEqual([[0], [1], [2]]);
  });

  it('packs small parts up to 10 to a request', async () => {
    answer(() => undefined);
    const result = await publishEntries(client, partsOf(12, 1000), { budgetMs: 1000, ...fakeTime() });
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    expect(sentDetails().map((request) => request.length).sort((a, b) => a - b)).toEqual([2, MAX_ENTRIES_PER_REQUEST]);
  });

  it('retries only the part that failed', async () => {
    answer((i, call) => (i === 1 && call === 1 ? 'ThrottlingException' : undefined));
    const result = await publishEntries(client, partsOf(4, 300_000), { budgetMs: 1000, ...fakeTime() });
    expect(result).toEqual({ ok: true, eventIds: ['e-0', 'e-1', 'e-2', 'e-3'], attempts: 2, ambiguous: false });
    // Four parts of 300 KB: three to the first request, one to the second; then part 1 alone.
    expect(sentDetails()).toEqual([[0, 1, 2], [3], [1]]);
  });

  it('says which parts are missing when the budget runs out, and that they may be retried', async () => {
    answer((i) => (i === 2 ? 'InternalFailure' : undefined));
    const result = await publishEntries(client, partsOf(3, 400_000), { budgetMs: 1000, maxAttempts: 3, ...fakeTime() });
    expect(result).toMatchObject({ ok: false, attempts: 3, eventIds: ['e-0', 'e-1', undefined], missing: [2], errorCode: 'InternalFailure', retryable: true, ambiguous: false });
    expect(sentDetails().slice(2)).toEqual([[2], [2]]);
  });

  it('does not retry a part that failed for good, and says so, while it retries the others', async () => {
    answer((i, call) => (i === 0 ? 'InvalidArgument' : i === 1 && call === 1 ? 'ThrottlingException' : undefined));
    const result = await publishEntries(client, partsOf(3, 1000), { budgetMs: 1000, ...fakeTime() });
    expect(result).toMatchObject({ ok: false, missing: [0], errorCode: 'InvalidArgument', retryable: false, eventIds: [undefined, 'e-1', 'e-2'] });
    expect(sentDetails()).toEqual([[0, 1, 2], [1]]);
  });

  it('retries every part of a request that failed whole, and only those', async () => {
    let calls = 0;
    eventBridge.on(PutEventsCommand).callsFake(async (input: { Entries: { Detail: string }[] }) => {
      calls += 1;
      const ids = input.Entries.map(({ Detail }) => (JSON.parse(Detail) as { i: number }).i);
      if (calls === 1 && ids.includes(0)) throw serverError('InternalException', 500);
      return { FailedEntryCount: 0, Entries: ids.map((i) => ({ EventId: `e-${i}` })) };
    });
    const result = await publishEntries(client, partsOf(3, 600_000), { budgetMs: 1000, ...fakeTime() });
    expect(result).toMatchObject({ ok: true, eventIds: ['e-0', 'e-1', 'e-2'], attempts: 2 });
    expect(sentDetails().filter((request) => request.includes(0))).toHaveLength(2);
    expect(sentDetails().filter((request) => request.includes(1))).toHaveLength(1);
  });
});
