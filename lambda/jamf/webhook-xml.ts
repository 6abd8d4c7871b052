/**
 * The Classic API's webhook object as XML: `<webhook>` as `GET /JSSResource/webhooks/id/{id}`
 * answers it and as POST and PUT take it, and the `<webhooks>` list. Both sides of the wire
 * use this module: the registrar's client and the local stand-in (lambda/local/jamf-classic-api.ts).
 *
 * Values stay text while parsing (`parseTagValue: false`) and the schemas say which are numbers
 * and booleans; the list's `webhook` element is always an array, whether Jamf lists one or many.
 *
 * @see https://developer.jamf.com/jamf-pro/reference/findwebhooks
 */
import { XMLParser } from 'fast-xml-parser';
import * as v from 'valibot';
import { SAFE_XML_OPTIONS, XML_DECLARATION } from '../decode/safe-xml';
import { describeIssuesWithoutValues } from '../shared/issues';

/** The content types Jamf Pro can send a webhook in. */
export const WEBHOOK_CONTENT_TYPES = ['text/xml', 'application/json'] as const;
/** Jamf Pro's names for the ways a webhook authenticates to its URL. */
export const WEBHOOK_AUTHENTICATION_TYPES = ['NONE', 'BASIC', 'HEADER', 'HASH_SIGNATURE'] as const;

export type WebhookContentType = (typeof WEBHOOK_CONTENT_TYPES)[number];
export type WebhookAuthenticationType = (typeof WEBHOOK_AUTHENTICATION_TYPES)[number];

/** The XML is not a webhook as the Classic API writes one. */
export class InvalidWebhookXmlError extends Error {
  override readonly name = 'InvalidWebhookXmlError';
}

const text = v.optional(v.string(), '');
const wholeNumber = v.pipe(v.string(), v.trim(), v.regex(/^-?\d+$/, 'must be a whole number'), v.transform(Number));
const flag = v.pipe(v.string(), v.trim(), v.picklist(['true', 'false'], 'must be true or false'), v.transform((value) => value === 'true'));

/**
 * One webhook as Jamf Pro reads it back. Loose: Jamf adds fields over time (`display_fields`,
 * `enable_display_fields_for_group_object`), and the registrar compares only the ones it sets.
 * `password` always reads back blank; `smart_group_id` is -1 (or absent) when the event has none.
 */
export const WebhookSchema = v.looseObject({
  id: wholeNumber,
  name: text,
  enabled: v.optional(flag, 'false'),
  url: text,
  content_type: text,
  event: text,
  connection_timeout: v.optional(wholeNumber, '0'),
  read_timeout: v.optional(wholeNumber, '0'),
  authentication_type: v.optional(v.string(), 'NONE'),
  username: text,
  password: text,
  /** Header authentication's headers, a JSON object as text. */
  header: text,
  smart_group_id: v.optional(wholeNumber, '-1'),
});
export type Webhook = v.InferOutput<typeof WebhookSchema>;

/** `GET /JSSResource/webhooks`: ids and names only. */
export const WebhookListSchema = v.object({
  size: v.optional(wholeNumber, '0'),
  webhook: v.optional(v.array(v.looseObject({ id: wholeNumber, name: text })), []),
});
export type WebhookList = v.InferOutput<typeof WebhookListSchema>;

/**
 * The fields a client writes. POST needs `name` and `event`; PUT changes only what it sends.
 * `password` is Basic authentication's password or the hash-signature secret.
 */
export interface WebhookFields {
  readonly name?: string;
  readonly enabled?: boolean;
  readonly url?: string;
  readonly content_type?: string;
  readonly event?: string;
  readonly connection_timeout?: number;
  readonly read_timeout?: number;
  readonly authentication_type?: string;
  readonly username?: string;
  readonly password?: string;
  /** Header name to value; written as the JSON text Jamf keeps. */
  readonly header?: Readonly<Record<string, string>> | string;
  readonly smart_group_id?: number;
}

/** The order Jamf Pro writes the fields in. */
const FIELD_ORDER: readonly (keyof WebhookFields | 'id')[] = [
  'id', 'name', 'enabled', 'url', 'content_type', 'event', 'connection_timeout', 'read_timeout',
  'authentication_type', 'username', 'password', 'header', 'smart_group_id',
];

/** Text as XML element content: the five characters XML gives a meaning escaped. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** `<webhook>` with the given fields, in Jamf's order; absent fields are left out (a partial PUT). */
export function webhookXml(fields: WebhookFields & { readonly id?: number }, extra = ''): string {
  const parts: string[] = [];
  for (const key of FIELD_ORDER) {
    const value = fields[key];
    if (value === undefined) continue;
    const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
    parts.push(shown === '' ? `<${key}/>` : `<${key}>${escapeXml(shown)}</${key}>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?><webhook>${parts.join('')}${extra}</webhook>`;
}

/** `<webhooks>` with each webhook's id and name, as the list answers. */
export function webhookListXml(webhooks: readonly { readonly id: number; readonly name: string }[]): string {
  const items = webhooks.map((w) => `<webhook><id>${w.id}</id><name>${escapeXml(w.name)}</name></webhook>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><webhooks><size>${webhooks.length}</size>${items}</webhooks>`;
}

/** The decoder's safe options, with only XML's own five entities, and the list always an array. */
const parser = new XMLParser({
  ...SAFE_XML_OPTIONS,
  htmlEntities: false,
  isArray: (_name, jpath) => jpath === 'webhooks.webhook',
});

function parseRoot(xml: string, root: 'webhook' | 'webhooks'): unknown {
  if (XML_DECLARATION.test(xml)) throw new InvalidWebhookXmlError('XML with a DOCTYPE or ENTITY declaration is refused');
  let document: unknown;
  try {
    document = parser.parse(xml, true);
  } catch (error) {
    throw new InvalidWebhookXmlError(`not well-formed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof document !== 'object' || document === null || !(root in document)) {
    throw new InvalidWebhookXmlError(`expected a <${root}> root element`);
  }
  const content = (document as Record<string, unknown>)[root];
  // An empty element parses as ''.
  return content === '' ? {} : content;
}

function check<TSchema extends v.GenericSchema>(schema: TSchema, value: unknown, what: string): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new InvalidWebhookXmlError(`${what}: ${describeIssuesWithoutValues(result.issues)}`);
  return result.output;
}

/** A `<webhook>` document; InvalidWebhookXmlError says what is wrong with it. */
export function parseWebhookXml(xml: string): Webhook {
  return check(WebhookSchema, parseRoot(xml, 'webhook'), 'webhook');
}

/** A `<webhooks>` document. */
export function parseWebhookListXml(xml: string): WebhookList {
  return check(WebhookListSchema, parseRoot(xml, 'webhooks'), 'webhooks');
}

/**
 * The fields present in a `<webhook>` a client sent, as text, for the stand-in to validate as
 * Jamf does. Nested elements (`display_fields`) are dropped.
 */
export function parseWebhookFieldsXml(xml: string): Record<string, string> {
  const content = parseRoot(xml, 'webhook');
  if (typeof content !== 'object' || content === null) throw new InvalidWebhookXmlError('expected <webhook> to hold elements');
  return Object.fromEntries(Object.entries(content).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
