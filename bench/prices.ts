/**
 * AWS list prices the cost model (bench/cost.ts) uses: us-east-1, on-demand,
 * the first pricing tier, free tiers not deducted. One dated table: copied by
 * hand from the pages in `sources` (this project builds without network), so
 * check them there before relying on a figure.
 */
export const PRICES = {
  /** When the prices were copied from the pages below. */
  copied: '2025-06-01',
  region: 'us-east-1',
  sources: [
    'https://aws.amazon.com/api-gateway/pricing/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/eventbridge/pricing/',
    'https://aws.amazon.com/sqs/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/',
    'https://aws.amazon.com/xray/pricing/',
    'https://aws.amazon.com/waf/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/secrets-manager/pricing/',
  ],
  /** API Gateway HTTP API, per million requests (first 300 million a month), each 512 KB counted as one. */
  httpApiPerMillion: 1.0,
  /** Size of one metered HTTP API request. */
  httpApiMeteringBytes: 512 * 1024,
  /** API Gateway REST API, per million requests (first 333 million a month). */
  restApiPerMillion: 3.5,
  /** Lambda requests, per million. */
  lambdaRequestsPerMillion: 0.2,
  /** Lambda arm64 duration, per GB-second (first 7.5 billion GB-s a month). */
  lambdaArmPerGbSecond: 0.0000133334,
  /** EventBridge custom events published (PutEvents), per million, each 64 KB counted as one. */
  eventBridgeEventsPerMillion: 1.0,
  /** Size of one metered EventBridge event. */
  eventBridgeMeteringBytes: 64 * 1024,
  /** EventBridge archive: per GB of events archived (processed). */
  archivePerGb: 0.1,
  /** EventBridge archive storage, per GB-month. */
  archiveStoragePerGbMonth: 0.023,
  /** CloudWatch Logs, standard class, per GB ingested. */
  logsIngestPerGb: 0.5,
  /** CloudWatch Logs storage, per GB-month (compressed). */
  logsStoragePerGbMonth: 0.03,
  /**
   * Bytes CloudWatch Logs counts per log event on top of its message (its PutLogEvents
   * size rule); counted as billed here, which errs on the expensive side.
   */
  logEventOverheadBytes: 26,
  /** SQS standard, per million requests (each 64 KB counted as one). */
  sqsPerMillion: 0.4,
  /** X-Ray traces recorded, per million. */
  xrayTracesPerMillion: 5.0,
  /** AWS WAF: per million requests inspected, per web ACL a month, per rule a month. */
  wafRequestsPerMillion: 0.6,
  wafWebAclPerMonth: 5.0,
  wafRulePerMonth: 1.0,
  /** DynamoDB on-demand, per million write request units (one used-challenge record). */
  dynamoDbWritesPerMillion: 0.625,
  /** Secrets Manager, per secret a month. */
  secretPerMonth: 0.4,
  /** Bytes in a GB, as the model counts them (decimal, which errs on the expensive side). */
  bytesPerGb: 1e9,
} as const;

export type Prices = typeof PRICES;
