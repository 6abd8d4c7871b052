/**
 * Several Jamf Pro instances in one deployment (`jamfInstances`): each named instance's routes,
 * credentials, outputs, what the functions are told, and its deploy-time registration.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { JamfEventBridge } from '../../lib/jamf-eventbridge';
import { JAMF_WEBHOOKS_RESOURCE_TYPE } from '../../lib/jamf-webhooks';
import { InvalidPropsError } from '../../lib/problems';
import { JamfEventBridgeStack } from '../../lib/jamf-eventbridge-stack';
import { InvalidSettingError, type JamfEventBridgeSettings, settingsFromContext } from '../../lib/settings';
import { newApp, synthesize, type Synthesized } from './synth';

const API_CLIENT_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:jamf-sandbox-api-AbCdEf';
const EU_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:jamf-eu-webhook-GhIjKl';

/** Two instances: one with its own source and deploy-time registration, one with an existing secret and no SCEP route. */
const TWO_INSTANCES: JamfEventBridgeSettings = {
  jamfInstances: [
    { name: 'sandbox', eventSource: 'jamf.sandbox', jamfUrl: 'https://sandbox.jamfcloud.com', jamfApiClientSecretArn: API_CLIENT_SECRET_ARN },
    { name: 'eu-2', webhookAuthSecretArn: EU_SECRET_ARN, scepChallenge: false },
  ],
};

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const resources = (synthesized: Synthesized): Resources => synthesized.template.toJSON().Resources as Resources;
const logicalIdOf = (synthesized: Synthesized, construct: { node: { defaultChild?: unknown } }): string =>
  synthesized.stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;

/** The `WEBHOOK_INSTANCES` a function gets, resolved: instance -> { webhookAuthSecretId, eventSource? }. */
function instancesVariable(synthesized: Synthesized, fn: { node: { defaultChild?: unknown } }): unknown {
  const variables = (resources(synthesized)[logicalIdOf(synthesized, fn)]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const value = variables.WEBHOOK_INSTANCES;
  if (value === undefined) return undefined;
  // Fn::Join of text and Refs: the Refs stand for the secrets' ARNs.
  const [, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`)).join(''));
}

describe('two Jamf Pro instances', () => {
  describe.each(['http', 'rest'] as const)('with apiType %s', (apiType) => {
    let synthesized: Synthesized;
    beforeAll(() => {
      synthesized = synthesize({ ...TWO_INSTANCES, apiType });
    });

    it('routes /webhooks/<name> to the ingest function and /scep-challenge/<name> to the SCEP function, beside the default routes', () => {
      const { template } = synthesized;
      if (apiType === 'http') {
        for (const routeKey of ['POST /webhooks', 'POST /webhooks/sandbox', 'POST /webhooks/eu-2', 'POST /scep-challenge', 'POST /scep-challenge/sandbox', 'POST /scep-challenge/verify']) {
          template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
        }
        template.resourceCountIs('AWS::ApiGatewayV2::Route', 6);
      } else {
        const paths = Object.values(resources(synthesized))
          .filter((resource) => resource.Type === 'AWS::ApiGateway::Resource')
          .map((resource) => resource.Properties.PathPart)
          .sort();
        expect(paths).toEqual(['eu-2', 'sandbox', 'sandbox', 'scep-challenge', 'verify', 'webhooks']);
        template.resourceCountIs('AWS::ApiGateway::Method', 6);
      }
    });

    it('outputs each instance\'s URLs, secret and source, under IDs derived from its name', () => {
      const { template, stack } = synthesized;
      const [sandbox, eu] = stack.jamf.instances;
      template.hasOutput('InstanceSandboxWebhookUrl', { Value: stack.resolve(sandbox!.webhookUrl) });
      template.hasOutput('InstanceSandboxScepChallengeUrl', { Value: stack.resolve(sandbox!.scepChallengeUrl) });
      template.hasOutput('InstanceSandboxWebhookAuthSecretArn', { Value: { Ref: logicalIdOf(synthesized, sandbox!.webhookAuthSecret) } });
      template.hasOutput('InstanceSandboxEventSource', { Value: 'jamf.sandbox' });
      template.hasOutput('InstanceEu2WebhookUrl', { Value: stack.resolve(eu!.webhookUrl) });
      template.hasOutput('InstanceEu2WebhookAuthSecretArn', { Value: EU_SECRET_ARN });
      template.hasOutput('InstanceEu2EventSource', { Value: 'jamf.pro' });
      expect(Object.keys(template.toJSON().Outputs as object)).not.toContain('InstanceEu2ScepChallengeUrl');
      expect(JSON.stringify(stack.resolve(sandbox!.webhookUrl))).toMatch(/\/webhooks\/sandbox"\]\]\}$/);
      expect(JSON.stringify(stack.resolve(sandbox!.scepChallengeUrl))).toMatch(/\/scep-challenge\/sandbox"\]\]\}$/);
    });
  });

  describe('(the resources)', () => {
    let synthesized: Synthesized;
    beforeAll(() => {
      synthesized = synthesize(TWO_INSTANCES);
    });

    it('generates credentials for an instance without a secret, as for the default one, and none for one with', () => {
      const generated = Object.values(resources(synthesized)).filter(
        (resource) => resource.Type === 'AWS::SecretsManager::Secret' && JSON.stringify(resource.Properties).includes('"GenerateStringKey":"password"'),
      );
      expect(generated.map((secret) => secret.Properties.Description).sort()).toEqual([
        'Credentials Jamf Pro instance sandbox sends with each webhook (HTTP Basic)',
        'Credentials Jamf Pro sends with each webhook (HTTP Basic)',
      ]);
      expect(logicalIdOf(synthesized, synthesized.stack.jamf.instances[0]!.webhookAuthSecret)).toMatch(/^JamfEventBridgeInstanceSandboxWebhookAuthSecret[0-9A-F]{8}$/);
    });

    it("tells the ingest and redrive functions every instance's secret and own source, and the SCEP function those with a SCEP route", () => {
      const { jamf } = synthesized.stack;
      const sandboxSecret = `<${logicalIdOf(synthesized, jamf.instances[0]!.webhookAuthSecret)}>`;
      const both = { sandbox: { webhookAuthSecretId: sandboxSecret, eventSource: 'jamf.sandbox' }, 'eu-2': { webhookAuthSecretId: EU_SECRET_ARN } };
      expect(instancesVariable(synthesized, jamf.ingestFunction)).toEqual(both);
      expect(instancesVariable(synthesized, jamf.redriveFunction)).toEqual(both);
      expect(instancesVariable(synthesized, jamf.scep!.function)).toEqual({ sandbox: both.sandbox });
    });

    it("lets each function read the instances' secrets it is told, and only the SCEP function's own", () => {
      const reads = (fn: { role?: { node: { defaultChild?: unknown } } }) =>
        Object.values(synthesized.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalIdOf(synthesized, fn.role!) }] } }))
          .flatMap((policy) => (policy.Properties as { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } }).PolicyDocument.Statement)
          .filter((statement) => JSON.stringify(statement.Action).includes('secretsmanager:GetSecretValue'))
          .flatMap((statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]))
          .map((resource) => JSON.stringify(resource));
      const { jamf } = synthesized.stack;
      const sandboxRef = JSON.stringify({ Ref: logicalIdOf(synthesized, jamf.instances[0]!.webhookAuthSecret) });
      for (const fn of [jamf.ingestFunction, jamf.redriveFunction]) {
        expect(reads(fn)).toEqual(expect.arrayContaining([sandboxRef, JSON.stringify(EU_SECRET_ARN)]));
      }
      expect(reads(jamf.scep!.function)).toContain(sandboxRef);
      expect(reads(jamf.scep!.function)).not.toContain(JSON.stringify(EU_SECRET_ARN));
    });

    it('registers the webhooks of an instance with a Jamf URL in its Jamf Pro, with its URLs and credentials', () => {
      const { template, stack } = synthesized;
      const sandbox = stack.jamf.instances[0]!;
      template.resourceCountIs(JAMF_WEBHOOKS_RESOURCE_TYPE, 1);
      template.hasResourceProperties(JAMF_WEBHOOKS_RESOURCE_TYPE, {
        JamfUrl: 'https://sandbox.jamfcloud.com',
        ApiClientSecretArn: API_CLIENT_SECRET_ARN,
        WebhookAuthSecretArn: { Ref: logicalIdOf(synthesized, sandbox.webhookAuthSecret) },
        WebhookUrl: stack.resolve(sandbox.webhookUrl),
        ScepUrl: stack.resolve(sandbox.scepChallengeUrl),
      });
      const [id] = Object.keys(template.findResources(JAMF_WEBHOOKS_RESOURCE_TYPE));
      expect(id).toMatch(/^JamfEventBridgeInstanceSandboxJamfWebhooks/);
    });

    it('archives and logs the events of every source', () => {
      const pattern = { source: ['jamf.pro', 'jamf.sandbox'] };
      synthesized.template.hasResourceProperties('AWS::Events::Archive', { EventPattern: pattern });
      const withLog = synthesize({ ...TWO_INSTANCES, eventLog: true });
      withLog.template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike(pattern) });
    });
  });

  describe('from the command line', () => {
    it('takes the names alone (-c jamfInstances=sandbox,eu-2)', () => {
      const app = newApp({ context: { jamfInstances: 'sandbox,eu-2' } });
      const stack = new JamfEventBridgeStack(app, 'JamfEventBridge', { settings: settingsFromContext(app.node) });

      expect(stack.jamf.instances.map((instance) => [instance.name, instance.eventSource])).toEqual([
        ['sandbox', 'jamf.pro'],
        ['eu-2', 'jamf.pro'],
      ]);
    });
  });

  describe('when the settings cannot work', () => {
    it.each([
      [{ jamfInstances: [{ name: 'sandbox', scepChallenge: true }], scepChallenge: false }, /jamfInstances\[sandbox\]\.scepChallenge is true, but scepChallenge is false/],
      [{ jamfInstances: [{ name: 'sandbox', jamfUrl: 'https://sandbox.jamfcloud.com' }] }, /jamfInstances\[sandbox\]: jamfUrl is set without jamfApiClientSecretArn/],
      [{ jamfInstances: [{ name: 'sandbox', webhookAuthSecretArn: 'jamf-sandbox' }] }, /jamfInstances\[sandbox\]: webhookAuthSecretArn "jamf-sandbox" is not the complete ARN/],
      [{ jamfInstances: [{ name: 'sandbox', eventSource: 'aws.jamf' }] }, /jamfInstances\[sandbox\]\.eventSource "aws.jamf"/],
    ] as Array<[JamfEventBridgeSettings, RegExp]>)('refuses %j at synth, naming the setting', (settings, message) => {
      expect(() => synthesize(settings)).toThrow(InvalidSettingError);
      expect(() => synthesize(settings)).toThrow(message);
    });

    it('refuses names the routes cannot have in the construct too', () => {
      const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
      expect(() => new JamfEventBridge(stack, 'Jamf', { instances: [{ name: 'verify' }, { name: 'a b' }] })).toThrow(InvalidPropsError);
      expect(() => new JamfEventBridge(stack, 'Jamf2', { instances: [{ name: 'verify' }] })).toThrow(/instances: "verify" cannot name an instance/);
    });
  });
});
