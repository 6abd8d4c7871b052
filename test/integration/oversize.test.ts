/**
 * The claim check through the local runtime, over real HTTP: an oversize webhook
 * becomes a stub on the bus and an object in the local S3, a subscriber's
 * fetchOversize reads it back with the real S3 client, and a dead letter too
 * large for the queue goes to the bucket and comes back with the redrive.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { MAX_DEAD_LETTER_BYTES, MAX_ENTRY_BYTES } from '../../lambda/contract';
import { fetchOversize, isOversizeStub, OversizeMismatchError } from '../../lambda/events/fetch-oversize';
import { S3ServiceError } from '../../lambda/local/buckets';
import { LOCAL_OVERSIZE_BUCKET, type LocalEvent } from '../../lambda/local/runtime';
import { getJson, post, useLocalRuntime } from '../support/local-runtime';
import { oversizeInventoryWebhook, oversizeUnknownWebhook } from '../support/oversize';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';

const runtime = useLocalRuntime({
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
});
const HEADERS = { 'content-type': 'application/json', authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };

/** A subscriber's S3 client, pointed at the local endpoint as AWS_ENDPOINT_URL_S3 would point it. */
const subscriberS3 = () =>
  new S3Client({
    endpoint: runtime().awsEndpointUrl,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** What a subscriber receives for the last event on the bus. */
function lastDelivered() {
  const event = runtime().events().at(-1) as LocalEvent & { Detail: Record<string, any> };
  return {
    version: '0',
    id: 'e1',
    'detail-type': event.DetailType,
    source: event.Source,
    account: '000000000000',
    time: '2026-02-03T14:27:50Z',
    region: 'us-east-1',
    resources: [],
    detail: event.Detail,
  };
}

describe('an event too large for the bus, through npm start', () => {
  it.each([
    ['an inventory event with huge extension attributes', () => oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES), 'jamf.ComputerInventoryCompleted'],
    ['an event the catalogue does not know', () => oversizeUnknownWebhook(2 * MAX_ENTRY_BYTES), 'jamf.FleetReportGenerated'],
  ])('arrives as a stub of %s, and fetchOversize reads the whole detail back', async (_name, make, detailType) => {
    const webhook = make();
    const response = await post(runtime().webhookUrl, JSON.stringify(webhook), HEADERS);
    expect(response).toMatchObject({ status: 200, body: { status: 'published', detailType } });

    const [shown] = ((await getJson(`${runtime().url}/_local/events`)) as Array<{ DetailType: string; Detail: any }>).slice(-1);
    expect(shown).toMatchObject({ DetailType: detailType, Detail: { delivery: { oversize: { bucket: LOCAL_OVERSIZE_BUCKET } } } });
    const stub = lastDelivered();
    expect(isOversizeStub(stub)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(stub.detail))).toBeLessThan(MAX_ENTRY_BYTES);

    const whole = await fetchOversize(stub, { client: subscriberS3() });
    expect(whole).toMatchObject({ id: stub.id, 'detail-type': detailType, time: stub.time });
    expect(whole.detail.delivery).toEqual({ id: stub.detail.delivery.id, receivedAt: stub.detail.delivery.receivedAt, encoding: 'utf-8' });
    expect(whole.detail.webhook).toEqual(stub.detail.webhook);
    const sentLists = Object.values(webhook.event).filter(Array.isArray);
    const fetchedLists = Object.values(whole.detail.event as Record<string, unknown>).filter(Array.isArray);
    expect(fetchedLists).toEqual(sentLists);
    expect(Buffer.byteLength(JSON.stringify(whole.detail))).toBe(stub.detail.delivery.oversize.bytes);
  });

  it('fetchOversize returns a whole event as it is, without a call', async () => {
    await post(runtime().webhookUrl, JSON.stringify({ webhook: { webhookEvent: 'ComputerAdded', id: 1 }, event: { serialNumber: 'S1' } }), HEADERS);
    const event = lastDelivered();
    expect(await fetchOversize(event, { client: new S3Client({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' }) })).toBe(event);
  });

  it('fetchOversize refuses an object that is another webhook\'s', async () => {
    await post(runtime().webhookUrl, JSON.stringify(oversizeUnknownWebhook(2 * MAX_ENTRY_BYTES)), HEADERS);
    const stub = lastDelivered();
    const other = { ...stub, detail: { ...stub.detail, delivery: { ...stub.detail.delivery, id: '0'.repeat(32) } } };
    await expect(fetchOversize(other, { client: subscriberS3() })).rejects.toThrow(OversizeMismatchError);
  });

  it('is dead-lettered with the reason when S3 fails, the bus untouched', async () => {
    runtime().setFaults({ s3: { error500: 1 }, seed: 1 });
    const before = runtime().events().length;
    try {
      const response = await post(runtime().webhookUrl, JSON.stringify(oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES)), HEADERS);
      expect(response).toMatchObject({ status: 503, body: { error: 'OversizeStoreFailed', deadLettered: true } });
    } finally {
      runtime().setFaults({});
    }
    expect(runtime().events()).toHaveLength(before);
    expect(runtime().deadLetters().at(-1)).toMatchObject({ reason: { code: 'OversizeStoreFailed', statusCode: 503, message: expect.stringMatching(/InternalError/) } });
    expect(runtime().faults().injected.s3.error500).toBeGreaterThan(0);
  });

  it('keeps a dead letter too large for the queue whole in the bucket, and the redrive publishes it as a stub', async () => {
    // The bucket refuses the event's object (not the letter's): the claim check fails, and the letter
    // holds the whole entry and body, far over SQS's limit.
    const buckets = runtime().buckets;
    const apply = buckets.apply.bind(buckets);
    buckets.apply = (request, body, contentType) => {
      if (request.operation === 'S3.PutObject' && request.key.startsWith('events/')) throw new S3ServiceError('AccessDenied', 'Access Denied', 403);
      return apply(request, body, contentType);
    };
    const webhook = oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES);
    let response;
    try {
      response = await post(runtime().webhookUrl, JSON.stringify(webhook), HEADERS);
    } finally {
      buckets.apply = apply;
    }
    expect(response).toMatchObject({ status: 503, body: { error: 'OversizeStoreFailed', deadLettered: true } });
    const message = runtime().queues.messages.at(-1)!;
    expect(Buffer.byteLength(message.Body)).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
    const letter = JSON.parse(message.Body) as { stored?: { bucket: string; key: string; bytes: number }; entry?: unknown; bodyTruncated: boolean };
    expect(letter).toMatchObject({ stored: { bucket: LOCAL_OVERSIZE_BUCKET, key: expect.stringMatching(/^dead-letters\//) }, bodyTruncated: true });
    const stored = buckets.get(LOCAL_OVERSIZE_BUCKET, letter.stored!.key)!;
    expect(stored.body.byteLength).toBe(letter.stored!.bytes);
    expect(JSON.parse(stored.body.toString('utf8'))).toMatchObject({ bodyTruncated: false, bodyBytes: Buffer.byteLength(JSON.stringify(webhook)) });

    const before = runtime().events().length;
    const summary = await runtime().redrive();
    // The letter of the test before, whose bucket was down for the letter too, kept only the reason
    // and the body's start: it stays, for a person.
    expect(summary).toMatchObject({ published: 1, leftFailed: 0, leftUnpublishable: 1 });
    const [redriven] = runtime().events().slice(before) as Array<LocalEvent & { Detail: Record<string, any> }>;
    expect(redriven).toMatchObject({ DetailType: 'jamf.ComputerInventoryCompleted', Detail: { delivery: { oversize: { bucket: LOCAL_OVERSIZE_BUCKET } } } });
    const whole = JSON.parse(buckets.get(LOCAL_OVERSIZE_BUCKET, redriven!.Detail.delivery.oversize.key)!.body.toString('utf8'));
    expect(whole.event.extensionAttributes).toEqual(webhook.event.extensionAttributes);
    expect(whole.delivery.id).toBe(redriven!.Detail.delivery.id);
  });
});
