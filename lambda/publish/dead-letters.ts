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
  return deadLetter(input).message;
}

/** The queue's message for a dead letter, what of it may go to a log, and the whole record when the message had to be cut. */
interface PreparedLetter {
  readonly message: string;
  readonly loggable: () => string;
  /** The record before any cut, when the message is not it: what the oversize bucket keeps. */
  readonly whole?: string;
  /** The message (and its loggable form) again, cut to fit, with `stored` pointing at the whole record. */
  readonly pointingAt: (stored: Oversize) => { readonly message: string; readonly loggable: () => string };
}

/**
 * The queue's message for a dead letter, and what of it may go to a log, from
 * one reading of the body.
 */
function deadLetter(input: DeadLetterInput): PreparedLetter {
  const { text, isUtf8 } = bodyAsText(input);
  const masked = redactRawBody(text);
  let truncated = false;
  let start = masked;
  if (input.truncateBody && start.length > OVERSIZE_BODY_PREFIX_CHARS) {
    start = start.slice(0, OVERSIZE_BODY_PREFIX_CHARS);
    truncated = true;
  }
  const fullRedrive: Pick<DeadLetterRecord, 'deliveryId' | 'entry' | 'parts' | 'entries' | 'unverified'> = {
    ...redriveFields(input),
    ...(input.unverified ? { unverified: { credentials: input.unverified, ...unverifiedBody(input, text, masked) } } : {}),
  };
  const cut = (stored: Oversize | undefined) => {
    let body = start;
    let redrive = fullRedrive;
    const record = (isCut: boolean): DeadLetterRecord => ({
      version: 2,
      reason: input.reason,
      requestId: input.requestId,
      receivedAt: input.receivedAt.toISOString(),
      contentType: input.contentType ?? null,
      eventName: input.eventName ?? null,
      ...(input.challengeId ? { challengeId: input.challengeId } : {}),
      ...(input.instance === undefined ? {} : { instance: input.instance }),
      bodyBytes: input.body.byteLength,
      bodyTruncated: isCut,
      body,
      ...redrive,
      ...(stored ? { stored } : {}),
    });
    let message = sqsSafe(JSON.stringify(record(truncated)));
    const whole = message;
    const fits = () => Buffer.byteLength(message, 'utf8') <= MAX_DEAD_LETTER_BYTES;
    // Escaping can grow a body up to six-fold; halve it until it fits.
    while (!fits() && body.length > 0) {
      body = body.slice(0, Math.floor(body.length / 2));
      message = sqsSafe(JSON.stringify(record(true)));
    }
    if (!fits() && redrive.unverified?.bodyBase64 !== undefined) {
      redrive = { ...redrive, unverified: { credentials: redrive.unverified.credentials } };
      message = sqsSafe(JSON.stringify(record(true)));
    }
    if (!fits() && (redrive.entry !== undefined || redrive.entries !== undefined)) {
      // An entry of up to 1 MiB, escaped, may not fit a letter. Without it the body gets the room back,
      // as much of it as fits; `parts` stays, so that the letter still says which parts are missing.
      const { entry: _entry, entries: _entries, ...rest } = redrive;
      redrive = rest;
      body = start;
      message = sqsSafe(JSON.stringify(record(truncated)));
      while (!fits() && body.length > 0) {
        body = body.slice(0, Math.floor(body.length / 2));
        message = sqsSafe(JSON.stringify(record(true)));
      }
    }
    // No secret may reach a log: an unverified request's body goes there only when it is plain UTF-8
    // that masking left unchanged. Such a letter can then not be redriven from the log.
    const loggable = () =>
      redrive.unverified === undefined || (isUtf8 && masked === text)
        ? message
        : sqsSafe(JSON.stringify({ ...record(body !== masked), unverified: { credentials: redrive.unverified.credentials } }));
    return { message, loggable, whole: message === whole ? undefined : whole };
  };
  const first = cut(undefined);
  return { ...first, pointingAt: (stored) => cut(stored) };
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
  let { message, loggable } = letter;
  if (letter.whole !== undefined && options.oversize !== undefined && deadline.remaining() > 0) {
    // Too large for SQS: the whole record to the bucket, and a message that points at it. Failing
    // that, the cut message goes alone: the body's start and the reason, for a person.
    const key = deadLetterKey(input.requestId, input.receivedAt);
    const stored = await putOversizeObject(options.oversize, key, letter.whole, { budgetMs: deadline.remaining() * STORE_SHARE });
    if (stored.ok) ({ message, loggable } = letter.pointingAt({ bucket: options.oversize.bucket, key, bytes: Buffer.byteLength(letter.whole, 'utf8') }));
  }
  const commandInput = {
    QueueUrl: queueUrl,
    MessageBody: message,
    MessageAttributes: {
      reason: { DataType: 'String', StringValue: input.reason.code },
      ...(input.eventName ? { eventName: { DataType: 'String', StringValue: input.eventName } } : {}),
    },
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
