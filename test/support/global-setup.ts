import { publicSamplesSkipReason } from './fixtures';
import { clearCapturedLogs } from './scan-logs';

export default function globalSetup(): void {
  clearCapturedLogs();
  // Printed here because jest hides the output of passing tests: a skipped extra check must be visible.
  const skipped = publicSamplesSkipReason();
  if (skipped) process.stdout.write(`\n${skipped}\n`);
}
