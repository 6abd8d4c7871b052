/**
 * Body and content type in, the canonical Jamf event out: the same object
 * whether Jamf sent JSON or XML.
 */
import * as v from 'valibot';
import { canonicalEventName, EVENT_SCHEMAS } from '../events/catalogue';
import { EnvelopeSchema, UnknownEventSchema, type Webhook } from '../events/schemas';
import { removeSecrets } from '../redact';
import { MalformedBodyError, UnprocessableWebhookError, type Issue } from '../errors';
import { chooseFormat, type BodyFormat } from './format';
import { parseJson } from './json';
import { assertSafeStructure } from './structure';
import { parseXml } from './xml';

/** The EventBridge `detail` of a Jamf event. */
export interface CanonicalDetail {
  webhook: Webhook;
  event: Record<string, unknown>;
}

export interface DecodedWebhook {
  /** The canonical name of a known event; the name as sent for an unknown one. */
  readonly eventName: string;
  /** Whether the catalogue knows the event (its fields were coerced to their documented types). */
  readonly known: boolean;
  readonly format: BodyFormat;
  readonly detail: CanonicalDetail;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes the body as UTF-8 (the only encoding Jamf sends), dropping a byte-order mark. */
export function bodyText(body: Uint8Array): string {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch (error) {
    throw new MalformedBodyError('InvalidUtf8', 'The body is not valid UTF-8', { cause: error });
  }
  if (text.trim() === '') throw new MalformedBodyError('EmptyBody', 'The body is empty');
  return text;
}

function toIssues(issues: readonly v.BaseIssue<unknown>[], prefix: string): Issue[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue);
    return { path: path ? `${prefix}${path}` : prefix.replace(/\.$/, '') || '(root)', message: issue.message };
  });
}

/**
 * Reads the envelope, then the event body by the schema its name selects.
 * Known names are matched whatever their casing and published under the
 * canonical spelling; unknown well-formed names pass their body through.
 */
export function decodeTree(tree: unknown, format: BodyFormat): DecodedWebhook {
  assertSafeStructure(tree);
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    throw new UnprocessableWebhookError('NotAJamfWebhook', 'The body is not an object with "webhook" and "event"');
  }
  const envelope = v.safeParse(EnvelopeSchema, tree);
  if (!envelope.success) {
    throw new UnprocessableWebhookError('NotAJamfWebhook', 'The body is not a Jamf webhook', {
      issues: toIssues(envelope.issues, ''),
    });
  }
  const { webhook, event } = envelope.output;
  const known = canonicalEventName(webhook.webhookEvent);
  const eventName = known ?? webhook.webhookEvent;
  const schema = known ? EVENT_SCHEMAS[known] : UnknownEventSchema;
  const body = v.safeParse(schema, event);
  if (!body.success) {
    throw new UnprocessableWebhookError('InvalidEvent', `The ${eventName} event does not match its documented types`, {
      issues: toIssues(body.issues, 'event.'),
      eventName,
    });
  }
  const detail: CanonicalDetail = { webhook: { ...webhook, webhookEvent: eventName }, event: body.output };
  // A decoded event never carries a secret, so nothing downstream can publish or log one.
  removeSecrets(detail);
  return { eventName, known: known !== undefined, format, detail };
}

/** Decodes a webhook request body. Throws a `WebhookError` that says what is wrong. */
export function decodeWebhook(body: Uint8Array, contentType: string | undefined): DecodedWebhook {
  const text = bodyText(body);
  const format = chooseFormat(contentType, text);
  const tree = format === 'json' ? parseJson(text) : parseXml(text);
  return decodeTree(tree, format);
}
