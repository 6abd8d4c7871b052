/**
 * Two named Jamf Pro instances beside the default one, through real HTTP on the local runtime:
 * each route accepts only its own instance's credentials, and its events carry its source and
 * `delivery.instance`; another name is a 404, and the default path is what it always was.
 */
import { fixtureBytes, fixtureText } from '../support/fixtures';
import { post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';

const document = (password: string) => JSON.stringify({ basic: [{ username: 'jamf', password }] });
const runtime = useLocalRuntime({
  webhookAuth: document(TEST_SECRETS.basicPassword),
  instances: [{ name: 'sandbox', eventSource: 'jamf.sandbox' }, { name: 'eu-2', scepChallenge: false }],
  instanceAuth: { sandbox: document(TEST_SECRETS.sandboxPassword), 'eu-2': document(TEST_SECRETS.euPassword) },
  scepChallengeKey: TEST_SECRETS.scepChallengeKey,
  scepVerifySecret: TEST_SECRETS.scepVerifySecret,
});

const PASSWORDS = { default: TEST_SECRETS.basicPassword, sandbox: TEST_SECRETS.sandboxPassword, 'eu-2': TEST_SECRETS.euPassword } as const;
type Sender = keyof typeof PASSWORDS;

const JSON_TYPE = { 'content-type': 'application/json' };
const send = (url: string, as: Sender, body: string | Buffer = fixtureBytes('ComputerAdded', 'json')) =>
  post(url, body, { ...JSON_TYPE, authorization: basicAuth('jamf', PASSWORDS[as]) });
const urlOf = (name: string) => runtime().instances.find((instance) => instance.name === name)!;

/** The ComputerCheckIn fixture, told apart from the others by its timestamp. */
const checkIn = (timestamp: number) => fixtureText('ComputerCheckIn', 'json').replace(/"eventTimestamp":\s*\d+/, `"eventTimestamp": ${timestamp}`);

interface Published {
  readonly Source: string;
  readonly Detail: { readonly delivery: { readonly id: string; readonly instance?: string }; readonly webhook: { readonly eventTimestamp?: number } };
}
const eventsSince = (count: number) => runtime().events().slice(count) as unknown as Published[];

describe('two named Jamf Pro instances on the local runtime', () => {
  // First, while no instance's credentials have been read: a cold start in a Secrets Manager outage.
  describe('in a Secrets Manager outage', () => {
    it("keeps an instance's webhooks unverified, and a redrive checks them with that instance's credentials", async () => {
      runtime().setFaults({ secretsmanager: { error500: 1 }, seed: 3 });
      const good = checkIn(1_700_000_000_201);
      const other = checkIn(1_700_000_000_202);
      expect((await send(urlOf('eu-2').webhookUrl, 'eu-2', good)).status).toBe(503);
      // The default instance's credential on eu-2's route: kept too, as nothing could be checked.
      expect((await send(urlOf('eu-2').webhookUrl, 'default', other)).status).toBe(503);
      expect(runtime().deadLetters().map((letter) => letter.instance)).toEqual(['eu-2', 'eu-2']);

      runtime().setFaults({});
      const before = runtime().events().length;
      expect(await runtime().redrive()).toMatchObject({ read: 2, published: 1, droppedUnverified: 1, leftFailed: 0 });
      const [event] = eventsSince(before);
      expect(event).toMatchObject({ Source: 'jamf.pro', Detail: { webhook: { eventTimestamp: 1_700_000_000_201 }, delivery: { instance: 'eu-2' } } });
      expect(runtime().deadLetters()).toEqual([]);
    });
  });

  it('serves each instance at /webhooks/<name>, and /scep-challenge/<name> where it has the route', () => {
    const url = runtime().url;
    expect(runtime().instances).toEqual([
      { name: 'sandbox', eventSource: 'jamf.sandbox', webhookUrl: `${url}/webhooks/sandbox`, scepChallengeUrl: `${url}/scep-challenge/sandbox`, webhookAuthSecretId: expect.any(String) },
      { name: 'eu-2', eventSource: 'jamf.pro', webhookUrl: `${url}/webhooks/eu-2`, webhookAuthSecretId: expect.any(String) },
    ]);
  });

  it.each([
    ['sandbox', 'jamf.sandbox'],
    ['eu-2', 'jamf.pro'],
  ] as const)('publishes what %s sends with source %s and its name in delivery.instance', async (name, source) => {
    const before = runtime().events().length;

    const response = await send(urlOf(name).webhookUrl, name);

    expect(response.status).toBe(200);
    expect(eventsSince(before)).toEqual([expect.objectContaining({ Source: source, Detail: expect.objectContaining({ delivery: expect.objectContaining({ instance: name }) }) })]);
  });

  it.each([
    ['sandbox', ['default', 'eu-2']],
    ['eu-2', ['default', 'sandbox']],
  ] as const)("refuses the other instances' credentials on %s's route (401)", async (name, others) => {
    const before = runtime().events().length;
    for (const other of others) {
      expect(await send(urlOf(name).webhookUrl, other)).toMatchObject({ status: 401, body: { error: 'Unauthorized' } });
    }
    expect(eventsSince(before)).toEqual([]);
  });

  it('keeps the default instance at /webhooks, with its own credentials only and no delivery.instance', async () => {
    const before = runtime().events().length;

    expect((await send(runtime().webhookUrl, 'default')).status).toBe(200);
    expect((await send(runtime().webhookUrl, 'sandbox')).status).toBe(401);

    const [event] = eventsSince(before);
    expect(event!.Source).toBe('jamf.pro');
    expect(Object.keys(event!.Detail.delivery)).toEqual(['id', 'receivedAt', 'encoding']);
  });

  it('gives the same webhook from two instances two delivery ids', async () => {
    const before = runtime().events().length;
    const body = checkIn(1_700_000_000_301);

    await send(runtime().webhookUrl, 'default', body);
    await send(urlOf('sandbox').webhookUrl, 'sandbox', body);
    await send(urlOf('eu-2').webhookUrl, 'eu-2', body);

    expect(new Set(eventsSince(before).map((event) => event.Detail.delivery.id)).size).toBe(3);
  });

  it.each(['/webhooks/test', '/webhooks/Sandbox', '/scep-challenge/eu-2', '/scep-challenge/test'])('answers 404 at %s, a route it does not have', async (path) => {
    const response = await send(`${runtime().url}${path}`, 'sandbox');

    expect(response.status).toBe(404);
  });

  describe("an instance's SCEP challenge route", () => {
    it('answers a challenge to its own credentials, and audits it with its source and name', async () => {
      const before = runtime().events().length;

      const response = await send(urlOf('sandbox').scepChallengeUrl!, 'sandbox', fixtureBytes('SCEPChallenge', 'json'));

      expect(response.status).toBe(200);
      expect(eventsSince(before)).toEqual([expect.objectContaining({ Source: 'jamf.sandbox', Detail: expect.objectContaining({ delivery: expect.objectContaining({ instance: 'sandbox' }) }) })]);
    });

    it("refuses another instance's credentials", async () => {
      expect((await send(urlOf('sandbox').scepChallengeUrl!, 'default', fixtureBytes('SCEPChallenge', 'json'))).status).toBe(401);
      expect((await send(runtime().scepChallengeUrl, 'sandbox', fixtureBytes('SCEPChallenge', 'json'))).status).toBe(401);
    });
  });
});
