import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { INGEST_ENV } from '../lambda/contract';
import { Construct } from 'constructs';
import { acknowledgeFunctionRules, createFunction } from './function';
import { grantSharedResources, type SharedResources } from './grants';
import type { LogGroupSettings } from './log-group';
import type { OversizeBucket } from './oversize-bucket';

/** The redrive handler, relative to the repository root. */
export const REDRIVE_ENTRY = 'lambda/redrive/handler.ts';

/**
 * The redrive function's timeout: it reads the queue in batches until it is
 * empty or its time is nearly up, and nobody waits on it, so it may take minutes.
 */
export const REDRIVE_TIMEOUT = Duration.minutes(5);

/** Properties of {@link RedriveFunction}. */
export interface RedriveFunctionProps extends SharedResources {
  /** How often it runs on its own; 0 minutes for on demand only. A token always makes a schedule. */
  readonly schedule: Duration;
  readonly logGroups: LogGroupSettings;
  readonly tracing: boolean;
  /** Where letters too large for SQS are kept whole, and oversize events are stored before their stub is published. @default - none */
  readonly oversizeBucket?: OversizeBucket;
}

/**
 * Publishes what the dead-letter queue holds and can be published (the
 * entry each letter keeps, so the same `delivery.id`), deleting each letter
 * once its event is on the bus; bad input stays for a person. Runs on demand
 * (`npm run redrive`, `aws lambda invoke`), and on a schedule unless that is
 * turned off, so that letters a passing outage left go out without anyone acting.
 */
export class RedriveFunction extends Construct {
  public readonly function: lambda.Function;
  /** The schedule, when there is one. */
  public readonly schedule?: events.Rule;

  constructor(scope: Construct, id: string, props: RedriveFunctionProps) {
    super(scope, id);
    const fn = createFunction(this, 'Redrive', {
      entry: REDRIVE_ENTRY,
      description: 'Publishes what the Jamf webhook dead-letter queue holds and can be published',
      logGroups: props.logGroups,
      tracing: props.tracing,
      timeout: REDRIVE_TIMEOUT,
    });
    this.function = fn;
    // It reads the letters, publishes their events, and checks unverified ones against the credentials
    // (current or previous) to publish them under the source.
    grantSharedResources(fn, props, 'consume');
    if (props.oversizeBucket !== undefined) {
      // It reads whole letters back, and stores the event of an oversize one before publishing its stub.
      props.oversizeBucket.grantFunction(fn, 'redrive');
      fn.addEnvironment(INGEST_ENV.oversizeBucketName, props.oversizeBucket.bucket.bucketName);
    }

    acknowledgeFunctionRules(
      fn,
      props.tracing,
      'A run that fails leaves every letter where it was, for the next run (and the age alarm): there is nothing ' +
        'a dead-letter queue behind the redrive would keep.',
    );

    if (props.schedule.isUnresolved() || props.schedule.toMinutes() > 0) {
      this.schedule = new events.Rule(this, 'Schedule', {
        description: 'Redrives the Jamf webhook dead-letter queue',
        schedule: events.Schedule.rate(props.schedule),
        targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
      });
      Validations.of(this.schedule).acknowledge({
        id: 'Serverless-EventBusDLQ',
        reason:
          'A run that is missed changes nothing: every letter stays in the queue for the next run, and the age ' +
          'alarm fires long before SQS would drop one.',
      });
    }
  }
}
