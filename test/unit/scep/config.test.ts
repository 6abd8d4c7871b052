import { ConfigurationError } from '../../../lambda/shared/env';
import { readScepConfig } from '../../../lambda/scep/config';

const ENV = { EVENT_BUS_NAME: 'bus', DEAD_LETTER_QUEUE_URL: 'https://sqs.example/000000000000/dlq' };

describe('readScepConfig', () => {
  it('defaults to signed challenges for an hour, a 500 ms audit budget and no device check', () => {
    expect(readScepConfig(ENV)).toMatchObject({
      eventSource: 'jamf.pro',
      challengeTtlSeconds: 3600,
      auditBudgetMs: 500,
      requireDeviceMatch: false,
      upstream: undefined,
    });
  });

  it('reads the upstream issuer with a 1 s timeout by default', () => {
    const config = readScepConfig({ ...ENV, SCEP_UPSTREAM_URL: 'https://ca.example/jamf', SCEP_UPSTREAM_SECRET_ID: 'arn:up' });
    expect(config.upstream).toEqual({ url: 'https://ca.example/jamf', credentialsSecretId: 'arn:up', timeoutMs: 1000 });
  });

  it.each([
    [{ SCEP_CHALLENGE_TTL_SECONDS: '604801' }, /SCEP_CHALLENGE_TTL_SECONDS must be an integer from 1 to 604800/],
    [{ SCEP_CHALLENGE_TTL_SECONDS: '1.5' }, /SCEP_CHALLENGE_TTL_SECONDS/],
    [{ SCEP_AUDIT_BUDGET_MS: '2000' }, /SCEP_AUDIT_BUDGET_MS must be an integer from 1 to 1500/],
    [{ SCEP_REQUIRE_DEVICE_MATCH: 'yes' }, /SCEP_REQUIRE_DEVICE_MATCH must be true or false/],
    [{ SCEP_UPSTREAM_URL: 'not a url' }, /SCEP_UPSTREAM_URL must be a URL/],
    [{ SCEP_UPSTREAM_URL: 'ftp://ca.example/' }, /http\(s\) URL/],
    [{ SCEP_UPSTREAM_URL: 'https://user:pw@ca.example/' }, /must not carry credentials/],
    [{ SCEP_UPSTREAM_URL: 'https://ca.example/', SCEP_UPSTREAM_TIMEOUT_MS: '1500' }, /plus SCEP_AUDIT_BUDGET_MS must be at most 1550 ms/],
    [{ SCEP_UPSTREAM_URL: 'https://ca.example/', SCEP_AUDIT_BUDGET_MS: '600' }, /plus SCEP_AUDIT_BUDGET_MS must be at most 1550 ms/],
    [{ EVENT_BUS_NAME: '' }, /EVENT_BUS_NAME is required/],
  ])('rejects %j', (env, message) => {
    expect(() => readScepConfig({ ...ENV, ...env })).toThrow(ConfigurationError);
    expect(() => readScepConfig({ ...ENV, ...env })).toThrow(message);
  });
});
