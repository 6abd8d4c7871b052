/**
 * The decode steps after the body's text: the envelope, then the event body by
 * the schema its name selects. The XML parser is passed in, so that this module
 * does not load it: `decode.ts` binds it at load, `decode-async.ts` on the first XML body.
 */
import { canonicalEventName, EVENT_SCHEMAS } from '../events/catalogue';
import { UnknownEventSchema } from '../events/schemas';
import { decodeEvent, readEnvelope, type DecodedWebhook } from './canonical';
import { compiledDetail, REJECTED } from './compiled';
import { type BodyEncoding, decodeBodyText } from './charset';
import { chooseFormat, type BodyFormat } from './format';
import { parseJson } from './json';

/**
 * Reads the envelope, then the event body by the schema its name selects.
 * Known names are matched whatever their casing and published under the
 * canonical spelling; unknown well-formed names pass their body through.
 */
export function decodeTree(tree: unknown, format: BodyFormat, encoding: BodyEncoding = 'utf-8'): DecodedWebhook {
  // One walk with the compiled schemas; whatever it does not accept is decided, and reported, below.
  const fast = compiledDetail(tree, schemaFor);
  if (fast !== REJECTED) {
    const { eventName, known, detail } = fast;
    return { eventName, known, format, encoding, detail };
  }
  const envelope = readEnvelope(tree);
  const known = canonicalEventName(envelope.webhook.webhookEvent);
  return known
    ? decodeEvent(envelope, { eventName: known, schema: EVENT_SCHEMAS[known], known: true, format, encoding })
    : decodeEvent(envelope, { eventName: envelope.webhook.webhookEvent, schema: UnknownEventSchema, known: false, format, encoding });
}

interface SchemaChoice {
  readonly eventName: string;
  readonly schema: (typeof EVENT_SCHEMAS)[keyof typeof EVENT_SCHEMAS] | typeof UnknownEventSchema;
  readonly known: boolean;
}

/** The choice for each name as sent, kept for the first names met: the same few come with every webhook. Bounded. */
const CHOICES = new Map<string, SchemaChoice>();
const MAX_CHOICES = 1024;

function schemaFor(sentName: string): SchemaChoice {
  let choice = CHOICES.get(sentName);
  if (choice === undefined) {
    const known = canonicalEventName(sentName);
    choice = known
      ? { eventName: known, schema: EVENT_SCHEMAS[known], known: true }
      : { eventName: sentName, schema: UnknownEventSchema, known: false };
    if (CHOICES.size < MAX_CHOICES) CHOICES.set(sentName, choice);
  }
  return choice;
}

/** The body's text and the format it is in, before parsing. */
export interface BodyText {
  readonly text: string;
  readonly encoding: BodyEncoding;
  readonly format: BodyFormat;
}

export function readBodyText(body: Uint8Array, contentType: string | undefined): BodyText {
  const { text, encoding } = decodeBodyText(body, contentType);
  return { text, encoding, format: chooseFormat(contentType, text) };
}

/** Parses and decodes a body whose text was read by `readBodyText`, with `parseXml` for XML. */
export function decodeBodyTextWith(body: BodyText, parseXml: (text: string) => unknown): DecodedWebhook {
  const { text, encoding, format } = body;
  const tree = format === 'json' ? parseJson(text) : parseXml(text);
  return decodeTree(tree, format, encoding);
}
