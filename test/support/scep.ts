/** Helpers for the SCEP tests: a step-ca client and the fixture's identities. */
import { stepCaSignature } from '../../lambda/scep/step-ca';
import { post } from './local-runtime';
import { TEST_SECRETS } from './secrets';

/** The SCEPChallenge fixture's device and profile (events/json/SCEPChallenge.json). */
export const FIXTURE_DEVICE = {
  udid: '00008130-0004218E3C42001E',
  serialNumber: 'M4QW9KX2TR',
  payloadIdentifier: '9C2E4A6B-8D0F-4E1A-B3C5-7D9F1B3D5E7A',
} as const;

export const STEP_CA_SECRET = Buffer.from(TEST_SECRETS.scepVerifySecret, 'base64');

export interface StepCaRequest {
  readonly scepChallenge?: string;
  readonly scepTransactionID?: string;
  readonly provisionerName?: string;
  readonly x509CertificateRequest?: unknown;
}

/** The body step-ca sends, with the fields it always has. */
export function stepCaBody(request: StepCaRequest): string {
  return JSON.stringify({
    timestamp: '2026-11-27T10:00:00Z',
    provisionerName: 'jamf-scep',
    scepTransactionID: 'tx-1',
    x509CertificateRequest: { subject: { commonName: FIXTURE_DEVICE.udid }, publicKeyAlgorithm: 'RSA' },
    ...request,
  });
}

/** POSTs to the verifier as step-ca does: signed with `secret`, with a webhook id. */
export function askStepCa(url: string, body: string, secret: Uint8Array = STEP_CA_SECRET) {
  return post(url, body, {
    'content-type': 'application/json',
    'x-smallstep-webhook-id': 'c1a7e0a4-7f7e-4c3b-9e61-0d5f3c1b2a90',
    'x-smallstep-signature': stepCaSignature(secret, body),
  });
}
