/**
 * Replacing a secret's value, for a credential rotation. Apart from secrets-manager.ts, which the
 * functions load, so that their bundles carry no code that writes a secret.
 */
import { PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The new version becomes AWSCURRENT, and the one it replaces AWSPREVIOUS. */
export async function writeSecretString(client: SecretsManagerClient, secretId: string, text: string): Promise<void> {
  await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: text }));
}
