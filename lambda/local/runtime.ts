/**
 * The local stack: the same handler modules the Lambdas run (ingest and SCEP),
 * behind an HTTP server that plays API Gateway, with loopback endpoints that
 * speak the AWS wire protocols for EventBridge, SQS, Secrets Manager and
 * DynamoDB. The handlers' SDK clients reach them through the SDK's own
 * endpoint settings.
 *
 * The handlers read their configuration at import, from `process.env`: run one
 * local stack per process.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeadLetterRecord } from '../publish/dead-letters';
import { startAwsEndpoint, type AwsEndpoint } from './aws-endpoint';
import { LocalEventBus, type PublishedEvent } from './event-bus';
import { readBody, RequestTooLargeError, toProxyEvent, writeJson, writeProxyResult } from './http-adapter';
import { LocalQueues } from './queue';
import { LocalSecrets } from './secrets';
import { LocalTable } from './table';

export const LOCAL_BUS_NAME = 'jamf-eventbridge';
export const LOCAL_DEAD_LETTER_QUEUE = 'jamf-eventbridge-dead-letters';
export const LOCAL_AUTH_SECRET = 'jamf-eventbridge/webhook-auth';
export const LOCAL_SCEP_SIGNING_KEY_SECRET = 'jamf-eventbridge/scep-signing-key';
export const LOCAL_SCEP_VERIFY_SECRET = 'jamf-eventbridge/scep-verify-secret';
export const LOCAL_SCEP_UPSTREAM_SECRET = 'jamf-eventbridge/scep-upstream';
export const LOCAL_USED_CHALLENGES_TABLE = 'jamf-eventbridge-used-challenges';

/** Where the SCEP function forwards challenge requests instead of signing (its upstream mode). */
export interface LocalScepUpstream {
  readonly url: string;
  /** Basic credentials sent upstream. */
  readonly username?: string;
  readonly password?: string;
  readonly timeoutMs?: number;
}

export interface LocalStackOptions {
  /** Port of the webhook server on 127.0.0.1; 0 picks a free one. */
  readonly port?: number;
  /** The credentials document (JSON text); absent or empty rejects every webhook. */
  readonly webhookAuth?: string;
  /** `Source` of published entries. @default 'jamf.pro' */
  readonly eventSource?: string;
  readonly onPublished?: (event: PublishedEvent) => void;
  /** Key that signs SCEP challenges (at least 32 characters). @default - generated at start */
  readonly scepChallengeKey?: string;
  /** step-ca's webhook signing secret, base64. @default - generated at start */
  readonly scepVerifySecret?: string;
  /** Lifetime of a signed challenge, in seconds. @default 3600 */
  readonly scepChallengeTtlSeconds?: number;
  /** Whether the verifier requires the certificate request to name the device. @default false */
  readonly scepRequireDeviceMatch?: boolean;
  /** Forward challenge requests to this issuer instead of signing. */
  readonly scepUpstream?: LocalScepUpstream;
  /** Prepare the SCEP issue path at start, as a provisioned instance does. @default false */
  readonly scepPrepareAtInit?: boolean;
}

/** The SCEP secrets the local stack runs with, and whether it made them up. */
export interface LocalScepSecrets {
  readonly challengeKey: string;
  readonly verifySecret: string;
  /** Which of the two were generated at start (not given): they are for local use only. */
  readonly generated: readonly ('challengeKey' | 'verifySecret')[];
}

/** A published entry as `GET /_local/events` returns it. */
export type LocalEvent = Omit<PublishedEvent, 'EventId'>;

export interface DeadLetter extends DeadLetterRecord {
  readonly messageId: string;
}

export interface LocalStack {
  readonly url: string;
  readonly webhookUrl: string;
  /** Jamf Pro's webhook URL for SCEPChallenge. */
  readonly scepChallengeUrl: string;
  /** step-ca's SCEPCHALLENGE webhook URL. */
  readonly scepVerifyUrl: string;
  readonly scep: LocalScepSecrets;
  readonly usedChallenges: LocalTable;
  readonly secrets: LocalSecrets;
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
  const usedChallenges = new LocalTable({
    tableName: LOCAL_USED_CHALLENGES_TABLE,
    partitionKey: 'challengeId',
    ttlAttribute: 'expiresAt',
  });
  const secrets = new LocalSecrets();
  secrets.set(LOCAL_AUTH_SECRET, options.webhookAuth ?? '');
  const scep: LocalScepSecrets = {
    challengeKey: options.scepChallengeKey ?? randomBytes(32).toString('base64url'),
    verifySecret: options.scepVerifySecret ?? randomBytes(32).toString('base64'),
    generated: [
      ...(options.scepChallengeKey === undefined ? (['challengeKey'] as const) : []),
      ...(options.scepVerifySecret === undefined ? (['verifySecret'] as const) : []),
    ],
  };
  secrets.set(LOCAL_SCEP_SIGNING_KEY_SECRET, JSON.stringify({ key: scep.challengeKey }));
  secrets.set(LOCAL_SCEP_VERIFY_SECRET, scep.verifySecret);
  const upstream = options.scepUpstream;
  if ((upstream?.username === undefined) !== (upstream?.password === undefined)) {
    throw new Error('scepUpstream needs both a username and a password, or neither');
  }
  const upstreamBasic = upstream?.username !== undefined && upstream.password !== undefined;
  if (upstreamBasic) {
    secrets.set(LOCAL_SCEP_UPSTREAM_SECRET, JSON.stringify({ username: upstream.username, password: upstream.password }));
  }
  const aws: AwsEndpoint = await startAwsEndpoint({
    ...bus.operations,
    ...queues.operations,
    ...secrets.operations,
    ...usedChallenges.operations,
  });

  const scepEnv: Record<string, string | undefined> = {
    SCEP_SIGNING_KEY_SECRET_ID: LOCAL_SCEP_SIGNING_KEY_SECRET,
    SCEP_VERIFY_SECRET_ID: LOCAL_SCEP_VERIFY_SECRET,
    SCEP_USED_CHALLENGES_TABLE: LOCAL_USED_CHALLENGES_TABLE,
    SCEP_CHALLENGE_TTL_SECONDS: options.scepChallengeTtlSeconds?.toString(),
    SCEP_REQUIRE_DEVICE_MATCH: options.scepRequireDeviceMatch ? 'true' : undefined,
    SCEP_UPSTREAM_URL: upstream?.url,
    SCEP_UPSTREAM_SECRET_ID: upstreamBasic ? LOCAL_SCEP_UPSTREAM_SECRET : undefined,
    SCEP_UPSTREAM_TIMEOUT_MS: upstream?.timeoutMs?.toString(),
    SCEP_PREPARE_AT_INIT: options.scepPrepareAtInit ? 'true' : undefined,
  };
  // Unset what this stack does not use: test files that jest runs in one process share
  // process.env (each file gets its own modules), so a setting could leak in from an earlier file.
  for (const [name, value] of Object.entries(scepEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_DYNAMODB: aws.url,
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
  const { handler: ingest } = require('../ingest/handler') as typeof import('../ingest/handler');
  const { handler: scepChallenge, ready } = require('../scep/handler') as typeof import('../scep/handler');
  // What the Lambda entry (lambda.mts) does with a top-level await.
  await ready;
  /** API Gateway's routes: path -> the function behind it. */
  const routes: Record<string, (event: ReturnType<typeof toProxyEvent>) => ReturnType<typeof ingest>> = {
    '/webhooks': ingest,
    '/scep-challenge': scepChallenge,
    '/scep-challenge/verify': scepChallenge,
  };

  const events = (): LocalEvent[] => bus.events.map(({ EventId: _id, ...event }) => event);
  const deadLetters = (): DeadLetter[] =>
    queues.messages.map((m) => ({ messageId: m.MessageId, ...(JSON.parse(m.Body) as DeadLetterRecord) }));

  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    (async () => {
      const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
      if (route) {
        if (request.method !== 'POST') {
          response.setHeader('allow', 'POST');
          return writeJson(response, 405, { error: 'MethodNotAllowed', message: 'Use POST' });
        }
        const body = await readBody(request);
        return writeProxyResult(response, await route(toProxyEvent(request, body, path)));
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
    scepChallengeUrl: `${url}/scep-challenge`,
    scepVerifyUrl: `${url}/scep-challenge/verify`,
    scep,
    usedChallenges,
    secrets,
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
