import { clearCapturedLogs } from './scan-logs';

export default function globalSetup(): void {
  clearCapturedLogs();
}
