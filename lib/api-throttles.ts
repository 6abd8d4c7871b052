import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { API_METRICS } from '../lambda/contract';

/**
 * Counts the requests API Gateway answered 429 (its stage throttling, or the account's) from the
 * access log, as the metric `ApiThrottled`: no built-in metric singles them out, and each is a
 * webhook lost before any function ran. Both access log formats write `status` as a string.
 *
 * Only API Gateway answers 429 here: the functions never do, and a throttled Lambda reaches the
 * caller as a 500 (the functions' `Throttles` metric and the 5xx alarm see those).
 */
export function countThrottledRequests(scope: Construct, accessLogs: logs.ILogGroup): logs.MetricFilter {
  return new logs.MetricFilter(scope, 'ThrottledRequests', {
    logGroup: accessLogs,
    filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
    metricNamespace: API_METRICS.namespace,
    metricName: API_METRICS.throttled,
    metricValue: '1',
    unit: cloudwatch.Unit.COUNT,
  });
}
