import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { authenticatorFor } from '../../../lambda/auth/source';
import { createVerifier } from '../../../lambda/auth/verify';
import { createIngestHandler } from '../../../lambda/ingest/ingest';
import { fixtureBytes, fixtureNames } from '../../support/fixtures';
import { proxyEvent } from '../../support/requests';

const HANDLED_REJECTIONS = new Set([400, 413, 415, 422]);

/** The keys named like a secret (as lambda/shared/redact.ts names them), at any depth. */
function secretKeys(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    ...(/^(?:password|passwd|secret|challenge|scepChallenge)$/i.test(key) ? [key] : []),
    ...secretKeys(inner),
  ]);
}

describe('the ingest handler on arbitrary input', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const sqs = mockClient(SQSClient);
  const published: PutEventsRequestEntry[] = [];
  const handler = createIngestHandler({
    config: {
      eventBusName: 'bus',
      eventSource: 'jamf.pro',
      deadLetterQueueUrl: 'https://sqs/dlq',
      webhookAuthSecretId: 'secret',
      maxBodyBytes: 256 * 1024,
      publishBudgetMs: 500,
      secretMaxStaleSeconds: 86400,
    },
    eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
    sqs: new SQSClient({ region: 'us-east-1' }),
    authenticate: authenticatorFor(async () => createVerifier({ none: true })),
  });

  beforeAll(() => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      published.push(...input.Entries);
      return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
    });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
  });
  beforeEach(() => {
    published.length = 0;
  });

  /** A handled 4xx with a JSON reason, or a 200 whose published entry is a well-formed Jamf event. */
  async function assertHandled(body: Uint8Array, contentType: string | undefined): Promise<void> {
    published.length = 0;
    const response = await handler(proxyEvent(Buffer.from(body), contentType ? { 'content-type': contentType } : {}));
    if (response.statusCode === 200) {
      expect(published).toHaveLength(1);
      const entry = published[0]!;
      const detail = JSON.parse(entry.Detail!);
      expect(entry.DetailType).toBe(`jamf.${detail.webhook.webhookEvent}`);
      expect(detail.webhook.webhookEvent).toMatch(/^[A-Za-z0-9]{1,64}$/);
      expect(typeof detail.event).toBe('object');
      // No secret-named field survives decoding. (Not "no secret text": a mutation can cut a
      // fixture so that the password's text ends up in another field's value.)
      expect(secretKeys(detail)).toEqual([]);
    } else {
      expect(HANDLED_REJECTIONS).toContain(response.statusCode);
      expect(JSON.parse(response.body)).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      expect(published).toHaveLength(0);
    }
  }

  const contentTypes = fc.constantFrom(undefined, 'application/json', 'text/xml', 'application/xml', 'text/plain');

  it('answers random bytes with a handled 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), contentTypes, (bytes, type) => assertHandled(bytes, type)),
      { numRuns: 300 },
    );
  });

  it('answers random JSON values with a handled 4xx or a correct publish', async () => {
    const webhookish = fc.record({
      webhook: fc.record({ webhookEvent: fc.oneof(fc.constantFrom(...fixtureNames()), fc.string()), id: fc.jsonValue() }, { requiredKeys: [] }),
      event: fc.jsonValue(),
    }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), webhookish), contentTypes, (value, type) =>
        assertHandled(Buffer.from(JSON.stringify(value) ?? 'null'), type),
      ),
      { numRuns: 300 },
    );
  });

  it('answers random mutations of the fixtures with a handled 4xx or a correct publish', async () => {
    const fixtures = fixtureNames().flatMap((name) => [
      { bytes: fixtureBytes(name, 'json'), type: 'application/json' },
      { bytes: fixtureBytes(name, 'xml'), type: 'text/xml' },
    ]);
    const mutation = fc.record({
      fixture: fc.constantFrom(...fixtures),
      at: fc.nat(),
      length: fc.nat({ max: 40 }),
      insert: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('<', '>', '"', '{', '}', '&amp;', '<a>', '</', ',', '\\u0000', '__proto__')),
    });
    await fc.assert(
      fc.asyncProperty(mutation, ({ fixture, at, length, insert }) => {
        const text = fixture.bytes.toString('utf8');
        const start = at % (text.length + 1);
        const mutated = text.slice(0, start) + insert + text.slice(start + length);
        return assertHandled(Buffer.from(mutated), fixture.type);
      }),
      { numRuns: 500 },
    );
  });
});
