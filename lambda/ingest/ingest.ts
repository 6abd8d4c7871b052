/**
 * The ingest path: API Gateway request -> authentication -> decode -> publish,
 * or the dead-letter store with the reason. Built from its dependencies so
 * tests and the local runtime drive the very code the Lambda runs.
 */
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { PresentedCredentials } from '../auth/verify';
import { DEAD_LETTER_RESERVE_MS, ingestResponseDeadlineMs, MAX_ENTRY_BYTES } from '../contract';
import { Deadline, withinOrThrow } from '../shared/deadline';
import { OversizeStoreFailedError, PayloadTooLargeError, PublishFailedError, ServiceUnavailableError } from '../shared/errors';
import { logNotice, logRequest } from '../shared/log';
import { type DeadLetterClient, type MissingParts, prepareDeadLetters, sendDeadLetter } from '../publish/dead-letters';
import { answerFailure } from '../shared/failure';
import { lazy } from '../shared/lazy';
import type { OversizeStore } from '../publish/oversize-store';
import { publishEntries, type PublishOptions } from '../publish/publisher';
import { type ApiEvent, assertBodyWithin, hasReplacedCharacters, incomingRequest, requestRoute, type WebhookRequest } from '../shared/request';
import { instanceRoute } from '../contract/instances';
import { NO_INSTANCES, requestTarget, type RequestTarget } from '../shared/instances';
import { sourceCheck } from '../shared/source-allowlist';
import type { IngestConfig } from './config';

export interface IngestDependencies {
  readonly config: IngestConfig;
  readonly eventBridge: EventBridgeClient;
  /** The dead-letter queue's client, or a function that makes it when the first letter is sent. */
  readonly sqs: DeadLetterClient;
  /**
   * Resolves when the request comes from an authorised sender of `instance` (undefined: the
   * default instance); throws an `UnauthorizedError` (401) or a `ServiceUnavailableError` (503)
   * otherwise. Runs before any parsing.
   */
  readonly authenticate: (request: WebhookRequest, instance: string | undefined) => Promise<void>;
  /** Overrides of the retry policy, for tests. */
  readonly publishOptions?: Omit<PublishOptions, 'budgetMs'>;
  /**
   * The oversize bucket: an event over the entry limit (not one split into parts) is kept whole
   * there and published as a stub (the claim check), and a dead letter over SQS's limit goes there too.
   * @default - none: such an event is refused (413) and dead-lettered
   */
  readonly oversize?: OversizeStore;
}

/** Takes a REST API (payload 1.0) or an HTTP API (payload 2.0) event: see `apiType`. */
export type IngestHandler = (event: ApiEvent) => Promise<APIGatewayProxyResult>;

const FUNCTION_NAME = 'ingest';
/** The ingest function's metrics (INGEST_METRICS in the contract), none counted. */
const NO_METRICS = { Published: 0, DeadLettered: 0, PublishFailed: 0 } as const;
/**
 * The most a cold credentials read may take of a request: the rest of Jamf's
 * read timeout is for publishing and, failing that, the dead-letter write.
 */
export const AUTHENTICATION_BUDGET_MS = 600;

/** The codes of a credentials document that could not be read or used: the request could not be checked. */
const CREDENTIALS_UNREADABLE = new Set(['CredentialsUnavailable', 'CredentialsInvalid']);

/**
 * How much one instance keeps of requests whose credentials it could not check
 * (a cold start while Secrets Manager is down): enough to ride out an outage,
 * too little to make an outage a free write path for strangers.
 */
export const UNVERIFIED_LIMIT = { requests: 100, bytes: 16 * 1024 * 1024 } as const;

/**
 * The share of the publish budget an oversize event's PutObject may take: the rest is
 * PutEvents'. A few MB reach S3 from Lambda in well under a tenth of a second.
 */
export const CLAIM_CHECK_SHARE = 0.5;


/**
 * The decoder (valibot, the event schemas, the XML parser) and the entry
 * builder: most of this function's own code. Loaded with `import()` (a chunk)
 * when the first request arrives, while its credentials are read, so a cold
 * start does not parse it before the first request and that request does not
 * wait for it. A load that fails fails the request after authentication, and
 * the webhook is dead-lettered like any other failure.
 */
const loadDecoding = lazy(async () => {
  // decode-async loads the XML parser only with the first XML body.
  const [{ decodeWebhookAsync }, { webhookEntries }, { claimCheck }] = await Promise.all([
    import('../decode/decode-async.js'),
    import('../publish/entry.js'),
    import('../publish/oversize.js'),
  ]);
  return { decodeWebhookAsync, webhookEntries, claimCheck };
});

export function createIngestHandler(deps: IngestDependencies): IngestHandler {
  const { config } = deps;
  const parked = { requests: 0, bytes: 0 };
  const checkSource = sourceCheck(config.allowedSourceCidrs);

  /** What to keep of a request whose credentials could not be checked, while this instance may keep more. */
  const unverifiedOf = async (error: unknown, request: WebhookRequest): Promise<PresentedCredentials | undefined> => {
    if (!(error instanceof ServiceUnavailableError) || !CREDENTIALS_UNREADABLE.has(error.code)) return undefined;
    if (parked.requests >= UNVERIFIED_LIMIT.requests || parked.bytes + request.body.byteLength > UNVERIFIED_LIMIT.bytes) {
      return undefined;
    }
    if (request.body.byteLength > config.maxBodyBytes) return undefined;
    parked.requests += 1;
    parked.bytes += request.body.byteLength;
    // Loaded only now: the verifier's code is not part of init, and this path is rare.
    const { presentedCredentials } = await import('../auth/verify.js');
    return presentedCredentials(request);
  };

  return async (event) => {
    const { started, requestId, headers, contentType, body, sourceIp } = incomingRequest(event);
    // Every AWS call of this request gets part of what is left until the answer is due.
    const deadline = Deadline.after(ingestResponseDeadlineMs(config.publishBudgetMs), started);
    let authenticated = false;
    let eventName: string | undefined;
    let entry: PutEventsRequestEntry | undefined;
    let parts: MissingParts | undefined;
    // `/webhooks/<name>` is a named instance's; `/webhooks` (or a path this function does not know) the default one.
    const route = instanceRoute(requestRoute(event));
    const instance = route?.kind === 'webhooks' ? route.instance : undefined;
    let target: RequestTarget | undefined;
    // Loads alongside authentication (at once when loaded already); awaited after it.
    const decoding = loadDecoding();
    decoding.catch(() => undefined);

    try {
      // Before anything else, as the REST API's resource policy would: a stranger's request is not read.
      checkSource(sourceIp);
      target = requestTarget(config.instances ?? NO_INSTANCES, config.eventSource, instance);
      // A credentials read that takes longer is a 503, not a wait past Jamf's timeout.
      const authMs = Math.min(AUTHENTICATION_BUDGET_MS, deadline.remaining(DEAD_LETTER_RESERVE_MS));
      await withinOrThrow(deps.authenticate({ headers, body }, target.instance), authMs, () =>
        new ServiceUnavailableError('CredentialsUnavailable', `The webhook credentials could not be read within ${authMs} ms`),
      );
      authenticated = true;
      if (hasReplacedCharacters(event)) {
        // Only for an authenticated sender, so a stranger cannot fill the log. The event is published
        // as received, but an operator must know that a name may have lost its accents.
        logNotice('WARN', 'body-characters-replaced', {
          requestId,
          reason: 'API Gateway passed the body as text with U+FFFD in it: bytes that were not UTF-8 were replaced before the function saw them. Have Jamf Pro declare its charset, or use apiType rest.',
        });
      }
      assertBodyWithin(body, config.maxBodyBytes);
      const { decodeWebhookAsync, webhookEntries, claimCheck } = await decoding;
      const decoded = await decodeWebhookAsync(body, contentType);
      eventName = decoded.eventName;
      // One entry, or the parts of a smart-group change too large for one, each within the limit.
      const whole = webhookEntries(decoded, { eventBusName: config.eventBusName, ...target }, new Date(started));
      let built = whole.entries;
      const publishStarted = Date.now();
      const budgetMs = Math.min(config.publishBudgetMs, deadline.remaining(DEAD_LETTER_RESERVE_MS));
      const size = built.length === 1 ? whole.size : 0;
      // One entry over the limit could not be split (it is not a smart-group change, or it is one whose
      // single device, or whose fields without the lists, are over the limit): the claim check takes it.
      if (size > MAX_ENTRY_BYTES) {
        if (deps.oversize === undefined) {
          throw new PayloadTooLargeError(
            'EventTooLarge',
            `The ${eventName} event is ${size} bytes as an EventBridge entry; the limit is ${MAX_ENTRY_BYTES}`,
            { eventName },
          );
        }
        // The claim check: the whole event to the bucket, a stub to the bus. Failing, the whole entry
        // is what the dead letter keeps (in the bucket too, being over SQS's limit) for a redrive.
        entry = built[0];
        // The detail and its size are at hand: the claim check need not parse or measure megabytes again.
        const known = whole.delivery && { detail: { ...decoded.detail, delivery: whole.delivery }, bytes: whole.detailBytes };
        const checked = await claimCheck(built[0]!, deps.oversize, { budgetMs: budgetMs * CLAIM_CHECK_SHARE }, known);
        if (!checked.ok) {
          throw new OversizeStoreFailedError(
            `S3 did not store the ${size}-byte event after ${checked.attempts} attempt(s): ${checked.errorCode}`,
            checked.attempts,
            eventName,
            checked.ambiguous,
          );
        }
        built = [checked.stub];
      }
      // Kept for the dead letter once it can be published: the stub of an oversize event, whose object is stored.
      if (built.length === 1) entry = built[0];
      else parts = missingParts(built, built.map((_entry, position) => position));
      const published = await publishEntries(deps.eventBridge, built, {
        ...deps.publishOptions,
        // A failed attempt may end in a dead letter: its SQS client loads meanwhile, not from the reserve.
        onAttemptFailed: () => prepareDeadLetters(deps.sqs),
        budgetMs: Math.max(0, budgetMs - (Date.now() - publishStarted)),
      });
      if (!published.ok) {
        // Only the parts that are not on the bus go to the dead letter, and a redrive publishes only those.
        if (parts !== undefined) parts = missingParts(built, published.missing);
        const what = parts === undefined ? 'the event' : `${published.missing.length} of the ${built.length} parts of the event`;
        throw new PublishFailedError(
          `EventBridge did not accept ${what} after ${published.attempts} attempt(s): ${published.errorCode}`,
          published.attempts,
          eventName,
          published.ambiguous,
        );
      }
      const eventId = published.eventIds[0]!;
      // The largest log cost at fleet volume; failures and refusals are logged whatever this says.
      if (config.logPublishedWebhooks ?? true) {
        logRequest({
          function: FUNCTION_NAME,
          requestId,
          eventName,
          ...(target.instance === undefined ? {} : { instance: target.instance }),
          outcome: 'published',
          status: 200,
          latencyMs: Date.now() - started,
          eventId,
          attempts: published.attempts,
          ...(built.length > 1 ? { parts: built.length } : {}),
          metrics: { ...NO_METRICS, Published: 1 },
        });
      }
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        // A webhook published in parts answers with the first part's event id, and every part's.
        body: JSON.stringify({
          status: 'published',
          eventId,
          detailType: built[0]!.DetailType,
          ...(built.length > 1 ? { parts: built.length, eventIds: published.eventIds } : {}),
        }),
      };
    } catch (error) {
      // Nothing lost: whatever an authorised sender sent and we did not publish is kept, with the reason.
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
          entry,
          parts,
          ...(target?.instance === undefined ? {} : { instance: target.instance }),
          ...(authenticated ? {} : { unverified: await unverifiedOf(error, { headers, body }) }),
        },
        (input) => sendDeadLetter(deps.sqs, config.deadLetterQueueUrl, input, { deadline, ...(deps.oversize ? { oversize: deps.oversize } : {}) }),
        ({ deadLettered, errorCode }) => ({
          ...NO_METRICS,
          DeadLettered: deadLettered ? 1 : 0,
          // The event did not reach the bus for want of a service we depend on, EventBridge or S3.
          PublishFailed: errorCode === 'PublishFailed' || errorCode === 'OversizeStoreFailed' ? 1 : 0,
        }),
      );
    }
  };
}

/** The parts at `positions` (from 0) of a webhook published as `entries`, for its dead letter. */
function missingParts(entries: readonly PutEventsRequestEntry[], positions: readonly number[]): MissingParts {
  return { count: entries.length, missing: positions.map((position) => ({ index: position + 1, entry: entries[position]! })) };
}
