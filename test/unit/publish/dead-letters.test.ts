import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Deadline } from '../../../lambda/shared/deadline';
import { mockClient } from 'aws-sdk-client-mock';
import {
  deadLetterMessage,
  jsonStringPrefix,
  MAX_DEAD_LETTER_BYTES,
  sendDeadLetter,
  sqsMessageBytes,
  type DeadLetterInput,
} from '../../../lambda/publish/dead-letters';
import { decodeWebhook } from '../../../lambda/decode/decode';
import { toPutEventsEntries } from '../../../lambda/publish/entry';
import { fixtureBytes, FIXTURE_SCEP_PASSWORD } from '../../support/fixtures';
import { smartGroupChange } from '../../support/smart-group-change';

const input = (body: Uint8Array, extra: Partial<DeadLetterInput> = {}): DeadLetterInput => ({
  reason: { code: 'InvalidEvent', message: 'bad', statusCode: 422 },
  requestId: 'req-1',
  receivedAt: new Date('2026-11-26T10:00:00Z'),
  contentType: 'text/xml',
  eventName: 'SCEPChallenge',
  body,
  ...extra,
});

describe('deadLetterMessage', () => {
  it('keeps the body, the reason and where it came from', () => {
    const record = JSON.parse(deadLetterMessage(input(Buffer.from('<a>1</a>'))));
    expect(record).toEqual({
      version: 2,
      reason: { code: 'InvalidEvent', message: 'bad', statusCode: 422 },
      requestId: 'req-1',
      receivedAt: '2026-11-26T10:00:00.000Z',
      contentType: 'text/xml',
      eventName: 'SCEPChallenge',
      bodyBytes: 8,
      bodyTruncated: false,
      body: '<a>1</a>',
    });
  });

  it.each(['json', 'xml'] as const)('masks the SCEP password of a %s body', (format) => {
    const message = deadLetterMessage(input(fixtureBytes('SCEPChallenge', format)));
    expect(message).not.toContain(FIXTURE_SCEP_PASSWORD);
    expect(message).toContain('[REDACTED]');
  });

  it('keeps only the start of a body that is over the size limit', () => {
    const record = JSON.parse(deadLetterMessage(input(Buffer.alloc(300_000, 'a'), { truncateBody: true })));
    expect(record).toMatchObject({ bodyBytes: 300_000, bodyTruncated: true });
    expect(record.body).toHaveLength(64 * 1024);
  });

  it('fits the queue even when escaping grows the body six-fold', () => {
    const message = deadLetterMessage(input(Buffer.alloc(256 * 1024, 1)));
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
    expect(JSON.parse(message).bodyTruncated).toBe(true);
  });

  it('escapes characters SQS refuses', () => {
    const message = deadLetterMessage(input(Buffer.from([0x3c, 0x00, 0xef, 0xbf, 0xbf, 0x3e])));
    expect(message).not.toMatch(/[\u0000\uFFFF]/);
    expect(JSON.parse(message).body).toBe('<\u0000\uFFFF>');
  });

  it('reads a body that is not UTF-8 as the decoder does (windows-1252), so that masking sees its fields', () => {
    const message = deadLetterMessage(input(Buffer.from('{"password":"Caf\u00e9"}', 'latin1')));
    expect(JSON.parse(message).body).toBe('{"password":"[REDACTED]"}');
  });

  it('masks a password in a UTF-16 body, which masking the bytes as UTF-8 would miss', () => {
    const body = Buffer.from('{"webhook":{},"event":{"targetUser":{"password":"hunter2-utf16"}}}', 'utf16le');
    const message = deadLetterMessage({ ...input(body), contentType: 'application/json; charset=utf-16le' });
    expect(JSON.parse(message).body).toContain('"password":"[REDACTED]"');
    expect(message).not.toContain('hunter2');
  });
});

describe('jsonStringPrefix', () => {
  /** The bytes of `text` inside a letter's JSON string: escaped, with SQS's two refused characters escaped too. */
  const written = (text: string) => Buffer.byteLength(JSON.stringify(text).replace(/[\uFFFE\uFFFF]/g, '\\uffff')) - 2;
  const text = 'a"\\\n\u0001é€😀\uD800x\uDC00\uFFFF\t'.repeat(3);

  it('gives the longest prefix within the room, never half a surrogate pair', () => {
    for (let room = 0; room <= written(text) + 1; room++) {
      const chars = jsonStringPrefix(text, room);
      expect(written(text.slice(0, chars))).toBeLessThanOrEqual(room);
      const pair = /[\uD800-\uDBFF]/.test(text[chars] ?? '') && /[\uDC00-\uDFFF]/.test(text[chars + 1] ?? '');
      if (chars < text.length) expect(written(text.slice(0, chars + (pair ? 2 : 1)))).toBeGreaterThan(room);
      else expect(written(text)).toBeLessThanOrEqual(room);
    }
  });
});

describe('sendDeadLetter', () => {
  const sqs = mockClient(SQSClient);
  const client = new SQSClient({ region: 'us-east-1' });
  const logged: string[] = [];
  const options = (ms = 1000) => ({ deadline: Deadline.after(ms), sleep: async () => {}, fallback: (m: string) => logged.push(m) });
  beforeEach(() => {
    sqs.reset();
    logged.length = 0;
  });

  it('sends the record with its reason as a message attribute', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    await expect(sendDeadLetter(client, 'https://sqs/q', input(Buffer.from('{}')), options())).resolves.toEqual({ stored: true });
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent.QueueUrl).toBe('https://sqs/q');
    expect(sent.MessageAttributes).toEqual({
      reason: { DataType: 'String', StringValue: 'InvalidEvent' },
      eventName: { DataType: 'String', StringValue: 'SCEPChallenge' },
    });
    expect(logged).toEqual([]);
  });

  it('retries a queue that fails for a moment', async () => {
    sqs
      .on(SendMessageCommand)
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }))
      .rejectsOnce(Object.assign(new Error('reset'), { name: 'Error', code: 'ECONNRESET' }))
      .resolves({ MessageId: 'm-1' });
    await expect(sendDeadLetter(client, 'https://sqs/q', input(Buffer.from('{}')), options())).resolves.toEqual({ stored: true });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(3);
  });

  it('logs the record for a redrive, without throwing, when the queue refuses', async () => {
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    await expect(sendDeadLetter(client, 'https://sqs/q', input(Buffer.from('{}')), options())).resolves.toEqual({
      stored: false,
      errorCode: 'AccessDenied',
      logged: true,
    });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({ version: 2, reason: { code: 'InvalidEvent' }, eventName: 'SCEPChallenge' });
  });

  it('takes a function that makes the client on first use, and sends with it', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const load = jest.fn(async () => client);
    await expect(sendDeadLetter(load, 'https://sqs/q', input(Buffer.from('{}')), options())).resolves.toEqual({ stored: true });
    expect(load).toHaveBeenCalledTimes(1);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('logs the record at once, without throwing, when the client cannot even be loaded', async () => {
    const load = jest.fn(() => Promise.reject(Object.assign(new Error('Cannot find module chunks/dist-es.mjs'), { name: 'Error' })));
    const started = Date.now();
    await expect(sendDeadLetter(load, 'https://sqs/q', input(Buffer.from('{}')), options(5000))).resolves.toEqual({
      stored: false,
      errorCode: 'Error',
      logged: true,
    });
    // Not retried until the deadline: nothing was sent, and the log is where the letter goes.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(load).toHaveBeenCalledTimes(1);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(JSON.parse(logged[0]!)).toMatchObject({ version: 2, reason: { code: 'InvalidEvent' }, eventName: 'SCEPChallenge' });
  });

  it('logs the record at the deadline when loading the client never finishes', async () => {
    const result = await sendDeadLetter(() => new Promise(() => {}), 'https://sqs/q', input(Buffer.from('{}')), options(50));
    expect(result).toEqual({ stored: false, errorCode: 'TimeoutError', logged: true });
    expect(logged).toHaveLength(1);
  });

  it('gives up at the deadline on a queue that never answers, and logs the record', async () => {
    sqs.on(SendMessageCommand).callsFake(() => new Promise(() => {}));
    const result = await sendDeadLetter(client, 'https://sqs/q', input(Buffer.from('{}')), options(50));
    expect(result).toEqual({ stored: false, errorCode: 'TimeoutError', logged: true });
    expect(logged).toHaveLength(1);
  });
});

describe('deadLetterMessage of an unverified request', () => {
  const credentials = { salt: '00'.repeat(16), headers: {}, signatures: {} };

  it('keeps the exact body when it holds no secret', () => {
    const body = Buffer.from('{"webhook":{},"event":{"name":"Café"}}');
    const record = JSON.parse(deadLetterMessage(input(body, { unverified: credentials })));
    expect(Buffer.from(record.unverified.bodyBase64, 'base64')).toEqual(body);
    expect(record.unverified.bodyMasked).toBeUndefined();
  });

  it('keeps only the masked text of a body that holds a password, and says so', () => {
    const body = Buffer.from('{"webhook":{},"event":{"targetUser":{"password":"unverified-hunter2"}}}');
    const message = deadLetterMessage(input(body, { unverified: credentials }));
    expect(message).not.toContain('unverified-hunter2');
    expect(Buffer.from(JSON.stringify(JSON.parse(message))).toString('base64')).not.toContain(Buffer.from('unverified-hunter2').toString('base64'));
    expect(JSON.parse(message).unverified.bodyMasked).toBe(true);
  });

  it('gives up the body for people, then the unverified body, then the entry, to fit the queue', () => {
    const big = Buffer.alloc(MAX_DEAD_LETTER_BYTES, 0x61);
    const record = JSON.parse(deadLetterMessage(input(big, { unverified: credentials })));
    expect(record.body.length).toBeLessThan(big.length);
    expect(record.unverified).toEqual({ credentials });
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
  });
});

describe('sendDeadLetter with the oversize bucket', () => {
  const sqs = mockClient(SQSClient);
  const s3 = mockClient(S3Client);
  const oversize = { bucket: 'oversize', client: new S3Client({ region: 'us-east-1' }) };
  const queueUrl = 'https://sqs.us-east-1.amazonaws.com/1/dlq';
  /** A letter of a 2 MB body with the entry it was to publish: twice over SQS's limit. */
  const big = input(Buffer.from(JSON.stringify({ webhook: { webhookEvent: 'ComputerAdded' }, event: { note: 'n'.repeat(2_000_000) } })), {
    reason: { code: 'PublishFailed', message: 'x', statusCode: 503 },
    requestId: 'req/big 1',
    contentType: 'application/json',
    eventName: 'ComputerAdded',
    entry: { Source: 'jamf.pro', DetailType: 'jamf.ComputerAdded', Detail: JSON.stringify({ event: { note: 'n'.repeat(2_000_000) }, delivery: { id: 'b'.repeat(32) } }) },
  });
  const sent = () => sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.MessageBody!);

  beforeEach(() => {
    sqs.reset();
    s3.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    s3.on(PutObjectCommand).resolves({});
  });

  it('keeps a record too large for the queue whole in the bucket, and sends a message that points at it', async () => {
    const result = await sendDeadLetter(new SQSClient({ region: 'us-east-1' }), queueUrl, big, { deadline: Deadline.after(2000), oversize });
    expect(result).toEqual({ stored: true });
    const [object] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(object).toMatchObject({ Bucket: 'oversize', Key: 'dead-letters/2026-11-26/req_big_1.json' });
    const whole = JSON.parse(object!.Body as string);
    expect(whole).toMatchObject({ requestId: 'req/big 1', bodyTruncated: false, entry: big.entry, deliveryId: 'b'.repeat(32) });
    expect(whole.body).toBe(Buffer.from(big.body).toString('utf8'));
    const [message] = sent();
    expect(Buffer.byteLength(message!)).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
    expect(JSON.parse(message!)).toMatchObject({
      requestId: 'req/big 1',
      bodyTruncated: true,
      stored: { bucket: 'oversize', key: 'dead-letters/2026-11-26/req_big_1.json', bytes: Buffer.byteLength(object!.Body as string) },
    });
  });

  it('sends a record that fits as it is, with nothing in the bucket', async () => {
    await sendDeadLetter(new SQSClient({ region: 'us-east-1' }), queueUrl, input(Buffer.from('<a>1</a>')), { deadline: Deadline.after(2000), oversize });
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
    expect(JSON.parse(sent()[0]!)).not.toHaveProperty('stored');
  });

  it('sends the cut record alone when the bucket refuses it', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const result = await sendDeadLetter(new SQSClient({ region: 'us-east-1' }), queueUrl, big, { deadline: Deadline.after(2000), oversize });
    expect(result).toEqual({ stored: true });
    const message = JSON.parse(sent()[0]!);
    expect(message).not.toHaveProperty('stored');
    expect(message).not.toHaveProperty('entry');
    expect(message.bodyTruncated).toBe(true);
  });
});

describe('a dead letter of the missing parts of the 20,000-device change', () => {
  const sqs = mockClient(SQSClient);
  const s3 = mockClient(S3Client);
  const fleet = smartGroupChange();
  const receivedAt = new Date('2026-11-26T10:00:00Z');
  const parts = toPutEventsEntries(decodeWebhook(fleet.json, 'application/json'), { eventBusName: 'jamf-bus', eventSource: 'jamf.pro' }, receivedAt);
  /** Parts 1 and 2 (nearly 1 MiB each) not on the bus: the letter is several times SQS's limit. */
  const letter = input(fleet.json, {
    reason: { code: 'PublishFailed', message: 'x', statusCode: 503 },
    contentType: 'application/json',
    eventName: fleet.eventName,
    receivedAt,
    parts: { count: parts.length, missing: [1, 2].map((index) => ({ index, entry: parts[index - 1]! })) },
  });

  /** The characters JSON.stringify writes while `act` runs: the CPU a letter costs is mostly that. */
  async function stringified(act: () => unknown): Promise<number> {
    const original = JSON.stringify;
    let chars = 0;
    const spy = jest.spyOn(JSON, 'stringify').mockImplementation((...args: Parameters<typeof JSON.stringify>) => {
      const text = original(...args);
      chars += text?.length ?? 0;
      return text;
    });
    try {
      await act();
    } finally {
      spy.mockRestore();
    }
    return chars;
  }
  /** About the whole record's size, as the bucket keeps it: its body and its entries' details, escaped. */
  const wholeChars = () => JSON.stringify(fleet.json.toString('utf8')).length + JSON.stringify(parts.slice(0, 2).map((part) => part.Detail)).length;

  it('is built from the record serialised about once, not once for every cut', async () => {
    let message = '';
    const chars = await stringified(() => (message = deadLetterMessage(letter)));
    // The body takes all the room the attributes (`reason`, `eventName`) leave, and no more.
    const attributes = { reason: { DataType: 'String', StringValue: 'PublishFailed' }, eventName: { DataType: 'String', StringValue: fleet.eventName } };
    expect(sqsMessageBytes(message, attributes)).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
    expect(sqsMessageBytes(message, attributes)).toBeGreaterThan(MAX_DEAD_LETTER_BYTES - 8);
    expect(JSON.parse(message)).toMatchObject({ parts: { count: 3, missing: [1, 2] }, bodyTruncated: true });
    // The whole record once, and the body that fits once more (and a few small fields).
    expect(chars).toBeLessThanOrEqual(wholeChars() + MAX_DEAD_LETTER_BYTES + 4096);
  });

  it('with the bucket, keeps the whole record there and points at it, serialising it once', async () => {
    sqs.reset();
    s3.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    s3.on(PutObjectCommand).resolves({});
    const oversize = { bucket: 'oversize', client: new S3Client({ region: 'us-east-1' }) };
    const chars = await stringified(() =>
      sendDeadLetter(new SQSClient({ region: 'us-east-1' }), 'https://sqs/q', letter, { deadline: Deadline.after(60_000), oversize }),
    );
    const [object] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Body as string);
    expect(JSON.parse(object!)).toMatchObject({ parts: { count: 3, missing: [1, 2] }, entries: parts.slice(0, 2).map(({ Source, DetailType, Detail }) => ({ Source, DetailType, Detail })) });
    const [sent] = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    const message = sent!.MessageBody!;
    expect(sqsMessageBytes(message, sent!.MessageAttributes as Record<string, { DataType: string; StringValue: string }>)).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
    expect(JSON.parse(message)).toMatchObject({ parts: { count: 3, missing: [1, 2] }, stored: { bucket: 'oversize', bytes: Buffer.byteLength(object!) } });
    // The whole record once; the message that points at it holds only the start of the body.
    expect(chars).toBeLessThanOrEqual(wholeChars() + 64 * 1024);
  });
});
