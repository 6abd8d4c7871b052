/**
 * The same requests and answers through each front door (`apiType`): the local
 * runtime hands the handlers the event that front door sends (HTTP API payload
 * 2.0, or REST API payload 1.0), and the answers, events and dead letters must
 * not differ. Each front door runs it in a test file of its own, as the handlers
 * read their configuration once per process module set.
 */
import { DEFAULT_MAX_BODY_BYTES } from '../../lambda/contract/limits';
import { CONTENT_TYPES, fixtureBytes, fixtureNames } from './fixtures';
import { post, useLocalRuntime } from './local-runtime';
import { basicAuth } from './requests';
import { askStepCa, stepCaBody } from './scep';
import { TEST_SECRETS } from './secrets';

const AUTH = { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };

export function frontDoorSuite(apiType: 'http' | 'rest'): void {
  const stack = useLocalRuntime({
    apiType,
    webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
    scepChallengeKey: TEST_SECRETS.scepChallengeKey,
    scepVerifySecret: TEST_SECRETS.scepVerifySecret,
  });

  describe(`the front door apiType '${apiType}'`, () => {
    it('is the event shape the local runtime hands the handlers', () => {
      expect(stack().apiType).toBe(apiType);
    });

    describe.each(fixtureNames())('for %s', (name) => {
      it.each(['json', 'xml'] as const)('publishes the %s form', async (format) => {
        const before = stack().events().length;
        const response = await post(stack().webhookUrl, fixtureBytes(name, format), { 'content-type': CONTENT_TYPES[format], ...AUTH });
        expect(response).toMatchObject({ status: 200, body: { status: 'published', detailType: `jamf.${name}` } });
        expect(stack().events().slice(before)).toMatchObject([{ DetailType: `jamf.${name}`, Source: 'jamf.pro' }]);
      });
    });

    it('answers 401 to wrong credentials, and keeps nothing', async () => {
      const [events, letters] = [stack().events().length, stack().deadLetters().length];
      const response = await post(stack().webhookUrl, fixtureBytes('ComputerCheckIn', 'json'), {
        'content-type': 'application/json',
        authorization: basicAuth('jamf', 'wrong-password'),
      });
      expect(response).toMatchObject({ status: 401, body: { error: 'Unauthorized' } });
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect([stack().events().length, stack().deadLetters().length]).toEqual([events, letters]);
    });

    it('answers 400 to malformed JSON, dead-lettered', async () => {
      const response = await post(stack().webhookUrl, '{"webhook": ', { 'content-type': 'application/json', ...AUTH });
      expect(response).toMatchObject({ status: 400, body: { deadLettered: true } });
    });

    it('answers 413 to a body over the limit', async () => {
      const response = await post(stack().webhookUrl, Buffer.alloc(DEFAULT_MAX_BODY_BYTES + 1, 0x20), { 'content-type': 'application/json', ...AUTH });
      expect(response).toMatchObject({ status: 413, body: { error: 'BodyTooLarge' } });
    });

    it('issues a SCEP challenge, which the verifier then allows once', async () => {
      const issued = await post(stack().scepChallengeUrl, fixtureBytes('SCEPChallenge', 'json'), { 'content-type': 'application/json', ...AUTH });
      expect(issued.status).toBe(200);
      const challenge = String(issued.body);
      expect(challenge.length).toBeGreaterThan(20);
      const first = await askStepCa(stack().scepVerifyUrl, stepCaBody({ scepChallenge: challenge }));
      expect(first).toMatchObject({ status: 200, body: { allow: true } });
      const again = await askStepCa(stack().scepVerifyUrl, stepCaBody({ scepChallenge: challenge, scepTransactionID: 'tx-2' }));
      expect(again).toMatchObject({ status: 200, body: { allow: false } });
    });

    it('answers 401 to a SCEP challenge request without credentials', async () => {
      const response = await post(stack().scepChallengeUrl, fixtureBytes('SCEPChallenge', 'json'), { 'content-type': 'application/json' });
      expect(response.status).toBe(401);
    });
  });
}
