/**
 * `POST /scep-challenge/verify`: step-ca's `SCEPCHALLENGE` webhook. step-ca
 * asks whether the challenge a device presented is one we issued; we allow it
 * once: signature good, not expired, optionally naming the right device, and
 * never seen before. The answer is `{"allow": true|false}`.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import * as v from 'valibot';
import { utf8BodyText } from '../decode/canonical';
import { parseJson } from '../decode/json';
import { toIssues } from '../shared/issues';
import { errorResponse, UnprocessableWebhookError, WebhookError } from '../shared/errors';
import { type ApiEvent, assertBodyWithin, incomingRequest } from '../shared/request';
import { logRequest } from '../shared/log';
import type { ScepConfig } from './config';
import type { SigningKeys } from './keys';
import { certificateRequestDigest, certificateRequestNames, checkStepCaSignature, STEP_CA_WEBHOOK_ID_HEADER, StepCaChallengeRequestSchema } from './step-ca';
import { deviceTag, verifyChallenge } from './token';
import type { ChallengeUse } from './used-challenges';

export interface VerifyDependencies {
  readonly config: ScepConfig;
  /** step-ca's webhook secrets (decoded); an empty list rejects every request. */
  readonly webhookSecrets: () => Promise<readonly Uint8Array[]>;
  readonly signingKeys: () => Promise<SigningKeys>;
  /** Records a use: `true` the first time only. */
  readonly claim: (use: ChallengeUse) => Promise<boolean>;
  readonly now?: () => number;
}

type Handler = (event: ApiEvent) => Promise<APIGatewayProxyResult>;

export type DenyReason = 'MissingChallenge' | 'Malformed' | 'BadSignature' | 'Expired' | 'DeviceMismatch' | 'Replayed';

const FUNCTION_NAME = 'scep';
/** step-ca's request carries the parsed certificate request; a few KiB, never near this. */
export const MAX_VERIFY_BODY_BYTES = 64 * 1024;

/** The tag of no device: a challenge Jamf asked for without a UDID or serial number. */
const UNBOUND = deviceTag('');

/**
 * Whether the certificate request names the device the challenge was issued
 * for. A challenge bound to no device names none, and blank names match nothing.
 */
function namesDevice(certificateRequest: unknown, tag: string): boolean {
  if (tag === UNBOUND) return false;
  return certificateRequestNames(certificateRequest).some((name) => name.trim() !== '' && deviceTag(name) === tag);
}

function answer(allow: boolean): APIGatewayProxyResult {
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ allow }) };
}

export function createVerifyHandler(deps: VerifyDependencies): Handler {
  const { config } = deps;
  const now = deps.now ?? Date.now;

  return async (event) => {
    const { started, requestId, headers, body } = incomingRequest(event);
    const webhookId = headers[STEP_CA_WEBHOOK_ID_HEADER];
    const log = (fields: {
      outcome: 'allowed' | 'denied' | 'rejected' | 'failed';
      status: number;
      reason?: string;
      errorCode?: string;
      challengeId?: string;
      transactionId?: string;
    }) =>
      logRequest({
        function: FUNCTION_NAME,
        requestId,
        eventName: 'SCEPChallengeVerify',
        latencyMs: Date.now() - started,
        ...fields,
        ...(webhookId ? { webhookId } : {}),
        metrics: {
          VerifyAllowed: fields.outcome === 'allowed' ? 1 : 0,
          VerifyDenied: fields.outcome === 'denied' ? 1 : 0,
        },
      });

    try {
      assertBodyWithin(body, MAX_VERIFY_BODY_BYTES);
      checkStepCaSignature(await deps.webhookSecrets(), headers, body);
      const parsed = v.safeParse(StepCaChallengeRequestSchema, parseJson(utf8BodyText(body)));
      if (!parsed.success) {
        throw new UnprocessableWebhookError('NotAStepCaRequest', 'The body is not a step-ca SCEPCHALLENGE webhook request', {
          issues: toIssues(parsed.issues),
        });
      }
      const request = parsed.output;
      const transactionId = request.scepTransactionID;
      const deny = (reason: DenyReason, challengeId?: string) => {
        log({ outcome: 'denied', status: 200, reason, ...(challengeId ? { challengeId } : {}), ...(transactionId ? { transactionId } : {}) });
        return answer(false);
      };

      if (!request.scepChallenge) return deny('MissingChallenge');
      const check = verifyChallenge(request.scepChallenge, (await deps.signingKeys()).all, now());
      if (!check.valid) return deny(check.reason);
      if (config.requireDeviceMatch && !namesDevice(request.x509CertificateRequest, check.deviceTag)) {
        return deny('DeviceMismatch', check.challengeId);
      }
      const first = await deps.claim({
        challengeId: check.challengeId,
        expiresAt: check.expiresAt,
        // The retry of one enrolment sends the same certificate request; another enrolment, even one
        // that copies the transaction id (a SCEP client chooses it, and it is not secret), does not.
        requestDigest: certificateRequestDigest(request.x509CertificateRequest),
        ...(transactionId ? { transactionId } : {}),
        ...(request.provisionerName ? { provisionerName: request.provisionerName } : {}),
      });
      if (!first) return deny('Replayed', check.challengeId);
      log({ outcome: 'allowed', status: 200, challengeId: check.challengeId, ...(transactionId ? { transactionId } : {}) });
      return answer(true);
    } catch (error) {
      const response = errorResponse(error);
      log({
        outcome: response.statusCode >= 500 ? 'failed' : 'rejected',
        status: response.statusCode,
        errorCode: error instanceof WebhookError ? error.code : 'InternalError',
      });
      return response;
    }
  };
}
