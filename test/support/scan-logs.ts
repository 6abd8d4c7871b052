/**
 * jest globalSetup/globalTeardown: empties .test-logs/ before the suite and,
 * after it, fails the run if any test secret appears in the captured log output.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TEST_SECRETS } from './secrets';

const LOG_DIR = join(__dirname, '..', '..', '.test-logs');

export function clearCapturedLogs(): void {
  rmSync(LOG_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
}

/** The secrets found in the captured logs, with the file they were found in. */
export function findSecretsInLogs(secrets: readonly string[] = ALL_TEST_SECRETS): string[] {
  if (!existsSync(LOG_DIR)) return [];
  const found: string[] = [];
  for (const file of readdirSync(LOG_DIR)) {
    const text = readFileSync(join(LOG_DIR, file), 'utf8');
    for (const secret of secrets) if (text.includes(secret)) found.push(`${secret} in ${file}`);
  }
  return found;
}

export function capturedLogLines(): string[] {
  if (!existsSync(LOG_DIR)) return [];
  return readdirSync(LOG_DIR).flatMap((file) => readFileSync(join(LOG_DIR, file), 'utf8').split('\n').filter(Boolean));
}
