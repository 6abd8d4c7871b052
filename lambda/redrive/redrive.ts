/**
 * Redrive: publishes what the dead-letter store holds and can be published,
 * exactly as it would have been the first time (same detail, so the same
 * `delivery.id`), and deletes each letter only once its event is on the bus.
 * Letters for bad input (a 4xx: Jamf sent something we cannot publish) stay
 * where they are for a person to read, and so does anything that never
 * decoded. Used by the redrive function, `npm run redrive` and the local
 * runtime's `POST /_local/redrive`.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Oversize } from '../events/delivery';
import type { DeadLetterRecord, RedriveEntry } from '../publish/dead-letters';
import type { PublishResult } from '../publish/publisher';
import type { Deadline } from '../shared/deadline';
import type { UnverifiedCheck } from './unverified';

/** A letter as the queue hands it out: hidden from other readers until deleted or its visibility runs out. */
export interface QueuedLetter {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
}

export interface RedriveDependencies {
  /** Up to `max` letters not yet read in this run (the queue hides what it has handed out). */
  readonly receive: (max: number) => Promise<readonly QueuedLetter[]>;
  /** Publishes one entry; resolves with the outcome, never throws. A letter of missing parts publishes each, in order. */
  readonly publish: (entry: PutEventsRequestEntry) => Promise<PublishResult>;
  /**
   * Deletes a letter whose event is on the bus, or an unverified one that failed its check.
   * Absent for a store nothing can be deleted from (a log).
   */
  readonly remove?: (letter: QueuedLetter) => Promise<void>;
  /** Checks a letter whose credentials could not be checked when it came. @default - such letters are left */
  readonly checkUnverified?: (record: DeadLetterRecord) => Promise<UnverifiedCheck>;
  /**
   * Reads the whole record a letter points at (`stored`: it was too large for SQS) from the
   * oversize bucket; throws when it cannot. @default - such letters are read as they are: cut, so
   * most are left unpublishable
   */
  readonly readStored?: (stored: Oversize) => Promise<string>;
}

export interface RedriveOptions {
  /** The bus to publish to. */
  readonly eventBusName: string;
  /** Stop reading after this many letters. @default 1000 */
  readonly maxLetters?: number;
  /** Stop starting new work at this moment (a function's remaining time). */
  readonly deadline?: Deadline;
  /**
   * Delivery ids put on the bus earlier in the same run (by the queue's redrive before a log's);
   * the redrive adds those it publishes. A letter whose id is in it is a second copy of one webhook:
   * it is deleted, not published again. @default a new set
   */
  readonly published?: Set<string>;
}

/** What a redrive did, as the function returns it, `npm run redrive` prints it and its metrics count it. */
export interface RedriveSummary {
  /** Letters read. */
  readonly read: number;
  /** Events put on the bus (each letter's delivery.id unchanged). */
  readonly published: number;
  /** Letters deleted: those published, duplicates, and unverified ones dropped. */
  readonly deleted: number;
  /** Left for a person: Jamf sent something that cannot be published (a 4xx). */
  readonly leftBadInput: number;
  /** Left: no event to publish (the webhook never decoded), or a record this redrive cannot read. */
  readonly leftUnpublishable: number;
  /** Left: publishing failed again, or the letter could not be deleted; a later redrive tries again. */
  readonly leftFailed: number;
  /** Deleted without publishing: unverified requests whose credentials did not pass. */
  readonly droppedUnverified: number;
  /** Published or dropped, but not deleted: a later redrive deals with them again (an event with the same delivery.id). */
  readonly deleteFailed: number;
  /**
   * Deleted (in a log: passed over) without publishing: a letter of a delivery.id this run already
   * published. A dead-letter write whose answer was lost keeps one webhook twice (in the queue twice,
   * or in the queue and the log); its event goes out once.
   */
  readonly duplicates: number;
}

type Outcome = 'published' | 'badInput' | 'unpublishable' | 'failed' | 'dropped' | 'duplicate';

/** The record in a letter, or undefined when it is not one this code can read. */
export function readDeadLetterRecord(body: string): DeadLetterRecord | undefined {
  try {
    const record = JSON.parse(body) as Partial<DeadLetterRecord>;
    if (typeof record !== 'object' || record === null || typeof record.reason?.statusCode !== 'number') return undefined;
    return record as DeadLetterRecord;
  } catch {
    return undefined;
  }
}

/** The PutEvents entry a record's event is published with, on `eventBusName`. */
export function entryToPublish(entry: RedriveEntry, eventBusName: string): PutEventsRequestEntry {
  // Without Jamf's timestamp the event's time was when EventBridge took it: the webhook's arrival,
  // not this redrive.
  const time = entry.Time ?? receivedAtOf(entry.Detail);
  return {
    EventBusName: eventBusName,
    Source: entry.Source,
    DetailType: entry.DetailType,
    Detail: entry.Detail,
    ...(time ? { Time: new Date(time) } : {}),
  };
}

function receivedAtOf(detail: string): string | undefined {
  try {
    const receivedAt = (JSON.parse(detail) as { delivery?: { receivedAt?: unknown } }).delivery?.receivedAt;
    return typeof receivedAt === 'string' && !Number.isNaN(Date.parse(receivedAt)) ? receivedAt : undefined;
  } catch {
    return undefined;
  }
}

/** What a redrive does with one record: publish its event, leave it, or drop it, and why. */
export async function redriveRecord(
  record: DeadLetterRecord | undefined,
  publish: RedriveDependencies['publish'],
  eventBusName: string,
  checkUnverified?: RedriveDependencies['checkUnverified'],
): Promise<Outcome> {
  if (record === undefined) return 'unpublishable';
  if (record.unverified !== undefined) {
    if (checkUnverified === undefined) return 'unpublishable';
    const check = await checkUnverified(record);
    if (check.outcome === 'rejected') return 'dropped';
    if (check.outcome === 'badInput') return 'badInput';
    if (check.outcome === 'unchecked') return 'failed';
    return (await publishInOrder(check.entries.map((entry) => ({ ...entry, EventBusName: eventBusName })), publish)) ? 'published' : 'failed';
  }
  const status = record.reason.statusCode;
  if (status >= 400 && status < 500) return 'badInput';
  const entries = entriesOf(record);
  if (entries === undefined) return 'unpublishable';
  return (await publishInOrder(entries.map((entry) => entryToPublish(entry, eventBusName)), publish)) ? 'published' : 'failed';
}

/**
 * What a letter publishes: its entry, or the entries of the parts that were
 * missing (only those: the others are on the bus). A letter that says parts
 * are missing but lost their entries (too large for the queue) has nothing.
 */
function entriesOf(record: DeadLetterRecord): readonly RedriveEntry[] | undefined {
  if (record.parts !== undefined) {
    const entries = record.entries;
    return entries !== undefined && entries.length > 0 && entries.length === record.parts.missing.length ? entries : undefined;
  }
  return record.entry === undefined ? undefined : [record.entry];
}

/**
 * Publishes the entries one after another, stopping at the first that fails:
 * the letter then stays, and a later redrive publishes them all again (a part
 * already on the bus arrives twice, with the same delivery.id and part index).
 */
async function publishInOrder(entries: readonly PutEventsRequestEntry[], publish: RedriveDependencies['publish']): Promise<boolean> {
  for (const entry of entries) {
    if (!(await publish(entry)).ok) return false;
  }
  return true;
}

/** The delivery.id a letter publishes under, when it holds an event a redrive would publish as it is. */
function publishableId(record: DeadLetterRecord | undefined): string | undefined {
  if (record === undefined || record.unverified !== undefined || entriesOf(record) === undefined) return undefined;
  const status = record.reason.statusCode;
  return status >= 400 && status < 500 ? undefined : record.deliveryId;
}

/**
 * The record a letter holds, or the whole one it points at in the oversize bucket; `unread` when
 * that cannot be read now. A stored record that is not one, or not the letter's, counts as none.
 */
async function wholeRecord(record: DeadLetterRecord | undefined, readStored: RedriveDependencies['readStored']): Promise<DeadLetterRecord | undefined | 'unread'> {
  if (record?.stored === undefined || readStored === undefined) return record;
  let text: string;
  try {
    text = await readStored(record.stored);
  } catch {
    return 'unread';
  }
  const whole = readDeadLetterRecord(text);
  return whole?.requestId === record.requestId ? whole : undefined;
}

/** Redrives the store until it has nothing new to hand out, `maxLetters` were read, or the deadline is near. */
export async function redrive(deps: RedriveDependencies, options: RedriveOptions): Promise<RedriveSummary> {
  const maxLetters = options.maxLetters ?? 1000;
  const counts = {
    read: 0,
    published: 0,
    deleted: 0,
    leftBadInput: 0,
    leftUnpublishable: 0,
    leftFailed: 0,
    droppedUnverified: 0,
    deleteFailed: 0,
    duplicates: 0,
  };
  const published = options.published ?? new Set<string>();
  const timeLeft = () => options.deadline === undefined || options.deadline.remaining() > 0;

  while (counts.read < maxLetters && timeLeft()) {
    const letters = await deps.receive(Math.min(10, maxLetters - counts.read));
    if (letters.length === 0) break;
    for (const letter of letters) {
      // Each letter may take a publish and a secret read: the deadline is checked before every one.
      if (!timeLeft()) break;
      counts.read += 1;
      const record = await wholeRecord(readDeadLetterRecord(letter.body), deps.readStored);
      if (record === 'unread') {
        // The bucket could not be read now: the letter stays for a later run.
        counts.leftFailed += 1;
        continue;
      }
      const id = publishableId(record);
      const outcome: Outcome =
        id !== undefined && published.has(id) ? 'duplicate' : await redriveRecord(record, deps.publish, options.eventBusName, deps.checkUnverified);
      if (outcome === 'published' && id !== undefined) published.add(id);
      if (outcome === 'badInput') counts.leftBadInput += 1;
      else if (outcome === 'unpublishable') counts.leftUnpublishable += 1;
      else if (outcome === 'failed') counts.leftFailed += 1;
      else {
        if (outcome === 'published') counts.published += 1;
        else if (outcome === 'duplicate') counts.duplicates += 1;
        else counts.droppedUnverified += 1;
        if (deps.remove === undefined) continue;
        try {
          await deps.remove(letter);
          counts.deleted += 1;
        } catch {
          counts.deleteFailed += 1;
        }
      }
    }
  }
  return counts;
}
