/**
 * The local stack: the same ingest handler module the Lambda runs, behind an
 * HTTP server that plays API Gateway, with loopback endpoints that speak the
 * AWS wire protocols for EventBridge, SQS and Secrets Manager. The handler's
 * SDK clients reach them through the SDK's own endpoint settings.
 *
 * The handler reads its configuration at import, from `process.env`: run one
 * local stack per process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeadLetterRecord } from '../publish/dead-letters';
import { startAwsEndpoint, type AwsEndpoint } from './aws-endpoint';
import { LocalEventBus, type PublishedEvent } from './event-bus';
import { readBody, RequestTooLargeError, toProxyEvent, writeJson, writeProxyResult } from './http-adapter';
import { LocalQueues } from './queue';
import { LocalSecrets } from './secrets';

export const LOCAL_BUS_NAME = 'jamf-eventbridge';
export const LOCAL_DEAD_LETTER_QUEUE = 'jamf-eventbridge-dead-letters';
export const LOCAL_AUTH_SECRET = 'jamf-eventbridge/webhook-auth';

export interface LocalStackOptions {
  /** Port of the webhook server on 127.0.0.1; 0 picks a free one. */
  readonly port?: number;
  /** The credentials document (JSON text); absent or empty rejects every webhook. */
  readonly webhookAuth?: string;
  /** `Source` of published entries. @default 'jamf.pro' */
  readonly eventSource?: string;
  readonly onPublished?: (event: PublishedEvent) => void;
}

/** A published entry as `GET /_local/events` returns it. */
export type LocalEvent = Omit<PublishedEvent, 'EventId'>;

export interface DeadLetter extends DeadLetterRecord {
  readonly messageId: string;
}

export interface LocalStack {
  readonly url: string;
  readonly webhookUrl: string;
  readonly awsEndpointUrl: string;
  readonly bus: LocalEventBus;
  readonly queues: LocalQueues;
  events(): LocalEvent[];
  deadLetters(): DeadLetter[];
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const bus = new LocalEventBus(LOCAL_BUS_NAME, options.onPublished);
  const queues = new LocalQueues([LOCAL_DEAD_LETTER_QUEUE]);
  const secrets = new LocalSecrets();
  secrets.set(LOCAL_AUTH_SECRET, options.webhookAuth ?? '');
  const aws: AwsEndpoint = await startAwsEndpoint({ ...bus.operations, ...queues.operations, ...secrets.operations });

  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    // Static local credentials, so no profile, SSO or instance metadata is consulted.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    EVENT_BUS_NAME: LOCAL_BUS_NAME,
    EVENT_SOURCE: options.eventSource ?? process.env.EVENT_SOURCE ?? 'jamf.pro',
    DEAD_LETTER_QUEUE_URL: `${aws.url}/000000000000/${LOCAL_DEAD_LETTER_QUEUE}`,
    WEBHOOK_AUTH_SECRET_ID: LOCAL_AUTH_SECRET,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  // Loaded only now, after the environment above is set, as Lambda loads it after its own.
  const { handler } = require('../ingest/handler') as typeof import('../ingest/handler');

  const events = (): LocalEvent[] => bus.events.map(({ EventId: _id, ...event }) => event);
  const deadLetters = (): DeadLetter[] =>
    queues.messages.map((m) => ({ messageId: m.MessageId, ...(JSON.parse(m.Body) as DeadLetterRecord) }));

  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    (async () => {
      if (path === '/webhooks') {
        if (request.method !== 'POST') {
          response.setHeader('allow', 'POST');
          return writeJson(response, 405, { error: 'MethodNotAllowed', message: 'Use POST' });
        }
        const body = await readBody(request);
        return writeProxyResult(response, await handler(toProxyEvent(request, body, '/webhooks')));
      }
      if (request.method === 'GET' && path === '/_local/events') return writeJson(response, 200, events());
      if (request.method === 'GET' && path === '/_local/dead-letters') return writeJson(response, 200, deadLetters());
      if (request.method === 'GET' && path === '/healthz') return writeJson(response, 200, { status: 'ok' });
      return writeJson(response, 404, { error: 'NotFound', message: `No route for ${request.method} ${path}` });
    })().catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      if (error instanceof RequestTooLargeError) {
        return writeJson(response, 413, { error: 'BodyTooLarge', message: error.message });
      }
      // What API Gateway answers when the integration fails.
      writeJson(response, 502, { message: 'Internal server error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    webhookUrl: `${url}/webhooks`,
    awsEndpointUrl: aws.url,
    bus,
    queues,
    events,
    deadLetters,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await aws.close();
    },
  };
}
