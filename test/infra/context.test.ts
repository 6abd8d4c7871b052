import { Match, Template } from 'aws-cdk-lib/assertions';
import { JamfEventBridgeStack } from '../../lib/jamf-eventbridge-stack';
import { SETTING_KEYS, settingsFromContext } from '../../lib/settings';
import { CDK_JSON_CONTEXT, newApp } from './synth';

const settingsFrom = (context: Record<string, unknown>) => settingsFromContext(newApp({ context }).node);

describe('settingsFromContext', () => {
  describe('when nothing is set', () => {
    it('returns no settings, so every default applies', () => {
      expect(settingsFrom({})).toEqual({});
    });

    it('ignores cdk.json’s feature flags and the CLI’s own keys', () => {
      expect(Object.keys(CDK_JSON_CONTEXT).length).toBeGreaterThan(10);
      expect(settingsFrom({ 'aws:cdk:enable-path-metadata': true, 'acknowledged-issue-numbers': [1] })).toEqual({});
    });
  });

  describe('when values come from the command line', () => {
    it('converts strings to booleans, numbers and lists', () => {
      expect(
        settingsFrom({
          eventSource: ' jamf.prod ',
          archive: 'FALSE',
          eventLog: 'true',
          archiveRetentionDays: '90',
          throttlingRateLimit: '12.5',
          allowedSourceCidrs: '192.0.2.0/24, 198.51.100.7/32,',
        }),
      ).toEqual({
        eventSource: 'jamf.prod',
        archive: false,
        eventLog: true,
        archiveRetentionDays: 90,
        throttlingRateLimit: 12.5,
        allowedSourceCidrs: ['192.0.2.0/24', '198.51.100.7/32'],
      });
    });

    it('reads a list given as a JSON array', () => {
      expect(settingsFrom({ allowedSourceCidrs: '["192.0.2.0/24","2001:db8::/32"]' })).toEqual({
        allowedSourceCidrs: ['192.0.2.0/24', '2001:db8::/32'],
      });
    });

    it('keeps an empty list empty, for the construct to reject', () => {
      expect(settingsFrom({ allowedSourceCidrs: '' })).toEqual({ allowedSourceCidrs: [] });
    });
  });

  describe('when values come from cdk.json', () => {
    it('takes booleans, numbers and arrays as they are', () => {
      expect(settingsFrom({ tracing: false, maxBodyBytes: 65536, allowedSourceCidrs: ['192.0.2.0/24'] })).toEqual({
        tracing: false,
        maxBodyBytes: 65536,
        allowedSourceCidrs: ['192.0.2.0/24'],
      });
    });
  });

  describe('when the SCEP challenge service is configured on the command line', () => {
    it('converts its strings to booleans and whole numbers', () => {
      expect(
        settingsFrom({
          scepChallenge: 'true',
          scepChallengeTtlSeconds: '900',
          scepAuditBudgetMs: '300',
          scepRequireDeviceMatch: 'TRUE',
          scepMaxBodyBytes: '16384',
          scepUpstreamUrl: ' https://ca.example.com/challenge ',
          scepUpstreamTimeoutMs: '1500',
          scepProvisionedConcurrency: '0',
        }),
      ).toEqual({
        scepChallenge: true,
        scepChallengeTtlSeconds: 900,
        scepAuditBudgetMs: 300,
        scepRequireDeviceMatch: true,
        scepMaxBodyBytes: 16384,
        scepUpstreamUrl: 'https://ca.example.com/challenge',
        scepUpstreamTimeoutMs: 1500,
        scepProvisionedConcurrency: 0,
      });
    });

    it('turns the service off with scepChallenge=false', () => {
      expect(settingsFrom({ scepChallenge: 'false' })).toEqual({ scepChallenge: false });
    });

    it('rejects a lifetime that is not whole seconds', () => {
      expect(() => settingsFrom({ scepChallengeTtlSeconds: '1h' })).toThrow(
        "Setting 'scepChallengeTtlSeconds' must be a whole number (e.g. -c scepChallengeTtlSeconds=30), got \"1h\".",
      );
    });
  });

  describe('when a value has the wrong type', () => {
    it.each([
      [{ archive: 'yes' }, "Setting 'archive' must be true or false (e.g. -c archive=false), got \"yes\"."],
      [{ logRetentionDays: '30d' }, "Setting 'logRetentionDays' must be a whole number (e.g. -c logRetentionDays=30), got \"30d\"."],
      [{ throttlingRateLimit: 'fast' }, "Setting 'throttlingRateLimit' must be a number (e.g. -c throttlingRateLimit=100), got \"fast\"."],
      [{ eventSource: '' }, "Setting 'eventSource' must be a non-empty string (e.g. -c eventSource=value), got \"\"."],
      [{ allowedSourceCidrs: '[1, 2]' }, /Setting 'allowedSourceCidrs' must be a comma-separated list or a JSON array of strings/],
    ])('rejects %j, naming the key and an example', (context, message) => {
      expect(() => settingsFrom(context)).toThrow(message);
    });
  });

  describe('when a key is misspelled', () => {
    it('rejects it rather than deploying the default', () => {
      expect(() => settingsFrom({ allowedSourceCIDRs: '192.0.2.0/24' })).toThrow(
        /Unknown setting 'allowedSourceCIDRs'. Did you mean 'allowedSourceCidrs'\? The settings are: eventSource, /,
      );
    });

    it('lists the settings when no key is close', () => {
      expect(() => settingsFrom({ colour: 'blue' })).toThrow(/Unknown setting 'colour'. Check the spelling; the settings are: eventSource, /);
    });
  });

  it('knows every setting: 37 for the webhooks, 11 for the SCEP challenge service', () => {
    expect(SETTING_KEYS).toHaveLength(48);
    expect(SETTING_KEYS.filter((key) => key.startsWith('scep'))).toHaveLength(11);
  });
});

describe('JamfEventBridgeStack', () => {
  describe('with logPublishedWebhooks', () => {
    it('has the ingest function log a line per published webhook', () => {
      const app = newApp({ context: { logPublishedWebhooks: 'true' } });
      const stack = new JamfEventBridgeStack(app, 'JamfEventBridge', { settings: settingsFromContext(app.node) });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('Receives Jamf Pro webhooks'),
        Environment: { Variables: Match.objectLike({ LOG_PUBLISHED_WEBHOOKS: 'true' }) },
      });
    });
  });

  describe('when settings are given with -c', () => {
    it('builds the template from them', () => {
      const app = newApp({ context: { eventSource: 'jamf.test', eventLog: 'false', allowedSourceCidrs: '192.0.2.0/24', apiType: 'rest' } });
      const stack = new JamfEventBridgeStack(app, 'JamfEventBridge', { settings: settingsFromContext(app.node) });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ EVENT_SOURCE: 'jamf.test' }) },
      });
      template.resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: Match.anyValue() }, 0);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('Receives Jamf Pro webhooks'),
        Environment: { Variables: Match.objectLike({ LOG_PUBLISHED_WEBHOOKS: 'false' }) },
      });
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Policy: Match.objectLike({
          Statement: Match.arrayWith([Match.objectLike({ Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24'] } } })]),
        }),
      });
    });
  });
});
