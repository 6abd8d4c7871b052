/**
 * The local runtime: the same handler modules the Lambdas run (ingest and SCEP),
 * behind an HTTP server that plays API Gateway, with loopback endpoints that
 * speak the AWS wire protocols for EventBridge, SQS, Secrets Manager,
 * DynamoDB and S3. The handlers' SDK clients reach them through the SDK's own
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
import { INGEST_ENV, SCEP_ENV } from '../contract/variables';
import type { RedriveAnswer } from '../redrive/logs';
import { startAwsEndpoint, type AwsEndpoint } from './aws-endpoint';
import { DEFAULT_MAX_EVENTS, LocalEventBus, type PublishedEvent } from './event-bus';
import { checkEndpointUrl } from './endpoint-url';
import { LocalJamfClassicApi, type LocalJamfOptions } from './jamf-classic-api';
import { FaultInjector, InvalidFaultDocumentError, parseFaultDocument, type FaultDocument, type FaultReport } from './faults';
import { readBody, RequestTooLargeError, toApiEvent, writeJson, writeProxyResult, writeTooLarge } from './http-adapter';
import { LocalBuckets } from './buckets';
import { LocalQueues } from './queue';
import { deliveredEvent, LOCAL_ACCOUNT, matchingRules, parseLocalRules, type LocalRules } from './rules';
import { LocalSecrets } from './secrets';
import { functionEnvironments, LOCAL_BUS_NAME, type LocalInstance, type LocalSettingsOptions } from './settings';
import { DEFAULT_EVENT_SOURCE, instanceScepChallengePath, instanceWebhooksPath } from '../contract';
import { LocalSubscribers, type LocalInvocation, type LocalSubscriber } from './subscribers';
import { LocalTable } from './table';
import { LocalThrottle, type LocalThrottleOptions, type LocalThrottleReport } from './throttle';
import { THROTTLED_BODY } from '../contract';

export { LOCAL_BUS_NAME, type LocalInstance, type LocalScepUpstream } from './settings';
export { DEFAULT_MAX_EVENTS } from './event-bus';
export type { FaultDocument, FaultReport } from './faults';
export type { LocalRules } from './rules';
export type { LocalThrottleOptions, LocalThrottleReport } from './throttle';
export type { LocalInvocation, LocalSubscriber } from './subscribers';
export const LOCAL_DEAD_LETTER_QUEUE = 'jamf-eventbridge-dead-letters';
export const LOCAL_AUTH_SECRET = 'jamf-eventbridge/webhook-auth';
export const LOCAL_SCEP_SIGNING_KEY_SECRET = 'jamf-eventbridge/scep-signing-key';
export const LOCAL_SCEP_VERIFY_SECRET = 'jamf-eventbridge/scep-verify-secret';
export const LOCAL_SCEP_UPSTREAM_SECRET = 'jamf-eventbridge/scep-upstream';
export const LOCAL_USED_CHALLENGES_TABLE = 'jamf-eventbridge-used-challenges';
/** The oversize bucket: the whole events behind stubs, and dead letters too large for the queue. */
export const LOCAL_OVERSIZE_BUCKET = 'jamf-eventbridge-oversize';
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
  /** Called when the credentials document is replaced through the local Secrets Manager (a rotation). */
  readonly onWebhookAuthChanged?: (document: string) => void;
  /**
   * Seconds the functions use a secret they read before reading it again (`SECRET_TTL_SECONDS`):
   * how long a credential rotation must wait for the functions to know a new credential.
   * @default 300, as deployed
   */
  readonly secretTtlSeconds?: number;
  /**
   * Each named instance's credentials document (JSON text), by name (`JAMF_INSTANCES` for
   * `npm start`); an instance without one rejects every webhook, as the default one does.
   * @default none
   */
  readonly instanceAuth?: Readonly<Record<string, string>>;
  readonly onPublished?: (event: PublishedEvent) => void;
  /** Key that signs SCEP challenges (at least 32 characters). @default - generated at start */
  readonly scepChallengeKey?: string;
  /** step-ca's webhook signing secret, base64. @default - generated at start */
  readonly scepVerifySecret?: string;
  /** Port of the built-in AWS endpoint on 127.0.0.1 (`LOCAL_AWS_PORT`). @default 0: a free one */
  readonly awsPort?: number;
  /**
   * Where the handlers send every AWS call (`AWS_ENDPOINT_URL` for `npm start`), e.g. a proxy
   * in front of {@link LocalRuntime.awsEndpointUrl}, or another AWS-compatible endpoint.
   * @default the built-in endpoint
   */
  readonly awsEndpointUrl?: string;
  /** Faults the built-in AWS endpoint injects (`LOCAL_FAULTS`): the document, or its JSON text. @default none */
  readonly faults?: FaultDocument | string;
  /** Events (and dead letters, and subscriber invocations) kept in memory; the oldest are dropped (`LOCAL_MAX_EVENTS`). @default 10000 */
  readonly maxEvents?: number;
  /**
   * Rules on the local bus (`LOCAL_RULES`): rule name to event pattern, checked at start as
   * PutRule checks them (InvalidLocalRulesError). `/_local/events` lists the rules each event matched.
   * @default none
   */
  readonly rules?: LocalRules | Readonly<Record<string, unknown>>;
  /**
   * Targets of the rules (`LOCAL_SUBSCRIBERS`): Lambda handlers by rule name, invoked with each
   * event their rule matches, after PutEvents has answered. A rule without one is only matched.
   * @default none
   */
  readonly subscribers?: ReadonlyMap<string, LocalSubscriber> | Readonly<Record<string, LocalSubscriber>>;
  /** Called once per finished subscriber invocation, e.g. to print it. */
  readonly onInvocation?: (invocation: LocalInvocation) => void;
  /** How long a subscriber may run before it is reported as timed out. @default 60000 */
  readonly subscriberTimeoutMs?: number;
  /**
   * API Gateway's stage throttling in front of the routes: a request beyond the rate and burst is
   * answered 429 `{"message":"Too Many Requests"}` and never reaches a handler. `npm start` passes
   * the settings `throttlingRateLimit` and `throttlingBurstLimit` (their defaults when unset).
   * @default none: every request reaches its handler
   */
  readonly throttle?: LocalThrottleOptions;
  /** The Jamf Pro Classic API stand-in's API client (served under `/_local/jamf`). @default a generated id and secret */
  readonly jamf?: LocalJamfOptions;
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
export type LocalEvent = Omit<PublishedEvent, 'EventId'> & {
  /** The rules (`LOCAL_RULES`) the event matched, in the rules' order; `[]` when none did. */
  readonly MatchedRules: readonly string[];
};

export interface DeadLetter extends DeadLetterRecord {
  readonly messageId: string;
}

/** A named Jamf Pro instance as the local runtime serves it. */
export interface LocalInstanceUrls {
  readonly name: string;
  /** `Source` of its events. */
  readonly eventSource: string;
  /** `<url>/webhooks/<name>`. */
  readonly webhookUrl: string;
  /** `<url>/scep-challenge/<name>`, when it has the route. */
  readonly scepChallengeUrl?: string;
  /** The local secret holding its credentials document. */
  readonly webhookAuthSecretId: string;
}

export interface LocalRuntime {
  readonly url: string;
  /** The named Jamf Pro instances (`jamfInstances`), in their order. */
  readonly instances: readonly LocalInstanceUrls[];
  readonly webhookUrl: string;
  /** Jamf Pro's webhook URL for SCEPChallenge. */
  readonly scepChallengeUrl: string;
  /** step-ca's SCEPCHALLENGE webhook URL. */
  readonly scepVerifyUrl: string;
  /** The Jamf Pro Classic API stand-in's URL, as `--jamf-url` takes a Jamf Pro URL: `<url>/_local/jamf`. */
  readonly jamfUrl: string;
  /** The stand-in itself: its API client id and secret, and the webhooks registered with it. */
  readonly jamf: LocalJamfClassicApi;
  /** The event shape the handlers get: `http` (payload 2.0) or `rest` (payload 1.0), as `apiType` says. */
  readonly apiType: 'http' | 'rest';
  /** Whether the SCEP routes are served (the `scepChallenge` setting); without them they answer 404. */
  readonly scepEnabled: boolean;
  readonly scep: LocalScepSecrets;
  readonly usedChallenges: LocalTable;
  readonly secrets: LocalSecrets;
  /** The built-in AWS endpoint, whose state `/_local/events` and `/_local/dead-letters` show. */
  readonly awsEndpointUrl: string;
  /** Where the handlers send their AWS calls: `awsEndpointUrl` unless the option said otherwise. */
  readonly handlerAwsEndpointUrl: string;
  /** The dead-letter queue URL the handlers use (under `handlerAwsEndpointUrl`). */
  readonly deadLetterQueueUrl: string;
  readonly bus: LocalEventBus;
  readonly queues: LocalQueues;
  /** The buckets S3 calls reach: {@link LOCAL_OVERSIZE_BUCKET}. */
  readonly buckets: LocalBuckets;
  /** The rules on the bus, checked. */
  readonly rules: LocalRules;
  events(): LocalEvent[];
  /** The subscribers' finished invocations, oldest first, as `GET /_local/invocations` returns them. */
  invocations(): LocalInvocation[];
  /** Resolves once every subscriber invocation started so far has finished. */
  subscribersSettled(): Promise<void>;
  deadLetters(): DeadLetter[];
  /**
   * Runs the redrive function against this stack, as `POST /_local/redrive` does, and gives its
   * summary; with `fromLog` (log lines, as the route's body) it redrives their dead letters after the queue's.
   */
  redrive(fromLog?: string): Promise<RedriveAnswer>;
  /** Replaces the faults the built-in AWS endpoint injects (the document or its JSON text; `{}` for none). */
  setFaults(document: FaultDocument | string): FaultReport;
  /** The faults in force and how many of each were injected, per service. */
  faults(): FaultReport;
  /** The throttle's limits and the requests it answered 429, as `GET /_local/throttle` shows them; undefined when off. */
  throttle(): LocalThrottleReport | undefined;
  close(): Promise<void>;
}

/** Where the Jamf Pro Classic API stand-in is served. */
export const JAMF_BASE_PATH = '/_local/jamf';

/** Most bytes a `PUT /_local/faults` body may have. */
const MAX_FAULT_DOCUMENT_BYTES = 64 * 1024;


export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
  if (!Number.isInteger(maxEvents) || maxEvents < 1) throw new Error(`maxEvents must be a whole number from 1, got ${maxEvents}`);
  const faults = new FaultInjector(parseFaultDocument(options.faults ?? {}, 'the faults option'));
  const throttle = options.throttle === undefined ? undefined : new LocalThrottle(options.throttle);
  const handlerEndpoint = options.awsEndpointUrl === undefined ? undefined : checkEndpointUrl(options.awsEndpointUrl);
  const rules = options.rules instanceof Map ? options.rules : parseLocalRules(options.rules ?? {}, 'the rules option');
  // The region the handlers get below, which EventBridge would write into each event.
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const subscribers = new LocalSubscribers(
    options.subscribers instanceof Map ? options.subscribers : new Map(Object.entries(options.subscribers ?? {})),
    { region, maxInvocations: maxEvents, timeoutMs: options.subscriberTimeoutMs, onInvocation: options.onInvocation },
  );
  /** Each published event's matched rules, by EventId; bounded as the bus is. */
  const matched = new Map<string, readonly string[]>();
  const onPublished = (event: PublishedEvent): void => {
    if (rules.size > 0) {
      // Matched as it is published, as EventBridge matches an entry on PutEvents.
      const delivered = deliveredEvent(event, region);
      const names = matchingRules(rules, delivered);
      if (names.length > 0) {
        matched.set(event.EventId, names);
        if (matched.size > maxEvents) matched.delete(matched.keys().next().value!);
        subscribers.deliver(delivered, names);
      }
    }
    options.onPublished?.(event);
  };
  const bus = new LocalEventBus(options.eventBusName ?? LOCAL_BUS_NAME, onPublished, maxEvents);
  const scepEnabled = options.scepChallenge !== false;
  // The event shape of the deployed default unless `apiType` says otherwise.
  const apiType = options.apiType ?? 'http';
  const queues = new LocalQueues([LOCAL_DEAD_LETTER_QUEUE], maxEvents);
  const usedChallenges = new LocalTable({
    tableName: LOCAL_USED_CHALLENGES_TABLE,
    partitionKey: 'challengeId',
    ttlAttribute: 'expiresAt',
  });
  const secrets = new LocalSecrets((name, value) => {
    if (name === LOCAL_AUTH_SECRET) options.onWebhookAuthChanged?.(value);
  });
  const buckets = new LocalBuckets([LOCAL_OVERSIZE_BUCKET], maxEvents);
  const jamf = new LocalJamfClassicApi(options.jamf);
  secrets.set(LOCAL_AUTH_SECRET, options.webhookAuth ?? '');
  const instances = options.instances ?? [];
  const unknownAuth = Object.keys(options.instanceAuth ?? {}).filter((name) => !instances.some((instance) => instance.name === name));
  if (unknownAuth.length > 0) throw new Error(`instanceAuth names ${unknownAuth.join(', ')}, which the instances option does not list`);
  const instanceSecretIds = Object.fromEntries(instances.map(({ name }) => [name, `${LOCAL_AUTH_SECRET}/${name}`]));
  for (const { name } of instances) secrets.set(instanceSecretIds[name]!, options.instanceAuth?.[name] ?? '');
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
  const aws: AwsEndpoint = await startAwsEndpoint(
    {
      ...bus.operations,
      ...queues.operations,
      ...secrets.operations,
      ...usedChallenges.operations,
    },
    { port: options.awsPort ?? 0, faults, buckets },
  );
  const handlerAwsEndpointUrl = handlerEndpoint ?? aws.url;
  const deadLetterQueueUrl = `${handlerAwsEndpointUrl}/${LOCAL_ACCOUNT}/${LOCAL_DEAD_LETTER_QUEUE}`;

  const secretTtl = options.secretTtlSeconds === undefined ? undefined : String(options.secretTtlSeconds);
  const configured = functionEnvironments(options, {
    deadLetterQueueUrl,
    webhookAuthSecretId: LOCAL_AUTH_SECRET,
    scepSigningKeySecretId: LOCAL_SCEP_SIGNING_KEY_SECRET,
    scepVerifySecretId: LOCAL_SCEP_VERIFY_SECRET,
    scepUsedChallengesTable: LOCAL_USED_CHALLENGES_TABLE,
    oversizeBucketName: LOCAL_OVERSIZE_BUCKET,
    ...(upstreamBasic ? { scepUpstreamSecretId: LOCAL_SCEP_UPSTREAM_SECRET } : {}),
    instanceSecretIds,
  });
  const environments = {
    ingest: { ...configured.ingest, [INGEST_ENV.secretTtlSeconds]: secretTtl },
    scep: { ...configured.scep, [SCEP_ENV.secretTtlSeconds]: secretTtl },
  };
  // The per-service variables win over AWS_ENDPOINT_URL in the SDK: set all five to the one URL
  // chosen above (the option, which `npm start` takes from AWS_ENDPOINT_URL, else the built-in
  // endpoint), so that no value from the shell sends one service elsewhere.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EVENTBRIDGE: handlerAwsEndpointUrl,
    AWS_ENDPOINT_URL_SQS: handlerAwsEndpointUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: handlerAwsEndpointUrl,
    AWS_ENDPOINT_URL_DYNAMODB: handlerAwsEndpointUrl,
    AWS_ENDPOINT_URL_S3: handlerAwsEndpointUrl,
    AWS_REGION: region,
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
  const redrive = (fromLog?: string) => redriveHandler(fromLog ? { fromLog } : {}, { getRemainingTimeInMillis: () => LOCAL_REDRIVE_TIME_MS });
  /** API Gateway's routes: path -> the function behind it. */
  const routes: Record<string, (event: ReturnType<typeof toApiEvent>) => ReturnType<typeof ingest>> = {
    '/webhooks': ingest,
  };
  // Each named instance's routes, as the construct adds them: another name is a 404, as API Gateway answers.
  for (const { name } of instances) routes[`/${instanceWebhooksPath(name)}`] = ingest;
  const withScep = (instance: LocalInstance) => scepEnabled && instance.scepChallenge !== false;
  if (scepEnabled) {
    useEnvironment(environments.scep);
    const { handler: scepChallenge, ready } = require('../scep/handler') as typeof import('../scep/handler');
    // What the Lambda entry (lambda.mts) does with a top-level await.
    await ready;
    routes['/scep-challenge'] = scepChallenge;
    routes['/scep-challenge/verify'] = scepChallenge;
    for (const instance of instances.filter(withScep)) routes[`/${instanceScepChallengePath(instance.name)}`] = scepChallenge;
  } else {
    // Nothing of the SCEP function's may linger for a later stack in this process.
    useEnvironment(Object.fromEntries(Object.keys(environments.scep).map((name) => [name, undefined])));
    useEnvironment(environments.ingest);
  }

  const events = (): LocalEvent[] => bus.events.map(({ EventId, ...event }) => ({ ...event, MatchedRules: matched.get(EventId) ?? [] }));
  const deadLetters = (): DeadLetter[] =>
    queues.messages.map((m) => ({ messageId: m.MessageId, ...(JSON.parse(m.Body) as DeadLetterRecord) }));
  const setFaults = (document: FaultDocument | string): FaultReport => {
    faults.set(parseFaultDocument(document));
    return faults.report();
  };

  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    (async () => {
      const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
      if (route) {
        // Before anything else, as API Gateway throttles before it invokes the integration.
        if (throttle !== undefined && !throttle.take()) {
          return writeProxyResult(response, { statusCode: 429, headers: { 'content-type': 'application/json' }, body: JSON.stringify(THROTTLED_BODY) });
        }
        if (request.method !== 'POST') {
          response.setHeader('allow', 'POST');
          return writeJson(response, 405, { error: 'MethodNotAllowed', message: 'Use POST' });
        }
        const body = await readBody(request);
        const event = toApiEvent(apiType, request, body, path);
        const result = await requestContext.run({ method: request.method ?? 'POST', path }, () => route(event));
        return writeProxyResult(response, result);
      }
      if (request.method === 'GET' && path === '/_local/events') {
        response.setHeader('x-local-events-dropped', String(bus.dropped));
        return writeJson(response, 200, events());
      }
      if (request.method === 'GET' && path === '/_local/invocations') {
        response.setHeader('x-local-invocations-dropped', String(subscribers.dropped));
        return writeJson(response, 200, subscribers.invocations);
      }
      if (request.method === 'GET' && path === '/_local/dead-letters') {
        response.setHeader('x-local-dead-letters-dropped', String(queues.dropped));
        return writeJson(response, 200, deadLetters());
      }
      if (request.method === 'GET' && path === '/_local/throttle') return writeJson(response, 200, { throttle: throttle?.report() ?? null });
      if (path === '/_local/faults') {
        if (request.method === 'GET') return writeJson(response, 200, faults.report());
        if (request.method === 'PUT') {
          const text = (await readBody(request, MAX_FAULT_DOCUMENT_BYTES)).toString('utf8');
          try {
            return writeJson(response, 200, setFaults(text));
          } catch (error) {
            if (!(error instanceof InvalidFaultDocumentError)) throw error;
            return writeJson(response, 400, { error: 'InvalidFaultDocument', message: error.message });
          }
        }
        response.setHeader('allow', 'GET, PUT');
        return writeJson(response, 405, { error: 'MethodNotAllowed', message: 'Use GET or PUT' });
      }
      if (request.method === 'POST' && path === '/_local/redrive') {
        // A body is a log export whose dead letters go out after the queue's, each webhook once.
        const fromLog = (await readBody(request)).toString('utf8');
        return writeJson(response, 200, await redrive(fromLog.trim() === '' ? undefined : fromLog));
      }
      if (path === JAMF_BASE_PATH || path.startsWith(`${JAMF_BASE_PATH}/`)) {
        return jamf.handle(request, response, path.slice(JAMF_BASE_PATH.length));
      }
      if (request.method === 'GET' && path === '/healthz') return writeJson(response, 200, { status: 'ok' });
      return writeJson(response, 404, { error: 'NotFound', message: `No route for ${request.method} ${path}` });
    })().catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      if (error instanceof RequestTooLargeError) {
        return writeTooLarge(response, error);
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

  const defaultSource = configured.ingest[INGEST_ENV.eventSource] ?? DEFAULT_EVENT_SOURCE;

  return {
    url,
    instances: instances.map((instance) => ({
      name: instance.name,
      eventSource: instance.eventSource ?? defaultSource,
      webhookUrl: `${url}/${instanceWebhooksPath(instance.name)}`,
      ...(withScep(instance) ? { scepChallengeUrl: `${url}/${instanceScepChallengePath(instance.name)}` } : {}),
      webhookAuthSecretId: instanceSecretIds[instance.name]!,
    })),
    webhookUrl: `${url}/webhooks`,
    scepChallengeUrl: `${url}/scep-challenge`,
    scepVerifyUrl: `${url}/scep-challenge/verify`,
    jamfUrl: `${url}${JAMF_BASE_PATH}`,
    jamf,
    apiType,
    scepEnabled,
    scep,
    usedChallenges,
    secrets,
    awsEndpointUrl: aws.url,
    handlerAwsEndpointUrl,
    deadLetterQueueUrl,
    bus,
    queues,
    buckets,
    rules,
    events,
    invocations: () => [...subscribers.invocations],
    subscribersSettled: () => subscribers.settled(),
    deadLetters,
    redrive,
    setFaults,
    faults: () => faults.report(),
    throttle: () => throttle?.report(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await aws.close();
    },
  };
}
