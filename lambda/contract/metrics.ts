/**
 * The custom metrics the functions write in CloudWatch Embedded Metric Format
 * (one log line per request), and the alarms in lib/ watch.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** The namespace of every custom metric. */
export const METRIC_NAMESPACE = 'JamfEventBridge';

/** The ingest function's metrics, under the dimension `Function=ingest`. */
export const INGEST_METRICS = {
  namespace: METRIC_NAMESPACE,
  dimensions: { Function: 'ingest' },
  published: 'Published',
  deadLettered: 'DeadLettered',
  publishFailed: 'PublishFailed',
} as const;

/** The SCEP function's metrics, under the dimension `Function=scep`. */
export const SCEP_METRICS = {
  namespace: METRIC_NAMESPACE,
  dimensions: { Function: 'scep' },
  issued: 'Issued',
  auditFailed: 'AuditFailed',
  deadLettered: 'DeadLettered',
  verifyAllowed: 'VerifyAllowed',
  verifyDenied: 'VerifyDenied',
} as const;

/**
 * What the API's access log counts (a metric filter, not the functions): `ApiThrottled`, the
 * requests API Gateway answered 429 itself. Neither API type has a metric of its own for them:
 * `4XXError` and `4xx` also count every 401 and 413 the functions answer, and the functions never
 * answer 429. No dimension: a metric filter takes its dimensions from the log line's fields only.
 */
export const API_METRICS = {
  namespace: METRIC_NAMESPACE,
  throttled: 'ApiThrottled',
} as const;
