/**
 * Sizes and times that the constructs check settings against and the
 * functions enforce: one value each, so the two sides cannot disagree.
 */

/**
 * EventBridge's limit on one PutEvents entry (1 MiB since January 2026), as it
 * counts it: the UTF-8 bytes of Source, DetailType, Detail and each Resource,
 * and 14 for a Time. A smart-group change over it is published in parts.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export const MAX_ENTRY_BYTES = 1024 * 1024;

/** EventBridge's limit on one PutEvents request: the sizes of its entries, counted as above, together. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** The most entries one PutEvents request may carry. */
export const MAX_ENTRIES_PER_REQUEST = 10;

/** SQS's largest message, which the dead-letter queue is set to. */
export const MAX_DEAD_LETTER_BYTES = 1024 * 1024;

/** The largest body API Gateway accepts; nothing larger reaches a function. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Lambda's limit on a synchronous invocation's request: the whole event JSON API
 * Gateway builds, body and envelope together. Past it the function never runs:
 * API Gateway answers an error and the webhook is neither published nor kept.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const LAMBDA_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * What API Gateway's event needs besides the body: headers (10 KiB at most in a
 * REST API, and a REST event carries them twice, as `headers` and
 * `multiValueHeaders`), the request context, the path and the JSON around them.
 * Measured at about 3 KiB for a Jamf request; 32 KiB covers headers at their limit.
 */
export const API_EVENT_ENVELOPE_BYTES = 32 * 1024;

/**
 * The largest body API Gateway can hand the ingest function whatever it holds:
 * base64-encoded (4 characters for every 3 bytes), as the REST API passes every
 * body (its `binaryMediaTypes` is every type) and the HTTP API passes any body it does not take
 * for text, it fills what Lambda's 6 MiB leaves beside the envelope. 4694016
 * bytes (about 4.48 MiB). An HTTP API passes JSON and XML without a charset as a
 * JSON string instead, escaped: compact Jamf JSON grows by a few %, far less than
 * base64's third, so it fits too (docs/limits.md has the figures).
 */
export const MAX_BODY_BYTES_LIMIT = Math.floor((LAMBDA_SYNC_PAYLOAD_BYTES - API_EVENT_ENVELOPE_BYTES) / 4) * 3;

/**
 * The ingest function's default body limit: the largest body API Gateway can
 * hand it. A body too large for the bus is kept whole in the oversize bucket and
 * published as a stub (a claim check), and a dead letter too large for SQS goes
 * to the same bucket, so nothing needs a smaller limit.
 */
export const DEFAULT_MAX_BODY_BYTES = MAX_BODY_BYTES_LIMIT;

/**
 * The largest SCEP body limit: the SCEP function keeps what fails in a dead-letter
 * message, base64-encoded (4/3 larger), and has no bucket to put a larger one in.
 */
export const MAX_SCEP_BODY_BYTES_LIMIT = 768 * 1024;

/** Days the oversize bucket keeps an event's object (and a dead letter's) unless set otherwise. */
export const DEFAULT_OVERSIZE_RETENTION_DAYS = 30;

/**
 * The SCEP function's default body limit. Both callers send small JSON documents
 * (Jamf Pro's SCEPChallenge webhook, step-ca's webhook request with the CSR),
 * a few KB each; the verify route has no authorizer in API Gateway, so a small
 * limit also bounds what an unauthenticated caller can make the function read.
 */
export const DEFAULT_SCEP_MAX_BODY_BYTES = 64 * 1024;

/**
 * How long a secret may be used after it was last read while Secrets Manager
 * cannot be read again, unless set otherwise: a warm instance rides out an
 * outage of up to a day.
 */
export const DEFAULT_SECRET_MAX_STALE_SECONDS = 24 * 3600;

/**
 * How long a function uses a secret it read before reading it again, unless
 * set otherwise: a changed credentials document is in force everywhere within
 * this time, which is how long a credential rotation waits between adding a
 * credential and handing it to Jamf Pro.
 */
export const DEFAULT_SECRET_TTL_SECONDS = 5 * 60;

/** Jamf Pro's default read timeout: it stops waiting for an answer after this. */
export const JAMF_READ_TIMEOUT_MS = 2000;

/**
 * What API Gateway and the network need of Jamf's read timeout: a function
 * answers at most `JAMF_READ_TIMEOUT_MS` less this after the request arrived.
 */
export const RESPONSE_MARGIN_MS = 200;

/**
 * Kept at the end of a request for the dead-letter write, which runs only when
 * publishing failed: enough for a retry of SendMessage, and the log line after.
 */
export const DEAD_LETTER_RESERVE_MS = 400;

/**
 * How long the ingest function may spend publishing unless set otherwise: all
 * the time Jamf's read timeout leaves before the dead-letter reserve (1.4 s).
 * Whatever init, authentication and decoding took comes off it, as the publish
 * gets at most what is left before the reserve. A PutEvents cut off early may
 * still land, and then its webhook is on the bus and dead-lettered, and a
 * redrive adds a copy: the longer a slow PutEvents is waited for, the fewer copies.
 */
export const DEFAULT_PUBLISH_BUDGET_MS = JAMF_READ_TIMEOUT_MS - RESPONSE_MARGIN_MS - DEAD_LETTER_RESERVE_MS;

/**
 * When the ingest function must have answered, after the request arrived: within
 * Jamf's read timeout, or, when the publish budget is set longer than that
 * allows, the publish budget and the dead-letter reserve.
 */
export function ingestResponseDeadlineMs(publishBudgetMs: number): number {
  return Math.max(JAMF_READ_TIMEOUT_MS - RESPONSE_MARGIN_MS, publishBudgetMs + DEAD_LETTER_RESERVE_MS);
}

/** One hour: long enough for a device to install the profile and enrol, short enough to limit a leaked challenge. */
export const DEFAULT_SCEP_CHALLENGE_TTL_SECONDS = 3600;
/** Signed challenges live at most a week: the token stores its expiry in seconds and a verifier keeps used ids that long. */
export const MAX_SCEP_CHALLENGE_TTL_SECONDS = 7 * 24 * 3600;

/** What the audit publish may add to a challenge response unless set otherwise. */
export const DEFAULT_SCEP_AUDIT_BUDGET_MS = 500;
/** The longest audit budget: it must leave the answer well inside Jamf Pro's 2 s read timeout. */
export const MAX_SCEP_AUDIT_BUDGET_MS = 1500;

/**
 * Time over the audit budget after which a response stops waiting for the
 * publish: the budget starts when PutEvents does, and loading the client on a
 * cold start comes before that.
 */
export const SCEP_AUDIT_GRACE_MS = 50;
/** How long a response waits for the dead-letter write after a failed audit publish. */
export const SCEP_AUDIT_DEAD_LETTER_WAIT_MS = 200;
/** What a failed audit publish can add on top of its budget. */
export const SCEP_AUDIT_OVERHEAD_MS = SCEP_AUDIT_GRACE_MS + SCEP_AUDIT_DEAD_LETTER_WAIT_MS;

/** The limit on a call to the upstream issuer unless set otherwise: well under Jamf's 2 s read timeout. */
export const DEFAULT_SCEP_UPSTREAM_TIMEOUT_MS = 1000;
/**
 * The longest upstream timeout, under Jamf Pro's 2 s read timeout; also the
 * most the upstream call and the audit (its budget and overhead) together may
 * add to a challenge response.
 */
export const MAX_SCEP_ISSUE_WAIT_MS = 1800;
