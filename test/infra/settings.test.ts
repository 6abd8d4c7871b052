import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { JamfEventBridgeSettings } from '../../lib/settings';
import { synthesize } from './synth';

// Each setting that changes the template, one synthesized stack per case
// (without bundling: the Lambda code is the same in all of them).
// On the REST API with the event log, as the first release deployed them; the HTTP API's settings are in http-api.test.ts.
const template = (settings: JamfEventBridgeSettings): Template =>
  synthesize({ apiType: 'rest', eventLog: true, ...settings }).template;

const JAMF_CLOUD_CIDRS = ['192.0.2.0/24', '198.51.100.7/32', '2001:db8::/32'];
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jamf-webhook-AbC123';
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:ops-alarms';
const WEB_ACL_ARN = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/jamf/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';

/** The function's policy statements, for statements that mention a resource. */
const policyStatement = (statement: Record<string, unknown>): Record<string, unknown> => ({
  PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(statement)]) },
});

describe('JamfEventBridge', () => {
  describe('when an IP allowlist is given', () => {
    let allowlisted: Template;
    beforeAll(() => {
      allowlisted = template({ allowedSourceCidrs: JAMF_CLOUD_CIDRS });
    });

    it('allows invoking the API', () => {
      allowlisted.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Policy: {
          Statement: Match.arrayWith([
            { Sid: 'AllowInvoke', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
          ]),
        },
      });
    });

    it('denies other source IPs', () => {
      allowlisted.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Policy: {
          Statement: Match.arrayWith([
            {
              Sid: 'DenyOutsideAllowedSourceCidrs',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 'execute-api:Invoke',
              Resource: 'execute-api:/*',
              Condition: { NotIpAddress: { 'aws:SourceIp': JAMF_CLOUD_CIDRS } },
            },
          ]),
        },
      });
    });

    it('deploys the stage again when the list changes, so that the policy takes effect', () => {
      const deploymentIds = (t: Template): string[] => Object.keys(t.findResources('AWS::ApiGateway::Deployment'));
      const open = deploymentIds(template({}));
      const first = deploymentIds(allowlisted);
      const changed = deploymentIds(template({ allowedSourceCidrs: ['192.0.2.0/24'] }));
      expect(new Set([...open, ...first, ...changed]).size).toBe(3);
    });
  });

  describe('when a WAF web ACL is given', () => {
    it('associates it with the API stage', () => {
      const t = template({ webAclArn: WEB_ACL_ARN });
      const stageId = Object.keys(t.findResources('AWS::ApiGateway::Stage'))[0] ?? '';
      t.hasResource('AWS::WAFv2::WebACLAssociation', {
        Properties: {
          WebACLArn: WEB_ACL_ARN,
          ResourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: stageId }])] },
        },
        DependsOn: Match.arrayWith([stageId]),
      });
    });
  });

  describe('when an existing bus is given by name', () => {
    let onDefaultBus: Template;
    beforeAll(() => {
      onDefaultBus = template({ existingEventBus: 'default' });
    });

    it('creates no bus', () => {
      onDefaultBus.resourceCountIs('AWS::Events::EventBus', 0);
    });

    it('publishes to that bus', () => {
      onDefaultBus.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: 'default' }) },
      });
      onDefaultBus.hasResourceProperties(
        'AWS::IAM::Policy',
        policyStatement({
          Action: 'events:PutEvents',
          Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':event-bus/default$')])] },
        }),
      );
    });

    it('archives and logs the events of that bus', () => {
      onDefaultBus.hasResourceProperties('AWS::Events::Archive', {
        SourceArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':event-bus/default$')])] },
      });
      onDefaultBus.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'default' });
    });
  });

  describe('when an existing bus is given by ARN', () => {
    const busArn = 'arn:aws:events:eu-west-1:123456789012:event-bus/shared';

    it('publishes to that bus with permission on that ARN only', () => {
      const t = template({ existingEventBus: busArn });
      t.resourceCountIs('AWS::Events::EventBus', 0);
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: 'shared' }) },
      });
      t.hasResourceProperties('AWS::IAM::Policy', policyStatement({ Action: 'events:PutEvents', Resource: busArn }));
      t.hasResourceProperties('AWS::Events::Archive', { SourceArn: busArn });
    });
  });

  describe('when the bus is given a name', () => {
    it('creates the bus with that name', () => {
      template({ eventBusName: 'jamf-prod' }).hasResourceProperties('AWS::Events::EventBus', { Name: 'jamf-prod' });
    });
  });

  describe('when the event log is turned off', () => {
    let withoutLog: Template;
    beforeAll(() => {
      withoutLog = template({ eventLog: false });
    });

    it('has no event log rule and no event log group', () => {
      withoutLog.resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: Match.anyValue() }, 0);
      withoutLog.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
      expect(withoutLog.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: Match.stringLikeRegexp('^/aws/events/') } })).toEqual({});
    });

    it('has no output for the event log', () => {
      expect(Object.keys(withoutLog.findOutputs('EventLogGroupName'))).toEqual([]);
    });
  });

  describe('when the archive retention is set', () => {
    it.each([
      [90, 90],
      [0, 0],
    ])('keeps events %i days (0: indefinitely)', (days, expected) => {
      template({ archiveRetentionDays: days }).hasResourceProperties('AWS::Events::Archive', { RetentionDays: expected });
    });
  });

  describe('when the archive is turned off', () => {
    it('has no archive', () => {
      template({ archive: false }).resourceCountIs('AWS::Events::Archive', 0);
    });
  });

  describe('when the event source, limits and budget are set', () => {
    let custom: Template;
    beforeAll(() => {
      custom = template({
        eventSource: 'jamf.staging',
        throttlingRateLimit: 20,
        throttlingBurstLimit: 40,
        maxBodyBytes: 65536,
        publishBudgetMs: 1500,
      });
    });

    it('publishes, archives and logs with that source', () => {
      custom.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ EVENT_SOURCE: 'jamf.staging' }) },
      });
      custom.hasResourceProperties('AWS::Events::Archive', { EventPattern: { source: ['jamf.staging'] } });
      custom.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['jamf.staging'], 'detail-type': [{ prefix: 'jamf.' }] },
      });
    });

    it('reserves no concurrency for the ingest function unless ingestReservedConcurrency is set', () => {
      const functions = Object.values(custom.findResources('AWS::Lambda::Function'));
      for (const fn of functions) expect(fn.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
      const reserved = template({ ingestReservedConcurrency: 600 });
      reserved.resourcePropertiesCountIs('AWS::Lambda::Function', { ReservedConcurrentExecutions: 600 }, 1);
      reserved.hasResourceProperties('AWS::Lambda::Function', {
        ReservedConcurrentExecutions: 600,
        Description: 'Receives Jamf Pro webhooks and publishes them to EventBridge',
      });
    });

    it('throttles the stage at the given rate and burst', () => {
      custom.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 })]),
      });
    });

    it('passes the body limit and publish budget to the function', () => {
      custom.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ MAX_BODY_BYTES: '65536', PUBLISH_BUDGET_MS: '1500' }) },
      });
    });
  });

  describe('when the log retention is set', () => {
    it('keeps every log group that long', () => {
      const t = template({ logRetentionDays: 7 });
      const retentions = Object.values(t.findResources('AWS::Logs::LogGroup')).map(
        (group) => (group.Properties as { RetentionInDays?: number }).RetentionInDays,
      );
      expect(retentions.length).toBeGreaterThanOrEqual(4);
      expect(new Set(retentions)).toEqual(new Set([7]));
    });
  });

  describe('when an existing secret is given', () => {
    let withSecret: Template;
    beforeAll(() => {
      withSecret = template({ webhookAuthSecretArn: SECRET_ARN, webhookAuthSecretKeyArn: KEY_ARN });
    });

    it('creates no credentials secret (only the SCEP service’s two)', () => {
      withSecret.resourcePropertiesCountIs(
        'AWS::SecretsManager::Secret',
        { GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }) },
        0,
      );
      withSecret.resourceCountIs('AWS::SecretsManager::Secret', 2);
    });

    it('gives the function its ARN and the right to read it', () => {
      withSecret.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ WEBHOOK_AUTH_SECRET_ID: SECRET_ARN }) },
      });
      withSecret.hasResourceProperties(
        'AWS::IAM::Policy',
        policyStatement({ Action: Match.arrayWith(['secretsmanager:GetSecretValue']), Resource: SECRET_ARN }),
      );
    });

    it('lets the function decrypt it with its key', () => {
      withSecret.hasResourceProperties(
        'AWS::IAM::Policy',
        policyStatement({
          Action: 'kms:Decrypt',
          Resource: KEY_ARN,
          Condition: {
            StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          },
        }),
      );
    });

    it('outputs its ARN', () => {
      withSecret.hasOutput('WebhookAuthSecretArn', { Value: SECRET_ARN });
    });
  });

  describe('when an alarm email is given', () => {
    let withEmail: Template;
    beforeAll(() => {
      withEmail = template({ alarmEmail: 'ops@example.com' });
    });

    it('subscribes it to a topic that requires TLS', () => {
      withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
      withEmail.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('notifies the topic when any alarm fires or clears', () => {
      const topicId = Object.keys(withEmail.findResources('AWS::SNS::Topic'))[0] ?? '';
      const alarms = Object.values(withEmail.findResources('AWS::CloudWatch::Alarm'));
      // 7 for the webhooks (the API's 429 answers among them), 4 for the SCEP challenge service.
      expect(alarms).toHaveLength(11);
      for (const alarm of alarms) {
        expect(alarm.Properties).toMatchObject({ AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] });
      }
    });
  });

  describe('when an alarm topic is given', () => {
    it('notifies that topic and creates none', () => {
      const t = template({ alarmTopicArn: TOPIC_ARN });
      t.resourceCountIs('AWS::SNS::Topic', 0);
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [TOPIC_ARN], OKActions: [TOPIC_ARN] });
      t.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() }, 0);
      t.hasOutput('AlarmTopicArn', { Value: TOPIC_ARN });
    });
  });

  describe('when tracing is turned on', () => {
    it('traces the stage and the function, which may send traces to X-Ray', () => {
      const t = template({ tracing: true });
      t.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
      t.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
      t.hasResourceProperties(
        'AWS::IAM::Policy',
        policyStatement({ Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' }),
      );
    });
  });

  describe('by default', () => {
    it('grants no X-Ray access', () => {
      template({}).resourcePropertiesCountIs(
        'AWS::IAM::Policy',
        policyStatement({ Action: Match.arrayWith(['xray:PutTraceSegments']) }),
        0,
      );
    });
  });

  describe('when the API Gateway CloudWatch role is managed elsewhere', () => {
    it('does not set the account setting', () => {
      const t = template({ apiGatewayCloudWatchRole: false });
      t.resourceCountIs('AWS::ApiGateway::Account', 0);
      t.resourcePropertiesCountIs(
        'AWS::IAM::Role',
        { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] }) },
        0,
      );
    });
  });

  describe('by default', () => {
    it('sets the account’s API Gateway CloudWatch role, so that logging works in a new account', () => {
      template({}).hasResourceProperties('AWS::ApiGateway::Account', { CloudWatchRoleArn: Match.anyValue() });
    });
  });
});
