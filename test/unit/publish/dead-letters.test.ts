import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Deadline } from '../../../lambda/shared/deadline';
import { mockClient } from 'aws-sdk-client-mock';
import {
  deadLetterMessage,
  MAX_DEAD_LETTER_BYTES,
  sendDeadLetter,
  type DeadLetterInput,
} from '../../../lambda/publish/dead-letters';
import { fixtureBytes, FIXTURE_SCEP_PASSWORD } from '../../support/fixtures';

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

  it('escapes characters SQS refuses and replaces invalid UTF-8', () => {
    const message = deadLetterMessage(input(Buffer.from([0x3c, 0xff, 0x00, 0xef, 0xbf, 0xbf, 0x3e])));
    expect(message).not.toMatch(/[\u0000\uFFFF]/);
    expect(JSON.parse(message).body).toBe('<\uFFFD\u0000\uFFFF>');
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

  it('gives up at the deadline on a queue that never answers, and logs the record', async () => {
    sqs.on(SendMessageCommand).callsFake(() => new Promise(() => {}));
    const result = await sendDeadLetter(client, 'https://sqs/q', input(Buffer.from('{}')), options(50));
    expect(result).toEqual({ stored: false, errorCode: 'TimeoutError', logged: true });
    expect(logged).toHaveLength(1);
  });
});
