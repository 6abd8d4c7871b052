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

  describe('during a Secrets Manager outage', () => {
    it('keeps a warm instance serving with the credentials it read last, and says so', async () => {
      secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: doc(TEST_SECRETS.basicPassword) }).rejects(new Error('outage'));
      const notices: unknown[] = [];
      const verifier = credentialsVerifier(() => readSecretString(client, 'arn:secret'), {
        ttlMs: 1000,
        maxStaleMs: 60_000,
        now,
        onStale: (notice) => notices.push(notice),
      });
      (await verifier()).verify(requestWith(TEST_SECRETS.basicPassword));
      time = 30_000;
      (await verifier()).verify(requestWith(TEST_SECRETS.basicPassword));
      expect(notices).toEqual([{ what: 'the webhook credentials', code: 'CredentialsUnavailable', ageMs: 30_000 }]);
    });

    it('does not wait past its bound for a read that hangs: the last credentials serve meanwhile', async () => {
      secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: doc(TEST_SECRETS.basicPassword) }).callsFake(() => new Promise(() => {}));
      const verifier = credentialsVerifier(() => readSecretString(client, 'arn:secret'), { ttlMs: 1000, now, refreshWaitMs: 20, onStale: () => {} });
      await verifier();
      time = 2000;
      (await verifier()).verify(requestWith(TEST_SECRETS.basicPassword));
    });

    it.each(['AccessDeniedException', 'ResourceNotFoundException'])(
      'stops at once when the secret is refused (%s): revoking access takes effect now, not in a day',
      async (name) => {
        secrets
          .on(GetSecretValueCommand)
          .resolvesOnce({ SecretString: doc(TEST_SECRETS.basicPassword) })
          .rejects(Object.assign(new Error('no'), { name }));
        const verifier = credentialsVerifier(() => readSecretString(client, 'arn:secret'), { ttlMs: 1000, now, onStale: () => {} });
        await verifier();
        time = 2000;
        await expect(verifier()).rejects.toMatchObject({ code: 'CredentialsUnavailable' });
      },
    );

    it('stops at once when the document was broken: a broken document is not an outage', async () => {
      secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: doc(TEST_SECRETS.basicPassword) }).resolves({ SecretString: '{"basic":"x"}' });
      const verifier = credentialsVerifier(() => readSecretString(client, 'arn:secret'), { ttlMs: 1000, now, onStale: () => {} });
      await verifier();
      time = 2000;
      await expect(verifier()).rejects.toMatchObject({ code: 'CredentialsInvalid' });
    });

    it('stops using them past the bound, with a 503 and never an allow', async () => {
      secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: doc(TEST_SECRETS.basicPassword) }).rejects(new Error('outage'));
      const verifier = credentialsVerifier(() => readSecretString(client, 'arn:secret'), { ttlMs: 1000, maxStaleMs: 60_000, now, onStale: () => {} });
      await verifier();
      time = 61_001;
      await expect(verifier()).rejects.toMatchObject({ statusCode: 503, code: 'CredentialsUnavailable' });
    });

    it('never uses them past their TTL when the bound is 0', async () => {
      secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: doc(TEST_SECRETS.basicPassword) }).rejects(new Error('outage'));
      const verifier = credentialsVerifier(() => readSecretString(client, 'arn:secret'), { ttlMs: 1000, maxStaleMs: 0, now });
      await verifier();
      time = 1001;
      await expect(verifier()).rejects.toMatchObject({ code: 'CredentialsUnavailable' });
    });
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
