import { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { JamfEventBridgeStack } from '../../lib/jamf-eventbridge-stack';
import { SCEP_ENV, SCEP_METRICS } from '../../lambda/contract';
import type { ScepChallenge } from '../../lib/scep-challenge';
import { settingsFromContext } from '../../lib/settings';
import { assetDirectory, bundleFiles, handlerTypeInPlainNode, newApp, synthesize, type Synthesized } from './synth';

const SIGNING_KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:scep-signing-key-AbC123';
const VERIFY_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:step-ca-webhook-DeF456';
const UPSTREAM_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:upstream-issuer-GhI789';
const UPSTREAM_URL = 'https://ca.example.com/jamf/challenge';

/** Helpers bound to one synthesized stack. */
function inspect(synthesized: Synthesized) {
  const { stack, template } = synthesized;
  const scep = synthesized.stack.jamf.scep as ScepChallenge;
  const logicalId = (construct: IConstruct | undefined): string => {
    const resource = construct?.node.defaultChild;
    if (!(resource instanceof CfnElement)) throw new Error(`${construct?.node.path ?? 'undefined'} has no CloudFormation resource`);
    return stack.resolve(resource.logicalId) as string;
  };
  /** The statements of the SCEP function's role policy. */
  const statements = (): Array<Record<string, unknown>> => {
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(scep.function.role) }] } }),
    );
    expect(policies).toHaveLength(1);
    return (policies[0]?.Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } }).PolicyDocument
      .Statement;
  };
  /** The environment of the SCEP function. */
  const environment = (): Record<string, unknown> => {
    const fn = template.toJSON().Resources[logicalId(scep.function)] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    return fn.Properties.Environment.Variables;
  };
  /** The properties of the one method on the resource with this path part. */
  const method = (pathPart: string): Record<string, unknown> => {
    const resources = Object.keys(template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: pathPart } }));
    expect(resources).toHaveLength(1);
    const methods = Object.values(
      template.findResources('AWS::ApiGateway::Method', { Properties: { ResourceId: { Ref: resources[0] } } }),
    );
    expect(methods).toHaveLength(1);
    return methods[0]?.Properties as Record<string, unknown>;
  };
  return { stack, template, scep, logicalId, statements, environment, method, ref: (value: string) => stack.resolve(value) };
}

describe('the SCEP challenge service', () => {
  describe('with the default settings', () => {
    // Bundled for real, as `npx cdk deploy` would.
    let synthesized: Synthesized;
    let t: ReturnType<typeof inspect>;
    beforeAll(() => {
      // The REST API's routes (event.resource); the HTTP API's are in http-api.test.ts.
      synthesized = synthesize({ apiType: 'rest' }, { bundle: true });
      t = inspect(synthesized);
    });

    it('synthesizes without warnings or errors', () => {
      Annotations.fromStack(synthesized.stack).hasNoWarning('*', Match.anyValue());
      Annotations.fromStack(synthesized.stack).hasNoError('*', Match.anyValue());
    });

    describe('the function', () => {
      it('has 1769 MB, one full vCPU, for a CPU-bound cold start, on arm64', () => {
        t.template.hasResourceProperties('AWS::Lambda::Function', {
          Description: Match.stringLikeRegexp('SCEP'),
          MemorySize: 1769,
          Architectures: ['arm64'],
          Handler: 'index.handler',
          Timeout: 10,
        });
      });

      it('sets every variable the handler reads, except the optional upstream issuer', () => {
        const { jamf } = synthesized.stack;
        expect(t.environment()).toEqual({
          EVENT_BUS_NAME: t.ref(jamf.eventBus.eventBusName),
          EVENT_SOURCE: 'jamf.pro',
          DEAD_LETTER_QUEUE_URL: t.ref(jamf.deadLetterQueue.queueUrl),
          WEBHOOK_AUTH_SECRET_ID: t.ref(jamf.webhookAuthSecret.secretArn),
          SCEP_SIGNING_KEY_SECRET_ID: t.ref(t.scep.signingKeySecret.secretArn),
          SCEP_VERIFY_SECRET_ID: t.ref(t.scep.verifySecret.secretArn),
          SCEP_USED_CHALLENGES_TABLE: t.ref(t.scep.usedChallengesTable.tableName),
          SCEP_CHALLENGE_TTL_SECONDS: '3600',
          SCEP_AUDIT_BUDGET_MS: '500',
          SCEP_REQUIRE_DEVICE_MATCH: 'false',
          MAX_BODY_BYTES: '65536',
          SECRET_MAX_STALE_SECONDS: '86400',
        });
      });

      it('is published without a version or alias', () => {
        t.template.resourceCountIs('AWS::Lambda::Version', 0);
        t.template.resourceCountIs('AWS::Lambda::Alias', 0);
      });
    });

    describe('its bundle', () => {
      let assetDir: string;
      let files: Map<string, string>;
      beforeAll(() => {
        assetDir = assetDirectory(synthesized, t.scep.function);
        files = bundleFiles(assetDir);
      });

      it('has a small entry file and puts the rest in chunks loaded on demand', () => {
        const entry = files.get('index.mjs') ?? '';
        const chunks = [...files.keys()].filter((name) => name.startsWith('chunks/'));
        expect(chunks.length).toBeGreaterThan(0);
        const chunkBytes = chunks.reduce((sum, name) => sum + (files.get(name)?.length ?? 0), 0);
        expect(entry.length).toBeGreaterThan(0);
        expect(entry.length).toBeLessThan(chunkBytes);
      });

      it('loads in plain Node.js, whose ES modules have no require', () => {
        expect(
          handlerTypeInPlainNode(assetDir, { EVENT_BUS_NAME: 'bus', DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/queue' }),
        ).toBe('function');
      });

      it.each([SCEP_ENV.eventBusName, SCEP_ENV.deadLetterQueueUrl])('will not start without %s, and names it', (name) => {
        const env: Record<string, string> = { EVENT_BUS_NAME: 'bus', DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/queue' };
        delete env[name];
        expect(handlerTypeInPlainNode(assetDir, env)).toContain(`Environment variable ${name} is required`);
      });

      it('writes the AuditFailed metric the alarm watches', () => {
        expect([...files.values()].some((code) => code.includes(SCEP_METRICS.auditFailed))).toBe(true);
      });

      it('is its own, not the ingest function’s', () => {
        // CDK caches bundles by their options; the entry must be part of them.
        expect(assetDir).not.toBe(assetDirectory(synthesized, synthesized.stack.jamf.ingestFunction));
      });
    });

    describe('the routes', () => {
      it('sends POST /scep-challenge to the function, authenticated by the function with the Jamf credentials', () => {
        expect(t.method('scep-challenge')).toMatchObject({
          HttpMethod: 'POST',
          AuthorizationType: 'NONE',
          Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
        });
        expect(JSON.stringify(t.method('scep-challenge'))).toContain(t.logicalId(t.scep.function));
      });

      it('sends POST /scep-challenge/verify to the same function, with no API key or authorizer', () => {
        const verify = t.method('verify');
        expect(verify).toMatchObject({ HttpMethod: 'POST', AuthorizationType: 'NONE', Integration: { Type: 'AWS_PROXY' } });
        expect(verify.ApiKeyRequired).toBeUndefined();
        expect(verify.AuthorizerId).toBeUndefined();
        expect(JSON.stringify(verify)).toContain(t.logicalId(t.scep.function));
      });

      it('nests verify under /scep-challenge, as the handler expects in event.resource', () => {
        const [parent] = Object.keys(
          t.template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: 'scep-challenge' } }),
        );
        t.template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'verify', ParentId: { Ref: parent } });
      });
    });

    describe('the used-challenges table', () => {
      it('is keyed by challengeId alone and expires items at expiresAt', () => {
        t.template.hasResourceProperties('AWS::DynamoDB::Table', {
          KeySchema: [{ AttributeName: 'challengeId', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'challengeId', AttributeType: 'S' }],
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        });
      });

      it('is billed per request, encrypted with the AWS managed key, with point-in-time recovery as Control Tower requires', () => {
        t.template.hasResource('AWS::DynamoDB::Table', {
          Properties: Match.objectLike({
            BillingMode: 'PAY_PER_REQUEST',
            SSESpecification: { SSEEnabled: true },
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
          DeletionPolicy: 'Delete',
        });
      });
    });

    describe('the secrets', () => {
      it('include a signing key generated by Secrets Manager in the shape the handler reads', () => {
        t.template.hasResourceProperties('AWS::SecretsManager::Secret', {
          GenerateSecretString: {
            SecretStringTemplate: '{}',
            GenerateStringKey: 'key',
            PasswordLength: 64,
            ExcludePunctuation: true,
          },
          SecretString: Match.absent(),
        });
      });

      it('include a placeholder for step-ca’s webhook secret that verifies nothing', () => {
        t.template.hasResourceProperties('AWS::SecretsManager::Secret', {
          SecretString: '{"secrets":[]}',
          GenerateSecretString: Match.absent(),
        });
      });

      it('are three in all, with the webhook credentials', () => {
        t.template.resourceCountIs('AWS::SecretsManager::Secret', 3);
      });
    });

    describe('the permissions', () => {
      it('let the function do exactly what it needs and nothing else', () => {
        const { jamf } = synthesized.stack;
        const statements = t.statements();
        expect(statements).toHaveLength(5);
        expect(statements).toEqual(
          expect.arrayContaining([
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: t.ref(t.scep.function.logGroup.logGroupArn),
            },
            { Effect: 'Allow', Action: 'events:PutEvents', Resource: t.ref(jamf.eventBus.eventBusArn) },
            {
              Effect: 'Allow',
              Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
              Resource: t.ref(jamf.deadLetterQueue.queueArn),
            },
            {
              Effect: 'Allow',
              Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
              Resource: expect.arrayContaining([
                t.ref(jamf.webhookAuthSecret.secretArn),
                t.ref(t.scep.signingKeySecret.secretArn),
                t.ref(t.scep.verifySecret.secretArn),
              ]),
            },
            { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: t.ref(t.scep.usedChallengesTable.tableArn) },
          ]),
        );
      });

      it('grant no DynamoDB action but PutItem, to no one', () => {
        const actions = Object.values(t.template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
          (policy.Properties as { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } }).PolicyDocument.Statement.flatMap(
            (statement) => statement.Action,
          ),
        );
        expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual(['dynamodb:PutItem']);
      });
    });

    describe('the alarms', () => {
      const atLeastOnce = {
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      };

      it.each(['Errors', 'Throttles'])('fire on SCEP function %s', (metricName) => {
        t.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          ...atLeastOnce,
          Namespace: 'AWS/Lambda',
          MetricName: metricName,
          Statistic: 'Sum',
          Dimensions: [{ Name: 'FunctionName', Value: t.ref(t.scep.function.functionName) }],
        });
      });

      it('fire when the p99 duration is over 1500 ms, close to Jamf Pro’s 2 s timeout', () => {
        t.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: 'Duration',
          ExtendedStatistic: 'p99',
          Period: 300,
          Threshold: 1500,
          ComparisonOperator: 'GreaterThanThreshold',
          Dimensions: [{ Name: 'FunctionName', Value: t.ref(t.scep.function.functionName) }],
        });
      });

      it('fire on a failed audit publish reported by the function’s embedded metrics', () => {
        t.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          ...atLeastOnce,
          Namespace: 'JamfEventBridge',
          MetricName: 'AuditFailed',
          Dimensions: [{ Name: 'Function', Value: 'scep' }],
          Statistic: 'Sum',
          Period: 300,
        });
      });

      it('leave dead letters to the alarms on the shared dead-letter queue', () => {
        t.template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'DeadLettered' }, 0);
        t.template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SQS' }, 2);
      });
    });

    describe('the outputs', () => {
      it('give the challenge URL for Jamf Pro and the verify URL for step-ca', () => {
        t.template.hasOutput('ScepChallengeUrl', {
          Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/scep-challenge$')])] },
        });
        t.template.hasOutput('ScepVerifyUrl', {
          Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/scep-challenge/verify$')])] },
        });
      });

      it('give the two secrets an admin has to handle', () => {
        t.template.hasOutput('ScepVerifySecretArn', { Value: t.ref(t.scep.verifySecret.secretArn) });
        t.template.hasOutput('ScepSigningKeySecretArn', { Value: t.ref(t.scep.signingKeySecret.secretArn) });
      });
    });
  });

  describe('when every SCEP setting is given with -c', () => {
    let t: ReturnType<typeof inspect>;
    beforeAll(() => {
      const app = newApp({
        context: {
          apiType: 'rest',
          scepSigningKeySecretArn: SIGNING_KEY_ARN,
          scepVerifySecretArn: VERIFY_SECRET_ARN,
          scepChallengeTtlSeconds: '900',
          scepAuditBudgetMs: '300',
          scepRequireDeviceMatch: 'true',
          scepMaxBodyBytes: '16384',
          scepUpstreamUrl: UPSTREAM_URL,
          scepUpstreamSecretArn: UPSTREAM_SECRET_ARN,
          scepUpstreamTimeoutMs: '1200',
          scepProvisionedConcurrency: '2',
        },
      });
      const stack = new JamfEventBridgeStack(app, 'JamfEventBridge', { settings: settingsFromContext(app.node) });
      t = inspect({ app, stack, template: Template.fromStack(stack) });
    });

    it('passes them to the function', () => {
      expect(t.environment()).toMatchObject({
        SCEP_SIGNING_KEY_SECRET_ID: SIGNING_KEY_ARN,
        SCEP_VERIFY_SECRET_ID: VERIFY_SECRET_ARN,
        SCEP_CHALLENGE_TTL_SECONDS: '900',
        SCEP_AUDIT_BUDGET_MS: '300',
        SCEP_REQUIRE_DEVICE_MATCH: 'true',
        MAX_BODY_BYTES: '16384',
        SCEP_UPSTREAM_URL: UPSTREAM_URL,
        SCEP_UPSTREAM_SECRET_ID: UPSTREAM_SECRET_ARN,
        SCEP_UPSTREAM_TIMEOUT_MS: '1200',
      });
    });

    it('creates no secret but the webhook credentials', () => {
      t.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    });

    it('lets the function read the four secrets', () => {
      const read = t.statements().find((statement) => JSON.stringify(statement.Action).includes('secretsmanager:GetSecretValue'));
      expect(read?.Resource).toEqual(
        expect.arrayContaining([
          SIGNING_KEY_ARN,
          VERIFY_SECRET_ARN,
          UPSTREAM_SECRET_ARN,
          t.ref(t.stack.jamf.webhookAuthSecret.secretArn),
        ]),
      );
      expect(read?.Resource).toHaveLength(4);
    });

    it('keeps two instances initialized behind an alias named live', () => {
      t.template.hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'live',
        FunctionName: { Ref: t.logicalId(t.scep.function) },
        FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('CurrentVersion'), 'Version'] },
        ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 },
      });
      t.template.resourceCountIs('AWS::Lambda::Version', 1);
    });

    it('prepares the issue path at init, which Lambda runs before a provisioned instance serves', () => {
      expect(t.environment()).toMatchObject({ SCEP_PREPARE_AT_INIT: 'true' });
    });

    it('points both routes at the alias', () => {
      const aliasId = t.logicalId(t.scep.alias);
      for (const pathPart of ['scep-challenge', 'verify']) {
        const uri = JSON.stringify((t.method(pathPart).Integration as { Uri: unknown }).Uri);
        expect(uri).toContain(`{"Ref":"${aliasId}"}`);
        expect(uri).not.toContain(t.logicalId(t.scep.function));
      }
    });
  });

  describe('when it is turned off', () => {
    let off: Template;
    beforeAll(() => {
      off = synthesize({ scepChallenge: false, apiType: 'rest' }).template;
    });

    it('has no table, SCEP secret, function, version or route', () => {
      off.resourceCountIs('AWS::DynamoDB::Table', 0);
      off.resourceCountIs('AWS::SecretsManager::Secret', 1);
      off.resourcePropertiesCountIs('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('SCEP') }, 0);
      off.resourceCountIs('AWS::Lambda::Alias', 0);
      off.resourceCountIs('AWS::ApiGateway::Method', 1);
      off.resourcePropertiesCountIs('AWS::ApiGateway::Resource', { PathPart: Match.stringLikeRegexp('scep|verify') }, 0);
    });

    it('has no SCEP alarm or output', () => {
      off.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: Match.stringLikeRegexp('Duration|AuditFailed') }, 0);
      off.resourceCountIs('AWS::CloudWatch::Alarm', 7);
      expect(Object.keys(off.findOutputs('*')).filter((key) => key.startsWith('Scep'))).toEqual([]);
    });
  });
});
