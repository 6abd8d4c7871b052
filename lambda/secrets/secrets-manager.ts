/**
 * Reading a secret's text from Secrets Manager. The one module that sends
 * GetSecretValue, so a handler can load it (and the SDK client) on first use.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { boundedRequests } from '../shared/aws-calls';

/**
 * A client for calls on the request path: a secret read must not eat Jamf's
 * 2 s. One retry at most (the SDK's default is two), each attempt cut at 400 ms
 * (the handlers also stop waiting for it at their own deadline).
 */
export function createSecretsManagerClient(): SecretsManagerClient {
  return new SecretsManagerClient({ maxAttempts: 2, ...boundedRequests(250, 400) });
}

/** The secret's value as text (a binary secret is read as UTF-8): the current one, or the version `stage` names. */
export async function readSecretString(
  client: SecretsManagerClient,
  secretId: string,
  stage?: 'AWSCURRENT' | 'AWSPREVIOUS',
): Promise<string> {
  const response = await client.send(new GetSecretValueCommand({ SecretId: secretId, ...(stage ? { VersionStage: stage } : {}) }));
  return response.SecretString ?? (response.SecretBinary ? Buffer.from(response.SecretBinary).toString('utf8') : '');
}
