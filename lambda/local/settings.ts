/**
 * The deployment settings (lambda/contract/settings.ts) in the local runtime: the
 * one place that says what each setting of scope `both` becomes locally, from
 * setting to `startLocalRuntime` option to the environment variable the handler
 * reads, with the defaults a deployment has.
 *
 * `npm start` reads the settings from the same places `cdk deploy` does: cdk.json's
 * `context` block, then `-c key=value` / `--context key=value` arguments.
 */
import { parseCredentialsDocument } from '../auth/credentials';
import { readIngestConfig } from '../ingest/config';
import { readScepConfig } from '../scep/config';
import { ConfigurationError, type Env } from '../shared/env';
import { checkEndpointUrl } from './endpoint-url';
import { parseFaultDocument, type FaultDocument } from './faults';
import { readLocalRulesFile, type LocalRules } from './rules';
import type { LocalThrottleOptions } from './throttle';
import {
  DEFAULT_EVENT_SOURCE,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PUBLISH_BUDGET_MS,
  DEFAULT_SCEP_AUDIT_BUDGET_MS,
  DEFAULT_SCEP_CHALLENGE_TTL_SECONDS,
  DEFAULT_SCEP_MAX_BODY_BYTES,
  DEFAULT_THROTTLING_BURST_LIMIT,
  DEFAULT_THROTTLING_RATE_LIMIT,
  INGEST_ENV,
  type InstanceTarget,
  InvalidSettingError,
  MAX_BODY_BYTES_LIMIT,
  MAX_SCEP_BODY_BYTES_LIMIT,
  parseSettings,
  SCEP_ENV,
  SETTING_KEYS,
  SETTINGS,
  type JamfEventBridgeSettings,
  type SettingKey,
} from '../contract';

/** The settings `npm start` honours. */
export type LocalSettingKey = {
  [K in SettingKey]: (typeof SETTINGS)[K]['scope'] extends 'both' ? K : never;
}[SettingKey];

export const LOCAL_SETTING_KEYS = SETTING_KEYS.filter((key) => SETTINGS[key].scope === 'both') as readonly LocalSettingKey[];

/** Name of the local bus unless `eventBusName` says otherwise (a deployment names it after the stack). */
export const LOCAL_BUS_NAME = 'jamf-eventbridge';

/** Where a request to an upstream issuer goes, and how. */
export interface LocalScepUpstream {
  readonly url: string;
  /** Basic credentials sent upstream. */
  readonly username?: string;
  readonly password?: string;
  readonly timeoutMs?: number;
}

/** What the settings of scope `both` become in `startLocalRuntime`'s options. */
export interface LocalSettingsOptions {
  /** `Source` of published entries. @default EVENT_SOURCE, else 'jamf.pro' */
  readonly eventSource?: string;
  /** Name of the bus the handlers publish to. @default 'jamf-eventbridge' */
  readonly eventBusName?: string;
  /** The event shape the handlers get: `http` (HTTP API, payload 2.0) or `rest` (REST API, payload 1.0). @default 'http', as deployed */
  readonly apiType?: 'http' | 'rest';
  /** Largest webhook body the ingest function accepts. @default 4694016 (DEFAULT_MAX_BODY_BYTES) */
  readonly maxBodyBytes?: number;
  /** Milliseconds the ingest function may spend publishing. @default 1400 */
  readonly publishBudgetMs?: number;
  /** Whether the SCEP routes are served; with false they answer 404. @default true */
  readonly scepChallenge?: boolean;
  /** Lifetime of a signed challenge, in seconds. @default 3600 */
  readonly scepChallengeTtlSeconds?: number;
  /** Milliseconds the audit publish may add to a SCEP response. @default 500 */
  readonly scepAuditBudgetMs?: number;
  /** Whether the verifier requires the certificate request to name the device. @default false */
  readonly scepRequireDeviceMatch?: boolean;
  /** Largest SCEP request body. @default 65536 */
  readonly scepMaxBodyBytes?: number;
  /** Forward challenge requests to this issuer instead of signing. */
  readonly scepUpstream?: LocalScepUpstream;
  /** Prepare the SCEP issue path at start, as a provisioned instance does. @default false */
  readonly scepPrepareAtInit?: boolean;
  /** Named Jamf Pro instances (`jamfInstances`): `/webhooks/<name>` and, with the SCEP service, `/scep-challenge/<name>`. @default none */
  readonly instances?: readonly LocalInstance[];
}

/** A named Jamf Pro instance, as the local runtime serves it: what of `jamfInstances` has a meaning off AWS. */
export interface LocalInstance {
  readonly name: string;
  /** `Source` of its events. @default the stack's */
  readonly eventSource?: string;
  /** Whether it has `/scep-challenge/<name>` (with the SCEP service on). @default true */
  readonly scepChallenge?: boolean;
}

/** The settings of scope `both` as `startLocalRuntime` options. Settings not given stay unset (the defaults apply). */
export function localStackOptions(settings: JamfEventBridgeSettings): LocalSettingsOptions {
  const options: Record<string, unknown> = {
    eventSource: settings.eventSource,
    eventBusName: settings.eventBusName,
    apiType: settings.apiType === undefined ? undefined : settings.apiType.toLowerCase(),
    maxBodyBytes: settings.maxBodyBytes,
    publishBudgetMs: settings.publishBudgetMs,
    scepChallenge: settings.scepChallenge,
    scepChallengeTtlSeconds: settings.scepChallengeTtlSeconds,
    scepAuditBudgetMs: settings.scepAuditBudgetMs,
    scepRequireDeviceMatch: settings.scepRequireDeviceMatch,
    scepMaxBodyBytes: settings.scepMaxBodyBytes,
    scepUpstream:
      settings.scepUpstreamUrl === undefined
        ? undefined
        : {
            url: settings.scepUpstreamUrl,
            ...(settings.scepUpstreamTimeoutMs === undefined ? {} : { timeoutMs: settings.scepUpstreamTimeoutMs }),
          },
    scepPrepareAtInit: settings.scepProvisionedConcurrency === undefined ? undefined : settings.scepProvisionedConcurrency > 0,
    // Their secrets, Jamf URLs and API clients are a deployment's; locally JAMF_INSTANCES holds their credentials.
    instances: settings.jamfInstances?.map(
      ({ name, eventSource, scepChallenge }): LocalInstance => ({
        name,
        ...(eventSource === undefined ? {} : { eventSource }),
        ...(scepChallenge === undefined ? {} : { scepChallenge }),
      }),
    ),
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  return options as LocalSettingsOptions;
}

/**
 * API Gateway's throttle for `npm start`: the settings `throttlingRateLimit` and
 * `throttlingBurstLimit`, their deployed defaults when unset, so that the local runtime answers 429
 * where a deployment would; none when `LOCAL_THROTTLE=off` (a local load test of the handlers).
 */
export function localThrottle(settings: JamfEventBridgeSettings, variables: Pick<LocalRuntimeVariables, 'throttleOff'> = {}): LocalThrottleOptions | undefined {
  if (variables.throttleOff === true) return undefined;
  return {
    rateLimit: settings.throttlingRateLimit ?? DEFAULT_THROTTLING_RATE_LIMIT,
    burstLimit: settings.throttlingBurstLimit ?? DEFAULT_THROTTLING_BURST_LIMIT,
  };
}

/** The names of the local AWS resources the handlers are pointed at. */
export interface LocalResources {
  readonly deadLetterQueueUrl: string;
  readonly webhookAuthSecretId: string;
  readonly scepSigningKeySecretId: string;
  readonly scepVerifySecretId: string;
  readonly scepUsedChallengesTable: string;
  /** Set when the upstream issuer has credentials. */
  readonly scepUpstreamSecretId?: string;
  /** The secret of each named instance's credentials document, by name. */
  readonly instanceSecretIds?: Readonly<Record<string, string>>;
  /** The oversize bucket (claim checks, dead letters too large for SQS). @default - none */
  readonly oversizeBucketName?: string;
}

/** `WEBHOOK_INSTANCES` for `instances`, as the construct writes it; undefined (unset) without any. */
function instancesVariable(instances: readonly LocalInstance[], resources: LocalResources): string | undefined {
  if (instances.length === 0) return undefined;
  const targets: Record<string, InstanceTarget> = {};
  for (const { name, eventSource } of instances) {
    targets[name] = { webhookAuthSecretId: resources.instanceSecretIds?.[name] ?? `${resources.webhookAuthSecretId}/${name}`, ...(eventSource ? { eventSource } : {}) };
  }
  return JSON.stringify(targets);
}

/** Each function's environment: what the deployed stack sets, with the local resources. Undefined means unset. */
export interface FunctionEnvironments {
  readonly ingest: Record<string, string | undefined>;
  readonly scep: Record<string, string | undefined>;
}

/**
 * The environment each handler reads, from the options. Both functions read
 * MAX_BODY_BYTES, each with its own value, as their two Lambdas do: the local
 * runtime loads each handler with its own environment.
 */
export function functionEnvironments(
  options: LocalSettingsOptions,
  resources: LocalResources,
  env: Env = process.env,
): FunctionEnvironments {
  const shared = {
    [INGEST_ENV.eventBusName]: options.eventBusName ?? LOCAL_BUS_NAME,
    [INGEST_ENV.eventSource]: options.eventSource ?? (env.EVENT_SOURCE?.trim() || DEFAULT_EVENT_SOURCE),
    [INGEST_ENV.deadLetterQueueUrl]: resources.deadLetterQueueUrl,
    [INGEST_ENV.webhookAuthSecretId]: resources.webhookAuthSecretId,
  };
  const upstream = options.scepUpstream;
  const instances = options.instances ?? [];
  return {
    ingest: {
      ...shared,
      [INGEST_ENV.maxBodyBytes]: String(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
      [INGEST_ENV.publishBudgetMs]: String(options.publishBudgetMs ?? DEFAULT_PUBLISH_BUDGET_MS),
      [INGEST_ENV.instances]: instancesVariable(instances, resources),
      [INGEST_ENV.oversizeBucketName]: resources.oversizeBucketName,
    },
    scep: {
      ...shared,
      [SCEP_ENV.maxBodyBytes]: String(options.scepMaxBodyBytes ?? DEFAULT_SCEP_MAX_BODY_BYTES),
      [SCEP_ENV.signingKeySecretId]: resources.scepSigningKeySecretId,
      [SCEP_ENV.verifySecretId]: resources.scepVerifySecretId,
      [SCEP_ENV.usedChallengesTable]: resources.scepUsedChallengesTable,
      [SCEP_ENV.challengeTtlSeconds]: String(options.scepChallengeTtlSeconds ?? DEFAULT_SCEP_CHALLENGE_TTL_SECONDS),
      [SCEP_ENV.auditBudgetMs]: String(options.scepAuditBudgetMs ?? DEFAULT_SCEP_AUDIT_BUDGET_MS),
      [SCEP_ENV.requireDeviceMatch]: String(options.scepRequireDeviceMatch ?? false),
      [SCEP_ENV.upstreamUrl]: upstream?.url,
      [SCEP_ENV.upstreamSecretId]: upstream ? resources.scepUpstreamSecretId : undefined,
      [SCEP_ENV.upstreamTimeoutMs]: upstream?.timeoutMs?.toString(),
      [SCEP_ENV.prepareAtInit]: options.scepPrepareAtInit ? 'true' : undefined,
      [SCEP_ENV.instances]: instancesVariable(instances.filter((instance) => instance.scepChallenge !== false), resources),
    },
  };
}

/** Which setting each variable comes from, so that an error names what the user typed. */
const SETTING_OF_VARIABLE: Readonly<Record<string, { ingest?: LocalSettingKey; scep?: LocalSettingKey }>> = {
  [INGEST_ENV.eventSource]: { ingest: 'eventSource', scep: 'eventSource' },
  [INGEST_ENV.eventBusName]: { ingest: 'eventBusName', scep: 'eventBusName' },
  [INGEST_ENV.maxBodyBytes]: { ingest: 'maxBodyBytes', scep: 'scepMaxBodyBytes' },
  [INGEST_ENV.publishBudgetMs]: { ingest: 'publishBudgetMs' },
  [SCEP_ENV.challengeTtlSeconds]: { scep: 'scepChallengeTtlSeconds' },
  [SCEP_ENV.auditBudgetMs]: { scep: 'scepAuditBudgetMs' },
  [SCEP_ENV.requireDeviceMatch]: { scep: 'scepRequireDeviceMatch' },
  [SCEP_ENV.upstreamUrl]: { scep: 'scepUpstreamUrl' },
  [SCEP_ENV.upstreamTimeoutMs]: { scep: 'scepUpstreamTimeoutMs' },
};

const PLACEHOLDER_RESOURCES: LocalResources = {
  deadLetterQueueUrl: 'http://127.0.0.1/000000000000/check',
  webhookAuthSecretId: 'check',
  scepSigningKeySecretId: 'check',
  scepVerifySecretId: 'check',
  scepUsedChallengesTable: 'check',
};

/**
 * Refuses what a deployment or the functions would refuse, naming the setting:
 * the handlers' own configuration readers check the values (so the limits are
 * theirs), and a few checks the construct makes come first.
 */
export function checkLocalSettings(settings: JamfEventBridgeSettings): void {
  if (settings.scepChallenge === false) {
    const scep = LOCAL_SETTING_KEYS.filter((key) => key.startsWith('scep') && key !== 'scepChallenge' && settings[key] !== undefined);
    if (scep.length > 0) {
      throw new InvalidSettingError(
        `scepChallenge is false, but ${scep.join(', ')} ${scep.length === 1 ? 'is' : 'are'} set: remove them, or turn the SCEP challenge service on.`,
      );
    }
  }
  if (settings.scepChallenge === false) {
    const withScep = (settings.jamfInstances ?? []).filter((instance) => instance.scepChallenge === true).map((instance) => instance.name);
    if (withScep.length > 0) {
      throw new InvalidSettingError(
        `scepChallenge is false, but jamfInstances gives ${withScep.join(', ')} scepChallenge true: turn the SCEP challenge service on, or remove it.`,
      );
    }
  }
  if (settings.scepUpstreamTimeoutMs !== undefined && settings.scepUpstreamUrl === undefined) {
    throw new InvalidSettingError('scepUpstreamTimeoutMs is set without scepUpstreamUrl: set the URL too, or remove it.');
  }
  for (const [key, limit] of [['maxBodyBytes', MAX_BODY_BYTES_LIMIT], ['scepMaxBodyBytes', MAX_SCEP_BODY_BYTES_LIMIT]] as const) {
    const bytes = settings[key];
    if (bytes !== undefined && (bytes < 1 || bytes > limit)) {
      throw new InvalidSettingError(`Setting '${key}' must be a whole number from 1 to ${limit}, got ${bytes}.`);
    }
  }
  if (settings.apiType !== undefined && !['http', 'rest'].includes(settings.apiType.toLowerCase())) {
    throw new InvalidSettingError(`Setting 'apiType' must be http or rest (e.g. -c apiType=rest), got "${settings.apiType}".`);
  }
  if (settings.throttlingRateLimit !== undefined && !(settings.throttlingRateLimit > 0)) {
    throw new InvalidSettingError(`Setting 'throttlingRateLimit' must be a number of requests per second above 0, got ${settings.throttlingRateLimit}.`);
  }
  if (settings.throttlingBurstLimit !== undefined && !(settings.throttlingBurstLimit > 0)) {
    throw new InvalidSettingError(`Setting 'throttlingBurstLimit' must be a whole number of requests above 0, got ${settings.throttlingBurstLimit}.`);
  }
  if (settings.eventSource?.toLowerCase().startsWith('aws.')) {
    throw new InvalidSettingError(`Setting 'eventSource' "${settings.eventSource}" starts with "aws.", which EventBridge reserves.`);
  }
  for (const { name, eventSource } of settings.jamfInstances ?? []) {
    if (eventSource?.toLowerCase().startsWith('aws.')) {
      throw new InvalidSettingError(`Setting 'jamfInstances[${name}].eventSource' "${eventSource}" starts with "aws.", which EventBridge reserves.`);
    }
  }
  const env = functionEnvironments(localStackOptions(settings), PLACEHOLDER_RESOURCES, {});
  const read = (fn: 'ingest' | 'scep', reader: (env: Env) => unknown) => {
    try {
      reader(env[fn]);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      let message = error.message;
      for (const [variable, settingsOf] of Object.entries(SETTING_OF_VARIABLE)) {
        const key = settingsOf[fn];
        if (key) message = message.replaceAll(`Environment variable ${variable}`, `Setting '${key}'`).replaceAll(variable, key);
      }
      throw new InvalidSettingError(message);
    }
  };
  read('ingest', readIngestConfig);
  if (settings.scepChallenge !== false) read('scep', readScepConfig);
}

/** The settings given that only a deployment has (they change nothing locally). */
export function awsOnlySettings(settings: JamfEventBridgeSettings): SettingKey[] {
  return SETTING_KEYS.filter((key) => SETTINGS[key].scope === 'aws' && settings[key] !== undefined);
}

/**
 * Splits `-c key=value`, `--context key=value` (and `--context=key=value`) from
 * the other arguments, as the cdk CLI reads them.
 */
export function contextArguments(argv: readonly string[]): { context: Record<string, string>; rest: string[] } {
  const context: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let pair: string | undefined;
    if (arg === '-c' || arg === '--context') {
      pair = argv[++i];
      if (pair === undefined) throw new InvalidSettingError(`${arg} needs key=value, e.g. ${arg} scepChallengeTtlSeconds=600`);
    } else if (arg.startsWith('--context=')) {
      pair = arg.slice('--context='.length);
    } else {
      rest.push(arg);
      continue;
    }
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InvalidSettingError(`${arg} needs key=value, got "${pair}"`);
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { context, rest };
}

/**
 * The settings for `npm start`: cdk.json's `context`, then the documented local
 * variables that are settings too (EVENT_SOURCE, SCEP_UPSTREAM_URL), then the
 * command line's `-c key=value`, each overriding the one before. Parsed and
 * checked as a deployment would; errors name the key.
 */
export function readLocalSettings(
  cdkJsonContext: Readonly<Record<string, unknown>>,
  commandLine: Readonly<Record<string, string>>,
  env: Env = process.env,
): JamfEventBridgeSettings {
  const fromEnv: Record<string, string> = {};
  if (env.EVENT_SOURCE?.trim()) fromEnv.eventSource = env.EVENT_SOURCE;
  if (env.SCEP_UPSTREAM_URL?.trim()) fromEnv.scepUpstreamUrl = env.SCEP_UPSTREAM_URL;
  const settings = parseSettings({ ...cdkJsonContext, ...fromEnv, ...commandLine });
  checkLocalSettings(settings);
  return settings;
}

/** What only the local runtime has, from its environment variables (see docs/local.md). */
export interface LocalRuntimeVariables {
  /** `LOCAL_AWS_PORT`: the built-in AWS endpoint's port. */
  readonly awsPort?: number;
  /** `AWS_ENDPOINT_URL`: where the handlers send their AWS calls instead of the built-in endpoint. */
  readonly awsEndpointUrl?: string;
  /** `LOCAL_FAULTS`: the faults the built-in AWS endpoint injects, checked. */
  readonly faults?: FaultDocument;
  /** `LOCAL_MAX_EVENTS`: events, dead letters and subscriber invocations kept in memory. */
  readonly maxEvents?: number;
  /** `LOCAL_RULES`: the rules in the JSON file it names, checked. */
  readonly rules?: LocalRules;
  /** `SECRET_TTL_SECONDS`: how long the functions use a secret before reading it again. */
  readonly secretTtlSeconds?: number;
  /** `LOCAL_THROTTLE=off`: no API Gateway throttle in front of the routes (on by default). */
  readonly throttleOff?: true;
}

function wholeNumber(env: Env, name: string, min: number, max: number): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new InvalidSettingError(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/**
 * Reads LOCAL_AWS_PORT, AWS_ENDPOINT_URL, LOCAL_FAULTS, LOCAL_MAX_EVENTS, SECRET_TTL_SECONDS, LOCAL_THROTTLE and LOCAL_RULES (the
 * file it names, read and checked now, so that a broken pattern stops `npm start`); errors name
 * the variable. Unset or empty: undefined. LOCAL_SUBSCRIBERS is loaded by bin/local.ts (an import).
 */
export function readLocalRuntimeVariables(env: Env = process.env): LocalRuntimeVariables {
  const awsPort = wholeNumber(env, 'LOCAL_AWS_PORT', 0, 65535);
  const maxEvents = wholeNumber(env, 'LOCAL_MAX_EVENTS', 1, 10_000_000);
  const secretTtlSeconds = wholeNumber(env, INGEST_ENV.secretTtlSeconds, 1, 24 * 3600);
  const endpoint = env.AWS_ENDPOINT_URL?.trim();
  const faultsText = env.LOCAL_FAULTS?.trim();
  let faults: FaultDocument | undefined;
  try {
    faults = faultsText ? parseFaultDocument(faultsText, 'LOCAL_FAULTS') : undefined;
  } catch (error) {
    throw new InvalidSettingError((error as Error).message);
  }
  const throttleText = env.LOCAL_THROTTLE?.trim().toLowerCase();
  if (throttleText && throttleText !== 'on' && throttleText !== 'off') {
    throw new InvalidSettingError(`LOCAL_THROTTLE must be on or off, got "${env.LOCAL_THROTTLE?.trim()}"`);
  }
  const rulesPath = env.LOCAL_RULES?.trim();
  const rules = rulesPath ? readLocalRulesFile(rulesPath) : undefined;
  return {
    ...(awsPort !== undefined ? { awsPort } : {}),
    ...(endpoint ? { awsEndpointUrl: checkEndpointUrl(endpoint, 'AWS_ENDPOINT_URL') } : {}),
    ...(faults ? { faults } : {}),
    ...(maxEvents !== undefined ? { maxEvents } : {}),
    ...(rules ? { rules } : {}),
    ...(secretTtlSeconds !== undefined ? { secretTtlSeconds } : {}),
    ...(throttleText === 'off' ? { throttleOff: true as const } : {}),
  };
}

/**
 * `JAMF_INSTANCES` (`{"<instance name>": {"auth": <credentials document>}}`): each named
 * instance's credentials document as JSON text, checked, by name. Errors name the variable and
 * the instance, never a value. Unset or empty: none.
 */
export function readJamfInstancesVariable(text: string | undefined): Map<string, string> {
  const documents = new Map<string, string>();
  if (!text?.trim()) return documents;
  const shape = 'JAMF_INSTANCES must be a JSON object: {"<instance name>": {"auth": <credentials document>}}';
  let given: unknown;
  try {
    given = JSON.parse(text);
  } catch {
    throw new InvalidSettingError(shape);
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new InvalidSettingError(shape);
  for (const [name, entry] of Object.entries(given as Record<string, unknown>)) {
    const auth = typeof entry === 'object' && entry !== null ? (entry as { auth?: unknown }).auth : undefined;
    if (auth === undefined) throw new InvalidSettingError(`JAMF_INSTANCES.${name} must be {"auth": <credentials document>}`);
    const document = typeof auth === 'string' ? auth : JSON.stringify(auth);
    try {
      parseCredentialsDocument(document);
    } catch (error) {
      // The parser's message never echoes a value.
      throw new InvalidSettingError(`JAMF_INSTANCES.${name}.auth: ${error instanceof Error ? error.message : String(error)}`);
    }
    documents.set(name, document);
  }
  return documents;
}
