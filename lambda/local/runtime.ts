/**
 * The local runtime: the same handler modules the Lambdas run (ingest and SCEP),
 * behind an HTTP server that plays API Gateway, with loopback endpoints that
 * speak the AWS wire protocols for EventBridge, SQS, Secrets Manager and
 * DynamoDB. The handlers' SDK clients reach them through the SDK's own
 * endpoint settings.
 *
 * The handlers read their configuration at import, from `process.env`: run one
 * local runtime per process.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeadLetterRecord } from '../publish/dead-letters';
import type { RedriveSummary } from '../redrive/redrive';
import { startAwsEndpoint, type AwsEndpoint } from './aws-endpoint';
import { LocalEventBus, type PublishedEvent } from './event-bus';
import { readBody, RequestTooLargeError, toProxyEvent, writeJson, writeProxyResult } from './http-adapter';
import { LocalQueues } from './queue';
import { LocalSecrets } from './secrets';
import { functionEnvironments, LOCAL_BUS_NAME, type LocalSettingsOptions } from './settings';
import { LocalTable } from './table';

export { LOCAL_BUS_NAME, type LocalScepUpstream } from './settings';
export const LOCAL_DEAD_LETTER_QUEUE = 'jamf-eventbridge-dead-letters';
export const LOCAL_AUTH_SECRET = 'jamf-eventbridge/webhook-auth';
export const LOCAL_SCEP_SIGNING_KEY_SECRET = 'jamf-eventbridge/scep-signing-key';
export const LOCAL_SCEP_VERIFY_SECRET = 'jamf-eventbridge/scep-verify-secret';
export const LOCAL_SCEP_UPSTREAM_SECRET = 'jamf-eventbridge/scep-upstream';
export const LOCAL_USED_CHALLENGES_TABLE = 'jamf-eventbridge-used-challenges';
/** The time a local redrive run has, as a redrive function's invocation would. */
const LOCAL_REDRIVE_TIME_MS = 60_000;

/**
 * The stack's options: the settings of scope `both` (see ./settings.ts, which
 * maps them to the handlers' environment), and what only the local runtime has.
 */
export interface LocalRuntimeOptions extends LocalSettingsOptions {
  /** Port of the webhook server on 127.0.0.1; 0 picks a free one. */
  readonly port?: number;
  /** The credentials document (JSON text); absent or empty rejects every webhook. */
  readonly webhookAuth?: string;
  readonly onPublished?: (event: PublishedEvent) => void;
  /** Key that signs SCEP challenges (at least 32 characters). @default - generated at start */
  readonly scepChallengeKey?: string;
  /** step-ca's webhook signing secret, base64. @default - generated at start */
  readonly scepVerifySecret?: string;
}

/** The request a handler is serving, for whoever writes its log line (see {@link currentLocalRequest}). */
export interface LocalRequest {
  readonly method: string;
  readonly path: string;
}

const requestContext = new AsyncLocalStorage<LocalRequest>();

/** The request being served, when called from a handler the local runtime runs; undefined elsewhere. */
export function currentLocalRequest(): LocalRequest | undefined {
  return requestContext.getStore();
}

/** The SCEP secrets the local runtime runs with, and whether it made them up. */
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

export interface LocalRuntime {
  readonly url: string;
  readonly webhookUrl: string;
  /** Jamf Pro's webhook URL for SCEPChallenge. */
  readonly scepChallengeUrl: string;
  /** step-ca's SCEPCHALLENGE webhook URL. */
  readonly scepVerifyUrl: string;
  /** Whether the SCEP routes are served (the `scepChallenge` setting); without them they answer 404. */
  readonly scepEnabled: boolean;
  readonly scep: LocalScepSecrets;
  readonly usedChallenges: LocalTable;
  readonly secrets: LocalSecrets;
  readonly awsEndpointUrl: string;
  readonly bus: LocalEventBus;
  readonly queues: LocalQueues;
  events(): LocalEvent[];
  deadLetters(): DeadLetter[];
  /** Runs the redrive function against this stack, as `POST /_local/redrive` does, and gives its summary. */
  redrive(): Promise<RedriveSummary>;
  close(): Promise<void>;
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const bus = new LocalEventBus(options.eventBusName ?? LOCAL_BUS_NAME, options.onPublished);
  const scepEnabled = options.scepChallenge !== false;
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

  const environments = functionEnvironments(options, {
    deadLetterQueueUrl: `${aws.url}/000000000000/${LOCAL_DEAD_LETTER_QUEUE}`,
    webhookAuthSecretId: LOCAL_AUTH_SECRET,
    scepSigningKeySecretId: LOCAL_SCEP_SIGNING_KEY_SECRET,
    scepVerifySecretId: LOCAL_SCEP_VERIFY_SECRET,
    scepUsedChallengesTable: LOCAL_USED_CHALLENGES_TABLE,
    ...(upstreamBasic ? { scepUpstreamSecretId: LOCAL_SCEP_UPSTREAM_SECRET } : {}),
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_DYNAMODB: aws.url,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    // Static local credentials, so no profile, SSO or instance metadata is consulted.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  /**
   * Sets one function's environment. Unsets what it does not use: test files that jest runs
   * in one process share process.env (each file gets its own modules), so a setting could
   * leak in from an earlier file, or from the other function (both read MAX_BODY_BYTES).
   */
  const useEnvironment = (env: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  // Each handler reads its configuration once, at load; load them only now, each with its own
  // environment, as each Lambda loads its code after its own.
  useEnvironment(environments.ingest);
  const { handler: ingest } = require('../ingest/handler') as typeof import('../ingest/handler');
  // The redrive function reads the bus and the queue as ingest does.
  const { handler: redriveHandler } = require('../redrive/handler') as typeof import('../redrive/handler');
  /** What the redrive function does when invoked, given the time a Lambda invocation would have. */
  const redrive = () => redriveHandler({}, { getRemainingTimeInMillis: () => LOCAL_REDRIVE_TIME_MS });
  /** API Gateway's routes: path -> the function behind it. */
  const routes: Record<string, (event: ReturnType<typeof toProxyEvent>) => ReturnType<typeof ingest>> = {
    '/webhooks': ingest,
  };
  if (scepEnabled) {
    useEnvironment(environments.scep);
    const { handler: scepChallenge, ready } = require('../scep/handler') as typeof import('../scep/handler');
    // What the Lambda entry (lambda.mts) does with a top-level await.
    await ready;
    routes['/scep-challenge'] = scepChallenge;
    routes['/scep-challenge/verify'] = scepChallenge;
  } else {
    // Nothing of the SCEP function's may linger for a later stack in this process.
    useEnvironment(Object.fromEntries(Object.keys(environments.scep).map((name) => [name, undefined])));
    useEnvironment(environments.ingest);
  }

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
        const event = toProxyEvent(request, body, path);
        const result = await requestContext.run({ method: request.method ?? 'POST', path }, () => route(event));
        return writeProxyResult(response, result);
      }
      if (request.method === 'GET' && path === '/_local/events') return writeJson(response, 200, events());
      if (request.method === 'GET' && path === '/_local/dead-letters') return writeJson(response, 200, deadLetters());
      if (request.method === 'POST' && path === '/_local/redrive') return writeJson(response, 200, await redrive());
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
    scepEnabled,
    scep,
    usedChallenges,
    secrets,
    awsEndpointUrl: aws.url,
    bus,
    queues,
    events,
    deadLetters,
    redrive,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await aws.close();
    },
  };
}
