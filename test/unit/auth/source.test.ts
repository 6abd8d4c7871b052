import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { credentialsVerifier } from '../../../lambda/auth/source';
import { readSecretString } from '../../../lambda/secrets/secrets-manager';
import { ServiceUnavailableError, UnauthorizedError } from '../../../lambda/shared/errors';
import { basicAuth } from '../../support/requests';
import { TEST_SECRETS } from '../../support/secrets';

const doc = (password: string) => JSON.stringify({ basic: [{ username: 'jamf', password }] });
const requestWith = (password: string) => ({ headers: { authorization: basicAuth('jamf', password) }, body: new Uint8Array() });

describe('credentialsVerifier reading Secrets Manager', () => {
  const secrets = mockClient(SecretsManagerClient);
  const client = new SecretsManagerClient({ region: 'us-east-1' });
  let time = 0;
  const now = () => time;
  beforeEach(() => {
    secrets.reset();
    time = 0;
  });

  it('fetches the secret once and serves it from the cache within the TTL', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: doc(TEST_SECRETS.basicPassword) });
    const verifier = credentialsVerifier(() => readSecretString(client, 'arn:secret'), { ttlMs: 1000, now });
    await Promise.all([verifier(), verifier(), verifier()]);
    time = 999;
    (await verifier()).verify(requestWith(TEST_SECRETS.basicPassword));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: 'arn:secret' });
  });

  it('picks up a rotated secret once the TTL has passed, without a redeploy', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: doc(TEST_SECRETS.basicPassword) })
      .resolves({ SecretString: doc('rotated-password') });
    const verifier = credentialsVerifier(() => readSecretString(client, 'arn:secret'), { ttlMs: 1000, now });
    (await verifier()).verify(requestWith(TEST_SECRETS.basicPassword));
    time = 1001;
    const rotated = await verifier();
    rotated.verify(requestWith('rotated-password'));
    expect(() => rotated.verify(requestWith(TEST_SECRETS.basicPassword))).toThrow(UnauthorizedError);
  });

  it('denies with 503, never allows, when the secret cannot be read', async () => {
    secrets.on(GetSecretValueCommand).rejects(new Error('network down'));
    const verifier = credentialsVerifier(() => readSecretString(client, 'arn:secret'), { now });
    await expect(verifier()).rejects.toThrow(ServiceUnavailableError);
    await expect(verifier()).rejects.toMatchObject({ statusCode: 503, code: 'CredentialsUnavailable' });
  });

  it('denies with 503 when the document is invalid', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"basic": "not a list"}' });
    await expect(credentialsVerifier(() => readSecretString(client, 'arn:secret'), { now })()).rejects.toMatchObject({
      statusCode: 503,
      code: 'CredentialsInvalid',
    });
  });
});
