import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/**
 * The size EventBridge counts against MAX_ENTRY_BYTES, and whose sum over a
 * request it counts against MAX_REQUEST_BYTES: the UTF-8 bytes of Source,
 * DetailType, Detail and each Resource, and 14 for a Time. Apart from the entry
 * builder, so that the publisher can measure without loading it.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function entrySize(entry: Pick<PutEventsRequestEntry, 'Time' | 'Source' | 'DetailType' | 'Detail' | 'Resources'>): number {
  let size = entry.Time ? 14 : 0;
  for (const part of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (part) size += Buffer.byteLength(part, 'utf8');
  }
  return size;
}
