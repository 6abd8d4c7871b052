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
} as const;

export const ALL_TEST_SECRETS: readonly string[] = Object.values(TEST_SECRETS);
