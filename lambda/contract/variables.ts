/**
 * The environment variables the functions read: the contract between the CDK
 * constructs (lib/), which set them, the local runtime (lambda/local/), which
 * sets them off AWS, and the handlers, which read them.
 */

/** What the ingest function reads. */
export const INGEST_ENV = {
  eventBusName: 'EVENT_BUS_NAME',
  eventSource: 'EVENT_SOURCE',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  webhookAuthSecretId: 'WEBHOOK_AUTH_SECRET_ID',
  maxBodyBytes: 'MAX_BODY_BYTES',
  publishBudgetMs: 'PUBLISH_BUDGET_MS',
  secretMaxStaleSeconds: 'SECRET_MAX_STALE_SECONDS',
  /** Seconds a read secret is used before it is read again. Unset: 300. The local runtime sets it (`SECRET_TTL_SECONDS` for `npm start`) to try a rotation without waiting minutes. */
  secretTtlSeconds: 'SECRET_TTL_SECONDS',
  /** `allowedSourceCidrs`, comma-separated: the function answers 403 to any other source address. Unset: any address. */
  allowedSourceCidrs: 'ALLOWED_SOURCE_CIDRS',
  /** `logPublishedWebhooks`: `false` leaves out the line (and its `Published` metric) of a published webhook. Unset: every request is logged. */
  logPublishedWebhooks: 'LOG_PUBLISHED_WEBHOOKS',
  /**
   * `jamfInstances`: a JSON object of `InstanceTarget` by instance name (each instance's credentials
   * secret and, when it has one, event source), for `/webhooks/<name>`. Unset: the default instance only.
   */
  instances: 'WEBHOOK_INSTANCES',
  /**
   * The oversize bucket: where an event too large for the bus is kept whole (a claim check),
   * and a dead letter too large for SQS. Read by ingest and the redrive. Unset: an event over
   * the entry limit is refused (413) and dead-lettered, as before the bucket existed.
   */
  oversizeBucketName: 'OVERSIZE_BUCKET_NAME',
} as const;

/** What the SCEP function reads: the bus, source, queue and credentials of ingest, and its own settings. */
export const SCEP_ENV = {
  eventBusName: INGEST_ENV.eventBusName,
  eventSource: INGEST_ENV.eventSource,
  deadLetterQueueUrl: INGEST_ENV.deadLetterQueueUrl,
  webhookAuthSecretId: INGEST_ENV.webhookAuthSecretId,
  maxBodyBytes: INGEST_ENV.maxBodyBytes,
  secretMaxStaleSeconds: INGEST_ENV.secretMaxStaleSeconds,
  secretTtlSeconds: INGEST_ENV.secretTtlSeconds,
  allowedSourceCidrs: INGEST_ENV.allowedSourceCidrs,
  /** The instances with a SCEP route (`/scep-challenge/<name>`), as `INGEST_ENV.instances` has them. */
  instances: INGEST_ENV.instances,
  signingKeySecretId: 'SCEP_SIGNING_KEY_SECRET_ID',
  verifySecretId: 'SCEP_VERIFY_SECRET_ID',
  usedChallengesTable: 'SCEP_USED_CHALLENGES_TABLE',
  challengeTtlSeconds: 'SCEP_CHALLENGE_TTL_SECONDS',
  auditBudgetMs: 'SCEP_AUDIT_BUDGET_MS',
  requireDeviceMatch: 'SCEP_REQUIRE_DEVICE_MATCH',
  upstreamUrl: 'SCEP_UPSTREAM_URL',
  upstreamSecretId: 'SCEP_UPSTREAM_SECRET_ID',
  upstreamTimeoutMs: 'SCEP_UPSTREAM_TIMEOUT_MS',
  prepareAtInit: 'SCEP_PREPARE_AT_INIT',
} as const;
