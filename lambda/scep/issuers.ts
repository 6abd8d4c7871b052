/**
 * Where a challenge comes from: signed here (the default), or asked of an
 * upstream issuer (`upstream.ts`, loaded only when configured). Both take the decoded request and give the challenge plus
 * what the audit event may say about it.
 */
import type { DecodedWebhook } from '../decode/canonical';
import type { ChallengeIssuance } from '../events/scep';
import { lazy } from '../shared/lazy';
import type { SigningKeys } from './keys';
import type { ChallengeBinding } from './token';

export interface IssueRequest {
  readonly decoded: DecodedWebhook;
  /** The body exactly as Jamf sent it (the upstream issuer gets it unchanged). */
  readonly body: Uint8Array;
  readonly contentType: string | undefined;
}

export interface Issued {
  /** The HTTP body for Jamf Pro. A secret. */
  readonly challenge: string;
  readonly issuance: ChallengeIssuance;
}

export type Issuer = (request: IssueRequest) => Promise<Issued>;

function field(record: unknown, key: string): string {
  if (record === null || typeof record !== 'object') return '';
  const value = (record as Record<string, unknown>)[key];
  return typeof value === 'string' ? value.trim() : '';
}

/** The profile and device a SCEPChallenge asks for. Older servers send no device object; the binding is then to the profile alone. */
export function bindingOf(decoded: DecodedWebhook): ChallengeBinding {
  const { event } = decoded.detail;
  const device = event.targetDevice;
  return {
    payloadIdentifier: field(event, 'payloadIdentifier'),
    deviceId: field(device, 'udid') || field(device, 'serialNumber'),
  };
}

/** The signing code (and node:crypto) loads with the first key fetch, not at init. */
export const loadSigning = lazy(() => import('./token.js'));

/** Signs challenges with the current key; `keys` is cached, so a warm call makes no network call. */
export function signedIssuer(keys: () => Promise<SigningKeys>, ttlSeconds: number, now: () => number = Date.now): Issuer {
  return async ({ decoded }) => {
    const [{ current }, { issueChallenge }] = await Promise.all([keys(), loadSigning()]);
    const issued = issueChallenge(current, bindingOf(decoded), ttlSeconds, now());
    return {
      challenge: issued.challenge,
      issuance: {
        issuer: 'signed',
        challengeId: issued.challengeId,
        expiresAt: new Date(issued.expiresAt * 1000).toISOString(),
      },
    };
  };
}
