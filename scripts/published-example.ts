/**
 * A fixture as a subscriber receives it: the body decoded by the real decoder,
 * made into the PutEvents entry the ingest function sends, then wrapped in the
 * envelope EventBridge delivers. The events reference (docs/events.md) shows
 * these, and the tests of the published types and schemas check every one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWebhook } from '../lambda/decode/decode';
import type { ChallengeIssuance } from '../lambda/events/scep';
import { eventBridgeEnvelope, type DeliveredEvent } from '../lambda/local/rules';
import { toPutEventsEntry } from '../lambda/publish/entry';
import { DEFAULT_EVENT_SOURCE } from '../lambda/contract';

export type ExampleFormat = 'json' | 'xml';

const CONTENT_TYPES: Record<ExampleFormat, string> = { json: 'application/json', xml: 'text/xml' };

/** Placeholders for what EventBridge and the deployment fill in. */
export const EXAMPLE_ENVELOPE = {
  id: '7f2c9a4e-1d3b-4c5a-9e8f-0a1b2c3d4e5f',
  account: '123456789012',
  region: 'eu-west-1',
} as const;

/** How long after Jamf's timestamp the examples' webhooks arrive. */
const ARRIVAL_DELAY_MS = 180;
/** When a webhook without a timestamp arrives, in the examples. */
const EXAMPLE_RECEIVED_AT = new Date('2026-01-14T09:12:37.661Z');

export interface ExampleOptions {
  /** The `issuance` block the SCEP service adds to a `jamf.SCEPChallenge` it publishes. */
  readonly issuance?: ChallengeIssuance;
}

/** `events/<format>/<name>.<format>` as the event EventBridge delivers to a subscriber. */
export function publishedExample(root: string, name: string, format: ExampleFormat, options: ExampleOptions = {}): DeliveredEvent {
  const body = readFileSync(join(root, 'events', format, `${name}.${format}`));
  const decoded = decodeWebhook(body, CONTENT_TYPES[format]);
  const timestamp = decoded.detail.webhook.eventTimestamp;
  const receivedAt = typeof timestamp === 'number' ? new Date(timestamp + ARRIVAL_DELAY_MS) : EXAMPLE_RECEIVED_AT;
  const detail = options.issuance === undefined ? decoded.detail : { ...decoded.detail, issuance: options.issuance };
  const entry = toPutEventsEntry({ ...decoded, detail }, { eventBusName: 'JamfEventBridge', eventSource: DEFAULT_EVENT_SOURCE }, receivedAt);
  return eventBridgeEnvelope(
    { detailType: entry.DetailType!, source: entry.Source!, detail: JSON.parse(entry.Detail ?? '{}') as unknown },
    { id: EXAMPLE_ENVELOPE.id, account: EXAMPLE_ENVELOPE.account, region: EXAMPLE_ENVELOPE.region, time: entry.Time ?? receivedAt },
  );
}
