import { CONTENT_TYPES, fixtureBytes } from '../support/fixtures';
import { getJson, post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';
import { localStackOptions, readLocalSettings } from '../../lambda/local/settings';

/** As `npm start -- -c scepChallenge=false -c maxBodyBytes=2000 -c eventBusName=... -c eventSource=...` runs it. */
const settings = readLocalSettings(
  {},
  { scepChallenge: 'false', maxBodyBytes: '2000', eventBusName: 'local-test-bus', eventSource: 'jamf.local-test' },
  {},
);
const AUTH = { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };
const stack = useLocalRuntime({
  ...localStackOptions(settings),
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
});

describe('the local runtime with settings, over real HTTP', () => {
  it('publishes to the bus and with the source the settings name', async () => {
    const response = await post(stack().webhookUrl, fixtureBytes('ComputerAdded', 'json'), {
      'content-type': CONTENT_TYPES.json,
      ...AUTH,
    });
    expect(response.status).toBe(200);
    expect((await getJson(`${stack().url}/_local/events`)).at(-1)).toMatchObject({
      EventBusName: 'local-test-bus',
      Source: 'jamf.local-test',
    });
  });

  it('applies maxBodyBytes to the webhooks', async () => {
    const big = JSON.stringify({ webhook: { webhookEvent: 'ComputerAdded' }, event: { pad: 'x'.repeat(3000) } });
    const response = await post(stack().webhookUrl, big, { 'content-type': CONTENT_TYPES.json, ...AUTH });
    expect(response.status).toBe(413);
  });

  it('answers 404 on the SCEP routes with scepChallenge=false', async () => {
    expect(stack().scepEnabled).toBe(false);
    for (const url of [stack().scepChallengeUrl, stack().scepVerifyUrl]) {
      const response = await post(url, fixtureBytes('SCEPChallenge', 'json'), { 'content-type': CONTENT_TYPES.json, ...AUTH });
      expect(response.status).toBe(404);
    }
  });
});
