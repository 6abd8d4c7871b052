/**
 * The oversize bucket as the redrive function and `npm run redrive` both use it.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_ENTRY_BYTES } from '../../../lambda/contract';
import { decodeWebhook } from '../../../lambda/decode/decode';
import { toPutEventsEntry } from '../../../lambda/publish/entry';
import { oversizeEventKey } from '../../../lambda/publish/oversize-store';
import type { PublishResult } from '../../../lambda/publish/publisher';
import { oversizeRedrive } from '../../../lambda/redrive/oversize';
import { oversizeInventoryWebhook } from '../../support/oversize';

const s3 = mockClient(S3Client);
const store = { bucket: 'oversize', client: new S3Client({ region: 'us-east-1' }) };
const ok: PublishResult = { ok: true, eventId: 'e', attempts: 1, ambiguous: false };

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
});

describe('oversizeRedrive', () => {
  it('publishes the stub of an entry over the limit, its whole detail stored first', async () => {
    const published: PutEventsRequestEntry[] = [];
    const { publish } = oversizeRedrive(async (entry) => (published.push(entry), ok), store);
    const entry = toPutEventsEntry(decodeWebhook(Buffer.from(JSON.stringify(oversizeInventoryWebhook(2 * MAX_ENTRY_BYTES))), 'application/json'), { eventBusName: 'bus', eventSource: 'jamf.pro' }, new Date());
    await expect(publish(entry)).resolves.toEqual(ok);
    const id = JSON.parse(entry.Detail!).delivery.id;
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toEqual([expect.objectContaining({ Bucket: 'oversize', Key: oversizeEventKey(id), Body: entry.Detail })]);
    expect(JSON.parse(published[0]!.Detail!).delivery.oversize).toMatchObject({ bucket: 'oversize', key: oversizeEventKey(id) });
  });

  it('reads a stored letter from the bucket it names', async () => {
    // The part of a response body getOversizeObject reads.
    const body = { transformToString: async () => '{"version":2}' };
    s3.on(GetObjectCommand).resolves({ Body: body as never });
    const { readStored } = oversizeRedrive(async () => ok, store);
    await expect(readStored!({ bucket: 'kept-in', key: 'dead-letters/2026-11-26/r.json', bytes: 13 })).resolves.toBe('{"version":2}');
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'kept-in', Key: 'dead-letters/2026-11-26/r.json' });
  });

  it('without a bucket, publishes as it is and reads no stored letter', () => {
    const publish = async () => ok;
    expect(oversizeRedrive(publish, undefined)).toEqual({ publish });
  });
});
