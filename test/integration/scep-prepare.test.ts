import { CONTENT_TYPES, fixtureBytes } from '../support/fixtures';
import { post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';
import { LOCAL_AUTH_SECRET, LOCAL_SCEP_SIGNING_KEY_SECRET } from '../../lambda/local/runtime';

/** As a provisioned instance runs: init prepares the issue path (SCEP_PREPARE_AT_INIT). */
const stack = useLocalRuntime({
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
  scepChallengeKey: TEST_SECRETS.scepChallengeKey,
  scepVerifySecret: TEST_SECRETS.scepVerifySecret,
  scepPrepareAtInit: true,
});

describe('the SCEP function prepared at init', () => {
  it('has read the Jamf credentials and the signing key before its first request', () => {
    expect(stack().secrets.reads.get(LOCAL_AUTH_SECRET)).toBe(1);
    expect(stack().secrets.reads.get(LOCAL_SCEP_SIGNING_KEY_SECRET)).toBe(1);
  });

  it('answers its first requests, JSON and XML, without reading a secret again', async () => {
    for (const format of ['json', 'xml'] as const) {
      const response = await post(stack().scepChallengeUrl, fixtureBytes('SCEPChallenge', format), {
        'content-type': CONTENT_TYPES[format],
        authorization: basicAuth('jamf', TEST_SECRETS.basicPassword),
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatch(/^[A-Za-z0-9.-]{62}$/);
    }
    expect(stack().secrets.reads.get(LOCAL_AUTH_SECRET)).toBe(1);
    expect(stack().secrets.reads.get(LOCAL_SCEP_SIGNING_KEY_SECRET)).toBe(1);
  });
});
