import { ownLogLines } from '../support/capture-logs';
import { capturedLogLines } from '../support/scan-logs';
import { CONTENT_TYPES, fixtureBytes, fixtureJson, FIXTURE_SCEP_PASSWORD } from '../support/fixtures';
import { post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { askStepCa, FIXTURE_DEVICE, STEP_CA_SECRET, stepCaBody } from '../support/scep';
import { TEST_SECRETS } from '../support/secrets';
import { stepCaSignature } from '../../lambda/scep/step-ca';
import { issueChallenge } from '../../lambda/scep/token';
import { AwsServiceError } from '../../lambda/local/aws-endpoint';

const AUTH = { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };
const stack = useLocalRuntime({
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
  scepChallengeKey: TEST_SECRETS.scepChallengeKey,
  scepVerifySecret: TEST_SECRETS.scepVerifySecret,
});

/** Every challenge issued in this file: none may reach a log, an event or a dead letter. */
const issued: string[] = [];

async function requestChallenge(format: 'json' | 'xml' = 'json', body: Buffer = fixtureBytes('SCEPChallenge', format)) {
  const response = await post(stack().scepChallengeUrl, body, { 'content-type': CONTENT_TYPES[format], ...AUTH });
  if (response.status === 200) issued.push(String(response.body));
  return response;
}

const verify = (scepChallenge: string, more: Record<string, unknown> = {}) =>
  askStepCa(stack().scepVerifyUrl, stepCaBody({ scepChallenge, ...more }));

/** Why the verifier denied the last time: its log line says (the answer to step-ca is only allow: false). */
function lastDenyReason(): string | undefined {
  const line = ownLogLines()
    .map((text) => JSON.parse(text) as { function?: string; outcome?: string; reason?: string })
    .filter((entry) => entry.function === 'scep' && entry.outcome === 'denied')
    .at(-1);
  return line?.reason;
}

describe('the SCEP challenge service, over HTTP through the local runtime', () => {
  describe('POST /scep-challenge (Jamf Pro)', () => {
    it('answers 200 text/plain with the challenge and nothing else', async () => {
      const response = await requestChallenge();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toMatch(/^[A-Za-z0-9.-]{62}$/);
    });

    it('answers an XML webhook too, with a fresh challenge each time', async () => {
      const [a, b] = [await requestChallenge('xml'), await requestChallenge('xml')];
      expect(a.status).toBe(200);
      expect(a.body).toMatch(/^[A-Za-z0-9.-]{62}$/);
      expect(b.body).not.toBe(a.body);
    });

    it('publishes a jamf.SCEPChallenge audit event that names the challenge but does not hold it', async () => {
      const before = stack().events().length;
      const response = await requestChallenge();
      const [event] = stack().events().slice(before);
      expect(event).toMatchObject({
        DetailType: 'jamf.SCEPChallenge',
        Source: 'jamf.pro',
        Detail: {
          webhook: { webhookEvent: 'SCEPChallenge' },
          event: { payloadIdentifier: FIXTURE_DEVICE.payloadIdentifier, targetDevice: { udid: FIXTURE_DEVICE.udid } },
          issuance: { issuer: 'signed', challengeId: expect.stringMatching(/^[0-9a-f]{24}$/), expiresAt: expect.any(String) },
        },
      });
      const text = JSON.stringify(event);
      expect(text).not.toContain(String(response.body));
      expect(text).not.toContain(FIXTURE_SCEP_PASSWORD);
      expect(text).not.toContain('"password"');
    });

    it('publishes the same audit detail for the JSON and the XML form, but for the issuance', async () => {
      const before = stack().events().length;
      await requestChallenge('json');
      await requestChallenge('xml');
      const [fromJson, fromXml] = stack().events().slice(before).map((e) => e.Detail as Record<string, unknown>);
      // Each request issues its own challenge, so the issuance and the delivery id that covers it differ.
      const { issuance: _a, delivery: _c, ...jsonDetail } = fromJson!;
      const { issuance: _b, delivery: _d, ...xmlDetail } = fromXml!;
      expect(xmlDetail).toEqual(jsonDetail);
    });

    it('publishes the same detail as /webhooks does for the same SCEPChallenge, plus the issuance', async () => {
      const before = stack().events().length;
      await requestChallenge();
      await post(stack().webhookUrl, fixtureBytes('SCEPChallenge', 'json'), { 'content-type': 'application/json', ...AUTH });
      const [fromScep, fromWebhooks] = stack().events().slice(before).map((e) => e.Detail as Record<string, unknown>);
      const { issuance, delivery: _scepDelivery, ...rest } = fromScep!;
      const { delivery: _webhookDelivery, ...webhookDetail } = fromWebhooks!;
      expect(issuance).toBeDefined();
      expect(rest).toEqual(webhookDetail);
    });

    it('rejects a request without Jamf credentials with 401, publishing and keeping nothing', async () => {
      const [events, letters] = [stack().events().length, stack().deadLetters().length];
      const response = await post(stack().scepChallengeUrl, fixtureBytes('SCEPChallenge', 'json'), {
        'content-type': 'application/json',
        authorization: basicAuth('jamf', 'wrong-password'),
      });
      expect(response).toMatchObject({ status: 401, body: { error: 'Unauthorized' } });
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(stack().events()).toHaveLength(events);
      expect(stack().deadLetters()).toHaveLength(letters);
    });

    it('refuses another event with 422 and keeps it in the dead-letter store', async () => {
      const response = await post(stack().scepChallengeUrl, fixtureBytes('ComputerAdded', 'json'), {
        'content-type': 'application/json',
        ...AUTH,
      });
      expect(response).toMatchObject({ status: 422, body: { error: 'NotSCEPChallenge', deadLettered: true } });
      expect(stack().deadLetters().at(-1)).toMatchObject({
        reason: { code: 'NotSCEPChallenge', statusCode: 422 },
        eventName: 'ComputerAdded',
      });
    });

    it('answers malformed XML with 400, keeps serving, and masks the password in the dead letter', async () => {
      const truncated = fixtureBytes('SCEPChallenge', 'xml').subarray(0, 900);
      const response = await post(stack().scepChallengeUrl, truncated, { 'content-type': 'text/xml', ...AUTH });
      expect(response).toMatchObject({ status: 400, body: { error: 'MalformedXml', deadLettered: true } });
      expect(JSON.stringify(stack().deadLetters())).not.toContain(FIXTURE_SCEP_PASSWORD);
      expect((await requestChallenge()).status).toBe(200);
    });

    it('refuses a DOCTYPE with 400', async () => {
      const body = Buffer.from(
        `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>${fixtureBytes('SCEPChallenge', 'xml').toString().replace(/^<\?xml[^>]*>/, '')}`,
      );
      const response = await post(stack().scepChallengeUrl, body, { 'content-type': 'text/xml', ...AUTH });
      expect(response.status).toBe(400);
    });

    it('binds the challenge to the device and profile: another device gets another challenge', async () => {
      const other = fixtureJson('SCEPChallenge');
      other.event.targetDevice.udid = '00008130-000000000000001E';
      const a = await requestChallenge();
      const b = await requestChallenge('json', Buffer.from(JSON.stringify(other)));
      expect(b.status).toBe(200);
      // Bytes 24-29 (characters 32-39) are the device tag; the profile tag (bytes 18-23) is the same.
      expect(String(b.body).slice(24, 32)).toBe(String(a.body).slice(24, 32));
      expect(String(b.body).slice(32, 40)).not.toBe(String(a.body).slice(32, 40));
    });

    it.each([
      ['an empty body', Buffer.alloc(0), 'application/json', 400, 'EmptyBody'],
      ['a form-encoded body', Buffer.from('a=1&b=2'), 'application/x-www-form-urlencoded', 415, 'UnsupportedMediaType'],
      ['JSON nested 10,000 deep', Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`), 'application/json', 400, 'TooDeep'],
      ['a body over the size limit', Buffer.alloc(256 * 1024 + 1, 0x20), 'application/json', 413, 'BodyTooLarge'],
      ['a __proto__ key', Buffer.from('{"webhook":{"webhookEvent":"SCEPChallenge"},"event":{"__proto__":{"x":1}}}'), 'application/json', 400, 'ForbiddenKey'],
    ])('answers %s with a clear 4xx and keeps serving', async (_, body, contentType, status, error) => {
      const response = await post(stack().scepChallengeUrl, body, { 'content-type': contentType, ...AUTH });
      expect(response).toMatchObject({ status, body: { error } });
      expect((await requestChallenge()).status).toBe(200);
    });

    it('answers 405 to a GET', async () => {
      const response = await fetch(stack().scepChallengeUrl);
      expect(response.status).toBe(405);
    });
  });

  describe('POST /scep-challenge/verify (step-ca)', () => {
    it('allows a challenge it issued once, and denies the replay', async () => {
      const challenge = String((await requestChallenge()).body);
      expect(await verify(challenge)).toMatchObject({ status: 200, body: { allow: true } });
      expect(await verify(challenge, { scepTransactionID: 'tx-2' })).toMatchObject({ status: 200, body: { allow: false } });
      expect(lastDenyReason()).toBe('Replayed');
    });

    it('allows the same step-ca transaction again, whose first answer may have been lost, and no other', async () => {
      const challenge = String((await requestChallenge()).body);
      expect(await verify(challenge, { scepTransactionID: 'tx-retried' })).toMatchObject({ status: 200, body: { allow: true } });
      expect(await verify(challenge, { scepTransactionID: 'tx-retried' })).toMatchObject({ status: 200, body: { allow: true } });
      expect(await verify(challenge, { scepTransactionID: 'tx-other' })).toMatchObject({ status: 200, body: { allow: false } });
      expect(lastDenyReason()).toBe('Replayed');
    });

    it('denies a used challenge replayed with the same transaction id but another certificate request', async () => {
      const challenge = String((await requestChallenge()).body);
      expect(await verify(challenge, { scepTransactionID: 'tx-copied' })).toMatchObject({ body: { allow: true } });
      // The transaction id travels in the clear in the SCEP request: anyone who saw it can send it.
      const other = { subject: { commonName: 'attacker' }, publicKeyAlgorithm: 'RSA' };
      expect(await verify(challenge, { scepTransactionID: 'tx-copied', x509CertificateRequest: other })).toMatchObject({
        status: 200,
        body: { allow: false },
      });
      expect(lastDenyReason()).toBe('Replayed');
    });

    it('allows a retry of a transaction whose first write was applied but whose answer was lost', async () => {
      const challenge = String((await requestChallenge()).body);
      // Every write is applied, then its answer is lost, as a reset after the service applied the call
      // would do; the client's own retry meets the same fate, so verify answers 503.
      const table = stack().usedChallenges as unknown as { putItem(input: Record<string, unknown>): unknown };
      const realPut = table.putItem.bind(table);
      table.putItem = (input) => {
        realPut(input);
        throw new AwsServiceError('InternalServerError', 'the answer was lost', 500);
      };
      try {
        expect(await verify(challenge, { scepTransactionID: 'tx-lost' })).toMatchObject({ status: 503 });
      } finally {
        table.putItem = realPut;
      }
      // step-ca retries once after 1 s on a 5xx, with the same transaction.
      expect(await verify(challenge, { scepTransactionID: 'tx-lost' })).toMatchObject({ status: 200, body: { allow: true } });
    });

    it('allows exactly one of several verifications of one challenge racing each other', async () => {
      const challenge = String((await requestChallenge()).body);
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => verify(challenge, { scepTransactionID: `race-${i}` })));
      expect(answers.filter((a) => a.body.allow === true)).toHaveLength(1);
      expect(answers.every((a) => a.status === 200)).toBe(true);
    });

    it('records the use in the used-challenge table, with its expiry for TTL', async () => {
      const challenge = String((await requestChallenge()).body);
      await verify(challenge, { scepTransactionID: 'tx-recorded' });
      const items = [...stack().usedChallenges.items.values()];
      expect(items.at(-1)).toMatchObject({
        challengeId: { S: expect.stringMatching(/^[0-9a-f]{24}$/) },
        expiresAt: { N: expect.stringMatching(/^\d+$/) },
        transactionId: { S: 'tx-recorded' },
        provisionerName: { S: 'jamf-scep' },
      });
    });

    it('denies a forged challenge: one character changed', async () => {
      const challenge = String((await requestChallenge()).body);
      const forged = `${challenge.slice(0, 40)}${challenge[40] === 'A' ? 'B' : 'A'}${challenge.slice(41)}`;
      expect(await verify(forged)).toMatchObject({ status: 200, body: { allow: false } });
      expect(lastDenyReason()).toBe('BadSignature');
      // The real one is still unused, so still good.
      expect(await verify(challenge)).toMatchObject({ body: { allow: true } });
    });

    it('denies a challenge signed with another key', async () => {
      const { challenge } = issueChallenge(
        Buffer.from('an-attacker-key-that-is-long-enough-0123'),
        { payloadIdentifier: FIXTURE_DEVICE.payloadIdentifier, deviceId: FIXTURE_DEVICE.udid },
        3600,
      );
      expect(await verify(challenge)).toMatchObject({ status: 200, body: { allow: false } });
      expect(lastDenyReason()).toBe('BadSignature');
    });

    it('denies an expired challenge, however well signed', async () => {
      const { challenge } = issueChallenge(
        Buffer.from(TEST_SECRETS.scepChallengeKey),
        { payloadIdentifier: FIXTURE_DEVICE.payloadIdentifier, deviceId: FIXTURE_DEVICE.udid },
        3600,
        Date.now() - 2 * 3600 * 1000,
      );
      expect(await verify(challenge)).toMatchObject({ status: 200, body: { allow: false } });
      expect(lastDenyReason()).toBe('Expired');
    });

    it.each([
      ['empty', '', 'MissingChallenge'],
      ['not a token', 'password123', 'Malformed'],
      ['too long', 'A'.repeat(200), 'Malformed'],
      ['62 characters but not ours', 'B'.repeat(62), 'Malformed'],
      ['a static challenge with spaces', 'let me in please', 'Malformed'],
    ])('denies a challenge that is %s', async (_, challenge, reason) => {
      expect(await verify(challenge)).toMatchObject({ status: 200, body: { allow: false } });
      expect(lastDenyReason()).toBe(reason);
    });

    it('denies a request without a challenge', async () => {
      const response = await askStepCa(stack().scepVerifyUrl, JSON.stringify({ scepTransactionID: 'tx-none' }));
      expect(response).toMatchObject({ status: 200, body: { allow: false } });
      expect(lastDenyReason()).toBe('MissingChallenge');
    });

    it('rejects a bad webhook signature with 401 and records nothing', async () => {
      const challenge = String((await requestChallenge()).body);
      const used = stack().usedChallenges.items.size;
      const forgedSecret = Buffer.from('not-the-step-ca-secret');
      const response = await askStepCa(stack().scepVerifyUrl, stepCaBody({ scepChallenge: challenge }), forgedSecret);
      expect(response).toMatchObject({ status: 401, body: { error: 'Unauthorized' } });
      expect(stack().usedChallenges.items.size).toBe(used);
      // Denying the forgery did not use the challenge up.
      expect(await verify(challenge)).toMatchObject({ body: { allow: true } });
    });

    it('rejects a request without a signature, and one whose body was changed after signing', async () => {
      const challenge = String((await requestChallenge()).body);
      const body = stepCaBody({ scepChallenge: challenge });
      const unsigned = await post(stack().scepVerifyUrl, body, { 'content-type': 'application/json' });
      expect(unsigned.status).toBe(401);
      const signed = await askStepCa(stack().scepVerifyUrl, body);
      expect(signed.body).toEqual({ allow: true });
      const tampered = await post(stack().scepVerifyUrl, body.replace('tx-1', 'tx-9'), {
        'content-type': 'application/json',
        'x-smallstep-signature': stepCaSignature(STEP_CA_SECRET, body),
      });
      expect(tampered.status).toBe(401);
    });

    it('answers a signed body that is not JSON with 400', async () => {
      const response = await askStepCa(stack().scepVerifyUrl, '{"scepChallenge": ');
      expect(response).toMatchObject({ status: 400, body: { error: 'MalformedJson' } });
    });

    it('answers a signed JSON body of the wrong shape with 422', async () => {
      const response = await askStepCa(stack().scepVerifyUrl, JSON.stringify({ scepChallenge: 42 }));
      expect(response).toMatchObject({ status: 422, body: { error: 'NotAStepCaRequest' } });
    });
  });

  describe('secrets', () => {
    it('no challenge, password or key reaches a log line, an event or a dead letter', async () => {
      expect(issued.length).toBeGreaterThan(10);
      const secrets = [...issued, FIXTURE_SCEP_PASSWORD, TEST_SECRETS.scepChallengeKey, TEST_SECRETS.scepVerifySecret];
      const logs = capturedLogLines().join('\n');
      const stored = JSON.stringify([stack().events(), stack().deadLetters(), [...stack().usedChallenges.items.values()]]);
      expect(logs).toContain('"function":"scep"');
      for (const secret of secrets) {
        expect(logs).not.toContain(secret);
        expect(stored).not.toContain(secret);
      }
    });
  });
});
