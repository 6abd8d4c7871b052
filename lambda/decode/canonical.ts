/**
 * The steps every decode shares, whatever the event: body bytes to text, the
 * envelope, and one event body checked against its schema. Nothing here knows
 * the catalogue, so a handler that decodes one event (the SCEP function)
 * loads only that event's schema.
 */
import * as v from 'valibot';
import { EnvelopeSchema, type Webhook } from '../events/webhook';
import type { ChallengeIssuance } from '../events/scep';
import type { Delivery } from '../publish/delivery';
import { MalformedBodyError, UnprocessableWebhookError } from '../shared/errors';
import { toIssues } from '../shared/issues';
import { removeSecrets } from '../shared/redact';
import type { BodyEncoding } from './charset';
import type { BodyFormat } from './format';
import { assertSafeStructure, inCanonicalOrder } from './structure';

/** The EventBridge `detail` of a Jamf event. */
export interface CanonicalDetail {
  webhook: Webhook;
  event: Record<string, unknown>;
  /** Only on the SCEPChallenge events the SCEP function publishes. */
  issuance?: ChallengeIssuance;
  /** Added when the event is published: the id every copy of one webhook shares, and when it arrived. */
  delivery?: Delivery;
}

export interface DecodedWebhook {
  /** The canonical name of a known event; the name as sent for an unknown one. */
  readonly eventName: string;
  /** Whether the catalogue knows the event (its fields were coerced to their documented types). */
  readonly known: boolean;
  readonly format: BodyFormat;
  /** How the body's bytes were read (see charset.ts). */
  readonly encoding: BodyEncoding;
  readonly detail: CanonicalDetail;
}

export type Envelope = v.InferOutput<typeof EnvelopeSchema>;

/** Which event an envelope holds and how to check it. */
export interface EventToDecode {
  /** The name it is published under. */
  readonly eventName: string;
  readonly schema: v.GenericSchema<unknown, Record<string, unknown>>;
  /** Whether the catalogue knows the event. */
  readonly known: boolean;
  readonly format: BodyFormat;
  readonly encoding: BodyEncoding;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a body that must be UTF-8 (step-ca's requests), dropping a byte-order
 * mark. Jamf's bodies go through `decodeBodyText`, which honours their charset.
 */
export function utf8BodyText(body: Uint8Array): string {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch (error) {
    throw new MalformedBodyError('InvalidUtf8', 'The body is not valid UTF-8', { cause: error });
  }
  if (text.trim() === '') throw new MalformedBodyError('EmptyBody', 'The body is empty');
  return text;
}


/** Checks a parsed tree is a safe object with a `webhook` and an `event` block. */
export function readEnvelope(tree: unknown): Envelope {
  assertSafeStructure(tree);
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    throw new UnprocessableWebhookError('NotAJamfWebhook', 'The body is not an object with "webhook" and "event"');
  }
  const envelope = v.safeParse(EnvelopeSchema, tree);
  if (!envelope.success) {
    throw new UnprocessableWebhookError('NotAJamfWebhook', 'The body is not a Jamf webhook', {
      issues: toIssues(envelope.issues),
    });
  }
  return envelope.output;
}

/**
 * Checks the event body against its schema and builds the canonical detail,
 * published under `eventName`. Secrets are removed here, so no decoded event
 * can carry one to the bus, a dead letter or a log.
 */
export function decodeEvent(envelope: Envelope, event: EventToDecode): DecodedWebhook {
  const { eventName, schema, known, format, encoding } = event;
  const body = v.safeParse(schema, envelope.event);
  if (!body.success) {
    throw new UnprocessableWebhookError('InvalidEvent', `The ${eventName} event does not match its documented types`, {
      issues: toIssues(body.issues, 'event.'),
      eventName,
    });
  }
  const decoded = { webhook: { ...envelope.webhook, webhookEvent: eventName }, event: body.output };
  removeSecrets(decoded);
  // Keys in sorted order at every depth, as the compiled decode builds them (see `inCanonicalOrder`).
  const detail = inCanonicalOrder(decoded) as CanonicalDetail;
  return { eventName, known, format, encoding, detail };
}
