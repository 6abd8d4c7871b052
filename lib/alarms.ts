import { Duration, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INGEST_METRICS, SCEP_METRICS } from '../lambda/contract';

/**
 * p99 duration, in ms, over which the SCEP function is slow: Jamf Pro gives up
 * on a challenge request after 2 s, and the network and API Gateway need the rest.
 */
const SCEP_SLOW_MS = 1500;

/** Age of the oldest dead letter that alarms: well before SQS deletes it at 14 days. */
const DEAD_LETTER_AGE_ALARM = Duration.days(3);

/** The 5-minute (or `period`) sum of one of a function's Embedded Metric Format counts (lambda/contract/metrics.ts). */
function customMetricSum(
  metrics: { readonly namespace: string; readonly dimensions: Readonly<Record<string, string>> },
  metricName: string,
  period: Duration,
): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: metrics.namespace, metricName, dimensionsMap: { ...metrics.dimensions }, period, statistic: 'Sum' });
}

/** Properties of {@link JamfAlarms}. */
export interface JamfAlarmsProps {
  /** The REST API whose 5xx answers are watched (the first release's property). Give this or `apiServerErrors`. */
  readonly api?: apigw.RestApi;
  /** The API stage's 5xx answers (REST or HTTP API), given the period and statistic. Give this or `api`. */
  readonly apiServerErrors?: (options: cloudwatch.MetricOptions) => cloudwatch.IMetric;
  /**
   * The requests API Gateway answered 429, given the period and statistic (the access log's count,
   * {@link countThrottledRequests}). Without it, no alarm watches them.
   */
  readonly apiThrottled?: (options: cloudwatch.MetricOptions) => cloudwatch.IMetric;
  /** The ingest function. */
  readonly ingestFunction: lambda.IFunction;
  /** The dead-letter queue, watched for messages. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The SCEP function, when the service is on. */
  readonly scepFunction?: lambda.IFunction;
  /** Email address to subscribe to the construct's topic. Not with `alarmTopic`. */
  readonly alarmEmail?: string;
  /** An existing topic to notify instead of the construct's own. */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * What tells an operator that webhooks are at risk: alarms on the API's 5xx
 * and 429 answers, the functions' errors and throttles, failed publishes, a slow SCEP
 * function and the dead-letter queue, each saying what to check, all
 * notifying one topic, which always exists.
 */
export class JamfAlarms extends Construct {
  /** The topic every alarm notifies: `alarmTopic`, or the construct's own. */
  public readonly alarmTopic: sns.ITopic;
  /** Every alarm. */
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: JamfAlarmsProps) {
    super(scope, id);
    // Always a topic, so that every alarm has an action: an alarm nobody is told
    // about protects nothing (Control Tower's CT.CLOUDWATCH.PR.1 refuses it), and
    // subscribers can be added later without changing the stack.
    this.alarmTopic = props.alarmTopic ?? this.createAlarmTopic(props.alarmEmail);
    const api = props.api;
    const apiServerErrors = props.apiServerErrors ?? (api ? (options: cloudwatch.MetricOptions) => api.deploymentStage.metricServerError(options) : undefined);
    if (apiServerErrors === undefined) throw new Error('JamfAlarms needs api or apiServerErrors: the API whose 5xx answers it watches');
    this.createIngestAlarms(apiServerErrors, props.ingestFunction, props.deadLetterQueue);
    if (props.apiThrottled !== undefined) this.createThrottledAlarm(props.apiThrottled);
    if (props.scepFunction !== undefined) this.createScepAlarms(props.scepFunction);
  }

  /** The construct's own topic, subscribing `email` if given. */
  private createAlarmTopic(email: string | undefined): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Jamf EventBridge alarms',
      enforceSSL: true,
    });
    // Not KMS-encrypted: notifications carry alarm names and states only, and
    // CloudWatch cannot publish to a topic under the AWS managed SNS key.
    if (email !== undefined) {
      const subscription = topic.addSubscription(new subscriptions.EmailSubscription(email));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'A failed alarm email is not worth a queue that would itself need watching: the alarm and its state ' +
          'stay visible in the CloudWatch console.',
      });
    }
    return topic;
  }

  private createIngestAlarms(
    apiServerErrors: (options: cloudwatch.MetricOptions) => cloudwatch.IMetric,
    ingest: lambda.IFunction, deadLetterQueue: sqs.IQueue): void {
    const fiveMinutes = Duration.minutes(5);
    this.addAlarm('Api5xxAlarm', {
      metric: apiServerErrors({ period: fiveMinutes, statistic: 'Sum' }),
      description:
        'The API answered 5xx: Jamf Pro does not resend webhooks, so these events may be lost, and a failed SCEP ' +
        'challenge request fails an enrolment. The access logs (resourcePath) say which route; check that ' +
        "function's logs.",
    });
    this.addAlarm('IngestErrorsAlarm', {
      metric: ingest.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      description: 'The ingest function failed (error, crash or timeout). Check its logs.',
    });
    this.addAlarm('IngestThrottlesAlarm', {
      metric: ingest.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
      description:
        'The ingest function was throttled: the account or function concurrency limit was reached, Jamf Pro was ' +
        'answered 500 and does not resend: those webhooks are lost (not dead-lettered). Set ingestReservedConcurrency ' +
        'to at least throttlingBurstLimit, or ask for a higher Lambda concurrency quota (docs/operations.md, Sizing for a fleet).',
    });
    this.addAlarm('PublishFailedAlarm', {
      metric: customMetricSum(INGEST_METRICS, INGEST_METRICS.publishFailed, fiveMinutes),
      description:
        'PutEvents failed for webhooks (the function dead-letters them). Check the ingest logs for the error code ' +
        'and the dead-letter queue.',
    });
    // No separate alarm on the DeadLettered metrics (ingest and SCEP): every dead
    // letter lands in this one queue, and the queue depth alarm also covers
    // messages nobody has handled yet.
    this.addAlarm('DeadLetterQueueNotEmptyAlarm', {
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      description:
        'Webhooks or SCEP audit records are waiting in the dead-letter queue (kept 14 days). Fix the cause; the ' +
        'redrive function (scheduled, or npm run redrive) publishes what can be published. Bad input (a 4xx) stays ' +
        'for a person to read.',
    });
    this.addAlarm('DeadLetterQueueAgingAlarm', {
      metric: deadLetterQueue.metricApproximateAgeOfOldestMessage({ period: Duration.hours(1), statistic: 'Maximum' }),
      threshold: DEAD_LETTER_AGE_ALARM.toSeconds(),
      description:
        `A dead letter has waited ${DEAD_LETTER_AGE_ALARM.toDays()} days; SQS deletes it after 14. Read it (bad ` +
        'input stays until someone does), or redrive it once its cause is fixed.',
    });
  }

  private createThrottledAlarm(apiThrottled: (options: cloudwatch.MetricOptions) => cloudwatch.IMetric): void {
    this.addAlarm('ApiThrottledAlarm', {
      metric: apiThrottled({ period: Duration.minutes(5), statistic: 'Sum' }),
      description:
        'API Gateway answered 429: requests came faster than throttlingRateLimit / throttlingBurstLimit (or the ' +
        "account's API Gateway quota). Jamf Pro does not resend, and no function saw them: those webhooks are lost. " +
        'The access logs (status 429) say when and which route; raise the limits (docs/operations.md, Sizing for a fleet).',
    });
  }

  private createScepAlarms(fn: lambda.IFunction): void {
    const fiveMinutes = Duration.minutes(5);
    this.addAlarm('ScepErrorsAlarm', {
      metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      description: 'The SCEP challenge function failed (error, crash or timeout): an enrolment may have failed. Check its logs.',
    });
    this.addAlarm('ScepThrottlesAlarm', {
      metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
      description:
        'The SCEP challenge function was throttled: the account or function concurrency limit was reached and ' +
        'Jamf Pro or step-ca got errors (an enrolment failed). Ask for a higher Lambda concurrency quota, or keep ' +
        'instances with scepProvisionedConcurrency.',
    });
    this.addAlarm('ScepSlowAlarm', {
      // Per function, so verify requests count too; both should be fast.
      metric: fn.metricDuration({ period: fiveMinutes, statistic: 'p99' }),
      threshold: SCEP_SLOW_MS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        `The SCEP challenge function took over ${SCEP_SLOW_MS} ms (p99): Jamf Pro gives up after 2 s, and the ` +
        'enrolment fails. Check for cold starts, a slow upstream issuer or a slow audit publish; consider ' +
        'scepProvisionedConcurrency.',
    });
    this.addAlarm('ScepAuditFailedAlarm', {
      metric: customMetricSum(SCEP_METRICS, SCEP_METRICS.auditFailed, fiveMinutes),
      description:
        'The SCEP function could not publish jamf.SCEPChallenge audit events (it dead-letters them). Check its ' +
        'logs for the error code and the dead-letter queue.',
    });
  }

  /** An alarm on one period of `metric`, at or over 1 unless said otherwise. */
  private addAlarm(
    id: string,
    options: {
      metric: cloudwatch.IMetric;
      description: string;
      threshold?: number;
      comparisonOperator?: cloudwatch.ComparisonOperator;
    },
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      alarmDescription: options.description,
      threshold: options.threshold ?? 1,
      evaluationPeriods: 1,
      comparisonOperator: options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new cloudwatchActions.SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}
