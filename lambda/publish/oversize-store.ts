/**
 * The oversize bucket as the functions write to it: one PutObject, retried
 * inside a deadline. Apart from the claim check (./oversize.ts) so that the
 * dead-letter store, which every handler loads at init, can use it without the
 * entry builder.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { backoffMs, boundedCall, type CallFailure, callFailure } from '../shared/aws-calls';
import { lazy } from '../shared/lazy';

/** The bucket's client, or a function that makes it on first use (most instances never need it). */
export type OversizeClient = S3Client | (() => Promise<S3Client>);

/** Where oversize objects go: the bucket, and the client that writes to it. */
export interface OversizeStore {
  readonly bucket: string;
  readonly client: OversizeClient;
}

/** Where the whole detail of the event with this delivery id is kept. Subscribers may read `events/*`. */
export function oversizeEventKey(deliveryId: string): string {
  return `events/${deliveryId}.json`;
}

/** Where a dead letter too large for SQS is kept whole: by the request, under a prefix subscribers cannot read. */
export function deadLetterKey(requestId: string, receivedAt: Date): string {
  return `dead-letters/${receivedAt.toISOString().slice(0, 10)}/${requestId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

/** The SDK's PutObject command, loaded with the first oversize event (a chunk of its own in a bundle). */
const loadPutObject = lazy(async () => (await import('@aws-sdk/client-s3')).PutObjectCommand);

export type StoreResult =
  | { readonly ok: true; readonly attempts: number }
  | ({ readonly ok: false; readonly attempts: number } & CallFailure);

export interface StoreOptions {
  /** Milliseconds from now after which no new attempt starts, and the one under way is given up. */
  readonly budgetMs: number;
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Writes `body` at `key`, retrying transient failures while the budget lasts.
 * Every attempt is cut at the budget's end, whether or not the SDK heeds its
 * abort signal. PutObject of the same key and content is idempotent, so an
 * attempt whose answer was lost is safe to repeat. Never throws.
 */
export async function putOversizeObject(store: OversizeStore, key: string, body: string, options: StoreOptions): Promise<StoreResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const deadline = now() + options.budgetMs;
  const maxAttempts = options.maxAttempts ?? 3;
  let failure: CallFailure = { errorCode: 'NoTimeLeft', errorMessage: 'no time was left to write', retryable: false, ambiguous: false };
  let attempts = 0;
  while (attempts < maxAttempts && deadline - now() > 0) {
    attempts += 1;
    try {
      await boundedCall(async (abortSignal) => {
        const [client, PutObjectCommand] = await Promise.all([
          typeof store.client === 'function' ? store.client() : store.client,
          loadPutObject(),
        ]);
        return client.send(
          new PutObjectCommand({ Bucket: store.bucket, Key: key, Body: body, ContentType: 'application/json' }),
          { abortSignal },
        );
      }, deadline - now());
      return { ok: true, attempts };
    } catch (error) {
      failure = callFailure(error);
    }
    if (!failure.retryable) break;
    const wait = Math.min(backoffMs(attempts, options.backoffBaseMs ?? 25), deadline - now());
    if (wait > 0) await sleep(wait);
  }
  return { ok: false, attempts, ...failure };
}


/** The SDK's GetObject command, for the redrive. */
const loadGetObject = lazy(async () => (await import('@aws-sdk/client-s3')).GetObjectCommand);

/** The text of the object at `key`, read within `timeoutMs`; throws the SDK's error (or a TimeoutError). */
export async function getOversizeObject(store: OversizeStore, key: string, timeoutMs: number): Promise<string> {
  return boundedCall(async (abortSignal) => {
    const [client, GetObjectCommand] = await Promise.all([
      typeof store.client === 'function' ? store.client() : store.client,
      loadGetObject(),
    ]);
    const response = await client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }), { abortSignal });
    const text = await response.Body?.transformToString('utf-8');
    if (text === undefined) throw Object.assign(new Error(`s3://${store.bucket}/${key} has no body`), { name: 'EmptyObject' });
    return text;
  }, timeoutMs);
}
