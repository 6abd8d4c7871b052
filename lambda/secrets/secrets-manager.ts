/**
 * Reading a secret's text from Secrets Manager. The one module that sends
 * GetSecretValue, so a handler can load it (and the SDK client) on first use.
 */
import { GetSecretValueCommand, type GetSecretValueCommandOutput, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { boundedRequests } from '../shared/aws-calls';

/**
 * A client for calls on the request path: a secret read must not eat Jamf's
 * 2 s. One retry at most (the SDK's default is two), each attempt cut at 400 ms
 * (the handlers also stop waiting for it at their own deadline).
 */
export function createSecretsManagerClient(): SecretsManagerClient {
  return new SecretsManagerClient({ maxAttempts: 2, ...boundedRequests(250, 400) });
}

/** The secret's current value as text (a binary secret is read as UTF-8). */
export async function readSecretString(client: SecretsManagerClient, secretId: string): Promise<string> {
  return textOf(await client.send(new GetSecretValueCommand({ SecretId: secretId })));
}

function textOf(response: GetSecretValueCommandOutput): string {
  return response.SecretString ?? (response.SecretBinary ? Buffer.from(response.SecretBinary).toString('utf8') : '');
}

/** One version of a secret: its text, and since when it is the current one. */
export interface SecretVersion {
  readonly text: string;
  /** When this version was created (it became current then, or soon after). */
  readonly createdAt?: Date;
}

/**
 * The secret's current version and, when it was rotated, the one before (no
 * previous version is not an error).
 */
export async function readCurrentAndPrevious(client: SecretsManagerClient, secretId: string): Promise<SecretVersion[]> {
  const read = async (stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<SecretVersion> => {
    const response = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
    return { text: textOf(response), ...(response.CreatedDate ? { createdAt: new Date(response.CreatedDate) } : {}) };
  };
  const current = await read('AWSCURRENT');
  const previous = await read('AWSPREVIOUS').catch(() => undefined);
  return previous === undefined ? [current] : [current, previous];
}
