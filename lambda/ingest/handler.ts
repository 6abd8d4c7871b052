/**
 * The ingest Lambda: Jamf webhook in (API Gateway REST proxy), EventBridge
 * event out. Clients and configuration are created once per container, at
 * init; per-request work lives in `createIngestHandler`.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { authenticatorFor, rejectAll, secretsManagerVerifier } from '../auth/source';
import { readIngestConfig } from '../config';
import { createIngestHandler } from './ingest';

const config = readIngestConfig(process.env);

export const handler = createIngestHandler({
  config,
  // The publisher retries inside its own time budget; SDK retries would stack on top of it.
  eventBridge: new EventBridgeClient({ maxAttempts: 1 }),
  sqs: new SQSClient({ requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } }),
  authenticate: authenticatorFor(
    config.webhookAuthSecretId
      ? secretsManagerVerifier(
          new SecretsManagerClient({ requestHandler: { connectionTimeout: 500, requestTimeout: 1000 } }),
          config.webhookAuthSecretId,
        )
      : async () => rejectAll,
  ),
});
