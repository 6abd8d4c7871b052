/**
 * `POST /scep-challenge`: Jamf Pro asks for a challenge while it builds a
 * profile and puts the body of our 200 into it. Authentication and decoding
 * are the ingest path's; the audit event is published within a bounded time,
 * so it can never make Jamf give up (its read timeout is 2 s).
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { Deadline, within, withinOrThrow } from '../shared/deadline';
import { ServiceUnavailableError } from '../shared/errors';
import { type ApiEvent, assertBodyWithin, incomingRequest, type WebhookRequest } from '../shared/request';
import { logRequest } from '../shared/log';
import type { DeadLetterInput, DeadLetterResult } from '../publish/dead-letters';
import { answerFailure } from '../shared/failure';
import type { PublishResult } from '../publish/publisher';
import {
  JAMF_READ_TIMEOUT_MS,
  RESPONSE_MARGIN_MS,
  SCEP_AUDIT_DEAD_LETTER_WAIT_MS,
  SCEP_AUDIT_GRACE_MS,
  SCEP_AUDIT_OVERHEAD_MS,
} from '../contract';
import { lazy } from '../shared/lazy';
import { NO_INSTANCES, requestTarget, type RequestTarget } from '../shared/instances';
import type { ScepConfig } from './config';
import type { Issuer } from './issuers';

export interface IssueDependencies {
  readonly config: ScepConfig;
  /**
   * Resolves for a request from an authorised Jamf Pro server of `instance` (undefined: the
   * default instance); throws a 401 or 503 `WebhookError` otherwise.
   */
  readonly authenticate: (request: WebhookRequest, instance: string | undefined) => Promise<void>;
  readonly issue: Issuer;
  /** Publishes the audit entry within `budgetMs`; resolves with the outcome, never throws. */
  readonly publish: (entry: PutEventsRequestEntry, budgetMs: number) => Promise<PublishResult>;
  /**
   * Stores what could not be published, with the reason, giving up on the queue
   * at `deadline` and logging the record instead; never throws.
   */
  readonly deadLetter: (input: DeadLetterInput, deadline: Deadline) => Promise<DeadLetterResult>;
}

/** Serves a challenge request that came for `instance` (undefined: the default instance, at `/scep-challenge`). */
type Handler = (event: ApiEvent, instance?: string) => Promise<APIGatewayProxyResult>;

const FUNCTION_NAME = 'scep';

const NO_METRICS = { Issued: 0, AuditFailed: 0, DeadLettered: 0 } as const;

/**
 * The decoder (valibot and the event schemas; the XML parser on top, on the
 * first XML body) and the audit entry's builder: most of the issue path's
 * code. Loaded with `import()` (a chunk) when the first request arrives, while
 * its credentials are read, so init does not parse it and the request does not
 * wait for it.
 */
export const loadDecoding = lazy(async () => {
  const [{ decodeScepChallenge, loadXmlParser }, { toPutEventsEntry }] = await Promise.all([
    import('./decode.js'),
    import('../publish/entry.js'),
  ]);
  return { decodeScepChallenge, loadXmlParser, toPutEventsEntry };
});

/**
 * Publishes the audit entry, bounded: whatever happens (an error, a hang), the
 * answer is a PublishResult within the budget and its grace, so a challenge
 * already issued always reaches Jamf.
 */
async function publishAudit(deps: IssueDependencies, entry: PutEventsRequestEntry, budgetMs: number): Promise<PublishResult> {
  // A publish that did not answer in time may still land: ambiguous.
  const failed = (errorCode: string, errorMessage: string, ambiguous: boolean): PublishResult => ({
    ok: false,
    attempts: 0,
    errorCode,
    errorMessage,
    retryable: true,
    ambiguous,
  });
  const publishing = deps.publish(entry, budgetMs).catch((error: unknown) =>
    failed((error as { name?: string }).name ?? 'Error', 'the publish path failed before PutEvents', false),
  );
  return (await within(publishing, budgetMs + SCEP_AUDIT_GRACE_MS)) ?? failed('AuditTimeout', `no answer within ${budgetMs} ms`, true);
}

export function createIssueHandler(deps: IssueDependencies): Handler {
  const { config } = deps;

  return async (event, instance) => {
    const { started, requestId, headers, contentType, body } = incomingRequest(event);
    const deadline = Deadline.after(JAMF_READ_TIMEOUT_MS - RESPONSE_MARGIN_MS, started);
    // Loads alongside authentication; a load that fails fails the request below, after authentication.
    const decoding = loadDecoding();
    decoding.catch(() => undefined);
    let authenticated = false;
    let eventName: string | undefined;
    let target: RequestTarget | undefined;

    try {
      target = requestTarget(config.instances ?? NO_INSTANCES, config.eventSource, instance);
      // Everything before the audit must leave it its budget and overhead inside Jamf's read timeout.
      const beforeAudit = () => deadline.remaining(config.auditBudgetMs + SCEP_AUDIT_OVERHEAD_MS);
      const late = (what: string) => () => new ServiceUnavailableError('NotInTime', `${what} took too long to answer Jamf in time`);
      await withinOrThrow(deps.authenticate({ headers, body }, target.instance), beforeAudit(), late('Reading the webhook credentials'));
      authenticated = true;
      assertBodyWithin(body, config.maxBodyBytes);
      const { decodeScepChallenge, toPutEventsEntry } = await decoding;
      const decoded = await decodeScepChallenge(body, contentType);
      eventName = decoded.eventName;
      const { challenge, issuance } = await withinOrThrow(deps.issue({ decoded, body, contentType }), beforeAudit(), late('Making the challenge'));

      // The audit event names the challenge but never holds it; the password went at decoding.
      const entry = toPutEventsEntry(
        { ...decoded, detail: { ...decoded.detail, issuance } },
        { eventBusName: config.eventBusName, ...target },
        new Date(started),
      );
      const published = await publishAudit(deps, entry, config.auditBudgetMs);
      let deadLetter: DeadLetterResult | undefined;
      if (!published.ok) {
        // Jamf still gets its challenge (the device needs it); the record of it goes to the dead-letter
        // store, or to the log when the queue does not take it in time. The answer waits for either, so
        // that no write is left running in a function that may be frozen once it has answered.
        // The store gives up on the queue at its deadline and logs the record; the grace only guards
        // against a store that breaks that promise.
        deadLetter = await within(deps.deadLetter(
          {
            reason: {
              code: 'AuditPublishFailed',
              message:
                `The audit event of challenge ${issuance.challengeId ?? '(upstream)'} was not published after ` +
                `${published.attempts} attempt(s): ${published.errorCode}`,
              statusCode: 200,
              attempts: published.attempts,
              ambiguous: published.ambiguous,
            },
            requestId,
            receivedAt: new Date(started),
            contentType,
            eventName,
            body,
            entry,
            ...(issuance.challengeId ? { challengeId: issuance.challengeId } : {}),
            ...(target.instance === undefined ? {} : { instance: target.instance }),
          },
          Deadline.after(SCEP_AUDIT_DEAD_LETTER_WAIT_MS),
        ), SCEP_AUDIT_DEAD_LETTER_WAIT_MS + SCEP_AUDIT_GRACE_MS);
      }
      logRequest({
        function: FUNCTION_NAME,
        requestId,
        eventName,
        ...(target.instance === undefined ? {} : { instance: target.instance }),
        outcome: 'issued',
        status: 200,
        latencyMs: Date.now() - started,
        issuer: issuance.issuer,
        ...(issuance.challengeId ? { challengeId: issuance.challengeId } : {}),
        ...(published.ok
          ? { eventId: published.eventId, attempts: published.attempts }
          : {
              attempts: published.attempts,
              reason: 'AuditPublishFailed',
              deadLettered: deadLetter?.stored === true,
              ...(deadLetter?.stored
                ? {}
                : deadLetter
                  ? { deadLetterError: deadLetter.errorCode, deadLetterLogged: deadLetter.logged }
                  : { deadLetterError: 'StillWriting' }),
            }),
        metrics: {
          ...NO_METRICS,
          Issued: 1,
          AuditFailed: published.ok ? 0 : 1,
          DeadLettered: deadLetter?.stored ? 1 : 0,
        },
      });
      return {
        statusCode: 200,
        // Jamf Pro uses the whole body as the challenge: nothing else may be in it.
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        body: challenge,
      };
    } catch (error) {
      return answerFailure(
        error,
        {
          functionName: FUNCTION_NAME,
          requestId,
          started,
          contentType,
          eventName,
          body,
          authenticated,
          ...(target?.instance === undefined ? {} : { instance: target.instance }),
        },
        (input) => deps.deadLetter(input, deadline),
        ({ deadLettered }) => ({ ...NO_METRICS, DeadLettered: deadLettered ? 1 : 0 }),
      );
    }
  };
}
