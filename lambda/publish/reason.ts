import { OversizeStoreFailedError, PublishFailedError, WebhookError } from '../shared/errors';
import type { DeadLetterReason } from './dead-letters';

/** Why a request was not published, as its dead letter records it. Anything not a WebhookError is our bug: nothing of it is revealed. */
export function deadLetterReason(error: unknown): DeadLetterReason {
  if (!(error instanceof WebhookError)) return { code: 'InternalError', message: 'internal error', statusCode: 500 };
  return {
    code: error.code,
    message: error.message,
    statusCode: error.statusCode,
    ...(error.issues.length > 0 ? { issues: error.issues } : {}),
    ...(error instanceof PublishFailedError || error instanceof OversizeStoreFailedError ? { attempts: error.attempts, ambiguous: error.ambiguous } : {}),
  };
}
