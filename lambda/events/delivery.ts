/**
 * `detail.delivery`: what a subscriber needs to tell one webhook from another
 * (lambda/publish/delivery.ts writes it). Here, apart from the code that
 * writes it, so that the published form can be checked without loading
 * the publisher.
 */
import * as v from 'valibot';

const partNumber = (name: string) =>
  v.pipe(v.number(), v.integer(`delivery.part.${name} must be a whole number`), v.minValue(1, `delivery.part.${name} must be at least 1`));

/**
 * Which part of a webhook an event is, when the webhook was too large for one
 * event and was published in parts (see `PART_LISTS`).
 */
export const DeliveryPartSchema = v.object({
  /** 1 to `count`: where the part's slice of each list goes when the lists are joined again. */
  index: partNumber('index'),
  /** How many parts the webhook was published in; every part says it. */
  count: partNumber('count'),
});
export type DeliveryPart = v.InferOutput<typeof DeliveryPartSchema>;

/**
 * Where the whole event behind a stub is kept: an event too large for one
 * EventBridge entry is stored in the stack's oversize bucket and published as a
 * stub that carries this (a claim check). `fetchOversize` from
 * `jamf-eventbridge/events/oversize` loads it.
 */
export const OversizeSchema = v.object({
  /** The oversize bucket (the stack's `OversizeBucketName` output). */
  bucket: v.string(),
  /** The object's key, derived from `delivery.id`: every copy of one webhook points at the same object. */
  key: v.string(),
  /** The size of the whole `detail`, as JSON, in bytes. */
  bytes: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type Oversize = v.InferOutput<typeof OversizeSchema>;

export const DeliverySchema = v.object({
  /** 32 lowercase hex characters; the same for every copy of one webhook, and for every part of it. */
  id: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/, 'delivery.id must be 32 lowercase hex characters')),
  /** When the webhook reached us (ISO 8601). */
  receivedAt: v.pipe(v.string(), v.isoTimestamp()),
  /** How its body was read: `utf-8`, or the charset it declared, or `windows-1252` for bytes that were not UTF-8. */
  encoding: v.string(),
  /**
   * The Jamf Pro instance that sent it, when the deployment has several (the `jamfInstances`
   * setting) and it came by that instance's route (`/webhooks/<name>`); absent for the default
   * instance at `/webhooks`.
   */
  instance: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'delivery.instance must be an instance name'), v.maxLength(32))),
  /** Only on an event that is one part of a webhook published in parts: which one, of how many. */
  part: v.optional(DeliveryPartSchema),

  /**
   * Present on a stub: the event was too large for the bus, and this `detail`
   * holds only the webhook block and the event's identifying scalar fields;
   * the whole detail is in the oversize bucket, here. Absent on a whole event.
   */
  oversize: v.optional(OversizeSchema),
});
export type Delivery = v.InferOutput<typeof DeliverySchema>;
