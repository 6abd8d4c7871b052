import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { FUNCTION_RUNTIME } from '../../lib/function';
import { INGEST_MEMORY_MB } from '../../lib/ingest-function';
import { INGEST_ENV } from '../../lambda/contract';
import { assetDirectory, bundleFiles, handlerTypeInPlainNode, synthesize, type Synthesized } from './synth';

// One synthesized default stack for the whole file, bundled for real: what
// `npx cdk deploy` with no settings would deploy.
let synthesized: Synthesized;
let template: Template;
let stack: Stack;
const ref = (value: string): unknown => stack.resolve(value);
const logicalId = (construct: IConstruct | undefined): string => {
  const resource = construct?.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct?.node.path ?? 'undefined'} has no CloudFormation resource`);
  return stack.resolve(resource.logicalId) as string;
};
/** The properties of a construct's CloudFormation resource in the template. */
const resourceOf = (construct: IConstruct): Record<string, unknown> =>
  (template.toJSON() as { Resources: Record<string, { Properties: Record<string, unknown> }> }).Resources[logicalId(construct)]!.Properties;

/**
 * Parses a JSON document that CloudFormation assembles with Fn::Join, writing
 * `{"Fn::GetAtt": [id, attr]}` as "id.attr" and `{"Ref": id}` as "id".
 */
function parseJoinedJson(value: unknown): unknown {
  const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const getAtt = (part as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
      if (getAtt !== undefined) return getAtt.join('.');
      return String((part as { Ref: string }).Ref);
    })
    .join(join[0]);
  return JSON.parse(text);
}

beforeAll(() => {
  // The REST API and the event log, as every deployment had before apiType and the eventLog default
  // changed; the HTTP API default is in http-api.test.ts.
  synthesized = synthesize({ apiType: 'rest', eventLog: true }, { bundle: true });
  template = synthesized.template;
  stack = synthesized.stack;
});

describe('JamfEventBridge', () => {
  describe('with apiType rest and the event log (otherwise the defaults)', () => {
    it('synthesizes without warnings or errors', () => {
      const annotations = Annotations.fromStack(stack);
      annotations.hasNoWarning('*', Match.anyValue());
      annotations.hasNoError('*', Match.anyValue());
    });

    describe('the API', () => {
      it('is a regional REST API that passes every body through as binary', () => {
        template.hasResourceProperties('AWS::ApiGateway::RestApi', {
          EndpointConfiguration: { Types: ['REGIONAL'] },
          BinaryMediaTypes: ['*/*'],
        });
      });

      it('routes POST /webhooks to the ingest function through a proxy integration', () => {
        const webhooks = Object.keys(template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: 'webhooks' } }));
        expect(webhooks).toHaveLength(1);
        const uri = new Capture();
        template.hasResourceProperties('AWS::ApiGateway::Method', {
          HttpMethod: 'POST',
          AuthorizationType: 'NONE',
          ResourceId: { Ref: webhooks[0] },
          Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: uri },
        });
        expect(JSON.stringify(uri.asObject())).toContain(
          logicalId(synthesized.stack.jamf.ingestFunction),
        );
      });

      it('has no method but POST, on /webhooks and the two SCEP challenge routes', () => {
        const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
        expect(methods.map((method) => (method.Properties as { HttpMethod: string }).HttpMethod)).toEqual(['POST', 'POST', 'POST']);
        const paths = Object.values(template.findResources('AWS::ApiGateway::Resource')).map(
          (resource) => (resource.Properties as { PathPart: string }).PathPart,
        );
        expect(paths.sort()).toEqual(['scep-challenge', 'verify', 'webhooks']);
      });

      it('may invoke each function only from its route on the deployed stage, not from the console test', () => {
        const permissions = Object.values(
          template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'apigateway.amazonaws.com' } }),
        ).map(
          (permission) => permission.Properties as { Principal: string; SourceArn: unknown },
        );
        const stageId = logicalId(synthesized.stack.jamf.api.deploymentStage);
        const routes = permissions.map(({ Principal, SourceArn }) => {
          expect(Principal).toBe('apigateway.amazonaws.com');
          const parts = (SourceArn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
          // The stage is a reference to the deployed stage, not a wildcard or test-invoke-stage.
          expect(parts.at(-2)).toEqual({ Ref: stageId });
          return parts.at(-1);
        });
        expect(routes.sort()).toEqual(['/POST/scep-challenge', '/POST/scep-challenge/verify', '/POST/webhooks']);
      });

      it('throttles the stage at 500 requests per second with bursts of 500, sized for a fleet of 50,000', () => {
        template.hasResourceProperties('AWS::ApiGateway::Stage', {
          StageName: 'v1',
          MethodSettings: Match.arrayWith([
            Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 500, ThrottlingBurstLimit: 500 }),
          ]),
        });
      });

      it('writes JSON access logs without headers or bodies', () => {
        const format = new Capture();
        template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: { Format: format } });
        const fields = JSON.parse(format.asString()) as Record<string, string>;
        expect(fields).toMatchObject({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          status: '$context.status',
          errorMessage: '$context.error.message',
        });
        expect(Object.values(fields).join(' ')).not.toMatch(/requestOverride|header|body/i);
      });

      it('logs execution errors only, never request data', () => {
        template.hasResourceProperties('AWS::ApiGateway::Stage', {
          MethodSettings: Match.arrayWith([Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false })]),
        });
      });

      it('creates the execution log group with a retention before API Gateway does', () => {
        template.hasResourceProperties('AWS::Logs::LogGroup', {
          LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', Match.anyValue(), '/v1']] },
          RetentionInDays: 30,
        });
      });

      it('has no resource policy, so any source address may call it', () => {
        template.hasResourceProperties('AWS::ApiGateway::RestApi', { Policy: Match.absent() });
      });

      it('is not associated with a WAF web ACL', () => {
        template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
      });
    });

    describe('the logs', () => {
      it('are all encrypted with one key of the stack, rotated, kept when the stack is deleted', () => {
        const keyId = logicalId(synthesized.stack.jamf.logKey);
        template.resourceCountIs('AWS::KMS::Key', 1);
        template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
        const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
        // Ingest and SCEP functions, API access and execution logs, event log.
        expect(logGroups).toHaveLength(6);
        for (const logGroup of logGroups) {
          expect(logGroup.Properties).toMatchObject({ KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
        }
      });

      it('let CloudWatch Logs use the key for log groups of the account only, and nobody create grants', () => {
        const statements = new Capture();
        template.hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: statements } });
        expect(statements.asArray()).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              Effect: 'Allow',
              Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
              Condition: {
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn': {
                    'Fn::Join': ['', expect.arrayContaining([':log-group:*'])],
                  },
                },
              },
            }),
            expect.objectContaining({
              Effect: 'Deny',
              Action: 'kms:CreateGrant',
              Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
            }),
          ]),
        );
      });
    });

    describe('EventBridge', () => {
      it('creates a bus named after the stack', () => {
        template.hasResourceProperties('AWS::Events::EventBus', { Name: 'JamfEventBridge' });
      });

      it('archives the jamf.pro events on the bus for 30 days', () => {
        template.hasResourceProperties('AWS::Events::Archive', {
          SourceArn: ref(synthesized.stack.jamf.eventBus.eventBusArn),
          EventPattern: { source: ['jamf.pro'] },
          RetentionDays: 30,
        });
      });

      it('sends every jamf.* event of source jamf.pro to a log group under /aws/events/', () => {
        template.hasResourceProperties('AWS::Events::Rule', {
          EventBusName: ref(synthesized.stack.jamf.eventBus.eventBusName),
          EventPattern: { source: ['jamf.pro'], 'detail-type': [{ prefix: 'jamf.' }] },
          Targets: [Match.objectLike({ Arn: Match.anyValue() })],
        });
        template.hasResource('AWS::Logs::LogGroup', {
          Properties: { LogGroupName: Match.stringLikeRegexp('^/aws/events/'), RetentionInDays: 30 },
          // Its name is fixed: a log group kept after `cdk destroy` would block the next deploy.
          DeletionPolicy: 'Delete',
        });
      });

      it('lets only the log rule write to the event log group', () => {
        const policies = Object.values(template.findResources('AWS::Logs::ResourcePolicy'));
        expect(policies).toHaveLength(1);
        const document = parseJoinedJson((policies[0]?.Properties as { PolicyDocument: unknown }).PolicyDocument);
        const logGroupId = logicalId(synthesized.stack.jamf.eventLogGroup);
        const ruleId = logicalId(synthesized.stack.jamf.node.findChild('Events').node.findChild('EventLogRule'));
        expect(document).toEqual({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: `${logGroupId}.Arn`,
              Condition: { ArnEquals: { 'aws:SourceArn': `${ruleId}.Arn` } },
            },
          ],
        });
      });
    });

    describe('the ingest function', () => {
      it(`runs on ${FUNCTION_RUNTIME.name}, the newest Node.js runtime aws-cdk-lib knows, on arm64`, () => {
        const versions = lambda.Runtime.ALL.filter((runtime) => runtime.family === lambda.RuntimeFamily.NODEJS)
          .map((runtime) => Number(/^nodejs(\d+)/.exec(runtime.name)?.[1] ?? 0));
        expect(FUNCTION_RUNTIME.name).toBe(`nodejs${Math.max(...versions)}.x`);
        template.hasResourceProperties('AWS::Lambda::Function', {
          Runtime: FUNCTION_RUNTIME.name,
          Architectures: ['arm64'],
          Handler: 'index.handler',
        });
      });

      it(`has ${INGEST_MEMORY_MB} MB and a 10 s timeout, under API Gateway’s 29 s`, () => {
        const ingest = synthesized.stack.jamf.ingestFunction;
        expect(resourceOf(ingest)).toMatchObject({ MemorySize: INGEST_MEMORY_MB, Timeout: 10 });
      });

      it("logs in JSON without Lambda's START, END and REPORT lines, and only failures and refusals by default", () => {
        expect(resourceOf(synthesized.stack.jamf.ingestFunction)).toMatchObject({
          LoggingConfig: { LogFormat: 'JSON', SystemLogLevel: 'WARN', ApplicationLogLevel: 'INFO' },
          Environment: { Variables: expect.objectContaining({ [INGEST_ENV.logPublishedWebhooks]: 'false' }) },
        });
      });

      it('logs to its own log group, kept 30 days', () => {
        const logGroup = synthesized.stack.jamf.ingestFunction.logGroup;
        template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: ref(logGroup.logGroupName) } });
        template.hasResourceProperties('AWS::Logs::LogGroup', {
          LogGroupName: Match.absent(),
          RetentionInDays: 30,
        });
      });

      it('may write to its log group and nowhere else, without a managed policy', () => {
        template.hasResourceProperties('AWS::IAM::Role', {
          AssumeRolePolicyDocument: Match.objectLike({
            Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
          }),
          ManagedPolicyArns: Match.absent(),
        });
        template.hasResourceProperties('AWS::IAM::Policy', {
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: ref(synthesized.stack.jamf.ingestFunction.logGroup.logGroupArn),
              },
            ]),
          },
        });
      });

      it('is not traced with X-Ray, which would cost more than the rest', () => {
        template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: Match.absent() });
        template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: false });
      });

      it('loads source maps', () => {
        template.hasResourceProperties('AWS::Lambda::Function', {
          Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
        });
      });

      it('sets every environment variable the handler reads, except the optional publish budget', () => {
        const { jamf } = synthesized.stack;
        template.hasResourceProperties('AWS::Lambda::Function', {
          Environment: {
            Variables: {
              NODE_OPTIONS: '--enable-source-maps',
              EVENT_SOURCE: 'jamf.pro',
              EVENT_BUS_NAME: ref(jamf.eventBus.eventBusName),
              DEAD_LETTER_QUEUE_URL: ref(jamf.deadLetterQueue.queueUrl),
              WEBHOOK_AUTH_SECRET_ID: ref(jamf.webhookAuthSecret.secretArn),
              MAX_BODY_BYTES: '4694016',
              SECRET_MAX_STALE_SECONDS: '86400',
            },
          },
        });
      });

      it('may put events on the bus it is told about', () => {
        template.hasResourceProperties('AWS::IAM::Policy', {
          PolicyDocument: {
            Statement: Match.arrayWith([
              { Effect: 'Allow', Action: 'events:PutEvents', Resource: ref(synthesized.stack.jamf.eventBus.eventBusArn) },
            ]),
          },
        });
      });

      describe('its bundle', () => {
        let assetDir: string;
        let code: string;
        let everything: string;

        beforeAll(() => {
          assetDir = assetDirectory(synthesized, synthesized.stack.jamf.ingestFunction);
          const files = bundleFiles(assetDir);
          code = files.get('index.mjs') ?? '';
          everything = [...files.values()].join('\n');
        });

        it('is an ES module entry, index.mjs, minified, that links its source map', () => {
          // Assertions on booleans: a failing matcher would print the whole bundle.
          expect(code.length).toBeGreaterThan(0);
          expect(code.split('\n').length).toBeLessThan(code.length / 1000);
          expect(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/.test(code)).toBe(true);
          expect(existsSync(path.join(assetDir, 'index.mjs.map'))).toBe(true);
        });

        it('loads in plain Node.js, whose ES modules have no require', () => {
          expect(
            handlerTypeInPlainNode(assetDir, { EVENT_BUS_NAME: 'bus', DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/queue' }),
          ).toBe('function');
        });

        it('includes the AWS SDK instead of using the runtime’s', () => {
          // (The SDK's optional CRT signer is still looked up with require, and not used.)
          expect(/require\(["']@(aws-sdk\/client-|smithy\/)/.test(everything)).toBe(false);
          expect(everything.includes('PutEvents')).toBe(true);
        });

        it.each([INGEST_ENV.eventBusName, INGEST_ENV.deadLetterQueueUrl])('will not start without %s, and names it', (name) => {
          const env: Record<string, string> = { EVENT_BUS_NAME: 'bus', DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/queue' };
          delete env[name];
          expect(handlerTypeInPlainNode(assetDir, env)).toContain(`Environment variable ${name} is required`);
        });
      });
    });

    describe('the dead-letter queue', () => {
      it('is encrypted, keeps messages 14 days and takes messages up to 1 MiB', () => {
        template.hasResourceProperties('AWS::SQS::Queue', {
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 14 * 24 * 3600,
          MaximumMessageSize: 1048576,
        });
      });

      it('is declared a dead-letter queue, with the redrive permission SQS gives by default', () => {
        template.hasResourceProperties('AWS::SQS::Queue', {
          RedriveAllowPolicy: { redrivePermission: 'allowAll' },
          RedrivePolicy: Match.absent(),
        });
      });

      it('refuses requests without TLS', () => {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      });

      it('can be written by the ingest function', () => {
        template.hasResourceProperties('AWS::IAM::Policy', {
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Effect: 'Allow',
                Action: Match.arrayWith(['sqs:SendMessage']),
                Resource: ref(synthesized.stack.jamf.deadLetterQueue.queueArn),
              },
            ]),
          },
        });
      });
    });

    describe('the webhook credentials', () => {
      it('are generated by Secrets Manager in the shape the handler reads', () => {
        template.hasResourceProperties('AWS::SecretsManager::Secret', {
          GenerateSecretString: {
            SecretStringTemplate: JSON.stringify({ username: 'jamf' }),
            GenerateStringKey: 'password',
            ExcludePunctuation: true,
            PasswordLength: 32,
          },
          SecretString: Match.absent(),
        });
      });

      it('can be read by the ingest function', () => {
        template.hasResourceProperties('AWS::IAM::Policy', {
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Effect: 'Allow',
                Action: Match.arrayWith(['secretsmanager:GetSecretValue']),
                Resource: ref(synthesized.stack.jamf.webhookAuthSecret.secretArn),
              },
            ]),
          },
        });
      });

      it('reach the function only as the secret ARN, never as a value', () => {
        const variables = new Capture();
        template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: variables } });
        const values = JSON.stringify(variables.asObject());
        expect(values).not.toMatch(/SecretString|password|resolve:secretsmanager/i);
        expect(JSON.stringify(template.toJSON())).not.toContain('{{resolve:secretsmanager');
      });
    });

    describe('the alarms', () => {
      const atLeastOnce = {
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      };

      it('fire on a 5xx answer of the API stage', () => {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          ...atLeastOnce,
          Namespace: 'AWS/ApiGateway',
          MetricName: '5XXError',
          Statistic: 'Sum',
          Dimensions: Match.arrayWith([Match.objectLike({ Name: 'Stage' })]),
        });
      });

      it.each(['Errors', 'Throttles'])('fire on ingest function %s', (metricName) => {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          ...atLeastOnce,
          Namespace: 'AWS/Lambda',
          MetricName: metricName,
          Statistic: 'Sum',
          Dimensions: [{ Name: 'FunctionName', Value: ref(synthesized.stack.jamf.ingestFunction.functionName) }],
        });
      });

      it('fire on any request API Gateway answered 429, counted from the access log', () => {
        const accessLogs = Object.keys(template.findResources('AWS::Logs::LogGroup')).find((id) => id.startsWith('JamfEventBridgeApiAccessLogs'));
        template.hasResourceProperties('AWS::Logs::MetricFilter', {
          LogGroupName: { Ref: accessLogs },
          FilterPattern: '{ $.status = "429" }',
          MetricTransformations: [{ MetricNamespace: 'JamfEventBridge', MetricName: 'ApiThrottled', MetricValue: '1', Unit: 'Count' }],
        });
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          ...atLeastOnce,
          Namespace: 'JamfEventBridge',
          MetricName: 'ApiThrottled',
          Statistic: 'Sum',
          Period: 300,
          Dimensions: Match.absent(),
        });
      });

      it('fire on a message in the dead-letter queue', () => {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          ...atLeastOnce,
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Statistic: 'Maximum',
          Dimensions: [{ Name: 'QueueName', Value: ref(synthesized.stack.jamf.deadLetterQueue.queueName) }],
        });
      });

      it('fire on a failed PutEvents reported by the function’s embedded metrics', () => {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          ...atLeastOnce,
          Namespace: 'JamfEventBridge',
          MetricName: 'PublishFailed',
          Dimensions: [{ Name: 'Function', Value: 'ingest' }],
          Statistic: 'Sum',
          Period: 300,
        });
      });

      it('notify a topic of their own, with no subscriber yet, when they fire or clear', () => {
        const topic = ref(synthesized.stack.jamf.alarmTopic.topicArn);
        const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
        expect(alarms).toHaveLength(11);
        for (const alarm of alarms) {
          expect(alarm.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
        }
        template.resourceCountIs('AWS::SNS::Topic', 1);
        template.resourceCountIs('AWS::SNS::Subscription', 0);
      });
    });

    describe('the outputs', () => {
      it('give the URL to paste into Jamf Pro', () => {
        template.hasOutput('WebhookUrl', {
          Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/webhooks$')])] },
        });
      });

      it('give the bus, the secret, the dead-letter queue and the alarm topic', () => {
        const { jamf } = synthesized.stack;
        template.hasOutput('AlarmTopicArn', { Value: ref(jamf.alarmTopic.topicArn) });
        template.hasOutput('EventBusName', { Value: ref(jamf.eventBus.eventBusName) });
        template.hasOutput('EventBusArn', { Value: ref(jamf.eventBus.eventBusArn) });
        template.hasOutput('WebhookAuthSecretArn', { Value: ref(jamf.webhookAuthSecret.secretArn) });
        template.hasOutput('DeadLetterQueueUrl', { Value: ref(jamf.deadLetterQueue.queueUrl) });
      });

      it('do not include the API’s own stage URL, which lacks the route', () => {
        expect(Object.keys(template.findOutputs('*')).filter((key) => key.includes('Endpoint'))).toEqual([]);
      });
    });
  });
});
