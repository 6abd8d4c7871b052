/**
 * The local runtime's AWS endpoint options: a recording proxy (in this test,
 * on loopback) put in front of the built-in endpoint with `awsEndpointUrl`
 * (AWS_ENDPOINT_URL for npm start) sees every AWS call the handlers make; the
 * built-in endpoint on the port `awsPort` (LOCAL_AWS_PORT) asked for; the
 * local bus bounded by `maxEvents` (LOCAL_MAX_EVENTS).
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixtureBytes } from '../support/fixtures';
import { getJson, post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';

const HEADERS = { 'content-type': 'application/json', authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };

interface Recorded {
  readonly target: string;
  readonly body: string;
}
const recorded: Recorded[] = [];
/** Where the proxy forwards: the built-in endpoint, known once the runtime has started. */
let upstream = '';

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

const proxy = createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => {
    const body = Buffer.concat(chunks);
    recorded.push({ target: String(incoming.headers['x-amz-target'] ?? ''), body: body.toString('utf8') });
    const forwarded = request(`${upstream}${incoming.url ?? '/'}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.destroy());
    forwarded.end(body);
  });
});
let proxyUrl = '';
let awsPort = 0;

beforeAll(async () => {
  proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
  // A free port for the built-in endpoint, asked for by number.
  const probe = createServer();
  awsPort = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
});

const stack = useLocalRuntime({
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
  get awsEndpointUrl() {
    return proxyUrl;
  },
  get awsPort() {
    return awsPort;
  },
  maxEvents: 3,
});

beforeAll(() => {
  upstream = stack().awsEndpointUrl;
});

describe('awsEndpointUrl (AWS_ENDPOINT_URL): a proxy in front of the built-in endpoint', () => {
  it('sees the handlers’ calls, and the local routes still show the built-in endpoint’s state', async () => {
    expect(stack().handlerAwsEndpointUrl).toBe(proxyUrl);
    expect(stack().awsEndpointUrl).not.toBe(proxyUrl);
    const response = await post(stack().webhookUrl, fixtureBytes('ComputerAdded', 'json'), HEADERS);
    expect(response.status).toBe(200);
    const targets = recorded.map((call) => call.target);
    expect(targets).toEqual(expect.arrayContaining(['secretsmanager.GetSecretValue', 'AWSEvents.PutEvents']));
    expect((await getJson(`${stack().url}/_local/events`)).at(-1)).toMatchObject({ DetailType: 'jamf.ComputerAdded' });
  });

  it('carries the dead letters too, to a queue URL under the proxy', async () => {
    expect(stack().deadLetterQueueUrl.startsWith(`${proxyUrl}/`)).toBe(true);
    const sent = '{"webhook":{"webhookEvent":"ComputerAdded"},"event":{"jssID":"not a number"}}';
    expect((await post(stack().webhookUrl, sent, HEADERS)).status).toBe(422);
    const sendMessage = recorded.filter((call) => call.target === 'AmazonSQS.SendMessage').at(-1);
    expect(JSON.parse(sendMessage!.body)).toMatchObject({ QueueUrl: stack().deadLetterQueueUrl });
    expect((await getJson(`${stack().url}/_local/dead-letters`)).at(-1)).toMatchObject({ reason: { code: 'InvalidEvent' } });
  });
});

describe('awsPort (LOCAL_AWS_PORT)', () => {
  it('puts the built-in endpoint on the port asked for', () => {
    expect(stack().awsEndpointUrl).toBe(`http://127.0.0.1:${awsPort}`);
  });
});

describe('maxEvents (LOCAL_MAX_EVENTS)', () => {
  it('keeps the last events, drops the oldest, and says how many were dropped', async () => {
    for (let i = 0; i < 4; i++) {
      expect((await post(stack().webhookUrl, fixtureBytes('ComputerAdded', 'json'), HEADERS)).status).toBe(200);
    }
    const response = await fetch(`${stack().url}/_local/events`);
    expect(((await response.json()) as unknown[]).length).toBe(3);
    // One published by the first test, four here: two dropped.
    expect(response.headers.get('x-local-events-dropped')).toBe('2');
  });
});
