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
