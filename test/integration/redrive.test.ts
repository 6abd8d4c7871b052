import { fixtureBytes } from '../support/fixtures';
import { getJson, post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';

const runtime = useLocalRuntime({
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
});
const AUTH = { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };

type PutEntry = (entry: Record<string, unknown>) => { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** Makes the local bus refuse every entry, as an EventBridge outage would, until the returned function is called. */
function busOutage(): () => void {
  const bus = runtime().bus as unknown as { putEntry: PutEntry };
  const working = bus.putEntry.bind(bus);
  bus.putEntry = () => ({ ErrorCode: 'AccessDeniedException', ErrorMessage: 'the bus is down' });
  return () => {
    bus.putEntry = working;
  };
}

describe('redrive, through the local runtime', () => {
  it('publishes what an outage left in the dead-letter store, with the same delivery id, and deletes it', async () => {
    const end = busOutage();
    const response = await post(runtime().webhookUrl, fixtureBytes('ComputerAdded', 'xml'), { 'content-type': 'text/xml', ...AUTH });
    end();
    expect(response).toMatchObject({ status: 503, body: { error: 'PublishFailed', deadLettered: true } });
    const [letter] = runtime().deadLetters();
    expect(letter).toMatchObject({ version: 2, reason: { code: 'PublishFailed' }, deliveryId: expect.stringMatching(/^[0-9a-f]{32}$/) });

    // Bad input stays in the store.
    await post(runtime().webhookUrl, '{"webhook":{"webhookEvent":"Bad Name"},"event":{}}', { 'content-type': 'application/json', ...AUTH });
    const before = runtime().events().length;

    const summary = await post(`${runtime().url}/_local/redrive`, '');
    expect(summary).toMatchObject({ status: 200, body: { read: 2, published: 1, deleted: 1, leftBadInput: 1, leftFailed: 0 } });
    const redriven = runtime().events().slice(before);
    expect(redriven).toHaveLength(1);
    expect(redriven[0]).toMatchObject({ DetailType: 'jamf.ComputerAdded', Detail: { delivery: { id: letter!.deliveryId } } });
    expect((await getJson(`${runtime().url}/_local/dead-letters`)).map((l: { reason: { code: string } }) => l.reason.code)).toEqual([
      'NotAJamfWebhook',
    ]);
  });

  it('publishes the same event as the webhook would have: the same detail as a direct publish of it', async () => {
    const end = busOutage();
    await post(runtime().webhookUrl, fixtureBytes('ComputerCheckIn', 'json'), { 'content-type': 'application/json', ...AUTH });
    end();
    await runtime().redrive();
    await post(runtime().webhookUrl, fixtureBytes('ComputerCheckIn', 'json'), { 'content-type': 'application/json', ...AUTH });
    const [redriven, direct] = runtime().events().slice(-2) as Array<{ Detail: { delivery: { receivedAt: string } } }>;
    const { receivedAt: _a, ...redrivenDelivery } = redriven!.Detail.delivery;
    const { receivedAt: _b, ...directDelivery } = direct!.Detail.delivery;
    expect({ ...redriven!.Detail, delivery: redrivenDelivery }).toEqual({ ...direct!.Detail, delivery: directDelivery });
  });

  it('redrives a log export posted to it after the queue, each webhook once', async () => {
    const end = busOutage();
    for (const name of ['ComputerAdded', 'ComputerCheckIn'])
      await post(runtime().webhookUrl, fixtureBytes(name, 'json'), { 'content-type': 'application/json', ...AUTH });
    end();
    const letters = runtime().deadLetters().filter((l) => l.reason.code === 'PublishFailed');
    expect(letters).toHaveLength(2);
    // As a log export has them: what stands before the JSON is skipped.
    const logText = letters.map((deadLetter) => `2026-11-27T10:00:00Z\tr\tERROR\t${JSON.stringify({ message: 'dead-letter', deadLetter })}\n`).join('');
    const before = runtime().events().length;

    const summary = await post(`${runtime().url}/_local/redrive`, logText, { 'content-type': 'text/plain' });
    expect(summary).toMatchObject({ status: 200, body: { published: 2, fromLog: { read: 2, published: 0, duplicates: 2 } } });
    expect(runtime().events().slice(before).map((e) => (e.Detail as { delivery: { id: string } }).delivery.id).sort()).toEqual(
      letters.map((l) => l.deliveryId).sort(),
    );
  });

  it('has nothing to do on an empty store', async () => {
    const empty = runtime().deadLetters().filter((l) => l.reason.statusCode >= 500);
    expect(empty).toEqual([]);
    expect(await runtime().redrive()).toMatchObject({ published: 0, leftFailed: 0 });
  });
});
