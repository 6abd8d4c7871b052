/**
 * A local EventBridge: PutEvents as the AWS JSON 1.1 protocol defines it,
 * with EventBridge's own per-entry checks, keeping the last `maxEvents`
 * accepted entries (the oldest are dropped, and counted).
 */
import { randomUUID } from 'node:crypto';
import { MAX_ENTRIES_PER_REQUEST, MAX_ENTRY_BYTES, MAX_REQUEST_BYTES } from '../contract';
import { AwsServiceError, type OperationContext, type Operations } from './aws-endpoint';

/** How many events the local bus keeps unless told otherwise. */
export const DEFAULT_MAX_EVENTS = 10_000;

export interface PublishedEvent {
  readonly EventId: string;
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  /** Epoch seconds as the SDK sends `Time`, converted to ISO 8601 as EventBridge shows it. */
  readonly Time: string;
  readonly Detail: unknown;
}


type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/**
 * An entry's size as EventBridge counts it: the UTF-8 bytes of Source,
 * DetailType, Detail and each Resource, and 14 for a Time (what the SDK sent;
 * a missing or mistyped field counts nothing here, and is refused later).
 */
export function wireEntrySize(entry: Record<string, unknown>): number {
  const { Source, DetailType, Detail, Resources, Time } = entry;
  let size = Time !== undefined && Time !== null ? 14 : 0;
  for (const text of [Source, DetailType, Detail, ...(Array.isArray(Resources) ? Resources : [])]) {
    if (typeof text === 'string') size += Buffer.byteLength(text, 'utf8');
  }
  return size;
}

function timeOf(value: unknown): string {
  if (typeof value === 'number') return new Date(value * 1000).toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return new Date().toISOString();
}

export class LocalEventBus {
  readonly events: PublishedEvent[] = [];
  /** Events dropped, oldest first, to keep at most `maxEvents`. */
  dropped = 0;

  constructor(
    /** Bus used for entries that name none, like the account's default bus. */
    private readonly defaultBusName = 'default',
    /** Called for each accepted entry, e.g. to print it. */
    private readonly onPublished: (event: PublishedEvent) => void = () => {},
    /** How many events are kept: memory stays bounded however long it runs. */
    private readonly maxEvents = DEFAULT_MAX_EVENTS,
  ) {}

  readonly operations: Operations = {
    'AWSEvents.PutEvents': (input, context) => this.putEvents(input, context),
  };

  private putEvents(input: Record<string, unknown>, context: OperationContext): { FailedEntryCount: number; Entries: EntryResult[] } {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES_PER_REQUEST) {
      throw new AwsServiceError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES_PER_REQUEST} entries`);
    }
    const requestSize = entries.reduce((sum: number, entry: Record<string, unknown>) => sum + wireEntrySize(entry), 0);
    // A lone entry over the limit fails as an entry (below); several over it together fail the request.
    if (entries.length > 1 && requestSize > MAX_REQUEST_BYTES) {
      throw new AwsServiceError('ValidationException', `Total size of the entries in the request is ${requestSize} bytes; the limit is ${MAX_REQUEST_BYTES}`);
    }
    const results = entries.map((entry: Record<string, unknown>, index) => {
      const injected = context.failEntry?.(index);
      if (injected) return { ErrorCode: injected, ErrorMessage: `injected fault: ${injected}` };
      return this.putEntry(entry);
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  private putEntry(entry: Record<string, unknown>): EntryResult {
    const { Source, DetailType, Detail, EventBusName, Time } = entry;
    if (typeof Source !== 'string' || typeof DetailType !== 'string' || typeof Detail !== 'string') {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
    }
    const size = wireEntrySize(entry);
    if (size > MAX_ENTRY_BYTES) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Entry size ${size} exceeds ${MAX_ENTRY_BYTES}` };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object' };
    }
    const event: PublishedEvent = {
      EventId: randomUUID(),
      EventBusName: typeof EventBusName === 'string' && EventBusName ? EventBusName : this.defaultBusName,
      Source,
      DetailType,
      Time: timeOf(Time),
      Detail: detail,
    };
    this.events.push(event);
    keepLast(this.events, this.maxEvents, (n) => (this.dropped += n));
    this.onPublished(event);
    return { EventId: event.EventId };
  }
}

/** Drops the oldest items over `max`, and says how many. */
export function keepLast<T>(items: T[], max: number, onDropped: (count: number) => void): void {
  const over = items.length - max;
  if (over > 0) {
    items.splice(0, over);
    onDropped(over);
  }
}
