/**
 * The dead-letter store: what an authenticated Jamf server sent that did not
 * reach the bus, with the reason, in an SQS queue (a local one off AWS).
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { MAX_DEAD_LETTER_BYTES } from '../contract';
import { backoffMs, boundedCall, type CallFailure, callFailure } from '../shared/aws-calls';
import type { Deadline } from '../shared/deadline';
import { logDeadLetter } from '../shared/log';
import type { PresentedCredentials } from '../auth/verify';
import { decodeBodyText } from '../decode/charset';
import type { Issue } from '../shared/errors';
import { lazy } from '../shared/lazy';
import { redactRawBody } from '../shared/redact';
import type { Oversize } from '../events/delivery';
import { deadLetterKey, type OversizeStore, putOversizeObject } from './oversize-store';

export { MAX_DEAD_LETTER_BYTES } from '../contract';

/** What is kept of a body that is itself over the size limit. */
const OVERSIZE_BODY_PREFIX_CHARS = 64 * 1024;

export interface DeadLetterReason {
  /** The error code also returned to Jamf, e.g. `InvalidEvent`, `PublishFailed`. */
  readonly code: string;
  readonly message: string;
  /** The HTTP status Jamf received. */
  readonly statusCode: number;
  readonly issues?: readonly Issue[];
  /** PutEvents attempts made, when publishing was tried (PutObject attempts, for `OversizeStoreFailed`). */
  readonly attempts?: number;
  /**
   * Whether a publish attempt had no answer, so that the event may be on the
   * bus although publishing failed: a redrive or an operator should expect a
   * copy with the same `delivery.id`.
   */
  readonly ambiguous?: boolean;
}

export interface DeadLetterInput {
  readonly reason: DeadLetterReason;
  readonly requestId: string;
  readonly receivedAt: Date;
  readonly contentType: string | undefined;
  readonly eventName: string | undefined;
  readonly body: Uint8Array;
  /** Keep only the start of the body (it is over the size limit). */
  readonly truncateBody?: boolean;
  /** The SCEP challenge a failed audit event was about (its id, never the challenge). */
  readonly challengeId?: string;
  /** The entry that was to be published, when the webhook was decoded: what a redrive publishes. */
  readonly entry?: PutEventsRequestEntry;
  /** Of a webhook published in parts (instead of `entry`), the parts not on the bus: what a redrive publishes. */
  readonly parts?: MissingParts;
  /** The named Jamf Pro instance it came for (`jamfInstances`); absent for the default one. */
  readonly instance?: string;
  /**
   * What the request presented, when its credentials could not be checked (the
   * credentials document could not be read): the letter then keeps the exact
   * body too, so that a redrive can check and decode it later.
   */
  readonly unverified?: PresentedCredentials;
}

/** The parts of a webhook that are not on the bus, of how many it was published in. */
export interface MissingParts {
  readonly count: number;
  /** Each missing part's index (1 to `count`, as its `delivery.part.index`) and entry, in index order. */
  readonly missing: readonly { readonly index: number; readonly entry: PutEventsRequestEntry }[];
}

/**
 * The entry a redrive publishes, exactly as it was built the first time (its
 * detail, with `delivery`, already has every secret removed), to the bus the
 * redrive is configured with.
 */
export interface RedriveEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  /** ISO 8601, when the entry had a time of its own (Jamf's eventTimestamp). */
  readonly Time?: string;
}

/**
 * One message in the dead-letter queue. Versioned, because redrive tools read
 * it: version 2 added `entry` and `deliveryId`.
 */
export interface DeadLetterRecord {
  readonly version: 2;
  readonly reason: DeadLetterReason;
  readonly requestId: string;
  readonly receivedAt: string;
  readonly contentType: string | null;
  readonly eventName: string | null;
  /** The SCEP challenge a failed audit event was about, by id. */
  readonly challengeId?: string;
  /**
   * The named Jamf Pro instance it came for (`jamfInstances`); absent for the default one. A
   * redrive checks an unverified letter with that instance's credentials and publishes it with its source.
   */
  readonly instance?: string;
  readonly bodyBytes: number;
  readonly bodyTruncated: boolean;
  /** The body as UTF-8 text (invalid bytes replaced), secrets masked: for people to read. */
  readonly body: string;
  /** `detail.delivery.id` of the entry, which every copy of the event on the bus carries. */
  readonly deliveryId?: string;
  /** What a redrive publishes; absent when the webhook never decoded (a 4xx, or a failure before decoding). */
  readonly entry?: RedriveEntry;
  /**
   * Of a webhook published in parts (added to version 2 with them): how many
   * parts it has, and which (their `delivery.part.index`) are not on the bus.
   * Kept even when `entries` does not fit, so a person knows what is missing.
   */
  readonly parts?: { readonly count: number; readonly missing: readonly number[] };
  /** The entries of the missing parts, in the order of `parts.missing`: what a redrive publishes, instead of `entry`. */
  readonly entries?: readonly RedriveEntry[];
  /**
   * A request whose credentials could not be checked: what it presented, and its
   * exact body (base64), for a redrive to check against the credentials and
   * decode. Nothing unverified is ever published before that.
   */
  readonly unverified?: {
    readonly credentials: PresentedCredentials;
    /** Left out when the letter would not fit, and of a record written to the log unless it is plain and secret-free. */
    readonly bodyBase64?: string;
    /** The body held a secret-named field, so `bodyBase64` is its masked text, not its exact bytes. */
    readonly bodyMasked?: true;
  };
  /**
   * Where the whole record is, when it was over SQS's limit: this message is its cut form (the
   * body shortened, the entries or unverified body left out), for people to read; the redrive
   * reads the whole one from the oversize bucket.
   */
  readonly stored?: Oversize;
}

function redriveEntry(entry: PutEventsRequestEntry | undefined): RedriveEntry | undefined {
  if (!entry?.Source || !entry.DetailType || !entry.Detail) return undefined;
  return {
    Source: entry.Source,
    DetailType: entry.DetailType,
    Detail: entry.Detail,
    ...(entry.Time ? { Time: entry.Time.toISOString() } : {}),
  };
}

/** The delivery id in an entry's Detail. */
function deliveryIdOf(entry: RedriveEntry): string | undefined {
  try {
    const id = (JSON.parse(entry.Detail) as { delivery?: { id?: unknown } }).delivery?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** What a redrive needs of the letter: the entry, or the missing parts' entries, and the delivery id they share. */
function redriveFields(input: DeadLetterInput): Pick<DeadLetterRecord, 'deliveryId' | 'entry' | 'parts' | 'entries'> {
  if (input.parts !== undefined) {
    const entries = input.parts.missing.flatMap(({ entry }) => redriveEntry(entry) ?? []);
    const deliveryId = entries[0] === undefined ? undefined : deliveryIdOf(entries[0]);
    return {
      ...(deliveryId ? { deliveryId } : {}),
      parts: { count: input.parts.count, missing: input.parts.missing.map(({ index }) => index) },
      // All or none: a redrive must not take a letter with some missing parts left out for a whole.
      ...(entries.length === input.parts.missing.length ? { entries } : {}),
    };
  }
  const entry = redriveEntry(input.entry);
  if (entry === undefined) return {};
  const deliveryId = deliveryIdOf(entry);
  return { ...(deliveryId ? { deliveryId } : {}), entry };
}

const lossyUtf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * SQS accepts only XML characters in a message; JSON.stringify already escapes
 * control characters and lone surrogates, which leaves U+FFFE and U+FFFF.
 */
function sqsSafe(json: string): string {
  return json.replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/**
 * The body as text, read as the decoder reads it (its charset, a UTF-16 body
 * too), so that redaction sees its fields; whether that text was the body's
 * exact bytes as UTF-8 (only then can the bytes go where text goes).
 */
function bodyAsText(input: DeadLetterInput): { text: string; isUtf8: boolean } {
  try {
    const { text, encoding } = decodeBodyText(input.body, input.contentType);
    return { text, isUtf8: encoding === 'utf-8' };
  } catch {
    return { text: lossyUtf8.decode(input.body), isUtf8: false };
  }
}

/**
 * What an unverified request keeps of its body: the exact bytes, unless they
 * hold a secret-named field (a password in a SCEPChallenge), which no store
 * keeps; then the masked text, which still proves Basic and header
 * credentials and decodes to the same event, but not an HMAC signature.
 */
function unverifiedBody(input: DeadLetterInput, text: string, masked: string): { bodyBase64: string; bodyMasked?: true } {
  if (masked === text) return { bodyBase64: Buffer.from(input.body).toString('base64') };
  return { bodyBase64: Buffer.from(masked, 'utf8').toString('base64'), bodyMasked: true };
}

/**
 * The message body for a dead letter, cut to fit the queue: first the text for
 * people, then, if it still does not fit, the unverified body, then the entry
 * (a letter that then holds neither is kept for a person, not lost).
 */
export function deadLetterMessage(input: DeadLetterInput): string {
  return deadLetter(input).fitted().message;
}

type MessageAttributes = Record<string, { readonly DataType: string; readonly StringValue?: string }>;

/** The attributes a letter is sent with: the reason's code, and the event's name, for a queue's filters and a person's eye. */
function messageAttributes(input: DeadLetterInput): MessageAttributes {
  return {
    reason: { DataType: 'String', StringValue: input.reason.code },
    ...(input.eventName ? { eventName: { DataType: 'String', StringValue: input.eventName } } : {}),
  };
}

/**
 * What SQS counts against its message size limit: the body, and every
 * attribute's name, type and value.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html
 */
export function sqsMessageBytes(body: string, attributes: MessageAttributes = {}): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, { DataType, StringValue }] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(DataType, 'utf8') + Buffer.byteLength(StringValue ?? '', 'utf8');
  }
  return bytes;
}

/** A message for the queue, and what of it may go to a log. */
interface LetterMessage {
  readonly message: string;
  readonly loggable: () => string;
}

/** A dead letter, serialised once: its message cut to fit the queue, and the whole record when that is too large for it. */
interface PreparedLetter {
  /** The message, cut to fit the queue (or the whole record, when that fits). */
  readonly fitted: () => LetterMessage;
  /** The whole record and its UTF-8 bytes, when it is over the queue's limit: what the oversize bucket keeps. */
  readonly whole?: { readonly text: string; readonly bytes: number };
  /** The message that points at the whole record kept at `stored`: the body's start, and what else of the record fits. */
  readonly pointingAt: (stored: Oversize) => LetterMessage;
}

/** A field of the record as JSON text, `,"key":value` (SQS-safe), with its UTF-8 bytes. */
interface Field {
  readonly text: string;
  readonly bytes: number;
}

const NO_FIELD: Field = { text: '', bytes: 0 };

function field(key: string, value: unknown): Field {
  if (value === undefined) return NO_FIELD;
  const text = sqsSafe(`,${JSON.stringify(key)}:${JSON.stringify(value)}`);
  return { text, bytes: Buffer.byteLength(text, 'utf8') };
}

/** Control characters JSON writes as a two-character escape (`\n`); the others take six (`\u0001`). */
const SHORT_ESCAPES = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

/**
 * How many UTF-16 units from the start of `text` fit in `room` bytes once
 * written inside a JSON string as `field` writes it (escaped, SQS-safe, as
 * UTF-8), never splitting a surrogate pair: one pass that stops at the room,
 * where serialising shorter and shorter prefixes would serialise the text many times.
 */
export function jsonStringPrefix(text: string, room: number): number {
  let used = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let units = 1;
    let bytes: number;
    if (c < 0x20) bytes = SHORT_ESCAPES.has(c) ? 2 : 6;
    else if (c === 0x22 || c === 0x5c) bytes = 2;
    else if (c < 0x80) bytes = 1;
    else if (c < 0x800) bytes = 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      // A pair is one four-byte character; a lone surrogate is escaped.
      if (next >= 0xdc00 && next <= 0xdfff) [units, bytes] = [2, 4];
      else bytes = 6;
    } else if ((c >= 0xdc00 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) bytes = 6;
    else bytes = 3;
    if (used + bytes > room) break;
    used += bytes;
    i += units;
  }
  return i;
}

/** `,"body":""` */
const EMPTY_BODY_BYTES = 10;

/** Of a pointer message: the body's start it keeps (the whole body is in the bucket). */
const POINTER_BODY_CHARS = 16 * 1024;

/**
 * The queue's message for a dead letter, and what of it may go to a log, from
 * one reading of the body. Each large part of the record (the body, the
 * entries, the unverified body) is serialised once; what a cut keeps is worked
 * out from their sizes, and only the body's part that fits is serialised again.
 */
function deadLetter(input: DeadLetterInput): PreparedLetter {
  // The attributes take their share of SQS's limit: the body gets the rest.
  const limit = MAX_DEAD_LETTER_BYTES - sqsMessageBytes('', messageAttributes(input));
  const { text, isUtf8 } = bodyAsText(input);
  const masked = redactRawBody(text);
  let truncated = false;
  let start = masked;
  if (input.truncateBody && start.length > OVERSIZE_BODY_PREFIX_CHARS) {
    start = start.slice(0, OVERSIZE_BODY_PREFIX_CHARS);
    truncated = true;
  }
  const { deliveryId, entry, parts, entries } = redriveFields(input);
  const head: Omit<DeadLetterRecord, 'bodyTruncated' | 'body'> = {
    version: 2,
    reason: input.reason,
    requestId: input.requestId,
    receivedAt: input.receivedAt.toISOString(),
    contentType: input.contentType ?? null,
    eventName: input.eventName ?? null,
    ...(input.challengeId ? { challengeId: input.challengeId } : {}),
    ...(input.instance === undefined ? {} : { instance: input.instance }),
    bodyBytes: input.body.byteLength,
  };
  const headText = sqsSafe(JSON.stringify(head)).slice(0, -1);
  const opening: Field = { text: headText, bytes: Buffer.byteLength(headText, 'utf8') };
  const body = field('body', start);
  const ids = [field('deliveryId', deliveryId), field('parts', parts)];
  const redrive = field(entry === undefined ? 'entries' : 'entry', entry ?? entries);
  const credentials = input.unverified ? field('unverified', { credentials: input.unverified }) : NO_FIELD;
  const unverified = input.unverified ? field('unverified', { credentials: input.unverified, ...unverifiedBody(input, text, masked) }) : NO_FIELD;
  // No secret may reach a log: an unverified request's body goes there only when it is plain UTF-8
  // that masking left unchanged. Such a letter can then not be redriven from the log.
  const unverifiedLoggable = input.unverified === undefined || (isUtf8 && masked === text);

  const join = (fields: readonly Field[]): string => `${fields.map((f) => f.text).join('')}}`;
  const flag = (cut: boolean): Field => {
    const text = `,"bodyTruncated":${cut}`;
    return { text, bytes: text.length };
  };
  const sizeOf = (fields: readonly Field[]) => fields.reduce((sum, f) => sum + f.bytes, 1);

  const wholeFields = [opening, flag(truncated), body, ...ids, redrive, unverified];
  const wholeBytes = sizeOf(wholeFields);
  const loggableOf = (fields: readonly Field[], message: string) => () =>
    unverifiedLoggable ? message : join(fields.map((f) => (f === unverified ? credentials : f)));

  /**
   * The record within the queue's limit, its body at most `bodyChars` long: the body shortened
   * first, then the unverified body left out, then the entries (the body then gets their room).
   * `parts` stays, so that the letter still says which parts are missing.
   */
  const cut = (bodyChars: number, stored: Field): LetterMessage => {
    // What the record takes besides the body's text: its other fields, and `,"body":""`.
    const besides = (r: Field, u: Field) => sizeOf([opening, flag(false), ...ids, r, u, stored]) + EMPTY_BODY_BYTES;
    const choices = [[redrive, unverified], [redrive, credentials], [NO_FIELD, credentials]] as const;
    const [r, u] = choices.find(([r, u]) => besides(r, u) <= limit) ?? choices[2];
    const chars = jsonStringPrefix(start.slice(0, bodyChars), Math.max(0, limit - besides(r, u)));
    const shortened = chars === start.length ? body : field('body', start.slice(0, chars));
    const fields = [opening, flag(truncated || chars < start.length), shortened, ...ids, r, u, stored];
    const message = join(fields);
    return { message, loggable: loggableOf(fields, message) };
  };

  if (wholeBytes <= limit) {
    const message = join(wholeFields);
    const asIs = { message, loggable: loggableOf(wholeFields, message) };
    return { fitted: () => asIs, pointingAt: () => asIs };
  }
  return {
    fitted: () => cut(start.length, NO_FIELD),
    whole: { text: join(wholeFields), bytes: wholeBytes },
    pointingAt: (stored) => cut(POINTER_BODY_CHARS, field('stored', stored)),
  };
}

export type DeadLetterResult =
  | { readonly stored: true }
  | {
      readonly stored: false;
      readonly errorCode: string;
      /** Whether the record went to the function's log instead, where a redrive can read it back. */
      readonly logged: boolean;
    };

export interface DeadLetterOptions {
  /** When the write must be given up: the request's deadline. */
  readonly deadline: Deadline;
  /** Base of the backoff between attempts, in ms. @default 20 */
  readonly backoffBaseMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where the record goes when the queue will not take it in time. @default the function's log */
  readonly fallback?: (message: string) => void;
  /**
   * Where a record too large for SQS is kept whole, the message then pointing at it.
   * @default - none: the record is cut to fit (its body shortened, then its entries left out)
   */
  readonly oversize?: OversizeStore;
}

/** The share of the time left that writing a whole record to the bucket may take: SendMessage keeps the rest. */
const STORE_SHARE = 0.5;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The queue's client, or a function that makes it on first use: a handler then
 * loads the SQS SDK only when a letter is to be sent, not at init.
 */
export type DeadLetterClient = SQSClient | (() => Promise<SQSClient>);

/**
 * The SDK's SendMessage command, loaded with the first letter (with `import()`,
 * a chunk of its own in a bundle): the record itself is built without the SDK,
 * so a load that fails still leaves the log.
 */
const loadSendMessage = lazy(async () => (await import('@aws-sdk/client-sqs')).SendMessageCommand);

/**
 * Starts loading what a dead letter needs (the client, the command) without
 * waiting: called when a publish attempt fails, so that a cold container's
 * first letter does not spend its reserve importing the SQS SDK. A load that
 * fails here is tried again, and reported, by the send.
 */
export function prepareDeadLetters(client: DeadLetterClient): void {
  if (typeof client === 'function') client().catch(() => undefined);
  loadSendMessage().catch(() => undefined);
}

/**
 * Sends a dead letter, retrying while the deadline allows. When the queue
 * still refuses, the record is written to the function's log as one
 * structured line (`"message":"dead-letter"`) instead, so that it is not lost
 * with the request: a redrive can read it back from the log. Never throws.
 */
export async function sendDeadLetter(
  client: DeadLetterClient,
  queueUrl: string,
  input: DeadLetterInput,
  options: DeadLetterOptions,
): Promise<DeadLetterResult> {
  const { deadline } = options;
  const sleep = options.sleep ?? defaultSleep;
  const letter = deadLetter(input);
  let prepared: LetterMessage | undefined;
  if (letter.whole !== undefined && options.oversize !== undefined && deadline.remaining() > 0) {
    // Too large for SQS: the whole record to the bucket, and a message that points at it. Failing
    // that, the cut message goes alone: the body's start and the reason, for a person.
    const key = deadLetterKey(input.requestId, input.receivedAt);
    const stored = await putOversizeObject(options.oversize, key, letter.whole.text, { budgetMs: deadline.remaining() * STORE_SHARE });
    if (stored.ok) prepared = letter.pointingAt({ bucket: options.oversize.bucket, key, bytes: letter.whole.bytes });
  }
  const { message, loggable } = prepared ?? letter.fitted();
  const commandInput = {
    QueueUrl: queueUrl,
    MessageBody: message,
    MessageAttributes: messageAttributes(input),
  };
  let failure: CallFailure = { errorCode: 'NoTimeLeft', errorMessage: 'no time was left to write', retryable: false, ambiguous: false };
  let send: ((abortSignal: AbortSignal) => Promise<unknown>) | undefined;
  if (deadline.remaining() > 0) {
    try {
      // Loading the client (a chunk, once per container) is bounded by the deadline too.
      const [sqs, SendMessageCommand] = await boundedCall(
        () => Promise.all([typeof client === 'function' ? client() : client, loadSendMessage()]),
        deadline.remaining(),
      );
      const command = new SendMessageCommand(commandInput);
      send = (abortSignal) => sqs.send(command, { abortSignal });
    } catch (error) {
      // Nothing was sent, and another try would only eat the time left: the log keeps the letter.
      failure = { ...callFailure(error), retryable: false, ambiguous: false };
    }
  }
  for (let attempt = 1; send !== undefined && deadline.remaining() > 0; attempt += 1) {
    try {
      await boundedCall(send, deadline.remaining());
      return { stored: true };
    } catch (error) {
      failure = callFailure(error);
    }
    if (!failure.retryable) break;
    const wait = Math.min(backoffMs(attempt, options.backoffBaseMs ?? 20), deadline.remaining());
    if (wait > 0) await sleep(wait);
  }
  (options.fallback ?? logDeadLetter)(loggable());
  return { stored: false, errorCode: failure.errorCode, logged: true };
}
