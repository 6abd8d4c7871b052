import { readIngestConfig } from '../../../lambda/ingest/config';
import { readScepConfig } from '../../../lambda/scep/config';
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PUBLISH_BUDGET_MS,
  DEFAULT_SCEP_AUDIT_BUDGET_MS,
  DEFAULT_SCEP_CHALLENGE_TTL_SECONDS,
  DEFAULT_SCEP_MAX_BODY_BYTES,
  DEFAULT_THROTTLING_BURST_LIMIT,
  DEFAULT_THROTTLING_RATE_LIMIT,
  InvalidSettingError,
  type JamfEventBridgeSettings,
} from '../../../lambda/contract';
import {
  awsOnlySettings,
  contextArguments,
  functionEnvironments,
  LOCAL_SETTING_KEYS,
  localStackOptions,
  localThrottle,
  readJamfInstancesVariable,
  readLocalRuntimeVariables,
  readLocalSettings,
  type LocalResources,
  type LocalSettingKey,
} from '../../../lambda/local/settings';

const RESOURCES: LocalResources = {
  deadLetterQueueUrl: 'http://127.0.0.1:1/000000000000/dlq',
  webhookAuthSecretId: 'auth',
  scepSigningKeySecretId: 'key',
  scepVerifySecretId: 'verify',
  scepUsedChallengesTable: 'used',
};

/** What each function's own configuration reader makes of the settings, through options and environment. */
function configsFor(settings: JamfEventBridgeSettings) {
  const env = functionEnvironments(localStackOptions(settings), RESOURCES, {});
  return { ingest: readIngestConfig(env.ingest), scep: readScepConfig(env.scep), env };
}

/** Each setting the local runtime honours, a value other than its default, and where the handler shows it. */
const CASES: Record<Exclude<LocalSettingKey, 'scepChallenge'>, { settings: JamfEventBridgeSettings; check: (c: ReturnType<typeof configsFor>) => void }> = {
  eventSource: {
    settings: { eventSource: 'jamf.test' },
    check: (c) => expect([c.ingest.eventSource, c.scep.eventSource]).toEqual(['jamf.test', 'jamf.test']),
  },
  eventBusName: {
    settings: { eventBusName: 'my-bus' },
    check: (c) => expect([c.ingest.eventBusName, c.scep.eventBusName]).toEqual(['my-bus', 'my-bus']),
  },
  apiType: {
    settings: { apiType: 'rest' },
    // Not the handlers' configuration: the shape of the event the local runtime hands them.
    check: () => expect(localStackOptions({ apiType: 'rest' })).toMatchObject({ apiType: 'rest' }),
  },
  throttlingRateLimit: {
    settings: { throttlingRateLimit: 20 },
    // Not the handlers' configuration: API Gateway's throttle, which the local runtime plays.
    check: () => expect(localThrottle({ throttlingRateLimit: 20 })).toEqual({ rateLimit: 20, burstLimit: DEFAULT_THROTTLING_BURST_LIMIT }),
  },
  throttlingBurstLimit: {
    settings: { throttlingBurstLimit: 7 },
    check: () => expect(localThrottle({ throttlingBurstLimit: 7 })).toEqual({ rateLimit: DEFAULT_THROTTLING_RATE_LIMIT, burstLimit: 7 }),
  },
  maxBodyBytes: {
    settings: { maxBodyBytes: 1000 },
    // The SCEP function has its own limit, though both read MAX_BODY_BYTES.
    check: (c) => expect([c.ingest.maxBodyBytes, c.scep.maxBodyBytes]).toEqual([1000, DEFAULT_SCEP_MAX_BODY_BYTES]),
  },
  publishBudgetMs: { settings: { publishBudgetMs: 900 }, check: (c) => expect(c.ingest.publishBudgetMs).toBe(900) },
  scepChallengeTtlSeconds: {
    settings: { scepChallengeTtlSeconds: 600 },
    check: (c) => expect(c.scep.challengeTtlSeconds).toBe(600),
  },
  scepAuditBudgetMs: { settings: { scepAuditBudgetMs: 300 }, check: (c) => expect(c.scep.auditBudgetMs).toBe(300) },
  scepRequireDeviceMatch: {
    settings: { scepRequireDeviceMatch: true },
    check: (c) => expect(c.scep.requireDeviceMatch).toBe(true),
  },
  scepMaxBodyBytes: {
    settings: { scepMaxBodyBytes: 2048 },
    check: (c) => expect([c.scep.maxBodyBytes, c.ingest.maxBodyBytes]).toEqual([2048, DEFAULT_MAX_BODY_BYTES]),
  },
  scepUpstreamUrl: {
    settings: { scepUpstreamUrl: 'http://127.0.0.1:9/challenge' },
    check: (c) => expect(c.scep.upstream).toMatchObject({ url: 'http://127.0.0.1:9/challenge', timeoutMs: 1000 }),
  },
  scepUpstreamTimeoutMs: {
    settings: { scepUpstreamUrl: 'http://127.0.0.1:9/challenge', scepUpstreamTimeoutMs: 700 },
    check: (c) => expect(c.scep.upstream?.timeoutMs).toBe(700),
  },
  scepProvisionedConcurrency: {
    settings: { scepProvisionedConcurrency: 2 },
    check: (c) => expect(c.scep.prepareAtInit).toBe(true),
  },
  jamfInstances: {
    settings: { jamfInstances: [{ name: 'sandbox', eventSource: 'jamf.sandbox' }, { name: 'eu', scepChallenge: false }] },
    check: (c) => {
      expect([...c.ingest.instances!]).toEqual([
        ['sandbox', { webhookAuthSecretId: 'auth/sandbox', eventSource: 'jamf.sandbox' }],
        ['eu', { webhookAuthSecretId: 'auth/eu' }],
      ]);
      // Only the instances with a SCEP route.
      expect([...c.scep.instances!.keys()]).toEqual(['sandbox']);
    },
  },
};

describe('the settings in the local runtime', () => {
  it('has a case below for every setting of scope both', () => {
    expect([...Object.keys(CASES), 'scepChallenge'].sort()).toEqual([...LOCAL_SETTING_KEYS].sort());
  });

  it.each(Object.entries(CASES))('%s reaches the variable the handler reads', (_key, { settings, check }) => {
    check(configsFor(settings));
  });

  it('gives the handlers the defaults a deployment has', () => {
    const { ingest, scep } = configsFor({});
    expect(ingest).toMatchObject({
      eventBusName: 'jamf-eventbridge',
      eventSource: 'jamf.pro',
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      publishBudgetMs: DEFAULT_PUBLISH_BUDGET_MS,
    });
    expect(scep).toMatchObject({
      maxBodyBytes: 64 * 1024,
      challengeTtlSeconds: DEFAULT_SCEP_CHALLENGE_TTL_SECONDS,
      auditBudgetMs: DEFAULT_SCEP_AUDIT_BUDGET_MS,
      requireDeviceMatch: false,
      upstream: undefined,
      prepareAtInit: false,
    });
  });

  it("throttles as a deployment's stage does unless LOCAL_THROTTLE=off", () => {
    expect(localThrottle({}, readLocalRuntimeVariables({}))).toEqual({
      rateLimit: DEFAULT_THROTTLING_RATE_LIMIT,
      burstLimit: DEFAULT_THROTTLING_BURST_LIMIT,
    });
    expect(localThrottle({ throttlingRateLimit: 20 }, readLocalRuntimeVariables({ LOCAL_THROTTLE: 'on' }))).toMatchObject({ rateLimit: 20 });
    expect(localThrottle({ throttlingRateLimit: 20 }, readLocalRuntimeVariables({ LOCAL_THROTTLE: ' OFF ' }))).toBeUndefined();
    expect(() => readLocalRuntimeVariables({ LOCAL_THROTTLE: 'no' })).toThrow(/LOCAL_THROTTLE must be on or off, got "no"/);
    expect(() => readLocalSettings({}, { throttlingRateLimit: '0' }, {})).toThrow(/Setting 'throttlingRateLimit' must be a number of requests per second above 0/);
  });

  it('turns the SCEP service off with scepChallenge=false, and refuses scep settings with it', () => {
    expect(localStackOptions(readLocalSettings({}, { scepChallenge: 'false' }, {}))).toEqual({ scepChallenge: false });
    expect(() => readLocalSettings({}, { scepChallenge: 'false', scepChallengeTtlSeconds: '60' }, {})).toThrow(
      /scepChallenge is false, but scepChallengeTtlSeconds is set/,
    );
  });

  it('reads cdk.json context, then EVENT_SOURCE and SCEP_UPSTREAM_URL, then -c, each over the one before', () => {
    const context = { eventSource: 'from.cdk', scepChallengeTtlSeconds: 120, '@aws-cdk/core:flag': true, 'cli-telemetry': false };
    expect(readLocalSettings(context, {}, {})).toEqual({ eventSource: 'from.cdk', scepChallengeTtlSeconds: 120 });
    expect(readLocalSettings(context, {}, { EVENT_SOURCE: 'from.env' }).eventSource).toBe('from.env');
    expect(readLocalSettings(context, { eventSource: 'from.cli' }, { EVENT_SOURCE: 'from.env' }).eventSource).toBe('from.cli');
    expect(readLocalSettings({}, {}, { SCEP_UPSTREAM_URL: 'http://127.0.0.1:9/c' }).scepUpstreamUrl).toBe('http://127.0.0.1:9/c');
  });

  it.each([
    [{ scepChallengeTtlSeconds: 'soon' }, /Setting 'scepChallengeTtlSeconds' must be a whole number/],
    [{ scepChallengeTtlSeconds: '0' }, /Setting 'scepChallengeTtlSeconds' must be an integer from 1 to 604800/],
    [{ scepAuditBudgetMs: '1600' }, /Setting 'scepAuditBudgetMs' must be an integer from 1 to 1500/],
    [{ publishBudgetMs: '0' }, /Setting 'publishBudgetMs' must be/],
    [{ maxBodyBytes: '999999999' }, /Setting 'maxBodyBytes' must be a whole number from 1 to 4694016/],
    [{ scepUpstreamUrl: 'http://127.0.0.1:9/c', scepUpstreamTimeoutMs: '1500' }, /scepUpstreamTimeoutMs plus scepAuditBudgetMs/],
    [{ scepUpstreamTimeoutMs: '500' }, /without scepUpstreamUrl/],
    [{ evenSource: 'x' }, /Unknown setting 'evenSource'/],
    [{ jamfInstances: '[{"name":"sandbox","eventSource":"aws.x"}]' }, /Setting 'jamfInstances\[sandbox\]\.eventSource' "aws.x" starts with "aws."/],
    [{ scepChallenge: 'false', jamfInstances: '[{"name":"sandbox","scepChallenge":true}]' }, /gives sandbox scepChallenge true/],
  ])('refuses %j, naming the key', (commandLine, message) => {
    expect(() => readLocalSettings({}, commandLine, {})).toThrow(InvalidSettingError);
    expect(() => readLocalSettings({}, commandLine, {})).toThrow(message);
  });

  it('lists the settings given that only a deployment has', () => {
    expect(awsOnlySettings(readLocalSettings({ archive: false }, { tracing: 'true', eventSource: 'a.b' }, {}))).toEqual([
      'archive',
      'tracing',
    ]);
  });

  it('reads -c key=value, --context key=value and --context=key=value as the cdk CLI does', () => {
    expect(contextArguments(['-c', 'a=1', '--json', '--context', 'b=x=y', '--context=c=3'])).toEqual({
      context: { a: '1', b: 'x=y', c: '3' },
      rest: ['--json'],
    });
    expect(() => contextArguments(['-c'])).toThrow(/needs key=value/);
    expect(() => contextArguments(['-c', 'novalue'])).toThrow(/needs key=value/);
  });
});

describe('JAMF_INSTANCES', () => {
  const document = { basic: [{ username: 'jamf', password: 'instance-password-1' }] };

  it('gives each instance its checked credentials document, as text', () => {
    const read = readJamfInstancesVariable(JSON.stringify({ sandbox: { auth: document }, 'eu-2': { auth: JSON.stringify(document) } }));
    expect([...read.keys()]).toEqual(['sandbox', 'eu-2']);
    expect(JSON.parse(read.get('sandbox')!)).toEqual(document);
    expect(read.get('eu-2')).toBe(JSON.stringify(document));
  });

  it('is empty when unset', () => {
    expect(readJamfInstancesVariable(undefined).size).toBe(0);
    expect(readJamfInstancesVariable('  ').size).toBe(0);
  });

  it.each([
    ['not JSON', '{sandbox', /JAMF_INSTANCES must be a JSON object/],
    ['a list', '[]', /JAMF_INSTANCES must be a JSON object/],
    ['an entry without auth', '{"sandbox": {"password": "instance-password-1"}}', /JAMF_INSTANCES\.sandbox must be \{"auth"/],
    ['an invalid document', '{"sandbox": {"auth": {"basic": "instance-password-1"}}}', /JAMF_INSTANCES\.sandbox\.auth: the credentials document is invalid/],
  ])('refuses %s, naming the variable and never a value', (_what, text, message) => {
    const error = (() => {
      try {
        readJamfInstancesVariable(text);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('instance-password-1');
  });
});
