import { CONTENT_TYPES, fixtureJson } from '../support/fixtures';
import { post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';
import { localStackOptions, readLocalSettings } from '../../lambda/local/settings';

/** The two functions keep their own body limits, as their two Lambdas do, though both read MAX_BODY_BYTES. */
const stack = useLocalRuntime({
  ...localStackOptions(readLocalSettings({}, { scepMaxBodyBytes: '3000' }, {})),
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
  scepChallengeKey: TEST_SECRETS.scepChallengeKey,
  scepVerifySecret: TEST_SECRETS.scepVerifySecret,
});
const AUTH = { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };

describe('scepMaxBodyBytes in the local runtime', () => {
  it('limits the SCEP route and not the webhooks', async () => {
    const scep = fixtureJson('SCEPChallenge');
    scep.pad = 'x'.repeat(4000);
    const body = JSON.stringify(scep);
    expect((await post(stack().scepChallengeUrl, body, { 'content-type': CONTENT_TYPES.json, ...AUTH })).status).toBe(413);
    const webhook = fixtureJson('ComputerAdded');
    webhook.event.pad = 'x'.repeat(4000);
    const response = await post(stack().webhookUrl, JSON.stringify(webhook), { 'content-type': CONTENT_TYPES.json, ...AUTH });
    expect(response.status).not.toBe(413);
  });
});
