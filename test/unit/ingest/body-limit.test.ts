/**
 * The default body limit is the largest body API Gateway can hand the ingest
 * function: Lambda takes at most 6 MiB of event JSON per synchronous invocation,
 * and API Gateway's event carries the body base64-encoded (the REST API, always;
 * the HTTP API, for any type it does not take for text) or as a JSON string.
 */
import { readFileSync } from 'node:fs';
import { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Socket } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createVerifier } from '../../../lambda/auth/verify';
import { authenticatorFor } from '../../../lambda/auth/source';
import {
  API_EVENT_ENVELOPE_BYTES,
  DEFAULT_MAX_BODY_BYTES,
  LAMBDA_SYNC_PAYLOAD_BYTES,
  MAX_BODY_BYTES_LIMIT,
  MAX_ENTRY_BYTES,
} from '../../../lambda/contract';
import { readIngestConfig } from '../../../lambda/ingest/config';
import { createIngestHandler } from '../../../lambda/ingest/ingest';
import { toApiEvent } from '../../../lambda/local/http-adapter';
import { oversizeInventoryWebhook } from '../../support/oversize';
import { smartGroupChange } from '../../support/smart-group-change';
import { basicAuth, proxyEvent } from '../../support/requests';

/** A body of exactly `bytes`: an oversize inventory webhook, padded with the whitespace JSON allows. */
function bodyOf(bytes: number): Buffer {
  const json = JSON.stringify(oversizeInventoryWebhook(bytes - 4 * 1024));
  if (Buffer.byteLength(json) > bytes) throw new Error('the webhook came out larger than asked');
  return Buffer.from(json + ' '.repeat(bytes - Buffer.byteLength(json)));
}

/** A request as Jamf Pro sends it, with extra headers up to `headerBytes` in all (API Gateway allows 10 KiB). */
function jamfRequest(headerBytes: number): IncomingMessage {
  const request = new IncomingMessage(new Socket());
  request.method = 'POST';
  request.url = '/webhooks';
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Authorization: basicAuth('jamf', 'a-password-of-thirty-two-chars!!'),
    'User-Agent': 'Jamf Pro/11.14.0',
    Host: 'abcdefghij.execute-api.eu-west-1.amazonaws.com',
  };
  const used = Object.entries(headers).reduce((n, [name, value]) => n + name.length + value.length + 4, 0);
  headers['X-Padding'] = 'p'.repeat(Math.max(0, headerBytes - used - 14));
  request.rawHeaders = Object.entries(headers).flat();
  request.headers = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return request;
}

const eventBytes = (event: unknown) => Buffer.byteLength(JSON.stringify(event), 'utf8');

describe('the default body limit', () => {
  it('is 4694016 bytes: 6 MiB less the envelope, in base64', () => {
    expect(MAX_BODY_BYTES_LIMIT).toBe(4_694_016);
    expect(DEFAULT_MAX_BODY_BYTES).toBe(MAX_BODY_BYTES_LIMIT);
    expect(readIngestConfig({ EVENT_BUS_NAME: 'b', DEAD_LETTER_QUEUE_URL: 'q' }).maxBodyBytes).toBe(MAX_BODY_BYTES_LIMIT);
  });

  it('is the largest: one more base64 quantum would leave the envelope less than its reserve', () => {
    const base64 = (bytes: number) => Math.ceil(bytes / 3) * 4;
    expect(LAMBDA_SYNC_PAYLOAD_BYTES - base64(MAX_BODY_BYTES_LIMIT)).toBeGreaterThanOrEqual(API_EVENT_ENVELOPE_BYTES);
    expect(LAMBDA_SYNC_PAYLOAD_BYTES - base64(MAX_BODY_BYTES_LIMIT + 3)).toBeLessThan(API_EVENT_ENVELOPE_BYTES);
  });

  it.each([
    ['json', 43_460, '43,460 devices as JSON'],
    ['xml', 20_953, '20,953 as XML'],
  ] as const)('holds a smart-group change of at most the devices docs/limits.md states (%s)', (format, members, stated) => {
    // The generator's computers, with their display fields.
    expect(smartGroupChange({ members })[format].byteLength).toBeLessThanOrEqual(DEFAULT_MAX_BODY_BYTES);
    expect(smartGroupChange({ members: members + 1 })[format].byteLength).toBeGreaterThan(DEFAULT_MAX_BODY_BYTES);
    expect(readFileSync(join(__dirname, '../../../docs/limits.md'), 'utf8').replace(/\s+/g, ' ')).toContain(stated);
  });

  const body = bodyOf(MAX_BODY_BYTES_LIMIT);

  it('fits a REST API event (base64, headers twice) with headers at API Gateway\'s 10 KiB limit', () => {
    const event = toApiEvent('rest', jamfRequest(10 * 1024), body, '/webhooks');
    expect(event.isBase64Encoded).toBe(true);
    expect(eventBytes(event)).toBeLessThanOrEqual(LAMBDA_SYNC_PAYLOAD_BYTES);
  });

  it('fits an HTTP API event that passes a Jamf JSON body as text, escaped', () => {
    const event = toApiEvent('http', jamfRequest(10 * 1024), body, '/webhooks');
    expect(event.isBase64Encoded).toBe(false);
    expect(eventBytes(event)).toBeLessThanOrEqual(LAMBDA_SYNC_PAYLOAD_BYTES);
  });

  describe('in the ingest function', () => {
    const eventBridge = mockClient(EventBridgeClient);
    const sqs = mockClient(SQSClient);
    const s3 = mockClient(S3Client);
    const handler = createIngestHandler({
      config: { eventBusName: 'bus', eventSource: 'jamf.pro', deadLetterQueueUrl: 'q', webhookAuthSecretId: 's', maxBodyBytes: DEFAULT_MAX_BODY_BYTES, publishBudgetMs: 5000, secretMaxStaleSeconds: 0 },
      eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
      oversize: { bucket: 'oversize', client: new S3Client({ region: 'us-east-1' }) },
      authenticate: authenticatorFor(async () => createVerifier({ basic: [{ username: 'jamf', password: 'pw' }] })),
    });
    const auth = { 'content-type': 'application/json', authorization: basicAuth('jamf', 'pw') };

    beforeEach(() => {
      for (const mock of [eventBridge, sqs, s3]) mock.reset();
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
      s3.on(PutObjectCommand).resolves({});
    });

    it('publishes a body of exactly the limit, as a stub with its whole detail in the bucket', async () => {
      const response = await handler(proxyEvent(body, auth));
      expect(response.statusCode).toBe(200);
      const [stored] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
      expect(Buffer.byteLength(stored!.Body as string)).toBeGreaterThan(MAX_ENTRY_BYTES);
      const sent = eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
      expect(JSON.parse(sent.Detail!).delivery.oversize).toMatchObject({ bucket: 'oversize', key: stored!.Key });
    });

    it('refuses a byte more with 413 BodyTooLarge, and keeps the start of it', async () => {
      const response = await handler(proxyEvent(Buffer.concat([body, Buffer.from(' ')]), auth));
      expect(response.statusCode).toBe(413);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'BodyTooLarge', deadLettered: true });
      const [letter] = sqs.commandCalls(SendMessageCommand).map((call) => JSON.parse(call.args[0].input.MessageBody!));
      expect(letter).toMatchObject({ reason: { code: 'BodyTooLarge' }, bodyBytes: MAX_BODY_BYTES_LIMIT + 1, bodyTruncated: true });
      expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
    });
  });
});
