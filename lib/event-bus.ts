import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DETAIL_TYPE_PREFIX } from '../lambda/contract';
import { createLogGroup, type LogGroupSettings } from './log-group';

/**
 * What a consumer account may do with rules on the bus: the actions of AWS's
 * template for "allow an account to manage rules they created", which
 * CloudFormation and the console need to create, update, tag and delete a rule.
 */
export const CONSUMER_RULE_ACTIONS: readonly string[] = [
  'events:PutRule',
  'events:PutTargets',
  'events:DeleteRule',
  'events:RemoveTargets',
  'events:DisableRule',
  'events:EnableRule',
  'events:TagResource',
  'events:UntagResource',
  'events:DescribeRule',
  'events:ListTargetsByRule',
  'events:ListTagsForResource',
];

/** Properties of {@link JamfEventBus}. */
export interface JamfEventBusProps {
  /** `Source` of the events published to the bus; the archive and the event log keep only these. */
  readonly eventSource: string;
  /** The sources of named Jamf Pro instances that have their own: the archive and the event log keep theirs too. @default - none */
  readonly otherEventSources?: readonly string[];
  /** An existing bus to use instead of creating one. @default - a new bus named `eventBusName` */
  readonly eventBus?: events.IEventBus;
  /** Name of the bus to create. @default - the name of the stack */
  readonly eventBusName?: string;
  /** Whether to archive the published events for replay. @default true */
  readonly archive?: boolean;
  /** How long the archive keeps an event; 0 days keeps them indefinitely. @default Duration.days(30) */
  readonly archiveRetention?: Duration;
  /** Whether a rule copies every published event to a log group. @default true */
  readonly eventLog?: boolean;
  /** Accounts that may create rules on the bus and manage their own. @default - none */
  readonly consumerAccounts?: readonly string[];
  /** An organization whose accounts may create rules on the bus and manage their own. @default - none */
  readonly consumerOrganizationId?: string;
  /** Retention and encryption key of the event log. */
  readonly logGroups: LogGroupSettings;
}

/**
 * Where the events go: the bus (created, or one that exists), an archive of
 * the published events for replay, and an optional event log, a log group
 * that shows every event as it arrives.
 */
export class JamfEventBus extends Construct {
  /** The bus events are published to. */
  public readonly eventBus: events.IEventBus;
  /** The archive of published events, if `archive` is on. */
  public readonly archive?: events.Archive;
  /** The log group the event log rule writes to, if `eventLog` is on. */
  public readonly eventLogGroup?: logs.LogGroup;

  constructor(scope: Construct, id: string, props: JamfEventBusProps) {
    super(scope, id);
    const { eventSource } = props;

    this.eventBus =
      props.eventBus ??
      new events.EventBus(this, 'EventBus', {
        eventBusName: props.eventBusName ?? Stack.of(this).stackName,
        description: `Jamf Pro webhook events (source ${eventSource})`,
      });

    if (props.consumerAccounts !== undefined || props.consumerOrganizationId !== undefined) {
      this.allowConsumers(props.consumerAccounts, props.consumerOrganizationId);
    }

    const sources = [eventSource, ...(props.otherEventSources ?? [])];
    if (props.archive ?? true) {
      this.archive = new events.Archive(this, 'Archive', {
        sourceEventBus: this.eventBus,
        description: `Jamf Pro webhook events (source ${sources.join(', ')}), kept for replay`,
        eventPattern: { source: sources },
        retention: props.archiveRetention ?? Duration.days(30),
      });
    }

    if (props.eventLog ?? true) this.eventLogGroup = this.createEventLog(sources, props.logGroups);
  }

  /**
   * The bus policy that lets other accounts subscribe: they create rules on this
   * bus (a rule's target may then be their own bus), and each manages only the
   * rules it created, as AWS's example policy for rules on a shared bus does:
   * `events:creatorAccount` is the account that created the rule, and
   * `...IfExists` lets `PutRule` create one, when there is no creator yet.
   * No `PutEvents`: consumers read the bus, only the ingest function writes.
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-example-policy-same-account-creator.html
   */
  private allowConsumers(accounts: readonly string[] | undefined, organizationId: string | undefined): void {
    const bus = this.eventBus;
    if (!(bus instanceof events.EventBus)) return; // refused by the construct's checks: an existing bus's policy is not ours
    const ruleArns = Stack.of(this).formatArn({
      service: 'events',
      resource: 'rule',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      resourceName: `${bus.eventBusName}/*`,
    });
    const ownRulesOnly = { StringEqualsIfExists: { 'events:creatorAccount': '${aws:PrincipalAccount}' } };
    if (accounts !== undefined) {
      // A list that is one token (Fn.split of a parameter) cannot be mapped to principals; a condition takes it whole.
      const known = !Token.isUnresolved(accounts);
      bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'ConsumerAccountsManageOwnRules',
          principals: known ? accounts.map((account) => new iam.AccountPrincipal(account)) : [new iam.AnyPrincipal()],
          actions: [...CONSUMER_RULE_ACTIONS],
          resources: [ruleArns],
          conditions: known ? ownRulesOnly : { ...ownRulesOnly, StringEquals: { 'aws:PrincipalAccount': accounts } },
        }),
      );
    }
    if (organizationId !== undefined) {
      bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'ConsumerOrganizationManagesOwnRules',
          principals: [new iam.AnyPrincipal()],
          actions: [...CONSUMER_RULE_ACTIONS],
          resources: [ruleArns],
          conditions: { ...ownRulesOnly, StringEquals: { 'aws:PrincipalOrgID': organizationId } },
        }),
      );
    }
  }

  /** A log group and a rule that copies every published event into it. */
  private createEventLog(sources: readonly string[], logGroups: LogGroupSettings): logs.LogGroup {
    const logGroup = createLogGroup(this, 'EventLog', {
      ...logGroups,
      // EventBridge's console lists log groups under /aws/events/. The name comes
      // from the parent's path, as it did before this construct existed.
      logGroupName: `/aws/events/${Names.uniqueResourceName(this.node.scope ?? this, { maxLength: 200, separator: '-' })}`,
      // Deleted with the stack: it has a fixed name, so a kept one would block the
      // next deployment, and the archive holds the same events.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const rule = new events.Rule(this, 'EventLogRule', {
      eventBus: this.eventBus,
      description: `Copies every ${sources.join(', ')} event to a log group, to watch events arrive`,
      eventPattern: {
        source: [...sources],
        detailType: events.Match.prefix(DETAIL_TYPE_PREFIX),
      },
    });
    // A plain target instead of aws-events-targets' CloudWatchLogGroup, which
    // sets the log group's resource policy with a custom resource (another
    // function and a wildcard IAM policy). CloudFormation can set it directly.
    const logGroupArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: logGroup.logGroupName,
    });
    rule.addTarget({ bind: () => ({ arn: logGroupArn }) });
    logGroup.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
    Validations.of(rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'The event log is a window for people, not a consumer: every event it could miss is also in the archive ' +
        'and can be replayed.',
    });
    return logGroup;
  }
}
