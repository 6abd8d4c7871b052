/**
 * The publish path: one PutEvents entry onto the bus, with retries inside a
 * time budget that stays well under Jamf's 2 s read timeout.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** Per-entry error codes that a later attempt can succeed on. */
const RETRYABLE_ENTRY_ERRORS = new Set(['ThrottlingException', 'InternalFailure', 'InternalException']);

/** Whole-call errors that a later attempt can succeed on, besides any 5xx or 429. */
const RETRYABLE_CALL_ERRORS = new Set([
  'ThrottlingException',
  'InternalException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
]);

export interface PublishOptions {
  /** Milliseconds from the first attempt after which no new attempt starts. */
  readonly budgetMs: number;
  /** Longest wait for one PutEvents call. Default: half the budget, at least 250 ms. */
  readonly attemptTimeoutMs?: number;
  readonly maxAttempts?: number;
  /** Base of the exponential backoff with full jitter. */
  readonly backoffBaseMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export type PublishResult =
  | { readonly ok: true; readonly eventId: string; readonly attempts: number }
  | {
      readonly ok: false;
      readonly attempts: number;
      /** The last error: a per-entry ErrorCode or the name of the call's error. */
      readonly errorCode: string;
      readonly errorMessage: string;
      /** Whether the last failure was transient (the budget ran out) or final. */
      readonly retryable: boolean;
    };

type AttemptFailure = { errorCode: string; errorMessage: string; retryable: boolean };

function classifyCallError(error: unknown): AttemptFailure {
  const e = error as { name?: string; message?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const retryable =
    Boolean(e.$retryable) ||
    RETRYABLE_CALL_ERRORS.has(e.name ?? '') ||
    status === undefined ||
    status === 429 ||
    status >= 500;
  return { errorCode: e.name ?? 'Error', errorMessage: (e.message ?? String(error)).slice(0, 300), retryable };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Puts one entry on the bus. Reads `FailedEntryCount` and the entry's
 * `ErrorCode`; retries throttling and internal failures, per entry or for the
 * whole call, with exponential backoff and full jitter, while the budget lasts.
 * Never throws: the caller decides what a failure means (a dead letter).
 */
export async function publishEntry(
  client: EventBridgeClient,
  entry: PutEventsRequestEntry,
  options: PublishOptions,
): Promise<PublishResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffBaseMs = options.backoffBaseMs ?? 25;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? Math.max(250, Math.floor(options.budgetMs / 2));
  const deadline = now() + options.budgetMs;

  let attempts = 0;
  let failure: AttemptFailure = { errorCode: 'NotAttempted', errorMessage: 'no attempt was made', retryable: true };
  while (attempts < maxAttempts) {
    const remaining = deadline - now();
    if (remaining <= 0) break;
    attempts += 1;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // The race keeps the budget even if a request handler ignores the abort signal.
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(Object.assign(new Error('PutEvents attempt timed out'), { name: 'TimeoutError' }));
      }, Math.min(remaining, attemptTimeoutMs));
    });
    try {
      const sent = Promise.resolve(client.send(new PutEventsCommand({ Entries: [entry] }), { abortSignal: abort.signal }));
      sent.catch(() => {}); // a late rejection after the race is lost is expected, not unhandled
      const response = await Promise.race([sent, timedOut]);
      const result = response.Entries?.[0];
      if (!response.FailedEntryCount && result?.EventId) {
        return { ok: true, eventId: result.EventId, attempts };
      }
      const errorCode = result?.ErrorCode ?? 'MissingEventId';
      failure = {
        errorCode,
        errorMessage: (result?.ErrorMessage ?? 'PutEvents returned no event id').slice(0, 300),
        retryable: RETRYABLE_ENTRY_ERRORS.has(errorCode),
      };
    } catch (error) {
      failure = classifyCallError(error);
    } finally {
      clearTimeout(timer);
    }
    if (!failure.retryable) break;
    const backoff = Math.floor(random() * backoffBaseMs * 2 ** (attempts - 1));
    const wait = Math.min(backoff, deadline - now());
    if (wait > 0 && attempts < maxAttempts) await sleep(wait);
  }
  return { ok: false, attempts, ...failure };
}
