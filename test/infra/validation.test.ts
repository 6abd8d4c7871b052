import { CfnParameter, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ScepChallenge } from '../../lib/scep-challenge';
import { JamfEventBridge, type JamfEventBridgeProps } from '../../lib/jamf-eventbridge';
import { JamfEventBridgeStack } from '../../lib/jamf-eventbridge-stack';
import { InvalidSettingError, type JamfEventBridgeSettings } from '../../lib/settings';
import { InvalidPropsError } from '../../lib/problems';
import { newApp } from './synth';

// Invalid properties are rejected in the constructor, before any bundling, with a
// message that says what to change.
function construct(props: (stack: Stack) => JamfEventBridgeProps): () => void {
  return () => {
    const stack = new Stack(newApp(), 'Test');
    new JamfEventBridge(stack, 'Jamf', props(stack));
  };
}

function stack(settings: JamfEventBridgeSettings): () => void {
  return () => new JamfEventBridgeStack(newApp(), 'JamfEventBridge', { settings });
}

describe('JamfEventBridge', () => {
  describe('when given properties that cannot work', () => {
    it('rejects an existing bus together with a name for a new one', () => {
      expect(
        construct((s) => ({ eventBus: events.EventBus.fromEventBusName(s, 'Bus', 'default'), eventBusName: 'jamf' })),
      ).toThrow(/eventBusName names the bus this construct creates, but eventBus .* is also set: remove one of them/);
    });

    it('rejects an event source EventBridge reserves', () => {
      expect(construct(() => ({ eventSource: 'aws.jamf' }))).toThrow(/starts with "aws.", which EventBridge reserves/);
    });

    it('rejects an archive retention without an archive', () => {
      expect(construct(() => ({ archive: false, archiveRetention: Duration.days(7) }))).toThrow(
        /archiveRetention is set but archive is false: remove archiveRetention or turn the archive on/,
      );
    });

    it('rejects an archive retention that is not whole days', () => {
      expect(construct(() => ({ archiveRetention: Duration.hours(36) }))).toThrow(/whole number of days/);
    });

    it('rejects an empty IP allowlist, which would deny everyone', () => {
      expect(construct(() => ({ allowedSourceCidrs: [] }))).toThrow(
        /allowedSourceCidrs is empty, which would deny every caller: list at least one CIDR, or leave it unset/,
      );
    });

    it('rejects allowlist entries that are not CIDR ranges, naming them', () => {
      expect(construct(() => ({ allowedSourceCidrs: ['192.0.2.0/24', '192.0.2.1', '300.1.1.1/8', '2001:db8::/129'] }))).toThrow(
        /not CIDR ranges: "192.0.2.1", "300.1.1.1\/8", "2001:db8::\/129"/,
      );
    });

    it('rejects a CloudFront web ACL for the regional API', () => {
      expect(
        construct(() => ({ webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/jamf/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' })),
      ).toThrow(/CloudFront \(global\) web ACL, which cannot protect a regional API: create the web ACL with scope REGIONAL/);
    });

    it('rejects a web ACL value that is not an ARN', () => {
      expect(construct(() => ({ webAclArn: 'my-acl' }))).toThrow(/is not the ARN of a regional WAF web ACL/);
    });

    it('rejects an alarm email together with an alarm topic', () => {
      expect(
        construct((s) => ({
          alarmEmail: 'ops@example.com',
          alarmTopic: sns.Topic.fromTopicArn(s, 'Topic', 'arn:aws:sns:eu-west-1:123456789012:ops'),
        })),
      ).toThrow(/alarmEmail and alarmTopic are both set/);
    });

    it('rejects an alarm email that is not an address', () => {
      expect(construct(() => ({ alarmEmail: 'ops' }))).toThrow(/alarmEmail "ops" is not an email address/);
    });

    it.each([0, 4694017, 10 * 1024 * 1024])('rejects a body limit of %i bytes', (maxBodyBytes) => {
      expect(construct(() => ({ maxBodyBytes }))).toThrow(/maxBodyBytes must be a whole number from 1 to 4694016/);
    });

    it('rejects a publish budget that leaves no time for the dead-letter write', () => {
      expect(construct(() => ({ publishBudget: Duration.seconds(9) }))).toThrow(
        /publishBudget must be from 1 ms to 8000 ms, leaving 2 s of the function's 10 s timeout for the dead-letter write/,
      );
    });

    it.each([
      [{ throttlingRateLimit: 0 }, /throttlingRateLimit must be a number of requests per second above 0/],
      [{ throttlingBurstLimit: 1.5 }, /throttlingBurstLimit must be a whole number of requests above 0/],
      [{ ingestReservedConcurrency: 0 }, /ingestReservedConcurrency must be a whole number of instances above 0/],
    ])('rejects throttling of %j', (props, message) => {
      expect(construct(() => props)).toThrow(message);
    });

    describe('of the SCEP challenge service', () => {
      it('rejects an upstream issuer over plain http', () => {
        expect(construct(() => ({ scepUpstream: { url: 'http://ca.example.com/challenge' } }))).toThrow(
          /scepUpstream.url "http:\/\/ca.example.com\/challenge" must use https/,
        );
      });

      it('rejects an upstream URL with credentials in it, pointing to the secret instead', () => {
        expect(construct(() => ({ scepUpstream: { url: 'https://jamf:pw@ca.example.com/challenge' } }))).toThrow(
          /scepUpstream.url carries credentials.*put them in scepUpstream.credentialsSecret/,
        );
      });

      it('rejects an upstream URL that is not a URL', () => {
        expect(construct(() => ({ scepUpstream: { url: 'ca.example.com' } }))).toThrow(/scepUpstream.url "ca.example.com" is not a URL/);
      });

      it.each([Duration.millis(1801), Duration.seconds(2), Duration.millis(0)])('rejects an upstream timeout of %s', (timeout) => {
        expect(construct(() => ({ scepUpstream: { url: 'https://ca.example.com/challenge', timeout } }))).toThrow(
          /scepUpstream.timeout must be a whole number of milliseconds from 1 to 1800, under Jamf Pro's 2 s read timeout/,
        );
      });

      it('rejects an upstream timeout and audit budget that together leave Jamf Pro no time to read', () => {
        expect(
          construct(() => ({
            scepUpstream: { url: 'https://ca.example.com/challenge', timeout: Duration.millis(1500) },
            scepAuditBudget: Duration.millis(400),
          })),
        ).toThrow(/scepUpstream.timeout plus scepAuditBudget must be at most 1550 ms.*got 1900 ms/);
      });

      it('rejects a challenge lifetime over 7 days', () => {
        expect(construct(() => ({ scepChallengeTtl: Duration.days(8) }))).toThrow(
          /scepChallengeTtl must be a whole number of seconds from 1 to 604800 \(7 days\), got 691200 s/,
        );
      });

      it('rejects a challenge lifetime that is not whole seconds', () => {
        expect(construct(() => ({ scepChallengeTtl: Duration.millis(1500) }))).toThrow(/got 1.5 s/);
      });

      it('rejects an audit budget over 1500 ms', () => {
        expect(construct(() => ({ scepAuditBudget: Duration.seconds(2) }))).toThrow(
          /scepAuditBudget must be a whole number of milliseconds from 1 to 1500/,
        );
      });

      it.each([0, 786433])('rejects a SCEP body limit of %i bytes', (scepMaxBodyBytes) => {
        expect(construct(() => ({ scepMaxBodyBytes }))).toThrow(/scepMaxBodyBytes must be a whole number from 1 to 786432/);
      });

      it.each([-1, 1.5])('rejects %d provisioned instances', (scepProvisionedConcurrency) => {
        expect(construct(() => ({ scepProvisionedConcurrency }))).toThrow(
          /scepProvisionedConcurrency must be a whole number of instances, 0 for none/,
        );
      });

      it('rejects SCEP options when the service is turned off, naming them', () => {
        expect(
          construct((s) => ({
            scepChallenge: false,
            scepChallengeTtl: Duration.minutes(5),
            scepVerifySecret: secretsmanager.Secret.fromSecretNameV2(s, 'Verify', 'step-ca'),
          })),
        ).toThrow(
          /scepChallenge is false, but scepVerifySecret, scepChallengeTtl are set: remove them, or turn the SCEP challenge service on/,
        );
      });
    });

    it('reports every problem as an InvalidPropsError that lists them', () => {
      expect(construct(() => ({ eventSource: 'aws.x', alarmEmail: 'ops' }))).toThrow(InvalidPropsError);
    });

    it('lists every problem at once', () => {
      expect(construct(() => ({ eventSource: 'aws.x', alarmEmail: 'ops' }))).toThrow(/eventSource[\s\S]*alarmEmail/);
    });
  });

  describe('when given settings that cannot work', () => {
    it('rejects a partial secret ARN, asking for the complete one', () => {
      expect(stack({ webhookAuthSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jamf-webhook' })).toThrow(
        /is not the complete ARN of a secret. Copy the ARN that ends in the 6-character suffix/,
      );
    });

    it('rejects a secret key without the secret', () => {
      expect(stack({ webhookAuthSecretKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc' })).toThrow(
        /webhookAuthSecretKeyArn is set without webhookAuthSecretArn/,
      );
    });

    it('rejects an existing bus ARN of another service', () => {
      expect(stack({ existingEventBus: 'arn:aws:sqs:eu-west-1:123456789012:queue' })).toThrow(/is not an event bus ARN/);
    });

    it('rejects an existing bus together with a bus name', () => {
      expect(stack({ existingEventBus: 'default', eventBusName: 'jamf' })).toThrow(/remove one of them/);
    });

    it('rejects a partial ARN for an existing SCEP secret, naming the setting', () => {
      expect(stack({ scepVerifySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:step-ca' })).toThrow(
        /scepVerifySecretArn "arn:aws:secretsmanager:eu-west-1:123456789012:secret:step-ca" is not the complete ARN of a secret/,
      );
    });

    it('rejects upstream issuer settings without its URL', () => {
      expect(
        stack({
          scepUpstreamSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:upstream-AbC123',
          scepUpstreamTimeoutMs: 900,
        }),
      ).toThrow(/scepUpstreamSecretArn and scepUpstreamTimeoutMs are set without scepUpstreamUrl/);
    });

    it('rejects an upstream timeout over 1800 ms, naming the setting', () => {
      expect(stack({ scepUpstreamUrl: 'https://ca.example.com/challenge', scepUpstreamTimeoutMs: 1801 })).toThrow(
        /^scepUpstreamTimeoutMs must be a whole number of milliseconds from 1 to 1800/,
      );
    });

    it.each<[JamfEventBridgeSettings, RegExp]>([
      [{ scepChallengeTtlSeconds: 0 }, /^scepChallengeTtlSeconds must be a whole number of seconds from 1 to 604800/],
      [{ scepAuditBudgetMs: 2000 }, /^scepAuditBudgetMs must be a whole number of milliseconds from 1 to 1500/],
      [{ publishBudgetMs: 9000 }, /^publishBudgetMs must be from 1 ms to 8000 ms/],
      [{ archive: false, archiveRetentionDays: 7 }, /^archiveRetentionDays is set but archive is false: remove archiveRetentionDays/],
      [{ existingEventBus: 'default', eventBusName: 'jamf' }, /but existingEventBus \(an existing bus\) is also set/],
      [{ alarmEmail: 'ops@example.com', alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' }, /^alarmEmail and alarmTopicArn are both set/],
      [{ scepUpstreamUrl: 'https://u:p@ca.example.com/x' }, /^scepUpstreamUrl carries credentials.*put them in scepUpstreamSecretArn/],
      [
        { scepUpstreamUrl: 'https://ca.example.com/x', scepUpstreamTimeoutMs: 1500, scepAuditBudgetMs: 400 },
        /^scepUpstreamTimeoutMs plus scepAuditBudgetMs must be at most 1550 ms/,
      ],
    ])('names the setting the user typed, not the property it becomes: %j', (settings, message) => {
      expect(stack(settings)).toThrow(message);
    });

    it('reports a wrong setting as an InvalidSettingError with one line per problem', () => {
      let thrown: unknown;
      try {
        stack({ eventSource: 'aws.jamf', alarmEmail: 'ops', scepChallengeTtlSeconds: 0 })();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidSettingError);
      expect((thrown as InvalidSettingError).problems).toEqual([
        expect.stringMatching(/^eventSource "aws.jamf" starts with "aws."/),
        expect.stringMatching(/^alarmEmail "ops" is not an email address/),
        expect.stringMatching(/^scepChallengeTtlSeconds must be/),
      ]);
    });

    it('rejects an upstream issuer over plain http', () => {
      expect(stack({ scepUpstreamUrl: 'http://ca.example.com/challenge' })).toThrow(/must use https/);
    });

    it('rejects a log retention CloudWatch Logs does not offer, listing those it does', () => {
      expect(stack({ logRetentionDays: 10 })).toThrow(/logRetentionDays must be one of .*: 1, 3, 5, 7, 14, 30, .*; got 10/);
    });
  });
});

describe('JamfEventBridge', () => {
  describe('when a property is a token, known only at deployment', () => {
    // open-constructs and CDK's own constructs check a value only when it is known at synth time.
    it.each<[string, (stack: Stack) => JamfEventBridgeProps]>([
      ['an imported bus name', () => ({ eventBusName: Fn.importValue('jamf-bus-name') })],
      ['a bus imported from an exported ARN', (s) => ({ eventBus: events.EventBus.fromEventBusArn(s, 'Bus', Fn.importValue('jamf-bus-arn')) })],
      ['a bus imported by a token name', (s) => ({ eventBus: events.EventBus.fromEventBusName(s, 'Bus', Fn.importValue('jamf-bus')) })],
      [
        "a web ACL's ARN attribute",
        (s) => ({
          apiType: 'rest',
          webAclArn: new wafv2.CfnWebACL(s, 'Acl', {
            defaultAction: { allow: {} },
            scope: 'REGIONAL',
            visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'jamf', sampledRequestsEnabled: true },
          }).attrArn,
        }),
      ],
      ['an imported web ACL ARN', () => ({ apiType: 'rest', webAclArn: Fn.importValue('jamf-web-acl') })],
      ['an event source from a parameter', (s) => ({ eventSource: new CfnParameter(s, 'Source').valueAsString })],
      ['an allowlist entry from a parameter', (s) => ({ allowedSourceCidrs: [new CfnParameter(s, 'Cidr').valueAsString] })],
      ['an allowlist from a list parameter', (s) => ({ allowedSourceCidrs: new CfnParameter(s, 'Cidrs', { type: 'CommaDelimitedList' }).valueAsList })],
      ['an alarm email from a parameter', (s) => ({ alarmEmail: new CfnParameter(s, 'Email').valueAsString })],
      ['a body limit from a parameter', (s) => ({ maxBodyBytes: new CfnParameter(s, 'Max', { type: 'Number' }).valueAsNumber })],
      ['throttling from parameters', (s) => ({ throttlingRateLimit: new CfnParameter(s, 'Rate', { type: 'Number' }).valueAsNumber })],
      ['a challenge lifetime from a parameter', (s) => ({ scepChallengeTtl: Duration.seconds(new CfnParameter(s, 'Ttl', { type: 'Number' }).valueAsNumber) })],
      ['an upstream URL from a parameter', (s) => ({ scepUpstream: { url: new CfnParameter(s, 'Upstream').valueAsString } })],
    ])('accepts %s', (_what, props) => {
      expect(construct(props)).not.toThrow();
    });

    it('still checks what is known beside it', () => {
      expect(construct(() => ({ webAclArn: Fn.importValue('jamf-web-acl'), alarmEmail: 'ops' }))).toThrow(
        /alarmEmail "ops" is not an email address/,
      );
    });
  });
});

describe('ScepChallenge, used on its own as in the first release', () => {
  it('still takes logRetention instead of logGroups, and encrypts its log group with a key of its own', () => {
    const stack = new Stack(newApp(), 'Own');
    const bus = events.EventBus.fromEventBusName(stack, 'Bus', 'bus');
    const scep = new ScepChallenge(stack, 'Scep', {
      eventBus: bus,
      eventSource: 'jamf.pro',
      deadLetterQueue: sqs.Queue.fromQueueArn(stack, 'Queue', 'arn:aws:sqs:eu-west-1:123456789012:dlq'),
      webhookAuthSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Auth', 'auth'),
      logRetention: logs.RetentionDays.ONE_WEEK,
      tracing: false,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7, KmsKeyId: Match.anyValue() });
    expect(scep.function).toBeDefined();
  });
});

describe('JamfEventBridge, given durations from tokens', () => {
  it('schedules the redrive at a rate from a parameter', () => {
    const stack = new Stack(newApp(), 'Tokens');
    new JamfEventBridge(stack, 'Jamf', { redriveSchedule: Duration.minutes(new CfnParameter(stack, 'Every', { type: 'Number' }).valueAsNumber) });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
  });

  it('passes secretMaxStale in seconds through, and says how to give it when it cannot', () => {
    const ok = new Stack(newApp(), 'Seconds');
    new JamfEventBridge(ok, 'Jamf', { secretMaxStale: Duration.seconds(new CfnParameter(ok, 'Stale', { type: 'Number' }).valueAsNumber) });
    expect(
      construct((s) => ({ secretMaxStale: Duration.hours(new CfnParameter(s, 'Hours', { type: 'Number' }).valueAsNumber) })),
    ).toThrow(/secretMaxStale from a token must be given as Duration.seconds\(token\)/);
  });
});
