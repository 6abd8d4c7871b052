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

/** Writes the request's log line to stdout (unprefixed, as EMF requires). */
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
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
