/**
 * Every secret the test suite uses. None may appear in a log line, an error
 * body, a dead letter or a published event; the suite's captured log output is
 * scanned for each of them after all tests (see scan-logs.ts).
 */
import { FIXTURE_SCEP_PASSWORD } from './fixtures';

export const TEST_SECRETS = {
  basicPassword: 'tsecret-basic-Hq2vLp9x',
  headerValue: 'tsecret-header-Zr8mWc3k',
  hmacSecret: 'tsecret-hmac-Jd4nTy7bQe1u',
  scepPassword: FIXTURE_SCEP_PASSWORD,
  /** The local stack's SCEP signing key in tests. */
  scepChallengeKey: 'tsecret-scep-key-Wm5xPq8Rt2Lk9Vb3Nc7Hd4Fg',
  /** step-ca's webhook secret in tests, base64 as step-ca prints it. */
  scepVerifySecret: Buffer.from('tsecret-stepca-Yp6Qs1Xz').toString('base64'),
  /** Basic password of the fake upstream issuer. */
  scepUpstreamPassword: 'tsecret-upstream-Gf3Kd8Lw',
  /** Basic passwords of two named Jamf Pro instances (`jamfInstances`). */
  sandboxPassword: 'tsecret-sandbox-Rb7yNq2Vx',
  euPassword: 'tsecret-eu-Kc4tHw9Mz',
} as const;

export const ALL_TEST_SECRETS: readonly string[] = Object.values(TEST_SECRETS);
