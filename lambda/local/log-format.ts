/**
 * The local runtime's terminal output: one short line per request for a person,
 * made from the handler's structured log line (lambda/shared/log.ts), which
 * carries no secret and no body. Production output is the JSON line, unchanged;
 * `npm start` prints that too with LOG_FORMAT=json or --json.
 */
import type { PublishedEvent } from './event-bus';
import type { LocalInvocation } from './subscribers';

/** Keys that name a device or an object, in the order they are worth showing. */
const HINT_KEYS = ['serialNumber', 'deviceName', 'name', 'objectName'] as const;

/** A few words that say which device or object a published event is about, e.g. `serialNumber=C02XK1JQJGH5`. */
export function deviceHint(event: PublishedEvent): string | undefined {
  const detail = event.Detail as { event?: Record<string, unknown> } | null;
  const body = detail?.event;
  if (!body || typeof body !== 'object') return undefined;
  for (const place of [body.computer, body.targetDevice, body.mobileDevice, body.device, body]) {
    if (!place || typeof place !== 'object') continue;
    for (const key of HINT_KEYS) {
      const value = (place as Record<string, unknown>)[key];
      if ((typeof value === 'string' && value.trim()) || typeof value === 'number') {
        return `${key}=${String(value).trim().slice(0, 60)}`;
      }
    }
  }
  return undefined;
}

/** Remembers the hint of each published event until its request line is written (a handful at most). */
export class PublishedHints {
  private readonly hints = new Map<string, string>();

  constructor(private readonly limit = 100) {}

  /** Pass to `startLocalRuntime`'s onPublished. */
  readonly onPublished = (event: PublishedEvent): void => {
    const hint = deviceHint(event);
    if (!hint) return;
    this.hints.set(event.EventId, hint);
    if (this.hints.size > this.limit) this.hints.delete(this.hints.keys().next().value!);
  };

  take(eventId: string | undefined): string | undefined {
    if (!eventId) return undefined;
    const hint = this.hints.get(eventId);
    this.hints.delete(eventId);
    return hint;
  }
}

function clock(epochMs: unknown): string {
  const date = typeof epochMs === 'number' ? new Date(epochMs) : new Date();
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

const ROUTE_OF_FUNCTION: Record<string, string> = { ingest: '/webhooks', scep: '/scep-challenge' };

/**
 * The human line for one JSON log line:
 * `14:03:12  200 published  ComputerAdded  POST /webhooks  8 ms  serialNumber=C02XK1JQJGH5  id=6f1c…`.
 * A line that is not a request log line comes back as it was.
 */
export function humanRequestLine(
  jsonLine: string,
  request?: { readonly method: string; readonly path: string },
  hint?: string,
): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine.endsWith('\n') ? jsonLine : `${jsonLine}\n`;
  }
  const aws = entry._aws as { Timestamp?: unknown } | undefined;
  if (entry.message === 'redrive') {
    const count = (key: string) => (typeof entry[key] === 'number' ? entry[key] : 0);
    return (
      `${clock(aws?.Timestamp)}  redrive    read ${count('read')}, published ${count('published')}; left: ` +
      `${count('leftBadInput')} bad input, ${count('leftUnpublishable')} unpublishable, ${count('leftFailed')} failed\n`
    );
  }
  if (entry.message === 'dead-letter') {
    // The record itself is long; the request's own line follows with the rest.
    const record = (entry.deadLetter ?? {}) as { reason?: { code?: unknown }; eventName?: unknown };
    return `${clock(Date.now())}  dead letter written to the log, the queue refused it: ${String(record.reason?.code ?? '?')} ${String(record.eventName ?? '-')}\n`;
  }
  if (typeof entry.status !== 'number' || typeof entry.outcome !== 'string') return `${jsonLine.trimEnd()}\n`;
  const text = (key: string) => (typeof entry[key] === 'string' && entry[key] ? String(entry[key]) : undefined);
  const route = request ? `${request.method} ${request.path}` : `POST ${ROUTE_OF_FUNCTION[String(entry.function)] ?? ''}`;
  const deadLetter =
    entry.deadLettered === true ? 'dead-lettered' : entry.deadLettered === false ? `dead-letter failed (${text('deadLetterError') ?? 'unknown'})` : undefined;
  const facts = [
    text('errorCode'),
    text('reason'),
    deadLetter,
    hint,
    text('challengeId') ? `challenge=${text('challengeId')}` : undefined,
    text('transactionId') ? `tx=${text('transactionId')}` : undefined,
    text('eventId') ? `id=${text('eventId')}` : undefined,
  ].filter((fact): fact is string => fact !== undefined);
  return [
    clock(aws?.Timestamp),
    `${entry.status} ${entry.outcome.padEnd(9)}`,
    (text('eventName') ?? '-').padEnd(24),
    route.padEnd(28),
    `${typeof entry.latencyMs === 'number' ? Math.round(entry.latencyMs) : '?'} ms`.padStart(6),
    ...facts,
  ]
    .join('  ')
    .concat('\n');
}

/** Most characters of a subscriber's error or result a line shows; /_local/invocations has them whole. */
const SHOWN_CHARS = 300;

/**
 * The line for one subscriber invocation (`LOCAL_SUBSCRIBERS`):
 * `14:03:12  subscriber ok     Computers  jamf.ComputerAdded  3 ms  result={"serialNumber":"C02…"}  id=6f1c…`,
 * with the error instead of the result when the handler threw, rejected or ran out of time.
 */
export function humanInvocationLine(invocation: LocalInvocation): string {
  const shown = (text: string) => (text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text);
  return [
    clock(Date.parse(invocation.startedAt) + invocation.durationMs),
    `subscriber ${invocation.status.padEnd(5)}`,
    invocation.rule.padEnd(20),
    invocation.detailType.padEnd(24),
    `${Math.round(invocation.durationMs)} ms`.padStart(6),
    ...(invocation.error ? [shown(invocation.error.replace(/\s+/g, ' '))] : []),
    ...(invocation.result !== undefined ? [`result=${shown(JSON.stringify(invocation.result))}`] : []),
    ...(invocation.resultOmitted ? [`result omitted: ${invocation.resultOmitted}`] : []),
    `id=${invocation.eventId}`,
  ]
    .join('  ')
    .concat('\n');
}
