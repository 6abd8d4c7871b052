/**
 * What a handler does with a Jamf request it did not publish, whatever the
 * reason: keep it in the dead-letter store with the reason (when the sender
 * was authenticated: nothing from an authorised server is lost), answer with
 * the error's response, and write the request's log line.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { PresentedCredentials } from '../auth/verify';
import { errorResponse, PayloadTooLargeError, PublishFailedError, WebhookError, type ErrorResponse } from './errors';
import { logRequest } from './log';
import type { DeadLetterInput, DeadLetterResult, MissingParts } from '../publish/dead-letters';
import { deadLetterReason } from '../publish/reason';

export interface FailedRequest {
  readonly functionName: string;
  readonly requestId: string;
  /** When the request arrived (epoch ms). */
  readonly started: number;
  readonly contentType: string | undefined;
  /** The event name, if it was read before the failure. */
  readonly eventName: string | undefined;
  readonly body: Uint8Array;
  /** Only an authenticated request is kept; anyone can send the others. */
  readonly authenticated: boolean;
  /** The entry that was to be published, when the request got that far: what a redrive publishes. */
  readonly entry?: PutEventsRequestEntry;
  /** Of a webhook published in parts, those not on the bus: what a redrive publishes. */
  readonly parts?: MissingParts | undefined;
  /** The named Jamf Pro instance it came for; absent for the default one (a redrive checks an unverified letter with its credentials). */
  readonly instance?: string;
  /**
   * What an unauthenticated request presented, when its credentials could not
   * be checked: it is kept too, unverified, for a redrive to check later.
   */
  readonly unverified?: PresentedCredentials;
}

export async function answerFailure(
  error: unknown,
  request: FailedRequest,
  deadLetter: (input: DeadLetterInput) => Promise<DeadLetterResult>,
  /** The function's metrics for this failure: whether it was dead-lettered, and its error code. */
  metrics: (failure: { readonly deadLettered: boolean; readonly errorCode: string }) => Readonly<Record<string, 0 | 1>>,
): Promise<ErrorResponse> {
  const eventName = request.eventName ?? (error instanceof WebhookError ? error.eventName : undefined);
  const kept = request.authenticated || request.unverified !== undefined
    ? await deadLetter({
        reason: deadLetterReason(error),
        requestId: request.requestId,
        receivedAt: new Date(request.started),
        contentType: request.contentType,
        eventName,
        body: request.body,
        truncateBody: error instanceof PayloadTooLargeError,
        ...(request.entry ? { entry: request.entry } : {}),
        ...(request.parts ? { parts: request.parts } : {}),
        ...(request.instance === undefined ? {} : { instance: request.instance }),
        ...(request.unverified ? { unverified: request.unverified } : {}),
      })
    : undefined;
  const response = errorResponse(error, kept?.stored);
  const errorCode = error instanceof WebhookError ? error.code : 'InternalError';
  logRequest({
    function: request.functionName,
    requestId: request.requestId,
    eventName,
    ...(request.instance === undefined ? {} : { instance: request.instance }),
    outcome: response.statusCode >= 500 ? 'failed' : 'rejected',
    status: response.statusCode,
    latencyMs: Date.now() - request.started,
    errorCode,
    ...(error instanceof PublishFailedError ? { attempts: error.attempts } : {}),
    ...(kept ? { deadLettered: kept.stored } : {}),
    ...(kept && !kept.stored ? { deadLetterError: kept.errorCode, deadLetterLogged: kept.logged } : {}),
    metrics: metrics({ deadLettered: kept?.stored === true, errorCode }),
  });
  return response;
}
