/**
 * The ingest handler's own work per warm request: authentication, decode,
 * the entry, and the PutEvents call through a real EventBridge client
 * (serialisation, SigV4 signing, parsing the answer), whose HTTP handler
 * answers at once in this process. Only the network is left out, which is
 * what a cost model adds back as EventBridge's latency. Also the CPU time
 * per request (`process.cpuUsage`, so the GC's threads count too), the
 * input for billed duration that no wait inflates.
 *
 * Every fixture event in both formats, in turns: a fleet sends a mix.
 */
import { Readable } from 'node:stream';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { authenticatorFor, credentialsVerifier } from '../lambda/auth/source';
import { readIngestConfig } from '../lambda/ingest/config';
import { createIngestHandler } from '../lambda/ingest/ingest';
import { BENCH_PASSWORD } from './aws';
import { fixtureNames, jamfEvent } from './events';
import { since } from './stats';
import { latency, withStdoutDiscarded, type Latency } from './warm';

export interface IngestWarmReport {
  readonly latency: Latency;
  /** User plus system CPU milliseconds per request, over the measured batch. */
  readonly cpuMsPerRequest: number;
  /** Distinct request bodies in the mix. */
  readonly bodies: number;
}

/** A request body as the SDK hands it to a handler: text, or its bytes. */
function textOf(body: unknown): string {
  if (typeof body === 'string') return body;
  return body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8') : '';
}

/** An SDK request handler that answers every call with `body` (or what it makes of the request's body), without a socket. */
function answeredAtOnce(body: string | ((requestBody: string) => string)) {
  return {
    handle: async (request: { body?: unknown }) => ({
      response: {
        statusCode: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'bench' },
        body: Readable.from([Buffer.from(typeof body === 'string' ? body : body(textOf(request.body)))]),
      },
    }),
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
}

const CLIENT = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  maxAttempts: 1,
};

/**
 * The ingest handler as the function builds it, with its AWS calls answered at once: PutEvents
 * takes every entry of a request (each gets an event id), after the SDK has serialised and
 * signed it. Accepts the bench's Basic credential.
 */
export function benchIngestHandler(): ReturnType<typeof createIngestHandler> {
  return createIngestHandler({
    config: readIngestConfig({ EVENT_BUS_NAME: 'bench', DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/000000000000/dlq' }),
    eventBridge: new EventBridgeClient({
      ...CLIENT,
      requestHandler: answeredAtOnce((request) => {
        const entries = (JSON.parse(request) as { Entries: unknown[] }).Entries;
        return JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_entry, i) => ({ EventId: `bench-event-${i}` })) });
      }),
    }),
    // Every request here publishes: a dead letter would be a failure of the bench, and shows as a non-200.
    sqs: new SQSClient({ ...CLIENT, requestHandler: answeredAtOnce('{}') }),
    authenticate: authenticatorFor(credentialsVerifier(async () => JSON.stringify({ basic: [{ username: 'jamf', password: BENCH_PASSWORD }] }))),
  });
}

export async function ingestOwnWork(iterations: number, warmup: number): Promise<IngestWarmReport> {
  return withStdoutDiscarded(async () => {
    const handler = benchIngestHandler();
    const events: APIGatewayProxyEvent[] = fixtureNames().flatMap((name) => [
      jamfEvent('/webhooks', name, 'json'),
      jamfEvent('/webhooks', name, 'xml'),
    ]);
    const once = async (event: APIGatewayProxyEvent): Promise<number> => {
      const started = process.hrtime.bigint();
      const response = await handler(event);
      const elapsed = since(started);
      // The event id shows the publish went through the client, not around it.
      if (response.statusCode !== 200 || !response.body.includes('"bench-event-0"')) {
        throw new Error(`ingest answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
      }
      return elapsed;
    };
    for (let i = 0; i < warmup; i++) await once(events[i % events.length]!);
    const samples: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < iterations; i++) samples.push(await once(events[i % events.length]!));
    const used = process.cpuUsage(cpu);
    return { latency: latency(samples), cpuMsPerRequest: (used.user + used.system) / 1000 / iterations, bodies: events.length };
  });
}
