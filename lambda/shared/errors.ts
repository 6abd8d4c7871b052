/**
 * Every way a webhook request can fail, as typed errors that know their HTTP
 * status. `errorResponse` is the one place errors become responses.
 */

/** One problem found in a payload, located by a dotted path such as `event.jssID`. */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

export abstract class WebhookError extends Error {
  abstract readonly statusCode: number;
  /** Stable, machine-readable reason, e.g. `MalformedXml`. */
  readonly code: string;
  readonly issues: readonly Issue[];
  /** The event name, when the failure happened after it was read. */
  readonly eventName: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; issues?: readonly Issue[]; eventName?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.issues = options.issues ?? [];
    this.eventName = options.eventName;
  }
}

/** The body cannot be read or parsed: malformed JSON or XML, empty, not valid in its charset. */
export class MalformedBodyError extends WebhookError {
  readonly statusCode = 400;
}

/** Missing or wrong credentials. */
export class UnauthorizedError extends WebhookError {
  readonly statusCode = 401;
  constructor(
    message: string,
    /** Value of `WWW-Authenticate`, when Basic credentials are accepted. */
    readonly challenge?: string,
  ) {
    super('Unauthorized', message);
  }
}

/**
 * The caller's address is outside `allowedSourceCidrs`. With a REST API the
 * resource policy answers this before the function runs; with an HTTP API,
 * which has no resource policy, the function does, before anything else.
 */
export class ForbiddenError extends WebhookError {
  readonly statusCode = 403;
}

/** No such route. */
export class NotFoundError extends WebhookError {
  readonly statusCode = 404;
}

/** The body or the event it becomes is larger than we can carry. */
export class PayloadTooLargeError extends WebhookError {
  readonly statusCode = 413;
}

/** The body is neither JSON nor XML. */
export class UnsupportedMediaTypeError extends WebhookError {
  readonly statusCode = 415;
}

/** Parseable, but not a Jamf webhook, or its fields cannot be coerced to their documented types. */
export class UnprocessableWebhookError extends WebhookError {
  readonly statusCode = 422;
}

/** We could not do our part (publish, or read our credentials); the sender may try again. */
export class ServiceUnavailableError extends WebhookError {
  readonly statusCode = 503;
}

/** An upstream service we depend on answered with an error or nonsense. */
export class BadGatewayError extends WebhookError {
  readonly statusCode = 502;
}

/** An upstream service we depend on did not answer in time. */
export class GatewayTimeoutError extends WebhookError {
  readonly statusCode = 504;
}

/** EventBridge did not take the event within the publish budget. */
export class PublishFailedError extends ServiceUnavailableError {
  constructor(
    message: string,
    /** PutEvents calls made. */
    readonly attempts: number,
    eventName: string,
    /** Whether an attempt had no answer, so that the event may be on the bus all the same. */
    readonly ambiguous = false,
  ) {
    super('PublishFailed', message, { eventName });
  }
}

/**
 * An event too large for the bus could not be kept in the oversize bucket (the
 * claim check) within its share of the publish budget, so no stub was published.
 */
export class OversizeStoreFailedError extends ServiceUnavailableError {
  constructor(
    message: string,
    /** PutObject calls made. */
    readonly attempts: number,
    eventName: string,
    /** Whether a PutObject had no answer (the object may be there; a redrive writes the same one). */
    readonly ambiguous = false,
  ) {
    super('OversizeStoreFailed', message, { eventName });
  }
}

export interface ErrorResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The response for a failed request: a short JSON body that says what was
 * wrong. `deadLettered` says whether the request was kept in the dead-letter
 * store. Anything that is not a `WebhookError` is our bug: a 500 that reveals nothing.
 */
export function errorResponse(error: unknown, deadLettered?: boolean): ErrorResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!(error instanceof WebhookError)) {
    return { statusCode: 500, headers, body: JSON.stringify({ error: 'InternalError', message: 'internal error' }) };
  }
  if (error instanceof UnauthorizedError && error.challenge) headers['www-authenticate'] = error.challenge;
  const body: Record<string, unknown> = { error: error.code, message: error.message };
  if (error.issues.length > 0) body.issues = error.issues.slice(0, 20);
  if (deadLettered !== undefined) body.deadLettered = deadLettered;
  return { statusCode: error.statusCode, headers, body: JSON.stringify(body) };
}
