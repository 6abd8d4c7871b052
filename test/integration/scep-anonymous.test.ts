import { CONTENT_TYPES, fixtureBytes } from '../support/fixtures';
import { post, useLocalRuntime } from '../support/local-runtime';
import { TEST_SECRETS } from '../support/secrets';

/** A credentials document that lets anyone send webhooks: fine for events, not for SCEP challenges. */
const stack = useLocalRuntime({
  webhookAuth: JSON.stringify({ none: true }),
  scepChallengeKey: TEST_SECRETS.scepChallengeKey,
  scepVerifySecret: TEST_SECRETS.scepVerifySecret,
});

describe('with {"none": true} as the credentials document', () => {
  it('still publishes webhooks sent without credentials', async () => {
    const response = await post(stack().webhookUrl, fixtureBytes('ComputerAdded', 'json'), {
      'content-type': CONTENT_TYPES.json,
    });
    expect(response.status).toBe(200);
  });

  it('hands out no SCEP challenge, to anyone, and keeps nothing', async () => {
    const events = stack().events().length;
    const response = await post(stack().scepChallengeUrl, fixtureBytes('SCEPChallenge', 'json'), {
      'content-type': CONTENT_TYPES.json,
    });
    expect(response).toMatchObject({ status: 503, body: { error: 'CredentialsRequired' } });
    expect(JSON.stringify(response.body)).not.toMatch(/[A-Za-z0-9.-]{62}/);
    expect(stack().events()).toHaveLength(events);
    expect(stack().deadLetters()).toHaveLength(0);
  });
});
