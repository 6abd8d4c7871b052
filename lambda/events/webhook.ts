/**
 * The envelope every Jamf webhook shares: `{ webhook, event }`. Kept apart from
 * the per-event schemas so a handler that needs one event (the SCEP function)
 * does not load the whole catalogue.
 */
import * as v from 'valibot';
import { integer, text } from './fields';

/** Letters and digits, at most 64: what may follow `jamf.` in a detail-type. */
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9]{1,64}$/;

/** The `webhook` block Jamf sends with every event. */
export const WebhookSchema = v.looseObject({
  id: integer(),
  name: text(),
  webhookEvent: v.pipe(
    v.string('webhookEvent must be a string'),
    v.regex(EVENT_NAME_PATTERN, 'webhookEvent must be 1 to 64 letters or digits'),
  ),
  /** Epoch milliseconds; absent before Jamf Pro 10.12. */
  eventTimestamp: integer(),
});
export type Webhook = v.InferOutput<typeof WebhookSchema>;

/** The outer shape of every Jamf webhook: `{ webhook, event }`. */
export const EnvelopeSchema = v.looseObject({
  webhook: v.pipe(
    v.unknown(),
    v.transform((input) => (input === '' ? {} : input)),
    v.check((input) => !Array.isArray(input), 'webhook must be an object'),
    v.looseObject(WebhookSchema.entries, 'webhook must be an object'),
  ),
  event: v.pipe(
    v.unknown(),
    v.transform((input) => (input === '' ? {} : input)),
    v.check((input) => !Array.isArray(input), 'event must be an object'),
    v.record(v.string(), v.unknown(), 'event must be an object'),
  ),
});
