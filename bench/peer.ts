/**
 * The "20-line peer": the webhook-to-EventBridge function another project
 * would write, honestly and without our checks. It parses the body, picks
 * `webhook.webhookEvent`, and builds the PutEvents entry with
 * `JSON.stringify` of the detail. No envelope or type checks, no coercion,
 * no secret removal, no delivery id: what ours is measured against, so the
 * price of those is visible. It imports no parser itself, so that the
 * minimal bundle (minimal/handler.ts) stays EventBridge-only.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { deliveryJson, deliveryOfCanonical } from '../lambda/publish/delivery';

/** Where the entry goes (the shape of ours, declared here so the peer depends on nothing of ours). */
export interface PeerTarget {
  readonly eventBusName: string;
  readonly eventSource: string;
}

/** What the peer expects after parsing: Jamf's two blocks, unchecked. */
interface PeerWebhook {
  readonly webhook?: { readonly webhookEvent?: unknown; readonly eventTimestamp?: unknown };
  readonly event?: unknown;
}

/** The peer's JSON parse. */
export const peerJson = (text: string): unknown => JSON.parse(text);

/** The peer's XML parse: a default-options fast-xml-parser, and Jamf's root element. */
export function peerXml(parser: { parse(text: string): unknown }): (text: string) => unknown {
  return (text) => (parser.parse(text) as { JSSEvent?: unknown }).JSSEvent;
}

export function peerEntry(body: Buffer, parse: (text: string) => unknown, target: PeerTarget): PutEventsRequestEntry {
  const { webhook, event } = (parse(body.toString('utf8')) ?? {}) as PeerWebhook;
  if (typeof webhook?.webhookEvent !== 'string') throw new Error('not a Jamf webhook: no webhook.webhookEvent');
  return {
    EventBusName: target.eventBusName,
    Source: target.eventSource,
    DetailType: `jamf.${webhook.webhookEvent}`,
    Detail: JSON.stringify({ webhook, event }),
    ...(typeof webhook.eventTimestamp === 'number' ? { Time: new Date(webhook.eventTimestamp) } : {}),
  };
}

/**
 * The peer plus the one thing every entry of ours must carry whatever else is
 * dropped: the `delivery` block, whose id is a SHA-256 of the detail's JSON
 * (issue 10's contract, pinned by test/unit/publish/pinned-ids.test.ts). No
 * checks, no coercion, no sorting: the floor for any decoder that keeps that
 * contract, so the bench can say how much of ours is checking and how much
 * the contract itself costs.
 */
export function floorEntry(body: Buffer, parse: (text: string) => unknown, target: PeerTarget, receivedAt: Date): PutEventsRequestEntry {
  const entry = peerEntry(body, parse, target);
  const text = entry.Detail!;
  // Only the timestamp is read from the detail: it decides whether the arrival time is hashed too.
  const timed = { webhook: { webhookEvent: entry.DetailType!.slice(5), eventTimestamp: entry.Time?.getTime() }, event: {} };
  entry.Detail = `${text.slice(0, -1)},"delivery":${deliveryJson(deliveryOfCanonical(text, timed, receivedAt, 'utf-8'))}}`;
  return entry;
}
