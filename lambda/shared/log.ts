/**
 * One structured JSON line per request, never the body or a credential (a dead
 * letter the queue refused is the one line that carries a body, masked). The line is also a
 * CloudWatch Embedded Metric Format document, so the counts become metrics
 * (namespace `JamfEventBridge`, dimension `Function`) without an API call.
 */

import { METRIC_NAMESPACE } from '../contract';

export interface RequestLog {
  readonly function: string;
  readonly requestId: string;
  readonly eventName: string | undefined;
  /** The named Jamf Pro instance the request came for; absent for the default one. */
  readonly instance?: string;
  /**
   * `published`, `rejected` (4xx) or `failed` (5xx); the SCEP function also
   * writes `issued` (a challenge was returned), `allowed` and `denied` (a
   * verification answered).
   */
  readonly outcome: 'published' | 'issued' | 'allowed' | 'denied' | 'rejected' | 'failed';
  readonly status: number;
  readonly latencyMs: number;
  readonly errorCode?: string;
  readonly eventId?: string;
  readonly attempts?: number;
  /** How many events a webhook too large for one was published as (its parts); absent for one event. */
  readonly parts?: number;
  readonly deadLettered?: boolean;
  readonly deadLetterError?: string;
  /** Whether a dead letter the queue did not take was written to the log instead. */
  readonly deadLetterLogged?: boolean;
  /** Why a challenge was denied or its audit failed (never the challenge itself). */
  readonly reason?: string;
  /** Names a SCEP challenge without revealing it. */
  readonly challengeId?: string;
  /** How the challenge was issued: `signed` or `upstream`. */
  readonly issuer?: string;
  /** step-ca's id of the enrolment being verified. */
  readonly transactionId?: string;
  /** step-ca's id of the webhook that called. */
  readonly webhookId?: string;
  /**
   * The counts this line reports as metrics, by name: every metric the
   * function has, 0 where this request did not count, so each line carries all.
   */
  readonly metrics: Readonly<Record<string, 0 | 1>>;
}

export type LogWriter = (line: string) => void;

/** Unprefixed stdout, which is what CloudWatch needs to read EMF in Lambda. */
let writeLine: LogWriter = (line) => {
  process.stdout.write(line);
};

/** Sends log lines elsewhere (the test suite keeps them to scan for secrets); returns the previous writer. */
export function setLogWriter(writer: LogWriter): LogWriter {
  const previous = writeLine;
  writeLine = writer;
  return previous;
}

/** Writes a line about the function rather than a request, e.g. a secret used past its TTL. */
export function logNotice(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Readonly<Record<string, unknown>>): void {
  writeLine(`${JSON.stringify({ level, message, ...fields })}\n`);
}

/** Writes the request's log line. */
export function logRequest(entry: RequestLog, now: number = Date.now()): void {
  const { metrics, ...fields } = entry;
  const level = entry.outcome === 'failed' ? 'ERROR' : entry.outcome === 'rejected' || entry.outcome === 'denied' ? 'WARN' : 'INFO';
  logMetricLine(entry.function, level, { message: 'webhook', ...fields }, metrics, now);
}

/**
 * Writes a dead letter the queue would not take as one structured line, the
 * record itself under `deadLetter` (its body already masked), so that a redrive
 * can read it back from the log (`"message":"dead-letter"`).
 */
export function logDeadLetter(record: string): void {
  writeLine(`{"level":"ERROR","message":"dead-letter","deadLetter":${record}}\n`);
}

/**
 * Writes one line that is also a CloudWatch Embedded Metric Format document:
 * `fields` as they are, and each of `metrics` as a count under the dimension
 * `Function`. Every function's lines go through here.
 */
export function logMetricLine(
  functionName: string,
  level: 'INFO' | 'WARN' | 'ERROR',
  fields: Readonly<Record<string, unknown>>,
  metrics: Readonly<Record<string, number>>,
  now: number = Date.now(),
): void {
  const line = {
    level,
    ...fields,
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [['Function']],
          Metrics: Object.keys(metrics).map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    Function: functionName,
    ...metrics,
  };
  writeLine(`${JSON.stringify(line)}\n`);
}
