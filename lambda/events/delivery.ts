/**
 * `detail.delivery`: what a subscriber needs to tell one webhook from another
 * (lambda/publish/delivery.ts writes it). Here, apart from the code that
 * writes it, so that the published form can be checked without loading
 * the publisher.
 */
import * as v from 'valibot';

export const DeliverySchema = v.object({
  /** 32 lowercase hex characters; the same for every copy of one webhook. */
  id: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/, 'delivery.id must be 32 lowercase hex characters')),
  /** When the webhook reached us (ISO 8601). */
  receivedAt: v.pipe(v.string(), v.isoTimestamp()),
  /** How its body was read: `utf-8`, or the charset it declared, or `windows-1252` for bytes that were not UTF-8. */
  encoding: v.string(),
});
export type Delivery = v.InferOutput<typeof DeliverySchema>;
