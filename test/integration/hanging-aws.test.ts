/**
 * Every AWS call has a deadline that is really enforced: the shipped handlers,
 * with their real SDK clients, against an endpoint on loopback that accepts
 * connections and never answers. A bound is asserted, with a margin for a slow
 * machine, because the code enforces it; no test here measures speed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { sendDeadLetter } from '../../lambda/publish/dead-letters';
import { publishEntry } from '../../lambda/publish/publisher';
import { claimChallenge, createDynamoDbClient } from '../../lambda/scep/used-challenges';
import { createSecretsManagerClient, readSecretString } from '../../lambda/secrets/secrets-manager';
import { boundedRequests } from '../../lambda/shared/aws-calls';
import { Deadline } from '../../lambda/shared/deadline';
import { setLogWriter } from '../../lambda/shared/log';
import { JAMF_READ_TIMEOUT_MS } from '../../lambda/contract';
import { startAwsEndpoint } from '../../lambda/local/aws-endpoint';
import { LocalSecrets } from '../../lambda/local/secrets';
import { LocalQueues } from '../../lambda/local/queue';
import { LocalEventBus } from '../../lambda/local/event-bus';
import { createOversizeClient } from '../../lambda/publish/oversize-client';
import { putOversizeObject } from '../../lambda/publish/oversize-store';
import { MAX_ENTRY_BYTES } from '../../lambda/contract';
import { oversizeInventoryWebhook } from '../support/oversize';
import { fixtureBytes } from '../support/fixtures';
import { TEST_SECRETS } from '../support/secrets';
import { basicAuth, proxyEvent } from '../support/requests';

/** What a slow CI machine may add to a deadline the code enforces. */
const MARGIN_MS = 1000;

let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();
const saved = { ...process.env };

beforeAll(async () => {
  // Accepts, reads, and never answers.
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL: endpoint,
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  process.env = saved;
});

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await run();
  return { value, ms: Date.now() - start };
}

/**
 * The shipped ingest handler, loaded afresh with the environment as it is now
 * (it reads its configuration at import, as in Lambda). Its module registry
 * has a log writer of its own: its lines are kept in `lines` and passed to the
 * suite's writer, so the secret scan sees them and the terminal does not.
 */
function loadIngestHandler(lines: string[] = []): typeof import('../../lambda/ingest/handler').handler {
  const suiteWriter = setLogWriter(() => undefined);
  setLogWriter(suiteWriter);
  let handler: typeof import('../../lambda/ingest/handler').handler | undefined;
  jest.isolateModules(() => {
    const log = require('../../lambda/shared/log') as typeof import('../../lambda/shared/log');
    log.setLogWriter((line) => {
      lines.push(line);
      suiteWriter(line);
    });
    handler = (require('../../lambda/ingest/handler') as typeof import('../../lambda/ingest/handler')).handler;
  });
  return handler!;
}

describe('against an AWS endpoint that never answers', () => {
  it('PutEvents gives up at its budget, saying the event may have landed', async () => {
    const client = new EventBridgeClient({ endpoint, maxAttempts: 1, ...boundedRequests(300, 1500) });
    const { value, ms } = await timed(() =>
      publishEntry(client, { Source: 'jamf.pro', DetailType: 'jamf.Test', Detail: '{}' }, { budgetMs: 300 }),
    );
    expect(value).toMatchObject({ ok: false, ambiguous: true });
    expect(ms).toBeLessThan(300 + MARGIN_MS);
  });

  it('SendMessage gives up at the deadline and the record goes to the log', async () => {
    const client = new SQSClient({ endpoint, maxAttempts: 1, ...boundedRequests(300, 1500) });
    const logged: string[] = [];
    const { value, ms } = await timed(() =>
      sendDeadLetter(
        client,
        `${endpoint}/000000000000/dlq`,
        {
          reason: { code: 'PublishFailed', message: 'x', statusCode: 503 },
          requestId: 'r',
          receivedAt: new Date(),
          contentType: 'application/json',
          eventName: 'ComputerAdded',
          body: Buffer.from('{}'),
        },
        { deadline: Deadline.after(300), fallback: (message) => logged.push(message) },
      ),
    );
    expect(value).toMatchObject({ stored: false, logged: true });
    expect(logged).toHaveLength(1);
    expect(ms).toBeLessThan(300 + MARGIN_MS);
  });

  it('PutObject of an oversize event gives up at its budget, saying the object may be there', async () => {
    const store = { bucket: 'oversize', client: createOversizeClient(await import('@aws-sdk/client-s3')) };
    const { value, ms } = await timed(() => putOversizeObject(store, 'events/x.json', '{"a":1}', { budgetMs: 300 }));
    expect(value).toMatchObject({ ok: false, errorCode: 'TimeoutError', ambiguous: true });
    expect(ms).toBeLessThan(300 + MARGIN_MS);
  });

  it('GetSecretValue fails within its two bounded attempts', async () => {
    const client = createSecretsManagerClient();
    const { value, ms } = await timed(() => readSecretString(client, 'secret').then(() => 'read', (e: Error) => e.name));
    expect(value).not.toBe('read');
    expect(ms).toBeLessThan(2 * 400 + 500 + MARGIN_MS);
  });

  it('the used-challenge write fails as a 503 within its bound', async () => {
    const { value, ms } = await timed(() =>
      claimChallenge(createDynamoDbClient(), 'table', { challengeId: 'c', expiresAt: 1 }).then(
        () => 'claimed',
        (e: { statusCode?: number }) => e.statusCode,
      ),
    );
    expect(value).toBe(503);
    expect(ms).toBeLessThan(2 * 600 + 500 + MARGIN_MS);
  });

  it('the ingest function answers 503 inside Jamf’s read timeout, its SDK clients as shipped', async () => {
    Object.assign(process.env, {
      EVENT_BUS_NAME: 'bus',
      DEAD_LETTER_QUEUE_URL: `${endpoint}/000000000000/dlq`,
      WEBHOOK_AUTH_SECRET_ID: 'webhook-auth',
    });
    const handler = loadIngestHandler();
    const { value, ms } = await timed(() =>
      handler(proxyEvent(fixtureBytes('ComputerAdded', 'json'), { 'content-type': 'application/json', authorization: basicAuth('jamf', 'pw') })),
    );
    // The credentials cannot be read: a 503, in time, whatever the endpoint does.
    expect(value.statusCode).toBe(503);
    expect(ms).toBeLessThan(JAMF_READ_TIMEOUT_MS + MARGIN_MS);
  });

  it('with its credentials readable, the ingest function answers 503 in time and logs the dead letter the queue would not take', async () => {
    const secrets = new LocalSecrets();
    secrets.set('webhook-auth', JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }));
    const working = await startAwsEndpoint(secrets.operations);
    Object.assign(process.env, {
      EVENT_BUS_NAME: 'bus',
      DEAD_LETTER_QUEUE_URL: `${endpoint}/000000000000/dlq`,
      WEBHOOK_AUTH_SECRET_ID: 'webhook-auth',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: working.url,
    });
    try {
      const lines: string[] = [];
      const handler = loadIngestHandler(lines);
      const auth = { 'content-type': 'application/json', authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };
      const { value, ms } = await timed(() => handler(proxyEvent(fixtureBytes('ComputerAdded', 'json'), auth)));
      expect(value.statusCode).toBe(503);
      expect(JSON.parse(value.body)).toMatchObject({ error: 'PublishFailed', deadLettered: false });
      expect(ms).toBeLessThan(JAMF_READ_TIMEOUT_MS + MARGIN_MS);
      const logged = lines
        .map((line) => JSON.parse(line) as { message?: string; deadLetter?: { reason: { code: string; ambiguous?: boolean } } })
        .filter((line) => line.message === 'dead-letter');
      expect(logged.at(-1)?.deadLetter?.reason).toMatchObject({ code: 'PublishFailed', ambiguous: true });
    } finally {
      delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      await working.close();
    }
  });

  it('with only S3 hanging, the ingest function dead-letters an oversize event in time, saying why', async () => {
    const secrets = new LocalSecrets();
    secrets.set('webhook-auth', JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }));
    const queues = new LocalQueues(['dlq']);
    const bus = new LocalEventBus('bus', () => undefined);
    const working = await startAwsEndpoint({ ...secrets.operations, ...queues.operations, ...bus.operations });
    Object.assign(process.env, {
      EVENT_BUS_NAME: 'bus',
      DEAD_LETTER_QUEUE_URL: `${working.url}/000000000000/dlq`,
      WEBHOOK_AUTH_SECRET_ID: 'webhook-auth',
      OVERSIZE_BUCKET_NAME: 'oversize',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: working.url,
      AWS_ENDPOINT_URL_SQS: working.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: working.url,
    });
    try {
      const handler = loadIngestHandler();
      const auth = { 'content-type': 'application/json', authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };
      const body = JSON.stringify(oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES));
      const { value, ms } = await timed(() => handler(proxyEvent(body, auth)));
      expect(value.statusCode).toBe(503);
      expect(JSON.parse(value.body)).toMatchObject({ error: 'OversizeStoreFailed', deadLettered: true });
      expect(ms).toBeLessThan(JAMF_READ_TIMEOUT_MS + MARGIN_MS);
      expect(bus.events).toEqual([]);
      const [letter] = queues.messages.map((message) => JSON.parse(message.Body) as { reason: { code: string; message: string }; stored?: unknown });
      expect(letter?.reason).toMatchObject({ code: 'OversizeStoreFailed', message: expect.stringMatching(/TimeoutError/) });
      // The bucket hangs for the letter too: the queue keeps it cut, for a person.
      expect(letter?.stored).toBeUndefined();
    } finally {
      for (const name of ['OVERSIZE_BUCKET_NAME', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL_EVENTBRIDGE']) delete process.env[name];
      await working.close();
    }
  });
});
