import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Template, Match } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { JamfConsumerStack, type JamfConsumerStackProps } from '../../examples/consumer/stack';
import { JamfEventBridgeStack } from '../../lib/jamf-eventbridge-stack';
import { fixtureEnvelope } from '../support/envelopes';
import { newApp } from '../infra/synth';

function synthesize(props: JamfConsumerStackProps = {}, bundle = false) {
  const app = newApp({ bundle });
  const stack = new JamfConsumerStack(app, 'JamfConsumer', props);
  return { app, stack, template: Template.fromStack(stack) };
}

describe('the example consumer stack', () => {
  describe('by default', () => {
    let synthesized: ReturnType<typeof synthesize>;
    let stack: JamfConsumerStack;
    let template: Template;
    beforeAll(() => {
      synthesized = synthesize();
      ({ stack, template } = synthesized);
    });

    it('imports the bus and the source that the JamfEventBridge stack exports', () => {
      // Prepare: the names the publishing stack exports under.
      const exported = Object.values(Template.fromStack(new JamfEventBridgeStack(newApp(), 'JamfEventBridge')).findOutputs('*'))
        .map((output) => (output as { Export?: { Name: string } }).Export?.Name)
        .filter((name) => name !== undefined);
      const imported = new Set(JSON.stringify(template.toJSON()).match(/"Fn::ImportValue":"[^"]+"/g));

      // Assess
      expect([...imported].sort()).toEqual(exported.map((name) => `"Fn::ImportValue":"${name}"`).sort());
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.objectLike({ 'Fn::Select': [1, Match.anyValue()] }),
        EventPattern: {
          source: [{ 'Fn::ImportValue': 'JamfEventBridge-EventSource' }],
          'detail-type': ['jamf.ComputerPolicyFinished'],
          detail: { event: { successful: [false] } },
        },
      });
    });

    it("sends failed policies to the subscriber's PolicyFailed handler, keeping what it cannot deliver", () => {
      const fn = stack.resolve((stack.subscriber.node.defaultChild as lambda.CfnFunction).logicalId) as string;
      const queue = stack.resolve(stack.undelivered.queueArn) as unknown;
      template.hasResourceProperties('AWS::Events::Rule', {
        Targets: [
          {
            Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
            Id: 'Target0',
            DeadLetterConfig: { Arn: queue },
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
          },
        ],
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.PolicyFailed',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        DeadLetterConfig: { TargetArn: queue },
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
      });
    });

    it('passes the cdk-nag packs the publishing stack passes', () => {
      const { app } = synthesized;
      app.synth();
      const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
        pack.validateScope(app).violations.map((violation) => violation.ruleName),
      );
      expect(findings).toEqual([]);
    });
  });

  it('takes the bus ARN and the source as given, importing nothing', () => {
    const { template } = synthesize({
      eventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/jamf',
      eventSource: 'jamf.prod',
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'jamf',
      EventPattern: Match.objectLike({ source: ['jamf.prod'] }),
    });
  });

  it('bundles the subscriber offline with the local esbuild, into a module that handles a failed policy', () => {
    // Prepare
    const { app, template } = synthesize({}, true);
    const fn = template.findResources('AWS::Lambda::Function');
    const code = Object.values(fn)[0] as { Properties: { Code: { S3Key: string } } };
    const directory = path.join(app.synth().directory, `asset.${code.Properties.Code.S3Key.replace(/\.zip$/, '')}`);

    // Act: load it as Lambda's Node.js runtime would, and call the handler.
    const script =
      `const m = await import(${JSON.stringify(pathToFileURL(path.join(directory, 'index.mjs')).href)});` +
      'const result = await m.PolicyFailed(JSON.parse(process.env.EVENT));' +
      'process.stderr.write(JSON.stringify(result));';
    const run = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', EVENT: JSON.stringify(fixtureEnvelope('ComputerPolicyFinished', 'xml')) },
      encoding: 'utf8',
      timeout: 20_000,
    });

    // Assess
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stderr)).toMatchObject({ policyId: 58, serialNumber: 'G9N2KX4LQT' });
    expect(JSON.parse(run.stdout)).toMatchObject({ level: 'WARN', message: 'Policy failed', policyId: 58 });
  });
});
