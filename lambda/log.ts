/**
 * One structured JSON line per request, never the body. The line is also a
 * CloudWatch Embedded Metric Format document, so the counts become metrics
 * (namespace `JamfEventBridge`, dimension `Function`) without an API call.
 */

export const METRIC_NAMESPACE = 'JamfEventBridge';

export interface RequestLog {
  readonly function: string;
  readonly requestId: string;
  readonly eventName: string | undefined;
  /** `published`, `rejected` (4xx) or `failed` (5xx). */
  readonly outcome: 'published' | 'rejected' | 'failed';
  readonly status: number;
  readonly latencyMs: number;
  readonly errorCode?: string;
  readonly eventId?: string;
  readonly attempts?: number;
  readonly deadLettered?: boolean;
  readonly deadLetterError?: string;
}

const METRICS = ['Published', 'DeadLettered', 'PublishFailed'] as const;

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

/** Writes the request's log line. */
export function logRequest(entry: RequestLog, now: number = Date.now()): void {
  const line = {
    level: entry.outcome === 'failed' ? 'ERROR' : entry.outcome === 'rejected' ? 'WARN' : 'INFO',
    message: 'webhook',
    ...entry,
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [['Function']],
          Metrics: METRICS.map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    Function: entry.function,
    Published: entry.outcome === 'published' ? 1 : 0,
    DeadLettered: entry.deadLettered ? 1 : 0,
    PublishFailed: entry.errorCode === 'PublishFailed' ? 1 : 0,
  };
  writeLine(`${JSON.stringify(line)}\n`);
}
