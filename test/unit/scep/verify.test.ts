import { ServiceUnavailableError } from '../../../lambda/shared/errors';
import { readScepConfig } from '../../../lambda/scep/config';
import { stepCaSignature } from '../../../lambda/scep/step-ca';
import { issueChallenge } from '../../../lambda/scep/token';
import { createVerifyHandler, type VerifyDependencies } from '../../../lambda/scep/verify';
import type { ChallengeUse } from '../../../lambda/scep/used-challenges';
import { proxyEvent } from '../../support/requests';
import { FIXTURE_DEVICE, STEP_CA_SECRET, stepCaBody } from '../../support/scep';

const KEY = Buffer.from('unit-test-signing-key-0123456789abcdef');
const ENV = { EVENT_BUS_NAME: 'bus', DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/000000000000/dlq' };

function handlerWith(overrides: Partial<VerifyDependencies> & { env?: Record<string, string> } = {}) {
  const uses: ChallengeUse[] = [];
  const handler = createVerifyHandler({
    config: readScepConfig({ ...ENV, ...overrides.env }),
    webhookSecrets: async () => [STEP_CA_SECRET],
    signingKeys: async () => ({ current: KEY, all: [KEY] }),
    claim: async (use) => {
      const first = !uses.some((u) => u.challengeId === use.challengeId);
      uses.push(use);
      return first;
    },
    ...overrides,
  });
  const ask = (body: string) =>
    handler(proxyEvent(body, { 'content-type': 'application/json', 'x-smallstep-signature': stepCaSignature(STEP_CA_SECRET, body) }));
  return { ask, uses };
}

const challengeFor = (deviceId: string) =>
  issueChallenge(KEY, { payloadIdentifier: FIXTURE_DEVICE.payloadIdentifier, deviceId }, 3600).challenge;

describe('the verifier', () => {
  it('records the transaction, the provisioner and a digest of the certificate request with the use', async () => {
    const { ask, uses } = handlerWith();
    const response = await ask(stepCaBody({ scepChallenge: challengeFor(FIXTURE_DEVICE.udid), scepTransactionID: 'tx-9' }));
    expect(JSON.parse(response.body)).toEqual({ allow: true });
    expect(uses).toEqual([
      {
        challengeId: expect.stringMatching(/^[0-9a-f]{24}$/),
        expiresAt: expect.any(Number),
        transactionId: 'tx-9',
        provisionerName: 'jamf-scep',
        requestDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
  });

  describe('when the certificate request must name the device', () => {
    const env = { SCEP_REQUIRE_DEVICE_MATCH: 'true' };

    it.each([
      ['the UDID as common name', { subject: { commonName: FIXTURE_DEVICE.udid } }],
      ['the UDID in lower case', { subject: { commonName: FIXTURE_DEVICE.udid.toLowerCase() } }],
      ['the UDID as a DNS name', { subject: { commonName: 'iPhone' }, dnsNames: [FIXTURE_DEVICE.udid] }],
    ])('allows a request that carries %s', async (_, csr) => {
      const { ask } = handlerWith({ env });
      const body = stepCaBody({ scepChallenge: challengeFor(FIXTURE_DEVICE.udid), x509CertificateRequest: csr });
      expect(JSON.parse((await ask(body)).body)).toEqual({ allow: true });
    });

    it('denies a request for another device, without using the challenge up', async () => {
      const { ask, uses } = handlerWith({ env });
      const challenge = challengeFor(FIXTURE_DEVICE.udid);
      const other = stepCaBody({ scepChallenge: challenge, x509CertificateRequest: { subject: { commonName: 'SOMEONE-ELSE' } } });
      expect(JSON.parse((await ask(other)).body)).toEqual({ allow: false });
      expect(uses).toHaveLength(0);
    });

    it('denies a challenge bound to no device, whatever the request names', async () => {
      const { ask } = handlerWith({ env });
      for (const commonName of ['', ' ', FIXTURE_DEVICE.udid]) {
        const body = stepCaBody({ scepChallenge: challengeFor(''), x509CertificateRequest: { subject: { commonName } } });
        expect(JSON.parse((await ask(body)).body)).toEqual({ allow: false });
      }
    });

    it('does not take the public key or a challenge password for a name', async () => {
      const { ask } = handlerWith({ env });
      const body = stepCaBody({
        scepChallenge: challengeFor(FIXTURE_DEVICE.udid),
        x509CertificateRequest: { subject: { commonName: 'x' }, publicKey: FIXTURE_DEVICE.udid, challengePassword: FIXTURE_DEVICE.udid },
      });
      expect(JSON.parse((await ask(body)).body)).toEqual({ allow: false });
    });
  });

  it('does not check the device by default', async () => {
    const { ask } = handlerWith();
    const body = stepCaBody({ scepChallenge: challengeFor(FIXTURE_DEVICE.udid), x509CertificateRequest: { subject: { commonName: 'x' } } });
    expect(JSON.parse((await ask(body)).body)).toEqual({ allow: true });
  });

  it('answers 503, which step-ca takes as a refusal, when the used-challenge table cannot be written', async () => {
    const { ask } = handlerWith({
      claim: async () => {
        throw new ServiceUnavailableError('UsedChallengesUnavailable', 'The used-challenge table could not be written');
      },
    });
    const response = await ask(stepCaBody({ scepChallenge: challengeFor(FIXTURE_DEVICE.udid) }));
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'UsedChallengesUnavailable' });
  });

  it('rejects everything with 401 while no step-ca secret is configured', async () => {
    const { ask } = handlerWith({ webhookSecrets: async () => [] });
    const response = await ask(stepCaBody({ scepChallenge: challengeFor(FIXTURE_DEVICE.udid) }));
    expect(response.statusCode).toBe(401);
  });

  it('answers 413 to a body over 64 KiB before checking anything', async () => {
    const { ask } = handlerWith();
    const response = await ask(stepCaBody({ scepChallenge: 'x', padding: 'y'.repeat(70_000) } as never));
    expect(response.statusCode).toBe(413);
  });
});
