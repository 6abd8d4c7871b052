/**
 * Runs before each test file: keeps every structured log line the code under
 * test writes in .test-logs/, instead of the terminal, so scan-logs.ts can
 * check the whole suite's output for secrets once all tests are done.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setLogWriter } from '../../lambda/shared/log';

export const LOG_DIR = join(__dirname, '..', '..', '.test-logs');

mkdirSync(LOG_DIR, { recursive: true });
const file = join(LOG_DIR, `worker-${process.env.JEST_WORKER_ID ?? '0'}-${process.pid}.log`);
setLogWriter((line) => {
  mkdirSync(LOG_DIR, { recursive: true }); // another jest run in this checkout may have just cleared it
  appendFileSync(file, line);
});

/** The log lines this test process has written so far (other workers write their own files). */
export function ownLogLines(): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}
