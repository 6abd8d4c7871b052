import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONTENT_TYPES,
  fixtureBytes,
  fixtureNames,
  FIXTURE_SCEP_PASSWORD,
  PUBLIC_SAMPLES_DIR,
  publicSampleFiles,
  publicSamplesSkipReason,
} from '../support/fixtures';
import { getJson, post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';

const AUTH = { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };
const stack = useLocalRuntime({
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
});

/** A published event without `delivery.receivedAt`, which differs between two deliveries of one webhook. */
function withoutArrival(event: { Detail: { delivery: Record<string, unknown> } }) {
  const { receivedAt: _receivedAt, ...delivery } = event.Detail.delivery;
  return { ...event, Detail: { ...event.Detail, delivery } };
}

describe('the local runtime, over real HTTP and the real SDK clients', () => {
  describe.each(fixtureNames())('for %s', (name) => {
    it('publishes the JSON and the XML form as the same EventBridge event', async () => {
      const before = stack().events().length;
      for (const format of ['json', 'xml'] as const) {
        const response = await post(stack().webhookUrl, fixtureBytes(name, format), {
          'content-type': CONTENT_TYPES[format],
          ...AUTH,
        });
        expect(response).toMatchObject({ status: 200, body: { status: 'published', detailType: `jamf.${name}` } });
      }
      const [fromJson, fromXml] = (await getJson(`${stack().url}/_local/events`)).slice(before);
      // Without LOCAL_RULES no rule matches anything.
      expect(fromJson).toMatchObject({ EventBusName: 'jamf-eventbridge', Source: 'jamf.pro', DetailType: `jamf.${name}`, MatchedRules: [] });
      // One webhook, one delivery id; only the moment each copy arrived differs.
      expect(fromXml.Detail.delivery.id).toBe(fromJson.Detail.delivery.id);
      expect(withoutArrival(fromXml)).toEqual(withoutArrival(fromJson));
    });
  });

  // Without them (anywhere but our CI), the run says so once, from test/support/global-setup.ts.
  if (publicSamplesSkipReason() === undefined) {
    it.each(publicSampleFiles())('decodes and publishes the public sample %s', async (file) => {
      const response = await post(stack().webhookUrl, readFileSync(join(PUBLIC_SAMPLES_DIR, file)), {
        'content-type': 'application/json',
        ...AUTH,
      });
      expect(response.status).toBe(200);
    });
  }

  it('never publishes the SCEP user password', async () => {
    const events = JSON.stringify(await getJson(`${stack().url}/_local/events`));
    expect(events).toContain('jamf.SCEPChallenge');
    expect(events).not.toContain(FIXTURE_SCEP_PASSWORD);
  });

  it('lists what it could not publish, with the reason, at /_local/dead-letters', async () => {
    const sent = '{"webhook":{"webhookEvent":"ComputerAdded"},"event":{"jssID":"not a number"}}';
    const response = await post(stack().webhookUrl, sent, { 'content-type': 'application/json', ...AUTH });
    expect(response).toMatchObject({ status: 422, body: { error: 'InvalidEvent', deadLettered: true } });
    const letters = await getJson(`${stack().url}/_local/dead-letters`);
    expect(letters.at(-1)).toMatchObject({
      reason: { code: 'InvalidEvent', statusCode: 422, issues: [{ path: 'event.jssID' }] },
      eventName: 'ComputerAdded',
      body: sent,
    });
  });

  it('rejects a request without credentials with 401', async () => {
    const response = await post(stack().webhookUrl, fixtureBytes('ComputerAdded', 'json'), {
      'content-type': 'application/json',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('answers other methods on /webhooks with 405 and unknown paths with 404', async () => {
    expect((await fetch(stack().webhookUrl)).status).toBe(405);
    expect((await fetch(`${stack().url}/nope`)).status).toBe(404);
  });
});
