import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { JamfEventBridge, type JamfEventBridgeProps } from './jamf-eventbridge';
import type { ScepUpstream } from './scep-options';
import type { JamfSmartGroup, JamfWebhooksOptions } from './jamf-webhooks';
import { canonicalEventName, type JamfEventName } from '../lambda/events/catalogue';
import { instanceIdPart } from '../lambda/contract/instances';
import type { JamfInstance, JamfInstanceOptions } from './jamf-instance';
import { isSmartGroupEvent } from '../lambda/jamf/registrar';
import { API_TYPES, type ApiType } from './props';

/** The app's front door unless the setting `apiType` says otherwise (the settings table's default): an HTTP API, for cost. */
const APP_DEFAULT_API_TYPE: ApiType = 'http';
import { InvalidPropsError } from './problems';
import { jamfCloudOutboundCidrs, readJamfCloudIps } from './jamf-cloud-ips';
import { inSettingTerms, InvalidSettingError, type JamfEventBridgeSettings } from './settings';

/**
 * `allowedSourceCidrs`, with the outbound ranges of `jamfCloudRegions` in
 * `jamfCloudIpsFile` after them (each range once); undefined when neither is set.
 */
function allowedSourceCidrs(settings: JamfEventBridgeSettings): readonly string[] | undefined {
  const { jamfCloudIpsFile: file, jamfCloudRegions: regions } = settings;
  if (file === undefined && regions === undefined) return settings.allowedSourceCidrs;
  if (file === undefined || regions === undefined || regions.length === 0) {
    throw new InvalidSettingError(
      file === undefined
        ? "jamfCloudRegions is set without jamfCloudIpsFile: save Jamf's public-ips.json and give its path in jamfCloudIpsFile."
        : 'jamfCloudIpsFile is set without jamfCloudRegions: give the regions of your Jamf Cloud instance, as its entries name them.',
    );
  }
  const jamfCloud = jamfCloudOutboundCidrs(readJamfCloudIps(file), regions);
  return [...new Set([...(settings.allowedSourceCidrs ?? []), ...jamfCloud])];
}

/** Properties of {@link JamfEventBridgeStack}. */
export interface JamfEventBridgeStackProps extends StackProps {
  /**
   * The deployment settings, usually from CDK context (see `settingsFromContext`).
   * @default - every setting at its default
   */
  readonly settings?: JamfEventBridgeSettings;
}

/**
 * The deployable stack: one {@link JamfEventBridge} configured from the settings,
 * and the outputs needed to configure Jamf Pro and the consumers.
 */
export class JamfEventBridgeStack extends Stack {
  /** The construct holding every resource. */
  public readonly jamf: JamfEventBridge;

  constructor(scope: Construct, id: string, props: JamfEventBridgeStackProps = {}) {
    super(scope, id, {
      description: 'jamf-eventbridge: Jamf Pro webhooks to Amazon EventBridge events',
      ...props,
    });

    this.jamf = withSettingNames(() => new JamfEventBridge(this, 'JamfEventBridge', this.constructProps(props.settings ?? {})));

    new CfnOutput(this, 'WebhookUrl', {
      description: 'Jamf Pro > Settings > Global > Webhooks: the Webhook URL',
      value: this.jamf.webhookUrl,
    });
    new CfnOutput(this, 'EventBusName', {
      description: 'The bus the events are published to',
      value: this.jamf.eventBus.eventBusName,
    });
    new CfnOutput(this, 'EventBusArn', {
      description: 'The bus the events are published to',
      value: this.jamf.eventBus.eventBusArn,
    });
    new CfnOutput(this, 'EventSource', {
      description: 'The source of every event: what your rules match on',
      value: this.jamf.eventSource,
    });
    // The bus and the source once more, exported: a consumer's stack imports them to write rules on
    // the bus (`Fn.importValue`). The outputs above stay as they were, without export names, since
    // an export cannot be changed while another stack imports it.
    new CfnOutput(this, 'EventBusArnExport', {
      description: `The bus ARN, for consumer stacks: Fn.importValue('${jamfExportName(this.stackName, 'EventBusArn')}')`,
      value: this.jamf.eventBus.eventBusArn,
      exportName: jamfExportName(this.stackName, 'EventBusArn'),
    });
    new CfnOutput(this, 'EventSourceExport', {
      description: `The event source, for consumer stacks: Fn.importValue('${jamfExportName(this.stackName, 'EventSource')}')`,
      value: this.jamf.eventSource,
      exportName: jamfExportName(this.stackName, 'EventSource'),
    });
    new CfnOutput(this, 'WebhookAuthSecretArn', {
      description: 'Username and password for Jamf Pro (Basic authentication): aws secretsmanager get-secret-value --secret-id <this ARN>',
      value: this.jamf.webhookAuthSecret.secretArn,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      description: 'Webhooks that could not be published',
      value: this.jamf.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'OversizeBucketName', {
      description: 'Whole events behind stubs (events/) and dead letters too large for SQS (dead-letters/): grant subscribers read with jamf.grantReadOversize',
      value: this.jamf.oversizeBucket.bucketName,
    });
    new CfnOutput(this, 'RedriveFunctionName', {
      description: 'Publishes what the dead-letter queue holds and can be published: npm run redrive, or aws lambda invoke',
      value: this.jamf.redriveFunction.functionName,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description:
        'The topic every alarm notifies: subscribe to it (email, chat, paging) with ' +
        'aws sns subscribe --topic-arn <this ARN> --protocol email --notification-endpoint <address>',
      value: this.jamf.alarmTopic.topicArn,
    });
    const scep = this.jamf.scep;
    if (scep !== undefined && this.jamf.scepChallengeUrl !== undefined && this.jamf.scepVerifyUrl !== undefined) {
      new CfnOutput(this, 'ScepChallengeUrl', {
        description: 'Jamf Pro > SCEP dynamic challenge: the challenge URL (authenticates with the webhook credentials)',
        value: this.jamf.scepChallengeUrl,
      });
      new CfnOutput(this, 'ScepVerifyUrl', {
        description: 'step-ca: the URL of the SCEPCHALLENGE webhook (step ca provisioner webhook add --url)',
        value: this.jamf.scepVerifyUrl,
      });
      new CfnOutput(this, 'ScepVerifySecretArn', {
        description:
          "Put step-ca's webhook secret here: " +
          "aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string '<base64 secret>'",
        value: scep.verifySecret.secretArn,
      });
      new CfnOutput(this, 'ScepSigningKeySecretArn', {
        description: 'The key that signs SCEP challenges; to rotate, put a new "key" and move the old one to "previousKeys"',
        value: scep.signingKeySecret.secretArn,
      });
    }
    if (this.jamf.schemaRegistry !== undefined) {
      new CfnOutput(this, 'SchemaRegistryName', {
        description: 'The EventBridge schema registry with a schema per detail-type: browse it, or download code bindings, in the EventBridge console',
        value: this.jamf.schemaRegistry.registryName,
      });
    }
    for (const instance of this.jamf.instances) this.outputInstance(instance);
    if (this.jamf.eventLogGroup !== undefined) {
      new CfnOutput(this, 'EventLogGroupName', {
        description: 'Every published event, for watching them arrive',
        value: this.jamf.eventLogGroup.logGroupName,
      });
    }
  }

  /** What Jamf Pro instance `name` is configured with, as the default instance's outputs are named, after `Instance<Name>`. */
  private outputInstance(instance: JamfInstance): void {
    const id = `Instance${instanceIdPart(instance.name)}`;
    new CfnOutput(this, `${id}WebhookUrl`, {
      description: `Jamf Pro instance ${instance.name} > Settings > Global > Webhooks: the Webhook URL`,
      value: instance.webhookUrl,
    });
    if (instance.scepChallengeUrl !== undefined) {
      new CfnOutput(this, `${id}ScepChallengeUrl`, {
        description: `Jamf Pro instance ${instance.name} > SCEP dynamic challenge: the challenge URL (authenticates with its webhook credentials)`,
        value: instance.scepChallengeUrl,
      });
    }
    new CfnOutput(this, `${id}WebhookAuthSecretArn`, {
      description: `Username and password for Jamf Pro instance ${instance.name}: aws secretsmanager get-secret-value --secret-id <this ARN>`,
      value: instance.webhookAuthSecret.secretArn,
    });
    new CfnOutput(this, `${id}EventSource`, {
      description: `The source of instance ${instance.name}'s events; each has detail.delivery.instance "${instance.name}"`,
      value: instance.eventSource,
    });
  }

  /** The named instances of `jamfInstances`, each with its secrets imported and its registration read as the default one's. */
  private instances(settings: JamfEventBridgeSettings): JamfInstanceOptions[] | undefined {
    return settings.jamfInstances?.map((instance) => {
      const id = `Instance${instanceIdPart(instance.name)}`;
      const label = `jamfInstances[${instance.name}]`;
      try {
        return {
          name: instance.name,
          ...(instance.eventSource === undefined ? {} : { eventSource: instance.eventSource }),
          ...(instance.scepChallenge === undefined ? {} : { scepChallenge: instance.scepChallenge }),
          webhookAuthSecret: this.importWebhookAuthSecret(instance, id),
          jamfWebhooks: this.jamfWebhooks(instance, id),
        };
      } catch (error) {
        // The instance's own settings have the default instance's names: say whose they are.
        if (error instanceof InvalidSettingError) throw new InvalidSettingError(error.problems.map((problem) => `${label}: ${problem}`));
        throw error;
      }
    });
  }

  /** Turns the plain settings into construct properties, importing the existing resources they name. */
  private constructProps(settings: JamfEventBridgeSettings): JamfEventBridgeProps {
    return {
      eventSource: settings.eventSource,
      eventBus: settings.existingEventBus === undefined ? undefined : this.importEventBus(settings.existingEventBus),
      eventBusName: settings.eventBusName,
      archive: settings.archive,
      archiveRetention: settings.archiveRetentionDays === undefined ? undefined : Duration.days(settings.archiveRetentionDays),
      // The app's defaults (the settings table) are the cheap ones; the construct keeps its first release's.
      apiType: settings.apiType === undefined ? APP_DEFAULT_API_TYPE : apiType(settings.apiType),
      eventLog: settings.eventLog ?? false,
      schemaRegistry: settings.schemaRegistry,
      consumerAccounts: settings.consumerAccounts,
      consumerOrganizationId: settings.consumerOrganizationId,
      logPublishedWebhooks: settings.logPublishedWebhooks ?? false,
      logRetention: settings.logRetentionDays === undefined ? undefined : retentionDays(settings.logRetentionDays),
      throttlingRateLimit: settings.throttlingRateLimit,
      throttlingBurstLimit: settings.throttlingBurstLimit,
      ingestReservedConcurrency: settings.ingestReservedConcurrency,
      maxBodyBytes: settings.maxBodyBytes,
      oversizeRetention: settings.oversizeRetentionDays === undefined ? undefined : Duration.days(settings.oversizeRetentionDays),
      publishBudget: settings.publishBudgetMs === undefined ? undefined : Duration.millis(settings.publishBudgetMs),
      allowedSourceCidrs: allowedSourceCidrs(settings),
      webAclArn: settings.webAclArn,
      webhookAuthSecret: this.importWebhookAuthSecret(settings),
      alarmEmail: settings.alarmEmail,
      alarmTopic:
        settings.alarmTopicArn === undefined ? undefined : sns.Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn),
      tracing: settings.tracing,
      apiGatewayCloudWatchRole: settings.apiGatewayCloudWatchRole,
      scepChallenge: settings.scepChallenge,
      secretMaxStale: settings.secretMaxStaleHours === undefined ? undefined : Duration.hours(settings.secretMaxStaleHours),
      redriveSchedule:
        settings.redriveScheduleMinutes === undefined ? undefined : Duration.minutes(settings.redriveScheduleMinutes),
      scepSigningKeySecret: this.importSecret(
        'ScepSigningKeySecret',
        'scepSigningKeySecretArn',
        settings.scepSigningKeySecretArn,
      ),
      scepVerifySecret: this.importSecret('ScepVerifySecret', 'scepVerifySecretArn', settings.scepVerifySecretArn),
      scepChallengeTtl:
        settings.scepChallengeTtlSeconds === undefined ? undefined : Duration.seconds(settings.scepChallengeTtlSeconds),
      scepAuditBudget: settings.scepAuditBudgetMs === undefined ? undefined : Duration.millis(settings.scepAuditBudgetMs),
      scepRequireDeviceMatch: settings.scepRequireDeviceMatch,
      scepMaxBodyBytes: settings.scepMaxBodyBytes,
      scepUpstream: this.scepUpstream(settings),
      scepProvisionedConcurrency: settings.scepProvisionedConcurrency,
      jamfWebhooks: this.jamfWebhooks(settings),
      instances: this.instances(settings),
    };
  }

  /** The deploy-time registration: on only with both `jamfUrl` and `jamfApiClientSecretArn`. */
  private jamfWebhooks(settings: JamfEventBridgeSettings, idPrefix = ''): JamfWebhooksOptions | undefined {
    const { jamfUrl, jamfApiClientSecretArn } = settings;
    if (jamfUrl === undefined || jamfApiClientSecretArn === undefined) {
      if (jamfUrl !== undefined) {
        throw new InvalidSettingError(
          'jamfUrl is set without jamfApiClientSecretArn: set jamfApiClientSecretArn to the secret holding the Jamf Pro API client, or remove jamfUrl.',
        );
      }
      if (jamfApiClientSecretArn !== undefined) {
        throw new InvalidSettingError('jamfApiClientSecretArn is set without jamfUrl: set jamfUrl to your Jamf Pro URL, or remove jamfApiClientSecretArn.');
      }
      const dependent = (['jamfWebhookEvents', 'jamfWebhookFormat', 'jamfWebhookAuth', 'jamfSmartGroups'] as const).filter(
        (key) => settings[key] !== undefined,
      );
      if (dependent.length > 0) {
        throw new InvalidSettingError(
          `${dependent.join(' and ')} ${dependent.length === 1 ? 'is' : 'are'} set without jamfUrl and jamfApiClientSecretArn: ` +
            'set both to register the webhooks at deploy time, or remove them.',
        );
      }
      return undefined;
    }
    const problems: string[] = [];
    const events = settings.jamfWebhookEvents?.flatMap((name): JamfEventName[] => {
      const event = canonicalEventName(name.trim());
      if (event === undefined) problems.push(`jamfWebhookEvents: ${name} is not a Jamf Pro webhook event.`);
      return event === undefined ? [] : [event];
    });
    const smartGroups = settings.jamfSmartGroups?.flatMap((value): JamfSmartGroup[] => {
      const [named = '', idText = ''] = value.trim().split(':', 2);
      const event = canonicalEventName(named);
      const id = Number(idText);
      if (event === undefined || !isSmartGroupEvent(event) || !Number.isInteger(id) || id < 1) {
        problems.push(`jamfSmartGroups: "${value}" is not <SmartGroupEvent>:<id>, e.g. SmartGroupComputerMembershipChange:12.`);
        return [];
      }
      return [{ event, id }];
    });
    const format = settings.jamfWebhookFormat;
    if (format !== undefined && format !== 'json' && format !== 'xml') problems.push(`jamfWebhookFormat must be json or xml, got "${format}".`);
    const auth = settings.jamfWebhookAuth;
    if (auth !== undefined && auth !== 'basic' && auth !== 'header' && auth !== 'hmac') {
      problems.push(`jamfWebhookAuth must be basic, header or hmac, got "${auth}".`);
    }
    if (problems.length > 0) throw new InvalidSettingError(problems);
    const apiClientSecret = this.importSecret(`${idPrefix}JamfApiClientSecret`, 'jamfApiClientSecretArn', jamfApiClientSecretArn);
    if (apiClientSecret === undefined) return undefined;
    return {
      jamfUrl,
      apiClientSecret,
      ...(events === undefined ? {} : { events }),
      ...(smartGroups === undefined ? {} : { smartGroups }),
      ...(format === 'json' || format === 'xml' ? { format } : {}),
      ...(auth === 'basic' || auth === 'header' || auth === 'hmac' ? { auth } : {}),
    };
  }

  private scepUpstream(settings: JamfEventBridgeSettings): ScepUpstream | undefined {
    if (settings.scepUpstreamUrl === undefined) {
      const dependent = (['scepUpstreamSecretArn', 'scepUpstreamTimeoutMs'] as const).filter(
        (key) => settings[key] !== undefined,
      );
      if (dependent.length > 0) {
        throw new InvalidSettingError(
          `${dependent.join(' and ')} ${dependent.length === 1 ? 'is' : 'are'} set without scepUpstreamUrl: ` +
            'set scepUpstreamUrl to the upstream issuer, or remove them.',
        );
      }
      return undefined;
    }
    return {
      url: settings.scepUpstreamUrl,
      credentialsSecret: this.importSecret(
        'ScepUpstreamSecret',
        'scepUpstreamSecretArn',
        settings.scepUpstreamSecretArn,
      ),
      timeout: settings.scepUpstreamTimeoutMs === undefined ? undefined : Duration.millis(settings.scepUpstreamTimeoutMs),
    };
  }

  private importEventBus(nameOrArn: string): events.IEventBus {
    if (nameOrArn.startsWith('arn:')) {
      if (!/^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]+$/.test(nameOrArn)) {
        throw new InvalidSettingError(
          `existingEventBus "${nameOrArn}" is not an event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>); ` +
            'give the ARN or just the name of a bus in this account and region.',
        );
      }
      return events.EventBus.fromEventBusArn(this, 'EventBus', nameOrArn);
    }
    if (!/^[A-Za-z0-9._\-/]{1,256}$/.test(nameOrArn)) {
      throw new InvalidSettingError(`existingEventBus "${nameOrArn}" is not an event bus name or ARN; e.g. -c existingEventBus=default.`);
    }
    return events.EventBus.fromEventBusName(this, 'EventBus', nameOrArn);
  }

  private importWebhookAuthSecret(settings: JamfEventBridgeSettings, idPrefix = ''): secretsmanager.ISecret | undefined {
    const arn = settings.webhookAuthSecretArn;
    if (arn === undefined) {
      if (settings.webhookAuthSecretKeyArn !== undefined) {
        throw new InvalidSettingError(
          'webhookAuthSecretKeyArn is set without webhookAuthSecretArn: it is the key of an existing secret. ' +
            'Set webhookAuthSecretArn too, or remove webhookAuthSecretKeyArn.',
        );
      }
      return undefined;
    }
    return this.importSecret(
      `${idPrefix}WebhookAuthSecret`,
      'webhookAuthSecretArn',
      arn,
      settings.webhookAuthSecretKeyArn === undefined
        ? undefined
        : kms.Key.fromKeyArn(this, `${idPrefix}WebhookAuthSecretKey`, settings.webhookAuthSecretKeyArn),
    );
  }

  /** The secret a setting names by its complete ARN, or undefined when the setting is not given. */
  private importSecret(
    id: string,
    setting: keyof JamfEventBridgeSettings,
    arn: string | undefined,
    encryptionKey?: kms.IKey,
  ): secretsmanager.ISecret | undefined {
    if (arn === undefined) return undefined;
    // Only the complete ARN (with Secrets Manager's 6-character suffix) names one
    // secret exactly; a partial ARN would need a wildcard in the grant.
    if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/.test(arn)) {
      throw new InvalidSettingError(
        `${setting} "${arn}" is not the complete ARN of a secret. Copy the ARN that ends in the ` +
          '6-character suffix (e.g. ...:secret:jamf-webhook-AbC123) from the console or ' +
          '`aws secretsmanager describe-secret --secret-id <name> --query ARN`.',
      );
    }
    return secretsmanager.Secret.fromSecretAttributes(this, id, { secretCompleteArn: arn, encryptionKey });
  }
}

/** What the stack exports for consumer stacks, by the name each export ends in. */
export type JamfStackExport = 'EventBusArn' | 'EventSource';

/**
 * The name under which the stack `stackName` exports `what`, for `Fn.importValue`
 * in a consumer's stack.
 *
 * @example
 * events.EventBus.fromEventBusArn(this, 'Bus', Fn.importValue(jamfExportName('JamfEventBridge', 'EventBusArn')));
 */
export function jamfExportName(stackName: string, what: JamfStackExport): string {
  return `${stackName}-${what}`;
}

/** The `apiType` setting, or an error naming the accepted values. */
function apiType(value: string): ApiType {
  const match = API_TYPES.find((type) => type === value.toLowerCase());
  if (match === undefined) throw new InvalidSettingError(`apiType must be http or rest (e.g. -c apiType=rest), got "${value}".`);
  return match;
}

/** The `logs.RetentionDays` for a number of days, or an error listing the accepted values. */
function retentionDays(days: number): logs.RetentionDays {
  const accepted = Object.values(logs.RetentionDays).filter(
    (value): value is logs.RetentionDays => typeof value === 'number' && value !== logs.RetentionDays.INFINITE,
  );
  const match = accepted.find((value) => value === days);
  if (match === undefined) {
    throw new InvalidSettingError(
      `logRetentionDays must be one of the values CloudWatch Logs accepts: ${accepted.join(', ')}; got ${days}.`,
    );
  }
  return match;
}

/**
 * Runs `build`, turning the construct's complaints about its properties into
 * complaints about the settings the user typed: a user who wrote
 * `-c scepChallengeTtlSeconds=0` should not read about `scepChallengeTtl`.
 */
function withSettingNames<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof InvalidPropsError) throw new InvalidSettingError(error.problems.map(inSettingTerms));
    throw error;
  }
}
