import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeControlTowerRules } from './nag';

/** What every log group of the construct shares. */
export interface LogGroupSettings {
  /** How long the log group keeps its events. */
  readonly retention: logs.RetentionDays;
  /** The key that encrypts the log group's events at rest ({@link createLogKey}). */
  readonly encryptionKey: kms.IKey;
}

/** Properties of {@link createLogGroup}: the shared settings, and what differs between log groups. */
export interface JamfLogGroupProps extends LogGroupSettings {
  /** A fixed name, when a service expects one. @default - a name CloudFormation generates */
  readonly logGroupName?: string;
  /** What happens to the log group when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The one factory for the construct's log groups (function logs, API access and
 * execution logs, the event log), so that they cannot drift apart: each has the
 * retention and the encryption key of {@link LogGroupSettings}.
 */
export function createLogGroup(scope: Construct, id: string, props: JamfLogGroupProps): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, id, {
    logGroupName: props.logGroupName,
    retention: props.retention,
    encryptionKey: props.encryptionKey,
    removalPolicy: props.removalPolicy,
  });
  if (props.retention < logs.RetentionDays.ONE_YEAR) {
    acknowledgeControlTowerRules(logGroup, { cloudwatch_log_group_retention_period_check: SHORT_RETENTION_REASON });
  }
  return logGroup;
}

/** Why the logs are kept less than a year unless asked for (Control Tower's CT.CLOUDWATCH.PR.2). */
const SHORT_RETENTION_REASON =
  'Logs are kept one month unless logRetention says otherwise: they serve operations (the events themselves ' +
  'are archived on the bus for replay), they hold source addresses and device identifiers, which should not be ' +
  'kept longer than needed, and a year would cost twelve times the storage. Where a year is required, set ' +
  'logRetention to ONE_YEAR or more (-c logRetentionDays=365), and this acknowledgement goes away.';

/**
 * One customer managed key for every log group of the construct, rotated every year.
 *
 * The logs hold request metadata (source addresses, user agents, paths), device
 * identifiers in the event log, and error details; CloudWatch Logs encrypts them
 * with a service key anyway, but only a key of the account's own can be audited
 * in CloudTrail, disabled to cut off access, and scoped by its policy, which is
 * what organisations that require it (Control Tower's CT.CLOUDWATCH.PR.3,
 * cloudwatch_log_group_encrypted_check) ask for. One key serves all log groups,
 * for one monthly key fee.
 *
 * CloudWatch Logs of this account and region may use it, for log groups only
 * (the encryption context names the log group): not scoped to the construct's
 * log groups, since most of their names are generated after the key exists.
 * The key is kept when the stack is deleted, like the log groups it encrypts,
 * which would be unreadable without it.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function createLogKey(scope: Construct, id: string): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, id, {
    description: `Encrypts the CloudWatch log groups of ${scope.node.path}`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForLogGroupsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  // Only AWS services may create grants on the key, and only for their own
  // resources: CloudWatch Logs needs none (the statement above is enough), so a
  // grant could only widen access past this policy. (Control Tower's
  // CT.KMS.PR.3, kms_create_grant_aws_service_check, asks for exactly this statement.)
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsExceptByAwsServicesForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    }),
  );
  return key;
}
