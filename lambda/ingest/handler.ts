/**
 * The ingest Lambda: Jamf webhook in (API Gateway REST proxy), EventBridge
 * event out. Clients and configuration are created once per container, at
 * init; per-request work lives in `createIngestHandler`.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { authenticatorFor, credentialsVerifier, noCredentials } from '../auth/source';
import { createSecretsManagerClient, readSecretString } from '../secrets/secrets-manager';
import { boundedRequests } from '../shared/aws-calls';
import { readIngestConfig } from './config';
import { createIngestHandler } from './ingest';

const config = readIngestConfig(process.env);

export const handler = createIngestHandler({
  config,
  // The publisher retries inside its own time budget; SDK retries would stack on top of it.
  eventBridge: new EventBridgeClient({ maxAttempts: 1, ...boundedRequests(300, 1500) }),
  // Each SendMessage attempt is cut at the request's deadline; the dead-letter store retries inside it.
  sqs: new SQSClient({ maxAttempts: 1, ...boundedRequests(300, 1500) }),
  authenticate: authenticatorFor(
    credentialsVerifier(
      config.webhookAuthSecretId
        ? readSecretString.bind(undefined, createSecretsManagerClient(), config.webhookAuthSecretId)
        : noCredentials,
      { maxStaleMs: config.secretMaxStaleSeconds * 1000 },
    ),
  ),
});
