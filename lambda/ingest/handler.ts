/**
 * The ingest Lambda: Jamf webhook in (API Gateway REST proxy), EventBridge
 * event out. Configuration and the EventBridge client are created once per
 * container, at init; per-request work lives in `createIngestHandler`.
 *
 * Init loads only what every request needs. The Secrets Manager client is
 * loaded with `import()` on the first credentials read, and the SQS client
 * with the first dead letter (esbuild puts each in a chunk of its own): a few
 * ms once per container. A Secrets Manager client that fails to load is a
 * failed read: a 503, and the webhook is kept unverified, as in an outage. An
 * SQS client that fails to load leaves the letter in the function's log, as
 * a queue that refuses it does (see `sendDeadLetter`).
 *
 * The credentials are read by the first request, not at init. Measured (cold
 * process, local endpoint, medians of 31): a read awaited at init makes the
 * import 1.8x as long and saves the first request as much (import + first
 * request 77.4 ms against 77.0 ms); a read started at init and not awaited
 * saves only the gap between init and the first invoke, and may be frozen
 * mid-call when Lambda initializes an instance ahead of its first request,
 * which would then spend its authentication budget on a dead socket.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { credentialsVerifier, instanceAuthenticator, noCredentials } from '../auth/source';
import { boundedRequests } from '../shared/aws-calls';
import { createOversizeClient } from '../publish/oversize-client';
import { lazy } from '../shared/lazy';
import { readIngestConfig } from './config';
import { createIngestHandler } from './ingest';

const config = readIngestConfig(process.env);
const secretCache = {
  maxStaleMs: config.secretMaxStaleSeconds * 1000,
  ...(config.secretTtlSeconds === undefined ? {} : { ttlMs: config.secretTtlSeconds * 1000 }),
} as const;

/** Reads a secret's text; the client is made on first use, and kept. */
const secretsManager = lazy(async () => {
  const { createSecretsManagerClient, readSecretString } = await import('../secrets/secrets-manager.js');
  const client = createSecretsManagerClient();
  return (secretId: string) => readSecretString(client, secretId);
});

function secretReader(secretId: string): () => Promise<string> {
  return async () => (await secretsManager())(secretId);
}

/** The oversize bucket's client: path-style, so that a local endpoint (AWS_ENDPOINT_URL_S3) serves it as S3 does. */
const oversizeClient = lazy(async () => createOversizeClient(await import('@aws-sdk/client-s3')));

export const handler = createIngestHandler({
  config,
  // The publisher retries inside its own time budget; SDK retries would stack on top of it.
  eventBridge: new EventBridgeClient({ maxAttempts: 1, ...boundedRequests(300, 1500) }),
  // Made when the first letter is sent: most containers never send one.
  // Each SendMessage attempt is cut at the request's deadline; the dead-letter store retries inside it.
  sqs: lazy(async () => new (await import('@aws-sdk/client-sqs')).SQSClient({ maxAttempts: 1, ...boundedRequests(300, 1500) })),
  // Made with the first event too large for the bus, or dead letter too large for SQS: rare.
  ...(config.oversizeBucketName ? { oversize: { bucket: config.oversizeBucketName, client: oversizeClient } } : {}),
  // Each named instance (`/webhooks/<name>`) with its own credentials document; the handler has
  // answered 404 already for a name that is not in config.instances.
  authenticate: instanceAuthenticator(
    credentialsVerifier(config.webhookAuthSecretId ? secretReader(config.webhookAuthSecretId) : noCredentials, secretCache),
    (instance) => {
      const secretId = config.instances?.get(instance)?.webhookAuthSecretId;
      return credentialsVerifier(secretId ? secretReader(secretId) : noCredentials, secretCache);
    },
  ),
});
