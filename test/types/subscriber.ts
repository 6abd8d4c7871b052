/**
 * A subscriber written against `jamf-eventbridge/events`, as a consumer of the
 * package writes one. Never run: `tsc --noEmit` (part of `npm test`) checks
 * that it compiles, and that each line marked `@ts-expect-error` does not
 * (an unused marker is itself an error), so the types keep refusing what
 * they refuse today.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { isJamfEvent, parseJamfEvent, type JamfEvent, type JamfEventOf } from 'jamf-eventbridge/events';

/** A Lambda target of a rule matching every `jamf.*` detail-type. */
export async function handler(input: unknown): Promise<string> {
  const event: JamfEvent = parseJamfEvent(input);
  const delivered: string = event.detail.delivery.id;

  if (event['detail-type'] === 'jamf.ComputerAdded') {
    // Narrowed to ComputerAdded: the catalogue's canonical types.
    const serial: string | null | undefined = event.detail.event.serialNumber;
    const jssId: number | null | undefined = event.detail.event.jssID;
    const name: 'ComputerAdded' = event.detail.webhook.webhookEvent;
    // @ts-expect-error a serial number is a string, never a number
    const wrong: number | null | undefined = event.detail.event.serialNumber;
    // @ts-expect-error policyId is ComputerPolicyFinished's, not ComputerAdded's
    const other: unknown = event.detail.event.policyId;
    return [delivered, serial, jssId, name, wrong, other].join(' ');
  }

  // @ts-expect-error a misspelt detail-type is no detail-type we publish
  if (event['detail-type'] === 'jamf.ComputerAded') return 'never';

  if (event['detail-type'] === 'jamf.SCEPChallenge') {
    // Only the SCEP service's events carry issuance.
    return event.detail.issuance?.issuer ?? 'from /webhooks';
  }
  return event.detail.webhook.webhookEvent;
}

/** A target whose rule matches one detail-type, checking what it gets. */
export function onPolicyFinished(input: unknown): boolean | null | undefined {
  if (!isJamfEvent(input, 'ComputerPolicyFinished')) return undefined;
  const policy: number | null | undefined = input.detail.event.policyId;
  return policy === undefined ? null : input.detail.event.successful;
}

/** One event's type by name, e.g. for a function that handles only it. */
export function serialOf(event: JamfEventOf<'MobileDeviceEnrolled'>): string | null | undefined {
  return event.detail.event.serialNumber;
}

// @ts-expect-error a misspelt event name is no event we publish
export type Misspelt = JamfEventOf<'ComputerAded'>;

export function misspeltGuard(input: unknown): boolean {
  // @ts-expect-error isJamfEvent takes only the name of a known event
  return isJamfEvent(input, 'computeradded');
}

/** aws-lambda's EventBridgeEvent fits the published types, for code written with it. */
export function fromAwsLambdaTypes(event: EventBridgeEvent<'jamf.ComputerAdded', JamfEventOf<'ComputerAdded'>['detail']>): number | null | undefined {
  return event.detail.event.jssID;
}
