/**
 * API Gateway's stage throttle in the local runtime, over real HTTP on loopback: a token bucket of
 * `burstLimit` requests refilled at `rateLimit` per second, answering 429 as API Gateway does before
 * any handler runs. The clock is the test's own, so no assertion depends on how fast the machine is.
 */
import { fixtureBytes } from '../support/fixtures';
import { getJson, post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';

const HEADERS = { 'content-type': 'application/json', authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };
const BURST = 3;
/** The test's clock, in ms: it moves only when a test moves it. */
let nowMs = 0;
const stack = useLocalRuntime({
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
  throttle: { rateLimit: 2, burstLimit: BURST, now: () => nowMs },
});

const webhook = () => post(stack().webhookUrl, fixtureBytes('ComputerAdded', 'json'), HEADERS);

describe('the local API Gateway throttle', () => {
  it('takes a burst, answers 429 with API Gateway’s body after it, and publishes none of the refused', async () => {
    const eventsBefore = stack().events().length;
    const lettersBefore = stack().deadLetters().length;

    const burst = [];
    for (let i = 0; i < BURST; i += 1) burst.push((await webhook()).status);
    const refused = await webhook();

    expect(burst).toEqual([200, 200, 200]);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/json');
    expect(refused.body).toEqual({ message: 'Too Many Requests' });
    expect(stack().events().length - eventsBefore).toBe(BURST);
    // Lost before any code ran: not even a dead letter, which is why the alarm matters.
    expect(stack().deadLetters().length).toBe(lettersBefore);
    expect(await getJson(`${stack().url}/_local/throttle`)).toEqual({ throttle: { rateLimit: 2, burstLimit: BURST, throttled: 1 } });
  });

  it('refills at the rate: half a second later one more request passes at 2 per second, and the next is refused', async () => {
    nowMs += 500;
    expect((await webhook()).status).toBe(200);
    expect((await webhook()).status).toBe(429);
  });

  it('refills no further than the burst after a quiet spell', async () => {
    nowMs += 60_000;
    const statuses = [];
    for (let i = 0; i < BURST + 1; i += 1) statuses.push((await webhook()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('throttles every route, before the handler checks anything, and never the /_local routes', async () => {
    // The bucket is empty: an unauthenticated request is refused by the throttle, not the function's 401.
    expect((await post(stack().webhookUrl, '{}', { 'content-type': 'application/json' })).status).toBe(429);
    expect((await post(stack().scepChallengeUrl, '{}', { 'content-type': 'application/json' })).status).toBe(429);
    const events = await fetch(`${stack().url}/_local/events`);
    expect(events.status).toBe(200);
    expect(stack().throttle()?.throttled).toBe(5);
  });
});
