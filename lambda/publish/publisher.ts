/**
 * The publish path: a webhook's PutEvents entry, or the entries of its parts,
 * onto the bus, with retries inside a time budget that stays well under Jamf's
 * 2 s read timeout.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES } from '../contract';
import { backoffMs, boundedCall, type CallFailure, callFailure } from '../shared/aws-calls';
import { entrySize } from './size';

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

/** What became of several entries published together (the parts of one webhook). */
export type PublishAllResult =
  | {
      readonly ok: true;
      /** The event id of each entry, in the entries' order. */
      readonly eventIds: readonly string[];
      /** Rounds of PutEvents calls: the first, and the retries of what failed in it. */
      readonly attempts: number;
      /** Whether an attempt of some entry had an unknown outcome, so that a copy of it may be on the bus twice. */
      readonly ambiguous: boolean;
    }
  | {
      readonly ok: false;
      readonly attempts: number;
      /** The event id of each entry that is on the bus; undefined for those that are not. */
      readonly eventIds: readonly (string | undefined)[];
      /** The positions (from 0) of the entries that are not on the bus. */
      readonly missing: readonly number[];
      /** Whether an attempt of a missing entry had an unknown outcome: it may be on the bus after all. */
      readonly ambiguous: boolean;
      /** The error of a missing entry: a final one if any failed for good, else the last. */
      readonly errorCode: string;
      readonly errorMessage: string;
      /** Whether every missing entry failed transiently (the budget ran out) rather than for good. */
      readonly retryable: boolean;
    };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The entries' positions in PutEvents requests: in order, each request with
 * at most `MAX_ENTRIES_PER_REQUEST` entries whose sizes add up to at most
 * `MAX_REQUEST_BYTES` (an entry larger than that goes alone, for EventBridge
 * to refuse).
 */
export function packRequests(
  sizes: readonly number[],
  maxEntries: number = MAX_ENTRIES_PER_REQUEST,
  maxBytes: number = MAX_REQUEST_BYTES,
): number[][] {
  const requests: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  sizes.forEach((size, position) => {
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(position);
    bytes += size;
  });
  if (current.length > 0) requests.push(current);
  return requests;
}

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
  const result = await publishEntries(client, [entry], options);
  if (result.ok) return { ok: true, eventId: result.eventIds[0]!, attempts: result.attempts, ambiguous: result.ambiguous };
  const { errorCode, errorMessage, retryable, attempts, ambiguous } = result;
  return { ok: false, attempts, errorCode, errorMessage, retryable, ambiguous };
}

/**
 * Puts several entries on the bus together (the parts of one webhook): as few
 * PutEvents requests as their count and sizes allow (`packRequests`), sent at
 * once. An entry that failed with throttling or an internal failure, alone or
 * with its whole request, is retried, and only those, with exponential backoff
 * and full jitter while the budget lasts; one that failed for good is not. Never
 * throws: the result says which entries are on the bus and which are missing.
 */
export async function publishEntries(
  client: EventBridgeClient,
  entries: readonly PutEventsRequestEntry[],
  options: PublishOptions,
): Promise<PublishAllResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffBaseMs = options.backoffBaseMs ?? 25;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? options.budgetMs;
  const minRetryMs = options.minRetryMs ?? Math.min(500, options.budgetMs / 3);
  const deadline = now() + options.budgetMs;
  const sizes = entries.map(entrySize);

  const eventIds: (string | undefined)[] = entries.map(() => undefined);
  const ambiguousAt = entries.map(() => false);
  const notAttempted: CallFailure = { errorCode: 'NotAttempted', errorMessage: 'no attempt was made', retryable: true, ambiguous: false };
  const failures: CallFailure[] = entries.map(() => notAttempted);
  let pending = entries.map((_entry, position) => position);
  let attempts = 0;
  while (attempts < maxAttempts && pending.length > 0) {
    const remaining = deadline - now();
    if (remaining <= 0 || (attempts > 0 && remaining < minRetryMs)) break;
    attempts += 1;
    const timeoutMs = Math.min(remaining, attemptTimeoutMs);
    const requests = packRequests(pending.map((position) => sizes[position]!)).map((request) => request.map((k) => pending[k]!));
    await Promise.all(
      requests.map(async (positions) => {
        try {
          const response = await boundedCall(
            (abortSignal) => client.send(new PutEventsCommand({ Entries: positions.map((position) => entries[position]!) }), { abortSignal }),
            timeoutMs,
          );
          positions.forEach((position, k) => {
            const result = response.Entries?.[k];
            if (result?.EventId && !result.ErrorCode) {
              eventIds[position] = result.EventId;
              return;
            }
            const errorCode = result?.ErrorCode ?? 'MissingEventId';
            failures[position] = {
              errorCode,
              errorMessage: (result?.ErrorMessage ?? 'PutEvents returned no event id').slice(0, 300),
              retryable: RETRYABLE_ENTRY_ERRORS.has(errorCode),
              ambiguous: false,
            };
          });
        } catch (error) {
          const failure = callFailure(error);
          for (const position of positions) failures[position] = failure;
        }
      }),
    );
    pending = pending.filter((position) => eventIds[position] === undefined);
    for (const position of pending) ambiguousAt[position] ||= failures[position]!.ambiguous;
    if (pending.length === 0) break;
    options.onAttemptFailed?.();
    // What failed for good is not sent again; the rest is, after the backoff.
    pending = pending.filter((position) => failures[position]!.retryable);
    if (pending.length === 0) break;
    const wait = Math.min(backoffMs(attempts, backoffBaseMs, random), deadline - now());
    if (wait > 0 && attempts < maxAttempts) await sleep(wait);
  }
  const missing = eventIds.flatMap((eventId, position) => (eventId === undefined ? [position] : []));
  if (missing.length === 0) {
    return { ok: true, eventIds: eventIds as string[], attempts, ambiguous: ambiguousAt.some(Boolean) };
  }
  const final = missing.find((position) => !failures[position]!.retryable);
  const failure = failures[final ?? missing.at(-1)!]!;
  return {
    ok: false,
    attempts,
    eventIds,
    missing,
    ambiguous: missing.some((position) => ambiguousAt[position]),
    errorCode: failure.errorCode,
    errorMessage: failure.errorMessage,
    retryable: final === undefined,
  };
}
