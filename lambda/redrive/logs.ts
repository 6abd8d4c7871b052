/**
 * Dead letters the queue would not take, read back from a function's log: one
 * line each, `"message":"dead-letter"` with the record under `deadLetter` (see
 * `logDeadLetter`). Reads a file as CloudWatch Logs exports it or
 * `aws logs tail` / `filter-log-events` print it: whatever stands before the
 * JSON on a line (a timestamp, a request id) is skipped.
 */
import type { DeadLetterRecord } from '../publish/dead-letters';
import { readDeadLetterRecord } from './redrive';

export function deadLettersInLog(text: string): DeadLetterRecord[] {
  const records: DeadLetterRecord[] = [];
  for (const line of text.split('\n')) {
    const start = line.indexOf('{"');
    if (start < 0 || !line.includes('"dead-letter"')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.slice(start));
    } catch {
      continue;
    }
    const { message, deadLetter } = (parsed ?? {}) as { message?: unknown; deadLetter?: unknown };
    if (message !== 'dead-letter' || deadLetter === undefined) continue;
    const record = readDeadLetterRecord(JSON.stringify(deadLetter));
    if (record !== undefined) records.push(record);
  }
  return records;
}
