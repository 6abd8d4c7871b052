/**
 * Fixtures as a subscriber receives them: decoded by the real decoder, turned into
 * the PutEvents entry the publisher sends, and wrapped in the envelope EventBridge
 * delivers (`version`, `id`, `detail-type`, `source`, `account`, `time`, `region`,
 * `resources`, `detail`).
 */
import { DEFAULT_EVENT_SOURCE } from '../../lambda/contract';
import type { CanonicalDetail } from '../../lambda/decode/canonical';
import { decodeWebhook } from '../../lambda/decode/decode';
import type { JamfEventName } from '../../lambda/events';
import { eventBridgeEnvelope } from '../../lambda/local/rules';
import { toPutEventsEntry } from '../../lambda/publish/entry';
import type { AnyJamfEvent, JamfEvent } from '../../examples/consumer/subscriber';
import { CONTENT_TYPES, fixtureBytes, type FixtureFormat } from './fixtures';

/** The envelope of any published Jamf event. */
export type Envelope = AnyJamfEvent;

/** When the fixtures "arrived": a fixed time, so that every run builds the same envelopes. */
export const RECEIVED_AT = new Date('2026-05-04T10:00:00.000Z');

/** The envelope EventBridge delivers for a webhook body, published with `eventSource`. */
export function envelopeOf(body: Uint8Array, contentType: string, eventSource: string = DEFAULT_EVENT_SOURCE): Envelope {
  const decoded = decodeWebhook(body, contentType);
  const entry = toPutEventsEntry(decoded, { eventBusName: 'JamfEventBridge', eventSource }, RECEIVED_AT);
  const detailType = entry.DetailType ?? '';
  if (!isJamfDetailType(detailType)) throw new Error(`the publisher wrote detail-type ${detailType}`);
  return eventBridgeEnvelope(
    { detailType, source: entry.Source!, detail: JSON.parse(entry.Detail!) as CanonicalDetail },
    { id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', account: '123456789012', region: 'eu-west-1', time: entry.Time ?? RECEIVED_AT },
  ) as Envelope;
}

function isJamfDetailType(detailType: string): detailType is `jamf.${string}` {
  return detailType.startsWith('jamf.');
}

/** The envelope of a fixture. */
export function fixtureEnvelope(name: string, format: FixtureFormat, eventSource?: string): Envelope {
  return envelopeOf(fixtureBytes(name, format), CONTENT_TYPES[format], eventSource);
}

/**
 * The envelope of a known event's fixture, typed as the subscriber's handlers take
 * it. The assertion is what the decoder guarantees: it checked the body against
 * the schema of `name` (the test fails in decodeWebhook otherwise).
 */
export function typedEnvelope<TName extends JamfEventName>(name: TName, format: FixtureFormat): JamfEvent<TName> {
  return asEventOf(name, fixtureEnvelope(name, format));
}

/** `typedEnvelope` for a JSON body of one's own, e.g. a fixture changed with structuredClone. */
export function typedEnvelopeOf<TName extends JamfEventName>(name: TName, body: unknown): JamfEvent<TName> {
  return asEventOf(name, envelopeOf(Buffer.from(JSON.stringify(body)), CONTENT_TYPES.json));
}

function asEventOf<TName extends JamfEventName>(name: TName, envelope: Envelope): JamfEvent<TName> {
  if (envelope['detail-type'] !== `jamf.${name}`) throw new Error(`expected a ${name} body, got ${envelope['detail-type']}`);
  return envelope as unknown as JamfEvent<TName>;
}
