import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { publishEntry, type PublishOptions } from '../../../lambda/publish/publisher';

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
