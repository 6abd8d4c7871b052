import { capturedLogLines, findSecretsInLogs } from './scan-logs';

/** The suite-wide leak check: no test secret in any log line the code wrote during the run. */
export default function globalTeardown(): void {
  const lines = capturedLogLines();
  const leaks = findSecretsInLogs();
  if (leaks.length > 0) {
    throw new Error(`Secrets leaked into the captured log output:\n  ${leaks.join('\n  ')}`);
  }
  process.stdout.write(`log scan: ${lines.length} captured log lines, no test secret in any of them\n`);
}
