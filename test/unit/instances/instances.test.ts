/**
 * The named Jamf Pro instances as the contract has them: names, routes, the setting
 * `jamfInstances` and the variable `WEBHOOK_INSTANCES` the functions read.
 */
import {
  instanceIdPart,
  instanceNameProblems,
  instanceRoute,
  InvalidSettingError,
  MAX_JAMF_INSTANCES,
  parseSettings,
} from '../../../lambda/contract';
import { ConfigurationError } from '../../../lambda/shared/env';
import { NotFoundError } from '../../../lambda/shared/errors';
import { readInstances, requestTarget } from '../../../lambda/shared/instances';

describe('an instance name', () => {
  it.each(['sandbox', 'eu-2', 'a', '0', 'x'.repeat(32)])('may be %s', (name) => {
    expect(instanceNameProblems([name])).toEqual([]);
  });

  it.each(['Sandbox', 'eu_2', '-a', 'a-', 'a--b', 'a/b', '', 'x'.repeat(33), 'verify', 'webhooks', 'scep-challenge'])('may not be %j', (name) => {
    expect(instanceNameProblems([name])).toHaveLength(1);
  });

  it.each(['sandbox', 'eu-2', 'scep', 'webhook', 'challenge'])('that is allowed routes to its own instance: %s', (name) => {
    expect(instanceRoute(`/v1/webhooks/${name}`)).toEqual({ kind: 'webhooks', instance: name });
    expect(instanceRoute(`/scep-challenge/${name}`)).toEqual({ kind: 'scep-challenge', instance: name });
  });

  it('is unique, including the part of the IDs it becomes', () => {
    expect(instanceNameProblems(['sandbox', 'sandbox'])).toEqual([expect.stringMatching(/names "sandbox" twice/)]);
    expect(instanceNameProblems(['a-1', 'a1'])).toEqual([expect.stringMatching(/"a-1" and "a1" would have the same output names/)]);
  });

  it(`counts at most ${MAX_JAMF_INSTANCES}`, () => {
    const names = Array.from({ length: MAX_JAMF_INSTANCES + 1 }, (_, i) => `i${i}`);
    expect(instanceNameProblems(names)).toEqual([expect.stringMatching(/lists 11; at most 10/)]);
  });

  it('becomes a PascalCase part of construct and output IDs', () => {
    expect(instanceIdPart('sandbox-eu-2')).toBe('SandboxEu2');
  });
});

describe('the route of a request', () => {
  it.each([
    ['/webhooks', { kind: 'webhooks', instance: undefined }],
    ['/v1/webhooks', { kind: 'webhooks', instance: undefined }],
    ['/webhooks/sandbox', { kind: 'webhooks', instance: 'sandbox' }],
    ['/v1/webhooks/sandbox', { kind: 'webhooks', instance: 'sandbox' }],
    ['/scep-challenge', { kind: 'scep-challenge', instance: undefined }],
    ['/scep-challenge/sandbox', { kind: 'scep-challenge', instance: 'sandbox' }],
    ['/scep-challenge/verify', { kind: 'scep-verify' }],
    ['/v1/scep-challenge/verify', { kind: 'scep-verify' }],
    ['/other', undefined],
    ['/webhooks/', undefined],
    ['/webhooks/a/b', undefined],
  ])('%s is %j', (path, route) => {
    expect(instanceRoute(path)).toEqual(route);
  });
});

describe('the setting jamfInstances', () => {
  it('takes a JSON array of instances with settings of their own', () => {
    const settings = parseSettings({
      jamfInstances: '[{"name":"sandbox","eventSource":"jamf.sandbox","scepChallenge":"false","jamfWebhookEvents":"ComputerAdded,ComputerCheckIn"}]',
    });

    expect(settings.jamfInstances).toEqual([
      { name: 'sandbox', eventSource: 'jamf.sandbox', scepChallenge: false, jamfWebhookEvents: ['ComputerAdded', 'ComputerCheckIn'] },
    ]);
  });

  it('takes an array from cdk.json, names alone among them', () => {
    expect(parseSettings({ jamfInstances: ['sandbox', { name: 'eu-2' }] }).jamfInstances).toEqual([{ name: 'sandbox' }, { name: 'eu-2' }]);
  });

  it('takes a comma-separated list of names from the command line', () => {
    expect(parseSettings({ jamfInstances: 'sandbox, eu-2' }).jamfInstances).toEqual([{ name: 'sandbox' }, { name: 'eu-2' }]);
  });

  it.each([
    ['[{"name":"sandbox"', /is not a JSON array/],
    ['{"name":"sandbox"}', /must be a JSON array of instances/],
    [[{ eventSource: 'x' }], /jamfInstances\[0\] must be a name or an object with a "name"/],
    [[{ name: 'sandbox', evenSource: 'x' }], /jamfInstances\[sandbox\]\.evenSource is not a setting an instance can have/],
    [[{ name: 'sandbox', alarmEmail: 'x' }], /alarmEmail is not a setting an instance can have/],
    [[{ name: 'sandbox', scepChallenge: 'maybe' }], /Setting 'jamfInstances\[sandbox\]\.scepChallenge' must be true or false/],
    ['Sandbox', /"Sandbox" is not an instance name/],
    ['sandbox,sandbox', /names "sandbox" twice/],
    ['verify', /step-ca's route/],
  ])('refuses %j, naming the key', (value, message) => {
    expect(() => parseSettings({ jamfInstances: value })).toThrow(InvalidSettingError);
    expect(() => parseSettings({ jamfInstances: value })).toThrow(message);
  });

  it('says every problem at once', () => {
    const error = (() => {
      try {
        parseSettings({ jamfInstances: [{ name: 'A' }, { name: 'b', tracing: true }] });
      } catch (caught) {
        return caught as InvalidSettingError;
      }
      throw new Error('not refused');
    })();
    expect(error.problems).toHaveLength(2);
  });
});

describe('WEBHOOK_INSTANCES', () => {
  it('is read into each instance\'s secret and source', () => {
    const instances = readInstances({
      WEBHOOK_INSTANCES: JSON.stringify({ sandbox: { webhookAuthSecretId: 'arn:sandbox', eventSource: 'jamf.sandbox' }, eu: { webhookAuthSecretId: 'arn:eu' } }),
    });

    expect([...instances]).toEqual([
      ['sandbox', { webhookAuthSecretId: 'arn:sandbox', eventSource: 'jamf.sandbox' }],
      ['eu', { webhookAuthSecretId: 'arn:eu' }],
    ]);
  });

  it('is none when unset', () => {
    expect(readInstances({}).size).toBe(0);
  });

  it.each([
    ['[]', /must be a JSON object/],
    ['{', /must be a JSON object/],
    ['{"Sandbox":{"webhookAuthSecretId":"x"}}', /"Sandbox", which is not an instance name/],
    ['{"sandbox":{}}', /gives instance "sandbox" no webhookAuthSecretId/],
    ['{"sandbox":{"webhookAuthSecretId":"x","eventSource":1}}', /eventSource that is not text/],
  ])('refuses %s, naming the variable', (text, message) => {
    expect(() => readInstances({ WEBHOOK_INSTANCES: text })).toThrow(ConfigurationError);
    expect(() => readInstances({ WEBHOOK_INSTANCES: text })).toThrow(message);
  });
});

describe('the target of a request', () => {
  const instances = readInstances({ WEBHOOK_INSTANCES: '{"sandbox":{"webhookAuthSecretId":"s","eventSource":"jamf.sandbox"},"eu":{"webhookAuthSecretId":"e"}}' });

  it('is the stack\'s source, unnamed, for the default instance', () => {
    expect(requestTarget(instances, 'jamf.pro', undefined)).toEqual({ eventSource: 'jamf.pro' });
  });

  it('is the instance\'s source, or the stack\'s, and its name, for a named instance', () => {
    expect(requestTarget(instances, 'jamf.pro', 'sandbox')).toEqual({ eventSource: 'jamf.sandbox', instance: 'sandbox' });
    expect(requestTarget(instances, 'jamf.pro', 'eu')).toEqual({ eventSource: 'jamf.pro', instance: 'eu' });
  });

  it('is a 404 for an instance not served', () => {
    expect(() => requestTarget(instances, 'jamf.pro', 'test')).toThrow(NotFoundError);
    expect(() => requestTarget(instances, 'jamf.pro', 'test')).toThrow('No Jamf Pro instance "test" is served here');
    expect(() => requestTarget(instances, 'jamf.pro', '<script>')).toThrow('No Jamf Pro instance is served here');
  });
});
