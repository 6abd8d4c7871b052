/**
 * One AWS call, bounded and classified: what the publisher and the dead-letter
 * store both need of every attempt they make.
 */

/** Whole-call errors that a later attempt can succeed on, besides any 5xx or 429. */
const RETRYABLE_CALL_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'RequestThrottled',
  'InternalException',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
]);

/** Why an attempt failed, and what that means for the next one. */
export interface CallFailure {
  /** The error's name, e.g. `ThrottlingException`, `TimeoutError`. */
  readonly errorCode: string;
  readonly errorMessage: string;
  /** Whether a later attempt can succeed. */
  readonly retryable: boolean;
  /**
   * Whether the call may have been applied although it failed: there was no
   * answer (a timeout, an abort, a connection reset after sending).
   */
  readonly ambiguous: boolean;
}

/** What an SDK error says about the call. */
export function callFailure(error: unknown): CallFailure {
  const e = error as { name?: string; message?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const retryable =
    Boolean(e.$retryable) || RETRYABLE_CALL_ERRORS.has(e.name ?? '') || status === undefined || status === 429 || status >= 500;
  return {
    errorCode: e.name ?? 'Error',
    errorMessage: (e.message ?? String(error)).slice(0, 300),
    retryable,
    // With an HTTP status the service answered, and did not apply the call.
    ambiguous: status === undefined,
  };
}

/**
 * Runs `call` with an AbortSignal that fires after `timeoutMs`, and gives up
 * at that moment even if the call ignores the signal (as a stuck socket, or a
 * test double, may): the caller's time is kept either way.
 */
export async function boundedCall<T>(call: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' }));
    }, Math.max(1, timeoutMs));
  });
  try {
    const sent = Promise.resolve().then(() => call(abort.signal));
    sent.catch(() => {}); // a late rejection after the race is lost is expected, not unhandled
    return await Promise.race([sent, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Exponential backoff with full jitter: a random wait up to `baseMs * 2^(attempt-1)`. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * baseMs * 2 ** (attempt - 1));
}

/**
 * The request handler options of an SDK client on a request path: a TCP
 * connection and a whole request each get a hard limit. `throwOnRequestTimeout`
 * makes the request limit an error: without it, @smithy/node-http-handler 4
 * only logs a warning and goes on waiting. The per-call abort signals are the
 * real deadline; these stop a call that ignores them from holding a socket.
 */
export function boundedRequests(connectionTimeoutMs: number, requestTimeoutMs: number) {
  return { requestHandler: { connectionTimeout: connectionTimeoutMs, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } };
}
