/**
 * The publish path: one PutEvents entry onto the bus, with retries inside a
 * time budget that stays well under Jamf's 2 s read timeout.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { backoffMs, boundedCall, type CallFailure, callFailure } from '../shared/aws-calls';

/** Per-entry error codes that a later attempt can succeed on. */
const RETRYABLE_ENTRY_ERRORS = new Set(['ThrottlingException', 'InternalFailure', 'InternalException']);

export interface PublishOptions {
  /** Milliseconds from the first attempt after which no new attempt starts. */
  readonly budgetMs: number;
  /**
   * Longest wait for one PutEvents call. Default: what is left of the budget. An
   * attempt cut short may still land, and a retry would then put a second copy
   * on the bus, so a slow but healthy EventBridge is waited for, not retried.
   */
  readonly attemptTimeoutMs?: number;
  readonly maxAttempts?: number;
  /**
   * No retry starts with less than this left of the budget. A retry cut off
   * by the budget may land unanswered: its webhook is then both on the bus and
   * dead-lettered, and the redrive adds a copy; not starting it leaves a dead
   * letter that is known not to be on the bus. @default a third of the budget, at most 500 ms
   */
  readonly minRetryMs?: number;
  /** Called each time an attempt fails, before any retry: the caller may get ready for a dead letter. */
  readonly onAttemptFailed?: () => void;
  /** Base of the exponential backoff with full jitter. */
  readonly backoffBaseMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export type PublishResult =
  | {
      readonly ok: true;
      readonly eventId: string;
      readonly attempts: number;
      /** Whether an earlier attempt had an unknown outcome, so that a copy of the event may be on the bus twice. */
      readonly ambiguous: boolean;
    }
  | {
      readonly ok: false;
      readonly attempts: number;
      /**
       * Whether an attempt had an unknown outcome (timed out, or the connection
       * failed after sending): the event may be on the bus although this failed.
       */
      readonly ambiguous: boolean;
      /** The last error: a per-entry ErrorCode or the name of the call's error. */
      readonly errorCode: string;
      readonly errorMessage: string;
      /** Whether the last failure was transient (the budget ran out) or final. */
      readonly retryable: boolean;
    };

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
  const attemptTimeoutMs = options.attemptTimeoutMs ?? options.budgetMs;
  const minRetryMs = options.minRetryMs ?? Math.min(500, options.budgetMs / 3);
  const deadline = now() + options.budgetMs;

  let attempts = 0;
  let ambiguous = false;
  let failure: CallFailure = { errorCode: 'NotAttempted', errorMessage: 'no attempt was made', retryable: true, ambiguous: false };
  while (attempts < maxAttempts) {
    const remaining = deadline - now();
    if (remaining <= 0 || (attempts > 0 && remaining < minRetryMs)) break;
    attempts += 1;
    try {
      const response = await boundedCall(
        (abortSignal) => client.send(new PutEventsCommand({ Entries: [entry] }), { abortSignal }),
        Math.min(remaining, attemptTimeoutMs),
      );
      const result = response.Entries?.[0];
      if (!response.FailedEntryCount && result?.EventId) {
        return { ok: true, eventId: result.EventId, attempts, ambiguous };
      }
      const errorCode = result?.ErrorCode ?? 'MissingEventId';
      failure = {
        errorCode,
        errorMessage: (result?.ErrorMessage ?? 'PutEvents returned no event id').slice(0, 300),
        retryable: RETRYABLE_ENTRY_ERRORS.has(errorCode),
        ambiguous: false,
      };
    } catch (error) {
      failure = callFailure(error);
    }
    ambiguous ||= failure.ambiguous;
    options.onAttemptFailed?.();
    if (!failure.retryable) break;
    const wait = Math.min(backoffMs(attempts, backoffBaseMs, random), deadline - now());
    if (wait > 0 && attempts < maxAttempts) await sleep(wait);
  }
  return { ok: false, attempts, errorCode: failure.errorCode, errorMessage: failure.errorMessage, retryable: failure.retryable, ambiguous };
}
