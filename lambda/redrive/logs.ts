/**
 * Dead letters the queue would not take, read back from a function's log: one
 * line each, `"message":"dead-letter"` with the record under `deadLetter` (see
 * `logDeadLetter`). Reads a file as CloudWatch Logs exports it or
 * `aws logs tail` / `filter-log-events` print it: whatever stands before the
 * JSON on a line (a timestamp, a request id) is skipped.
 */
import type { DeadLetterRecord } from '../publish/dead-letters';
import { readDeadLetterRecord, redrive, type RedriveDependencies, type RedriveOptions, type RedriveSummary } from './redrive';

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

/** What a redrive of the queue and then of a log answers: the queue's counts, and the log's beside them. */
export type RedriveAnswer = RedriveSummary & { readonly fromLog?: RedriveSummary };

/**
 * Redrives the queue, then the dead letters in `logText` (a log export), in one run: a webhook kept
 * in both (a SendMessage that landed although its answer was lost, then the log line written
 * because it seemed to fail) goes out once. Letters in a log cannot be deleted; an unverified one
 * is there without its body when the body held a secret, and stays unpublishable.
 */
export async function redriveQueueThenLog(
  deps: RedriveDependencies,
  options: RedriveOptions,
  logText?: string,
): Promise<RedriveAnswer> {
  const published = options.published ?? new Set<string>();
  const summary = await redrive(deps, { ...options, published });
  if (logText === undefined || logText.trim() === '') return summary;
  const letters = deadLettersInLog(logText).map((record) => ({ messageId: record.requestId, receiptHandle: '', body: JSON.stringify(record) }));
  const { remove: _cannotDelete, ...fromLogDeps } = deps;
  const fromLog = await redrive(
    { ...fromLogDeps, receive: async (max) => letters.splice(0, max) },
    { ...options, published, maxLetters: letters.length },
  );
  return { ...summary, fromLog };
}
