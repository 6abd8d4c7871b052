/**
 * The faults the local runtime's AWS endpoint injects, over real HTTP on
 * loopback, with the shipped handlers and the real SDK clients: each kind does
 * what docs/local.md says. Bounds have margins; no test measures speed.
 */
import { request, Agent } from 'node:http';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { JAMF_READ_TIMEOUT_MS } from '../../lambda/contract';
import { startAwsEndpoint } from '../../lambda/local/aws-endpoint';
import { callFailure } from '../../lambda/shared/aws-calls';
import { FaultInjector } from '../../lambda/local/faults';
import { LOCAL_AUTH_SECRET, LOCAL_OVERSIZE_BUCKET, LOCAL_USED_CHALLENGES_TABLE } from '../../lambda/local/runtime';
import { fixtureBytes } from '../support/fixtures';
import { getJson, post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';

/** What a slow CI machine may add to a deadline the code enforces. */
const MARGIN_MS = 1500;
const HEADERS = { 'content-type': 'application/json', authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };
const stack = useLocalRuntime({
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
  faults: { seed: 1 },
});

afterEach(() => {
  stack().setFaults({});
});

/** Sends one webhook with the faults given; what the handler answered, and what reached the bus and the dead letters. */
async function webhookWith(faults: Parameters<ReturnType<typeof stack>['setFaults']>[0]) {
  const events = stack().events().length;
  const letters = stack().deadLetters().length;
  stack().setFaults(faults);
  const started = Date.now();
  const response = await post(stack().webhookUrl, fixtureBytes('ComputerAdded', 'json'), HEADERS);
  const ms = Date.now() - started;
  stack().setFaults({});
  return { response, ms, events: stack().events().slice(events), deadLetters: stack().deadLetters().slice(letters) };
}

describe('faults injected into EventBridge, as the ingest handler lives them', () => {
  beforeAll(async () => {
    // Credentials read (and cached) before any fault, so that only PutEvents and SendMessage see them.
    expect((await post(stack().webhookUrl, fixtureBytes('ComputerAdded', 'json'), HEADERS)).status).toBe(200);
  });

  it('error500: the publisher retries InternalException, then dead-letters the webhook', async () => {
    const { response, events, deadLetters } = await webhookWith({ eventbridge: { error500: 1 }, seed: 1 });
    expect(response).toMatchObject({ status: 503, body: { error: 'PublishFailed', deadLettered: true } });
    expect(events).toHaveLength(0);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.reason).toMatchObject({ code: 'PublishFailed', ambiguous: false });
    expect(deadLetters[0]!.reason.message).toMatch(/InternalException/);
    expect(deadLetters[0]!.reason.attempts).toBeGreaterThan(1);
  });

  it('throttle: ThrottlingException is retried, and not applied', async () => {
    const { response, events, deadLetters } = await webhookWith({ eventbridge: { throttle: 1 }, seed: 1 });
    expect(response.status).toBe(503);
    expect(events).toHaveLength(0);
    expect(deadLetters[0]!.reason.message).toMatch(/ThrottlingException/);
    expect(deadLetters[0]!.reason.attempts).toBeGreaterThan(1);
  });

  it('partial: PutEvents reports FailedEntryCount and the failed entry is not applied', async () => {
    stack().setFaults({ eventbridge: { partial: 1 }, seed: 5 });
    const before = stack().events().length;
    const client = new EventBridgeClient({ endpoint: stack().awsEndpointUrl, maxAttempts: 1 });
    const answer = await client.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }));
    expect(answer.FailedEntryCount).toBe(1);
    expect(['ThrottlingException', 'InternalFailure']).toContain(answer.Entries?.[0]?.ErrorCode);
    expect(stack().events()).toHaveLength(before);

    const { response, events, deadLetters } = await webhookWith({ eventbridge: { partial: 1 }, seed: 5 });
    expect(response.status).toBe(503);
    expect(events).toHaveLength(0);
    expect(deadLetters[0]!.reason).toMatchObject({ code: 'PublishFailed', ambiguous: false });
    expect(deadLetters[0]!.reason.message).toMatch(/ThrottlingException|InternalFailure/);
  });

  it('resetBefore: the call is not applied, and the dead letter says the outcome was unknown', async () => {
    const { response, events, deadLetters } = await webhookWith({ eventbridge: { resetBefore: 1 }, seed: 1 });
    expect(response.status).toBe(503);
    expect(events).toHaveLength(0);
    expect(deadLetters[0]!.reason).toMatchObject({ code: 'PublishFailed', ambiguous: true });
  });

  it('resetAfter: the event IS on the bus although every SDK call failed, and the dead letter says it may be', async () => {
    const { response, events, deadLetters } = await webhookWith({ eventbridge: { resetAfter: 1 }, seed: 1 });
    expect(response).toMatchObject({ status: 503, body: { error: 'PublishFailed', deadLettered: true } });
    // One copy per attempt: each landed, none was answered.
    expect(events.length).toBe(deadLetters[0]!.reason.attempts);
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => (e.Detail as { delivery: { id: string } }).delivery.id)).size).toBe(1);
    expect(deadLetters[0]!.reason).toMatchObject({ code: 'PublishFailed', ambiguous: true });
  });

  it('delay: a slow PutEvents is bounded by the publish budget; the call landed, the answer did not come in time', async () => {
    const { response, ms, events, deadLetters } = await webhookWith({ eventbridge: { delay: { rate: 1, minMs: 5000, maxMs: 5000 } }, seed: 1 });
    expect(response.status).toBe(503);
    expect(ms).toBeLessThan(JAMF_READ_TIMEOUT_MS + MARGIN_MS);
    expect(events).toHaveLength(1);
    expect(deadLetters[0]!.reason).toMatchObject({ code: 'PublishFailed', ambiguous: true });
    expect(deadLetters[0]!.reason.message).toMatch(/TimeoutError/);
  });

  it('a short delay only slows the calls down: the webhook is published', async () => {
    const { response, events } = await webhookWith({ eventbridge: { delay: { rate: 1, minMs: 50, maxMs: 100 } }, seed: 1 });
    expect(response.status).toBe(200);
    expect(events).toHaveLength(1);
  });

  it('with SQS throttled too, the dead letter goes to the log and the answer says so, in time', async () => {
    const { response, ms, deadLetters } = await webhookWith({ eventbridge: { error500: 1 }, sqs: { throttle: 1 }, seed: 1 });
    expect(response).toMatchObject({ status: 503, body: { error: 'PublishFailed', deadLettered: false } });
    expect(deadLetters).toHaveLength(0);
    expect(ms).toBeLessThan(JAMF_READ_TIMEOUT_MS + MARGIN_MS);
    expect(stack().faults().injected.sqs.throttle).toBeGreaterThan(0);
  });

  it('with SQS resetting after the write, the dead letter is stored (perhaps more than once) though no write was answered', async () => {
    const { response, deadLetters } = await webhookWith({ eventbridge: { error500: 1 }, sqs: { resetAfter: 1 }, seed: 1 });
    expect(response).toMatchObject({ status: 503, body: { deadLettered: false } });
    expect(deadLetters.length).toBeGreaterThan(0);
    expect(new Set(deadLetters.map((letter) => letter.requestId)).size).toBe(1);
  });
});

describe('what each service answers for each fault, as its SDK client sees it', () => {
  const clients = () => {
    const config = { endpoint: stack().awsEndpointUrl, maxAttempts: 1 };
    return {
      eventbridge: () => new EventBridgeClient(config).send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] })),
      sqs: () => new SQSClient(config).send(new SendMessageCommand({ QueueUrl: stack().deadLetterQueueUrl, MessageBody: '{}' })),
      secretsmanager: () => new SecretsManagerClient(config).send(new GetSecretValueCommand({ SecretId: LOCAL_AUTH_SECRET })),
      dynamodb: () =>
        new DynamoDBClient(config).send(
          new PutItemCommand({ TableName: LOCAL_USED_CHALLENGES_TABLE, Item: { challengeId: { S: `c-${Math.random()}` } } }),
        ),
      s3: () =>
        new S3Client({ ...config, forcePathStyle: true }).send(new PutObjectCommand({ Bucket: LOCAL_OVERSIZE_BUCKET, Key: 'events/f.json', Body: '{}' })),
    };
  };

  it.each([
    ['eventbridge', 'error500', 'InternalException', 500],
    ['eventbridge', 'throttle', 'ThrottlingException', 400],
    ['sqs', 'error500', 'InternalError', 500],
    ['sqs', 'throttle', 'RequestThrottled', 400],
    ['secretsmanager', 'error500', 'InternalServiceError', 500],
    ['secretsmanager', 'throttle', 'ThrottlingException', 400],
    ['dynamodb', 'error500', 'InternalServerError', 500],
    ['dynamodb', 'throttle', 'ThrottlingException', 400],
    ['s3', 'error500', 'InternalError', 500],
    ['s3', 'throttle', 'SlowDown', 503],
  ] as const)('%s %s: %s, HTTP %d', async (service, kind, name, status) => {
    stack().setFaults({ [service]: { [kind]: 1 } });
    await expect(clients()[service]()).rejects.toMatchObject({ name, $metadata: { httpStatusCode: status } });
  });

  it.each(['eventbridge', 'sqs', 'secretsmanager', 'dynamodb', 's3'] as const)(
    '%s resetBefore and resetAfter: a socket hang-up with no HTTP status, retryable and of unknown outcome for the handlers',
    async (service) => {
      for (const kind of ['resetBefore', 'resetAfter'] as const) {
        stack().setFaults({ [service]: { [kind]: 1 } });
        const error = await clients()[service]().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(String((error as Error).message)).toMatch(/socket hang up/);
        expect(callFailure(error)).toMatchObject({ retryable: true, ambiguous: true });
      }
    },
  );

  it('resetAfter applies the call: the used-challenge item is written', async () => {
    stack().setFaults({ dynamodb: { resetAfter: 1 } });
    const id = `c-${Date.now()}`;
    await expect(
      new DynamoDBClient({ endpoint: stack().awsEndpointUrl, maxAttempts: 1 }).send(
        new PutItemCommand({ TableName: LOCAL_USED_CHALLENGES_TABLE, Item: { challengeId: { S: id } } }),
      ),
    ).rejects.toMatchObject({ message: expect.stringMatching(/socket hang up/) });
    expect(stack().usedChallenges.items.has(id)).toBe(true);
  });
});

describe('/_local/faults', () => {
  const url = () => `${stack().url}/_local/faults`;
  const put = (body: string) => fetch(url(), { method: 'PUT', body, headers: { 'content-type': 'application/json' } });

  it('PUT sets the faults, GET shows them with the count injected per service and kind', async () => {
    const set = await put('{"sqs":{"throttle":1},"seed":9}');
    expect(set.status).toBe(200);
    await new SQSClient({ endpoint: stack().awsEndpointUrl, maxAttempts: 1 })
      .send(new SendMessageCommand({ QueueUrl: stack().deadLetterQueueUrl, MessageBody: '{}' }))
      .catch(() => undefined);
    const report = await getJson(url());
    expect(report.faults).toEqual({ sqs: { throttle: 1 }, seed: 9 });
    expect(report.injected.sqs.throttle).toBeGreaterThan(0);
    expect(report.injected).toHaveProperty('eventbridge');
  });

  it('PUT refuses an invalid document with 400, naming the key, and keeps the faults in force', async () => {
    await put('{"sqs":{"throttle":0.5},"seed":3}');
    const refused = await put('{"sqs":{"partial":0.5}}');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'InvalidFaultDocument', message: expect.stringMatching(/sqs\.partial/) });
    expect((await getJson(url())).faults).toEqual({ sqs: { throttle: 0.5 }, seed: 3 });
  });

  it('PUT {} turns every fault off; other methods get 405', async () => {
    expect((await put('{}')).status).toBe(200);
    expect((await getJson(url())).faults).toEqual({ seed: expect.any(Number) });
    expect((await fetch(url(), { method: 'POST' })).status).toBe(405);
  });

  it('/_local/events and /_local/dead-letters say how many were dropped', async () => {
    const events = await fetch(`${stack().url}/_local/events`);
    expect(events.headers.get('x-local-events-dropped')).toBe('0');
    const letters = await fetch(`${stack().url}/_local/dead-letters`);
    expect(letters.headers.get('x-local-dead-letters-dropped')).toBe('0');
  });
});

describe('a delayed answer', () => {
  it('does not hold up close()', async () => {
    const endpoint = await startAwsEndpoint(
      { 'AWSEvents.PutEvents': () => ({}) },
      { faults: new FaultInjector({ eventbridge: { delay: { rate: 1, minMs: 60_000, maxMs: 60_000 } } }) },
    );
    const pending = fetch(endpoint.url, { method: 'POST', headers: { 'x-amz-target': 'AWSEvents.PutEvents' }, body: '{}' }).catch(
      (e: unknown) => e,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await endpoint.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await pending).toHaveProperty('message');
  });
});

describe('a body over the local 10 MiB cap', () => {
  /** One POST through `agent`; the status, whether the connection was reused, and the `connection` header. */
  function send(url: string, agent: Agent, body: Buffer, headers: Record<string, string>) {
    return new Promise<{ status: number; reused: boolean; connection: string | undefined }>((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) }, timeout: 15000 }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket, connection: res.headers.connection }));
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
      req.on('error', reject);
      req.end(body);
    });
  }

  it('is answered 413 with Connection: close, and the next request from the same keep-alive agent is answered', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const tooLarge = await send(stack().webhookUrl, agent, Buffer.alloc(12 * 1024 * 1024, 'a'), HEADERS);
      expect(tooLarge).toMatchObject({ status: 413, connection: 'close' });
      // 5 MiB of XML: over the ingest function's own limit (maxBodyBytes), so its 413; answered, not reset.
      const xml = Buffer.from(`<webhookEvent>${'x'.repeat(5 * 1024 * 1024)}</webhookEvent>`);
      const next = await send(stack().webhookUrl, agent, xml, { ...HEADERS, 'content-type': 'application/xml' });
      expect(next).toMatchObject({ status: 413, reused: false });
      const small = await send(stack().webhookUrl, agent, fixtureBytes('ComputerAdded', 'json'), HEADERS);
      expect(small.status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});
