/**
 * A Secrets Manager outage from a cold start: no webhook can be checked, so
 * each is kept unverified; once Secrets Manager is back, a redrive publishes
 * exactly the ones with good credentials and drops the rest.
 */
import { createHmac } from 'node:crypto';
import { fixtureText } from '../support/fixtures';
import { post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';

const runtime = useLocalRuntime({
  webhookAuth: JSON.stringify({
    basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }],
    headers: [{ name: 'X-Api-Key', value: TEST_SECRETS.headerValue }],
    hmac: [{ header: 'X-Jamf-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=', secret: TEST_SECRETS.hmacSecret }],
  }),
  faults: { secretsmanager: { error500: 1 }, seed: 7 },
});

/** The ComputerCheckIn fixture, told apart from the others by its timestamp. */
function webhook(timestamp: number): string {
  const text = fixtureText('ComputerCheckIn', 'json');
  return text.replace(/"eventTimestamp":\s*\d+/, `"eventTimestamp": ${timestamp}`);
}
/** One webhook: its timestamp, and the credentials it presents (for a signature, made from its body). */
interface Sender {
  readonly t: number;
  readonly headers: Record<string, string> | ((body: string) => Record<string, string>);
}

const sign = (body: string) => `sha256=${createHmac('sha256', TEST_SECRETS.hmacSecret).update(body).digest('hex')}`;

describe('a Secrets Manager outage from a cold start', () => {
  it('keeps every webhook unverified, then a redrive publishes exactly those with good credentials', async () => {
    const good: Sender[] = [
      { t: 1_700_000_000_001, headers: { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) } },
      { t: 1_700_000_000_002, headers: { 'x-api-key': TEST_SECRETS.headerValue } },
      { t: 1_700_000_000_003, headers: (body: string) => ({ 'x-jamf-signature': sign(body) }) },
    ];
    const bad: Sender[] = [
      { t: 1_700_000_000_101, headers: { authorization: basicAuth('jamf', 'not-the-password') } },
      { t: 1_700_000_000_102, headers: { 'x-api-key': 'not-the-key' } },
      { t: 1_700_000_000_103, headers: (body: string) => ({ 'x-jamf-signature': sign(`${body} `) }) },
      { t: 1_700_000_000_104, headers: {} },
    ];
    for (const { t, headers } of [...good, ...bad]) {
      const body = webhook(t);
      const extra = typeof headers === 'function' ? headers(body) : headers;
      const response = await post(runtime().webhookUrl, body, { 'content-type': 'application/json', ...extra });
      expect(response).toMatchObject({ status: 503, body: { error: 'CredentialsUnavailable', deadLettered: true } });
    }
    expect(runtime().events()).toHaveLength(0);
    const letters = runtime().deadLetters();
    expect(letters).toHaveLength(good.length + bad.length);
    // What was kept proves nothing by itself: no credential in clear.
    const kept = JSON.stringify(letters);
    for (const secret of [TEST_SECRETS.basicPassword, TEST_SECRETS.headerValue, TEST_SECRETS.hmacSecret]) expect(kept).not.toContain(secret);

    runtime().setFaults({});
    const summary = await runtime().redrive();
    expect(summary).toMatchObject({ read: 7, published: 3, droppedUnverified: 4, deleted: 7, leftFailed: 0 });
    const published = runtime().events().map((e) => (e.Detail as { webhook: { eventTimestamp: number } }).webhook.eventTimestamp);
    expect(published.sort()).toEqual(good.map((g) => g.t));
    expect(runtime().deadLetters()).toEqual([]);
  });
});
