/**
 * `jamf-eventbridge/events/oversize`: loads the whole event behind a stub from
 * the oversize bucket. An entry point of its own because it needs
 * `@aws-sdk/client-s3` (an optional peer dependency of the package, which a
 * Lambda on the Node.js runtime already has): `jamf-eventbridge/events` stays
 * free of AWS SDK code.
 *
 * The subscriber's role needs `s3:GetObject` on the bucket's `events/*` keys:
 * `jamf.grantReadOversize(fn)` on the construct grants it.
 *
 * @example
 * import { fetchOversize } from 'jamf-eventbridge/events/oversize';
 *
 * export const handler = async (stubOrEvent: JamfEvent) => {
 *   const event = await fetchOversize(stubOrEvent); // the event itself when it is whole
 *   console.log(event.detail.event);
 * };
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { oversizeOf, type WithDetail } from './oversize';

export { isOversizeStub, oversizeOf, type WithDetail } from './oversize';

export interface FetchOversizeOptions {
  /** The client to read with. @default a client for the function's region, made once and kept */
  readonly client?: S3Client;
  /** Aborts the read. */
  readonly abortSignal?: AbortSignal;
}

/** The object is not the event the stub points at: another webhook's, or not a detail at all. */
export class OversizeMismatchError extends Error {
  override readonly name = 'OversizeMismatchError';
}

let defaultClient: S3Client | undefined;

/**
 * The whole event behind a stub: the same envelope (`id`, `time`, `detail-type`,
 * ...) with the whole `detail` read from the oversize bucket, its
 * `delivery.oversize` gone. An event that is not a stub is returned as it is,
 * without a call. Throws the SDK's error when the object cannot be read (it
 * expires after the stack's `oversizeRetentionDays`), and an
 * {@link OversizeMismatchError} when the object is not this event's.
 */
export async function fetchOversize<TEvent extends WithDetail>(event: TEvent, options: FetchOversizeOptions = {}): Promise<TEvent> {
  const oversize = oversizeOf(event);
  if (oversize === undefined) return event;
  const client = options.client ?? (defaultClient ??= new S3Client({}));
  const response = await client.send(
    new GetObjectCommand({ Bucket: oversize.bucket, Key: oversize.key }),
    options.abortSignal ? { abortSignal: options.abortSignal } : {},
  );
  const text = await response.Body?.transformToString('utf-8');
  if (text === undefined) throw new OversizeMismatchError(`s3://${oversize.bucket}/${oversize.key} has no body`);
  let detail: unknown;
  try {
    detail = JSON.parse(text);
  } catch {
    throw new OversizeMismatchError(`s3://${oversize.bucket}/${oversize.key} is not JSON`);
  }
  const stubId = (event.detail as { delivery: { id?: unknown } }).delivery.id;
  const id = (detail as { delivery?: { id?: unknown } } | null)?.delivery?.id;
  if (id !== stubId) {
    throw new OversizeMismatchError(`s3://${oversize.bucket}/${oversize.key} holds delivery ${String(id)}, not ${String(stubId)}`);
  }
  return { ...event, detail };
}
