/**
 * The SCEP challenge Lambda: `POST /scep-challenge` for Jamf Pro and
 * `POST /scep-challenge/verify` for step-ca.
 *
 * Jamf gives this path 2 s, cold start included, so init does only what a
 * request needs before its first network call: read the configuration and
 * build the handlers. The AWS SDK clients, the decoder and the XML parser, the
 * publish code, the verifier and the upstream issuer are loaded with `import()`
 * the first time a request needs them (esbuild puts each in a chunk of its own); the
 * secrets are read then and cached, and their parsers (with node:crypto) load
 * alongside them.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { credentialsVerifier, instanceAuthenticator, noCredentials } from '../auth/source';
import { errorResponse, ForbiddenError, NotFoundError, ServiceUnavailableError } from '../shared/errors';
import { logRequest } from '../shared/log';
import { type ApiEvent, requestArrival, requestRoute, requestSourceIp } from '../shared/request';
import { ANY_SOURCE, readAllowedSourceCidrs, sourceCheck } from '../shared/source-allowlist';
import { SCEP_METRICS } from '../contract/metrics';
import { instanceRoute } from '../contract/instances';
import type { DeadLetterInput } from '../publish/dead-letters';
import { boundedRequests } from '../shared/aws-calls';
import type { Deadline } from '../shared/deadline';
import { lazy } from '../shared/lazy';
import { cachedSecret } from '../secrets/cache';
import { readScepConfig, type UpstreamConfig } from './config';
import { createIssueHandler, loadDecoding } from './issue';
import { loadSigning, signedIssuer, type Issuer } from './issuers';
import type { ChallengeUse } from './used-challenges';

const config = readScepConfig(process.env);
/** `allowedSourceCidrs`: checked before either route reads anything (an HTTP API has no resource policy). */
const checkSource = sourceCheck(readAllowedSourceCidrs(process.env));
/** Every secret is used past its TTL, up to this, while Secrets Manager cannot be read. */
const SECRET_CACHE = { maxStaleMs: config.secretMaxStaleSeconds * 1000, ttlMs: config.secretTtlSeconds * 1000 } as const;

const secretsManager = lazy(async () => {
  const { createSecretsManagerClient, readSecretString } = await import('../secrets/secrets-manager.js');
  const client = createSecretsManagerClient();
  return (secretId: string) => readSecretString(client, secretId);
});

function secretReader(secretId: string | undefined, setting: string): () => Promise<string> {
  return async () => {
    if (!secretId) throw new Error(`${setting} is not set`);
    return (await secretsManager())(secretId);
  };
}

const eventBridge = lazy(async () => {
  const [{ EventBridgeClient }, { publishEntry }] = await Promise.all([
    import('@aws-sdk/client-eventbridge'),
    import('../publish/publisher.js'),
  ]);
  // The publisher retries inside its own budget; SDK retries would stack on top of it.
  const client = new EventBridgeClient({ maxAttempts: 1, ...boundedRequests(300, 1500) });
  return (entry: PutEventsRequestEntry, budgetMs: number) => publishEntry(client, entry, { budgetMs });
});

const deadLetters = lazy(async () => {
  const [{ SQSClient }, { sendDeadLetter }] = await Promise.all([
    import('@aws-sdk/client-sqs'),
    import('../publish/dead-letters.js'),
  ]);
  const client = new SQSClient(boundedRequests(300, 1500));
  return (input: DeadLetterInput, deadline: Deadline) => sendDeadLetter(client, config.deadLetterQueueUrl, input, { deadline });
});

const usedChallenges = lazy(async () => {
  const table = config.usedChallengesTable;
  if (!table) throw new ServiceUnavailableError('NotConfigured', 'SCEP_USED_CHALLENGES_TABLE is not set');
  const { claimChallenge, createDynamoDbClient } = await import('./used-challenges.js');
  const client = createDynamoDbClient();
  return (use: ChallengeUse) => claimChallenge(client, table, use);
});

// Parsers load with their secret: they are not needed before it arrives.
const signingKeys = cachedSecret(
  secretReader(config.signingKeySecretId, 'SCEP_SIGNING_KEY_SECRET_ID'),
  async (text) => (await import('./keys.js')).parseSigningKeys(text),
  { what: 'the challenge signing key', unavailableCode: 'SigningKeyUnavailable', invalidCode: 'SigningKeyInvalid' },
  SECRET_CACHE,
);

/** The upstream issuer, loaded on first use: its code is not needed when challenges are signed here. */
function upstreamIssuer(upstream: UpstreamConfig): Issuer {
  const load = lazy(async () => {
    const { parseUpstreamCredentials, upstreamIssuer: create } = await import('./upstream.js');
    const secretId = upstream.credentialsSecretId;
    const credentials = secretId
      ? cachedSecret(secretReader(secretId, 'SCEP_UPSTREAM_SECRET_ID'), parseUpstreamCredentials, {
          what: 'the upstream issuer credentials',
          unavailableCode: 'UpstreamCredentialsUnavailable',
          invalidCode: 'UpstreamCredentialsInvalid',
        }, SECRET_CACHE)
      : undefined;
    return create(upstream, credentials);
  });
  return async (request) => (await load())(request);
}

const jamfCredentials = credentialsVerifier(
  config.webhookAuthSecretId ? secretReader(config.webhookAuthSecretId, 'WEBHOOK_AUTH_SECRET_ID') : noCredentials,
  SECRET_CACHE,
);

const issueHandler = createIssueHandler({
  config,
  // A challenge gets a certificate from the CA: never hand one out without credentials. Each named
  // instance (`/scep-challenge/<name>`) with its own; the issue handler has answered 404 for another name.
  authenticate: instanceAuthenticator(
    jamfCredentials,
    (instance) => {
      const secretId = config.instances?.get(instance)?.webhookAuthSecretId;
      return credentialsVerifier(secretId ? secretReader(secretId, 'WEBHOOK_INSTANCES') : noCredentials, SECRET_CACHE);
    },
    { requireCredentials: true },
  ),
  issue: config.upstream
    ? upstreamIssuer(config.upstream)
    : signedIssuer(signingKeys, config.challengeTtlSeconds),
  publish: async (entry, budgetMs) => (await eventBridge())(entry, budgetMs),
  // Never throws, as the handler expects: a client that cannot even load is a failed write.
  deadLetter: async (input, deadline) => {
    try {
      return await (await deadLetters())(input, deadline);
    } catch (error) {
      return { stored: false, errorCode: (error as { name?: string }).name ?? 'Error', logged: false };
    }
  },
});

/** The verifier serves step-ca, not Jamf: its code is loaded on its first request, not at init. */
const verifyHandler = lazy(async () => {
  const [{ createVerifyHandler }, { parseVerifySecrets }] = await Promise.all([
    import('./verify.js'),
    import('./step-ca.js'),
  ]);
  return createVerifyHandler({
    config,
    webhookSecrets: cachedSecret(secretReader(config.verifySecretId, 'SCEP_VERIFY_SECRET_ID'), parseVerifySecrets, {
      what: 'the step-ca webhook secret',
      unavailableCode: 'VerifySecretUnavailable',
      invalidCode: 'VerifySecretInvalid',
    }, SECRET_CACHE),
    signingKeys,
    claim: async (use) => (await usedChallenges())(use),
  });
});

/**
 * Everything the first challenge request would otherwise wait for: the code
 * of the issue path (SDK client, XML parser, signing) and its secrets. A
 * failure here is left to the request, which tries again.
 */
async function prepare(): Promise<void> {
  await Promise.allSettled([
    eventBridge(),
    // Ready for a failed audit publish too: a cold SQS client would not write within the wait.
    deadLetters(),
    jamfCredentials(),
    loadDecoding().then(({ loadXmlParser }) => loadXmlParser()),
    ...(config.upstream ? [] : [signingKeys(), loadSigning()]),
  ]);
}

/**
 * Settles when init is done. With `SCEP_PREPARE_AT_INIT` (set by the CDK
 * construct with provisioned concurrency) that includes `prepare()`, and the
 * Lambda entry (`lambda.mts`) awaits it, so Lambda finishes it before it
 * sends the instance a request.
 */
export const ready: Promise<void> = config.prepareAtInit ? prepare() : Promise.resolve();

export const VERIFY_RESOURCE = '/scep-challenge/verify';
export const ISSUE_RESOURCE = '/scep-challenge';

export async function handler(event: ApiEvent): Promise<APIGatewayProxyResult> {
  const refused = refuseSource(event);
  if (refused !== undefined) return refused;
  const resource = requestRoute(event);
  const route = instanceRoute(resource);
  if (route?.kind === 'scep-verify') return (await verifyHandler())(event);
  if (route?.kind === 'scep-challenge') {
    // Start loading the publish path, and the dead-letter path a failed audit needs at once, while
    // the request authenticates, decodes and signs.
    eventBridge().catch(() => undefined);
    deadLetters().catch(() => undefined);
    // `/scep-challenge/<name>` is a named instance's: an unknown name is the issue handler's 404.
    return issueHandler(event, route.instance);
  }
  return errorResponse(new NotFoundError('NoRoute', `No SCEP route for ${resource}`));
}

/** The 403 for a caller outside `allowedSourceCidrs`, logged as any rejected request is; undefined when allowed. */
function refuseSource(event: ApiEvent): APIGatewayProxyResult | undefined {
  if (checkSource === ANY_SOURCE) return undefined;
  try {
    checkSource(requestSourceIp(event));
    return undefined;
  } catch (error) {
    if (!(error instanceof ForbiddenError)) throw error;
    const started = requestArrival(event) ?? Date.now();
    logRequest({
      function: SCEP_METRICS.dimensions.Function,
      requestId: event.requestContext?.requestId ?? '',
      eventName: undefined,
      outcome: 'rejected',
      status: error.statusCode,
      latencyMs: Date.now() - started,
      errorCode: error.code,
      metrics: { Issued: 0, AuditFailed: 0, DeadLettered: 0 },
    });
    return errorResponse(error);
  }
}
