import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createVerifier } from '../../../lambda/auth/verify';
import { authenticatorFor } from '../../../lambda/auth/source';
import type { IngestConfig } from '../../../lambda/ingest/config';
import { ServiceUnavailableError } from '../../../lambda/shared/errors';
import { createIngestHandler, UNVERIFIED_LIMIT } from '../../../lambda/ingest/ingest';
import { MAX_ENTRY_BYTES } from '../../../lambda/contract';
import { setLogWriter, type LogWriter } from '../../../lambda/shared/log';
import { fixtureBytes } from '../../support/fixtures';
import { basicAuth, proxyEvent } from '../../support/requests';

const config: IngestConfig = {
  eventBusName: 'jamf-bus',
  eventSource: 'jamf.pro',
  deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/dlq',
  webhookAuthSecretId: 'secret',
  maxBodyBytes: 64 * 1024,
  publishBudgetMs: 500,
  secretMaxStaleSeconds: 86400,
};
const AUTH = { authorization: basicAuth('jamf', 'pw') };
const verifier = createVerifier({ basic: [{ username: 'jamf', password: 'pw' }] });

describe('the ingest handler', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const sqs = mockClient(SQSClient);
  const handler = createIngestHandler({
    config,
    eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
    sqs: new SQSClient({ region: 'us-east-1' }),
    authenticate: authenticatorFor(async () => verifier),
    publishOptions: { sleep: async () => {}, backoffBaseMs: 1 },
  });
  let logLines: string[];
  let previousWriter: LogWriter;

  beforeEach(() => {
    eventBridge.reset();
    sqs.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    logLines = [];
    previousWriter = setLogWriter((line) => {
      logLines.push(line);
      previousWriter(line);
    });
  });
  afterEach(() => setLogWriter(previousWriter));

  const deadLetters = () => sqs.commandCalls(SendMessageCommand).map((c) => JSON.parse(c.args[0].input.MessageBody!));
  const body = (response: { body: string }) => JSON.parse(response.body);

  describe('when an XML webhook arrives', () => {
    it('publishes it and answers 200 with the event id', async () => {
      const response = await handler(proxyEvent(fixtureBytes('ComputerAdded', 'xml'), { 'Content-Type': 'text/xml', ...AUTH }));
      expect(response.statusCode).toBe(200);
      expect(body(response)).toEqual({ status: 'published', eventId: 'evt-1', detailType: 'jamf.ComputerAdded' });
      const sent = eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
      expect(sent).toMatchObject({ EventBusName: 'jamf-bus', Source: 'jamf.pro', DetailType: 'jamf.ComputerAdded' });
      expect(deadLetters()).toEqual([]);
    });
  });

  describe('with logPublishedWebhooks off', () => {
    const quiet = createIngestHandler({
      config: { ...config, logPublishedWebhooks: false },
      eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
      authenticate: authenticatorFor(async () => verifier),
      publishOptions: { sleep: async () => {}, backoffBaseMs: 1 },
    });

    it('writes no line for a published webhook, and still one for a refused or failed one', async () => {
      expect((await quiet(proxyEvent(fixtureBytes('ComputerAdded', 'json'), AUTH))).statusCode).toBe(200);
      expect(logLines).toEqual([]);
      expect((await quiet(proxyEvent('{"webhook":', AUTH))).statusCode).toBe(400);
      eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('down'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
      expect((await quiet(proxyEvent(fixtureBytes('ComputerAdded', 'json'), AUTH))).statusCode).toBe(503);
      expect(logLines.map((line) => (JSON.parse(line) as { outcome?: string }).outcome)).toEqual(['rejected', 'failed']);
    });
  });

  it('answers 401 with a Basic challenge, and neither publishes nor dead-letters', async () => {
    const response = await handler(proxyEvent(fixtureBytes('ComputerAdded', 'json'), { authorization: basicAuth('jamf', 'no') }));
    expect(response.statusCode).toBe(401);
    expect(response.headers).toMatchObject({ 'www-authenticate': expect.stringContaining('Basic') });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(deadLetters()).toEqual([]);
  });

  it('answers 503, and keeps nothing, when the credentials cannot be read', async () => {
    const failing = createIngestHandler({
      config,
      eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
      authenticate: async () => {
        throw new ServiceUnavailableError('CredentialsUnavailable', 'The webhook credentials could not be read');
      },
    });
    const response = await failing(proxyEvent('{}', AUTH));
    expect(response.statusCode).toBe(503);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it.each([
    ['a malformed body', '{"webhook":', 400, 'MalformedJson'],
    ['a body that is neither JSON nor XML', 'hello', 415, 'UnsupportedMediaType'],
    ['a body that is not a webhook', '{"a":1}', 422, 'NotAJamfWebhook'],
    ['fields that cannot be coerced', '{"webhook":{"webhookEvent":"ComputerAdded"},"event":{"jssID":"x"}}', 422, 'InvalidEvent'],
  ])('answers %s with %i and dead-letters it with the reason', async (_what, sent, status, code) => {
    const response = await handler(proxyEvent(sent, AUTH));
    expect(response.statusCode).toBe(status);
    expect(body(response)).toMatchObject({ error: code, deadLettered: true });
    expect(deadLetters()).toEqual([expect.objectContaining({ reason: expect.objectContaining({ code, statusCode: status }), body: sent })]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('answers 413 for a body over the limit and keeps its start', async () => {
    const response = await handler(proxyEvent(Buffer.alloc(config.maxBodyBytes + 1, 'x'), AUTH));
    expect(response.statusCode).toBe(413);
    const [letter] = deadLetters();
    expect(letter).toMatchObject({ reason: { code: 'BodyTooLarge' }, bodyBytes: config.maxBodyBytes + 1, bodyTruncated: true });
    expect(letter.body).toHaveLength(64 * 1024);
  });

  it('answers 413 for an event too large for EventBridge that is not split in parts, and dead-letters it', async () => {
    const big = createIngestHandler({
      config: { ...config, maxBodyBytes: 2 * 1024 * 1024 },
      eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
      authenticate: authenticatorFor(async () => verifier),
    });
    // An inventory event has no list to split along.
    const sent = JSON.stringify({
      webhook: { webhookEvent: 'ComputerInventoryCompleted' },
      event: { computer: { jssID: 1, notes: 'x'.repeat(MAX_ENTRY_BYTES) } },
    });
    const response = await big(proxyEvent(sent, AUTH));
    expect(response.statusCode).toBe(413);
    expect(body(response)).toMatchObject({ error: 'EventTooLarge', deadLettered: true });
    expect(deadLetters()[0]).toMatchObject({ eventName: 'ComputerInventoryCompleted' });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  describe('when EventBridge fails', () => {
    it('starts loading the dead-letter client when an attempt fails, not when the letter is due', async () => {
      let loads = 0;
      const prepared = createIngestHandler({
        config,
        eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
        sqs: async () => {
          loads += 1;
          return new SQSClient({ region: 'us-east-1' });
        },
        authenticate: authenticatorFor(async () => verifier),
        publishOptions: { sleep: async () => {}, backoffBaseMs: 1 },
      });
      eventBridge
        .on(PutEventsCommand)
        .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] })
        .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-2' }] });
      expect((await prepared(proxyEvent(fixtureBytes('JSSStartup', 'json'), AUTH))).statusCode).toBe(200);
      // Published on the retry: no letter was sent, but the client was loaded in case one was.
      expect(loads).toBe(1);
      expect(deadLetters()).toEqual([]);
    });

    it('retries a throttled entry and then answers 200', async () => {
      eventBridge
        .on(PutEventsCommand)
        .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] })
        .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-2' }] });
      const response = await handler(proxyEvent(fixtureBytes('JSSStartup', 'json'), AUTH));
      expect(response.statusCode).toBe(200);
      expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(2);
    });

    it('answers 503, saying the webhook was dead-lettered with the attempts made', async () => {
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException' }] });
      const response = await handler(proxyEvent(fixtureBytes('JSSStartup', 'json'), AUTH));
      expect(response.statusCode).toBe(503);
      expect(body(response)).toMatchObject({ error: 'PublishFailed', deadLettered: true });
      expect(deadLetters()[0]).toMatchObject({
        eventName: 'JSSStartup',
        reason: { code: 'PublishFailed', statusCode: 503, attempts: 1 },
      });
    });

    it('counts the failure in its log line: PublishFailed and DeadLettered', async () => {
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException' }] });
      await handler(proxyEvent(fixtureBytes('JSSStartup', 'json'), AUTH));
      expect(JSON.parse(logLines.at(-1)!)).toMatchObject({
        outcome: 'failed',
        errorCode: 'PublishFailed',
        Published: 0,
        PublishFailed: 1,
        DeadLettered: 1,
      });
    });

    it('answers 503 with deadLettered false when the dead-letter queue fails too', async () => {
      eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
      sqs.on(SendMessageCommand).rejects(new Error('queue down'));
      const response = await handler(proxyEvent(fixtureBytes('JSSStartup', 'json'), AUTH));
      expect(response.statusCode).toBe(503);
      expect(body(response)).toMatchObject({ deadLettered: false });
    });
  });

  it('keeps the webhook in the log when the SQS client, made on first use, cannot be loaded', async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    const withoutSqs = createIngestHandler({
      config,
      eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
      sqs: () => Promise.reject(new Error('Cannot find module')),
      authenticate: authenticatorFor(async () => verifier),
      publishOptions: { sleep: async () => {}, backoffBaseMs: 1 },
    });
    const response = await withoutSqs(proxyEvent(fixtureBytes('JSSStartup', 'json'), AUTH));
    expect(response.statusCode).toBe(503);
    expect(body(response)).toMatchObject({ error: 'PublishFailed', deadLettered: false });
    const lines = logLines.map((line) => JSON.parse(line) as { message?: string; deadLetter?: { eventName?: string } });
    expect(lines.find((line) => line.message === 'dead-letter')?.deadLetter).toMatchObject({ eventName: 'JSSStartup' });
    expect(lines.at(-1)).toMatchObject({ deadLetterLogged: true });
  });

  it('writes one JSON log line per request, without the body', async () => {
    await handler(proxyEvent(fixtureBytes('SCEPChallenge', 'json'), AUTH));
    expect(logLines).toHaveLength(1);
    const line = JSON.parse(logLines[0]!);
    expect(line).toMatchObject({ function: 'ingest', eventName: 'SCEPChallenge', outcome: 'published', status: 200, Published: 1 });
    expect(logLines[0]).not.toContain('targetUser');
  });
});

describe('the ingest handler, when the credentials cannot be read', () => {
  const sqs = mockClient(SQSClient);
  const outage = () => Promise.reject(new ServiceUnavailableError('CredentialsUnavailable', 'The webhook credentials could not be read'));
  const handler = createIngestHandler({
    config,
    eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
    sqs: new SQSClient({ region: 'us-east-1' }),
    authenticate: outage,
  });
  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  });

  it('keeps the request unverified: its body, and digests of what it presented, never the credential', async () => {
    const response = await handler(proxyEvent(fixtureBytes('ComputerAdded', 'json'), { 'Content-Type': 'application/json', ...AUTH }));
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'CredentialsUnavailable', deadLettered: true });
    const letter = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
    expect(letter.unverified.credentials.basic).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(letter.unverified.bodyBase64, 'base64')).toEqual(fixtureBytes('ComputerAdded', 'json'));
    expect(JSON.stringify(letter)).not.toContain(AUTH.authorization.slice('Basic '.length));
  });

  it(`keeps at most ${UNVERIFIED_LIMIT.requests} per instance, so an outage is no free write path for strangers`, async () => {
    const fresh = createIngestHandler({
      config,
      eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
      authenticate: outage,
    });
    const answers = [];
    for (let i = 0; i <= UNVERIFIED_LIMIT.requests; i += 1) {
      answers.push(JSON.parse((await fresh(proxyEvent('{}', { 'Content-Type': 'application/json' }))).body).deadLettered);
    }
    expect(answers.filter((kept) => kept === true)).toHaveLength(UNVERIFIED_LIMIT.requests);
    expect(answers.at(-1)).toBeUndefined();
  });
});

describe('the ingest handler with named Jamf Pro instances', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const sqs = mockClient(SQSClient);
  const instances = new Map([
    ['sandbox', { webhookAuthSecretId: 'sandbox-secret', eventSource: 'jamf.sandbox' }],
    ['eu', { webhookAuthSecretId: 'eu-secret' }],
  ]);
  const verifiers = {
    default: createVerifier({ basic: [{ username: 'jamf', password: 'pw' }] }),
    sandbox: createVerifier({ basic: [{ username: 'jamf', password: 'sandbox-pw' }] }),
    eu: createVerifier({ basic: [{ username: 'jamf', password: 'eu-pw' }] }),
  };
  const handler = createIngestHandler({
    config: { ...config, instances },
    eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
    sqs: new SQSClient({ region: 'us-east-1' }),
    authenticate: async (request, instance) => (verifiers[(instance ?? 'default') as keyof typeof verifiers]).verify(request),
    publishOptions: { sleep: async () => {}, backoffBaseMs: 1 },
  });
  const send = (password: string, resource: string) =>
    handler(proxyEvent(fixtureBytes('ComputerAdded', 'json'), { 'Content-Type': 'application/json', authorization: basicAuth('jamf', password) }, resource));
  const published = () => eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]!);

  beforeEach(() => {
    eventBridge.reset();
    sqs.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  });

  it("publishes an instance's webhook with its source and its name in delivery.instance", async () => {
    expect((await send('sandbox-pw', '/webhooks/sandbox')).statusCode).toBe(200);
    expect((await send('eu-pw', '/webhooks/eu')).statusCode).toBe(200);

    const [sandbox, eu] = published();
    expect(sandbox).toMatchObject({ Source: 'jamf.sandbox' });
    expect(JSON.parse(sandbox!.Detail!).delivery.instance).toBe('sandbox');
    // Without a source of its own, the stack's.
    expect(eu).toMatchObject({ Source: 'jamf.pro' });
    expect(JSON.parse(eu!.Detail!).delivery.instance).toBe('eu');
  });

  it('keeps the default instance at /webhooks, without delivery.instance', async () => {
    expect((await send('pw', '/webhooks')).statusCode).toBe(200);

    expect(published()[0]).toMatchObject({ Source: 'jamf.pro' });
    expect(JSON.parse(published()[0]!.Detail!).delivery).not.toHaveProperty('instance');
  });

  it("refuses one instance's credentials on another's route", async () => {
    expect((await send('sandbox-pw', '/webhooks/eu')).statusCode).toBe(401);
    expect((await send('pw', '/webhooks/sandbox')).statusCode).toBe(401);
    expect((await send('sandbox-pw', '/webhooks')).statusCode).toBe(401);
    expect(published()).toEqual([]);
  });

  it('answers 404 for an instance it does not serve, before reading any credentials', async () => {
    const response = await send('pw', '/webhooks/test');

    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'NoSuchInstance' });
    expect(published()).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)).toEqual([]);
  });

  it('keeps the instance in a dead letter', async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('down'), { name: 'InternalException' }));

    expect((await send('sandbox-pw', '/webhooks/sandbox')).statusCode).toBe(503);
    const letter = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
    expect(letter).toMatchObject({ instance: 'sandbox', entry: { Source: 'jamf.sandbox' } });
  });
});
