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
});
export type Delivery = v.InferOutput<typeof DeliverySchema>;
