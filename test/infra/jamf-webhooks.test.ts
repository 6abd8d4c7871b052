/**
 * The deploy-time webhook registration (lib/jamf-webhooks.ts): off by default, on with a Jamf URL
 * and the API client's secret, and what its custom resource carries (never a secret's value).
 */
import { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { DEFAULT_EVENTS } from '../../lambda/jamf/registrar';
import { JAMF_WEBHOOKS_RESOURCE_TYPE } from '../../lib/jamf-webhooks';
import { InvalidSettingError, type JamfEventBridgeSettings } from '../../lib/settings';
import { synthesize, type Synthesized } from './synth';

const JAMF_URL = 'https://example.jamfcloud.com';
const API_CLIENT_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:jamf-api-AbCdEf';
const REGISTERED: JamfEventBridgeSettings = { jamfUrl: JAMF_URL, jamfApiClientSecretArn: API_CLIENT_SECRET_ARN };

function logicalId(synthesized: Synthesized, construct: IConstruct | undefined): string {
  const resource = construct?.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct?.node.path ?? 'undefined'} has no CloudFormation resource`);
  return synthesized.stack.resolve(resource.logicalId) as string;
}

/** The statements of the registrar function's role policy. */
function registrarStatements(synthesized: Synthesized): Array<Record<string, unknown>> {
  const fn = synthesized.stack.jamf.jamfWebhooks!.function;
  const policies = Object.values(
    synthesized.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(synthesized, fn.role) }] } }),
  );
  return policies.flatMap((p) => (p.Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } }).PolicyDocument.Statement);
}

describe('the webhooks registered at deploy time', () => {
  describe('by default', () => {
    it('are not: no custom resource and no registrar function', () => {
      const synthesized = synthesize();

      synthesized.template.resourceCountIs(JAMF_WEBHOOKS_RESOURCE_TYPE, 0);
      expect(synthesized.stack.jamf.jamfWebhooks).toBeUndefined();
    });
  });

  describe('with jamfUrl and jamfApiClientSecretArn', () => {
    let synthesized: Synthesized;
    beforeAll(() => {
      synthesized = synthesize(REGISTERED);
    });

    it('creates one custom resource with the URLs and the default choices', () => {
      synthesized.template.resourceCountIs(JAMF_WEBHOOKS_RESOURCE_TYPE, 1);
      synthesized.template.hasResourceProperties(JAMF_WEBHOOKS_RESOURCE_TYPE, {
        JamfUrl: JAMF_URL,
        ApiClientSecretArn: API_CLIENT_SECRET_ARN,
        WebhookAuthSecretArn: { Ref: logicalId(synthesized, synthesized.stack.jamf.webhookAuthSecret) },
        WebhookUrl: Match.anyValue(),
        ScepUrl: Match.anyValue(),
        Events: [...DEFAULT_EVENTS],
        Format: 'json',
        Auth: 'basic',
        SmartGroups: [],
      });
    });

    it('gives it the stack\'s webhook and SCEP URLs', () => {
      const [resource] = Object.values(synthesized.template.findResources(JAMF_WEBHOOKS_RESOURCE_TYPE));
      const properties = resource!.Properties as Record<string, unknown>;
      expect(properties.WebhookUrl).toEqual(synthesized.stack.resolve(synthesized.stack.jamf.webhookUrl));
      expect(properties.ScepUrl).toEqual(synthesized.stack.resolve(synthesized.stack.jamf.scepChallengeUrl));
    });

    it('carries no secret value: only the secrets\' ARNs', () => {
      const [resource] = Object.values(synthesized.template.findResources(JAMF_WEBHOOKS_RESOURCE_TYPE));
      expect(Object.keys(resource!.Properties as object).sort()).toEqual(
        ['ApiClientSecretArn', 'Auth', 'Events', 'Format', 'JamfUrl', 'ScepUrl', 'ServiceToken', 'SmartGroups', 'WebhookAuthSecretArn', 'WebhookUrl'],
      );
      expect(JSON.stringify(resource)).not.toMatch(/resolve:secretsmanager|SecretString|"clientSecret"|"password"/);
    });

    it('lets the registrar function read both secrets, and nothing else of Secrets Manager', () => {
      const reads = registrarStatements(synthesized).filter((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
      const resources = reads.flatMap((s) => (Array.isArray(s.Resource) ? (s.Resource as unknown[]) : [s.Resource]));
      expect(resources).toEqual(
        expect.arrayContaining([API_CLIENT_SECRET_ARN, { Ref: logicalId(synthesized, synthesized.stack.jamf.webhookAuthSecret) }]),
      );
      expect(resources).toHaveLength(2);
    });

    it('is created after the API and the functions it registers', () => {
      const [resource] = Object.values(synthesized.template.findResources(JAMF_WEBHOOKS_RESOURCE_TYPE));
      expect(resource!.DependsOn).toEqual(expect.arrayContaining([logicalId(synthesized, synthesized.stack.jamf.ingestFunction)]));
    });
  });

  describe('with every choice set', () => {
    it('passes the events, format, auth and smart groups as the resource\'s properties', () => {
      const synthesized = synthesize({
        ...REGISTERED,
        jamfWebhookEvents: ['ComputerAdded', 'MobileDeviceEnrolled'],
        jamfWebhookFormat: 'xml',
        jamfWebhookAuth: 'hmac',
        jamfSmartGroups: ['SmartGroupComputerMembershipChange:12'],
      });

      synthesized.template.hasResourceProperties(JAMF_WEBHOOKS_RESOURCE_TYPE, {
        Events: ['ComputerAdded', 'MobileDeviceEnrolled'],
        Format: 'xml',
        Auth: 'hmac',
        SmartGroups: ['SmartGroupComputerMembershipChange:12'],
      });
    });

    it('leaves SCEPChallenge\'s URL out without the SCEP service', () => {
      const synthesized = synthesize({ ...REGISTERED, scepChallenge: false });

      synthesized.template.hasResourceProperties(JAMF_WEBHOOKS_RESOURCE_TYPE, { ScepUrl: Match.absent() });
    });
  });

  describe('settings that cannot work', () => {
    it.each([
      [{ jamfUrl: JAMF_URL }, /^jamfUrl is set without jamfApiClientSecretArn/],
      [{ jamfApiClientSecretArn: API_CLIENT_SECRET_ARN }, /^jamfApiClientSecretArn is set without jamfUrl/],
      [{ jamfWebhookFormat: 'xml' }, /^jamfWebhookFormat is set without jamfUrl and jamfApiClientSecretArn/],
      [{ ...REGISTERED, jamfUrl: 'http://example.jamfcloud.com' }, /^jamfUrl "http:\/\/example.jamfcloud.com" is not an https URL/],
      [{ ...REGISTERED, jamfApiClientSecretArn: 'jamf-api' }, /^jamfApiClientSecretArn "jamf-api" is not the complete ARN/],
      [{ ...REGISTERED, jamfWebhookEvents: ['ComputerAdd'] }, /^jamfWebhookEvents: ComputerAdd is not a Jamf Pro webhook event/],
      [{ ...REGISTERED, jamfWebhookEvents: ['SmartGroupComputerMembershipChange'] }, /^jamfWebhookEvents lists SmartGroupComputerMembershipChange/],
      [{ ...REGISTERED, jamfSmartGroups: ['SmartGroupComputerMembershipChange'] }, /^jamfSmartGroups: "SmartGroupComputerMembershipChange" is not <SmartGroupEvent>:<id>/],
      [{ ...REGISTERED, jamfWebhookFormat: 'yaml' }, /^jamfWebhookFormat must be json or xml/],
      [{ ...REGISTERED, jamfWebhookAuth: 'none' }, /^jamfWebhookAuth must be basic, header or hmac/],
    ] as Array<[JamfEventBridgeSettings, RegExp]>)('refuses %j, naming the setting', (settings, message) => {
      let thrown: unknown;
      try {
        synthesize(settings);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidSettingError);
      expect((thrown as InvalidSettingError).problems.join('\n')).toMatch(message);
    });
  });
});
