/**
 * The deployment settings: what a user changes without editing code, as CDK
 * context (`npx cdk deploy -c eventSource=jamf.prod`, or the `context` block of
 * cdk.json). The local runtime (`npm start`) reads the same keys from the same
 * places, so a setting means the same thing in both. docs/settings.md is
 * generated from this table (`npm run docs`), and a test keeps it current.
 *
 * Values are plain JSON so that they can come from context; lib/ turns them
 * into construct properties and the construct checks how they combine.
 */

import { instanceNameProblems } from './instances';

export type SettingKind = 'string' | 'boolean' | 'integer' | 'number' | 'list' | 'instances';

/** Where a setting takes effect. */
export type SettingScope = 'both' | 'aws';

export interface SettingSpec {
  readonly kind: SettingKind;
  /** The default, as the reference shows it. */
  readonly default: string;
  /** What it does, in a sentence or two. */
  readonly description: string;
  /** `both` when `npm start` honours it too; `aws` when only a deployment has what it sets. */
  readonly scope: SettingScope;
  /** The construct property it becomes, when that has another name (errors name the setting, not the property). */
  readonly prop?: string;
}

/** Every setting, in the order of the reference. The keys are the context keys. */
export const SETTINGS = {
  eventSource: {
    kind: 'string',
    default: '`jamf.pro`',
    scope: 'both',
    description:
      '`Source` of every published event. Use one per Jamf Pro instance if several send to one bus (for example `jamf.prod`, `jamf.test`). Cannot start with `aws.`, which EventBridge reserves.',
  },
  eventBusName: {
    kind: 'string',
    default: 'the stack name (`JamfEventBridge`); locally `jamf-eventbridge`',
    scope: 'both',
    description: 'Name of the event bus the stack creates. Not allowed with `existingEventBus`.',
  },
  existingEventBus: {
    kind: 'string',
    default: 'none: the stack creates a bus',
    scope: 'aws',
    prop: 'eventBus',
    description: 'Name (e.g. `default`) or ARN of an existing bus in the same account and region to publish to instead of creating one.',
  },
  archive: {
    kind: 'boolean',
    default: '`true`',
    scope: 'aws',
    description: 'Whether the bus keeps an archive of the published events (replay is how consumers recover from an outage).',
  },
  archiveRetentionDays: {
    kind: 'integer',
    default: '`30`',
    scope: 'aws',
    prop: 'archiveRetention',
    description: 'Days the archive keeps an event; `0` keeps them indefinitely. Needs `archive`.',
  },
  eventLog: {
    kind: 'boolean',
    default: '`false`',
    scope: 'aws',
    description:
      'Whether a rule copies every `jamf.*` event to a CloudWatch log group, to watch events arrive. Off by default: at $0.50 per GB it costs about as much per million webhooks as the events are large in KB, half the front door again (see docs/costs.md); turn it on to watch a new installation.',
  },
  schemaRegistry: {
    kind: 'boolean',
    default: '`true`',
    scope: 'aws',
    description:
      'Whether the stack creates an EventBridge schema registry (named in the `SchemaRegistryName` output) with an OpenAPI 3 schema for every `jamf.*` detail-type, from which the EventBridge console and the AWS Toolkits generate code bindings. A registry of your own schemas costs nothing; schema discovery, which this does not turn on, is what EventBridge bills.',
  },
  logPublishedWebhooks: {
    kind: 'boolean',
    default: '`false`',
    scope: 'aws',
    description:
      "Whether the ingest function logs a line (and counts the `Published` metric) for every webhook it publishes. Off by default for cost: failures, refusals and dead letters are always logged, the API access log has a line per request, and API Gateway's metrics count the 2xx answers. On, it adds about $0.29 per million webhooks (docs/costs.md). Locally every request is printed either way.",
  },
  logRetentionDays: {
    kind: 'integer',
    default: '`30`',
    scope: 'aws',
    prop: 'logRetention',
    description:
      'Days CloudWatch keeps the logs (functions, API access and execution logs, event log): one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653. Accounts that enforce AWS Control Tower\'s log retention control need 365 or more.',
  },
  apiType: {
    kind: 'string',
    default: '`http`',
    scope: 'both',
    description:
      'The front door: `http`, an API Gateway HTTP API ($1.00 per million requests), or `rest`, a REST API ($3.50 per million) for those who attach AWS WAF (`webAclArn`), which an HTTP API cannot have. Same routes, URLs and answers; with `http` the functions enforce `allowedSourceCidrs`. A stack deployed before this setting existed has a REST API: set `rest` to keep it (and its URL). Locally: the event shape the handlers get (payload format 2.0 or 1.0).',
  },
  throttlingRateLimit: {
    kind: 'number',
    // Literal, not `${DEFAULT_THROTTLING_RATE_LIMIT}`: esbuild keeps an object whose values are
    // template literals with substitutions, so this table (15 KB) would load at every function's
    // init. test/unit/docs/sizing.test.ts checks the two agree.
    default: '`500`',
    scope: 'both',
    description:
      'Steady-state requests per second the API stage accepts before answering 429, which Jamf Pro does not resend. Sized for 50,000 devices at the start of a working day (docs/operations.md, "Sizing for a fleet"); was `100` before. Locally `npm start` answers 429 as API Gateway does (`LOCAL_THROTTLE=off` turns that off).',
  },
  throttlingBurstLimit: {
    kind: 'integer',
    default: '`500`',
    scope: 'both',
    description: 'Requests the API stage accepts at once (the token bucket\'s size), refilled at `throttlingRateLimit`; was `200` before.',
  },
  ingestReservedConcurrency: {
    kind: 'integer',
    default: 'none: the ingest function draws on the account\'s unreserved concurrency',
    scope: 'aws',
    description:
      'Lambda instances reserved for the ingest function, so that other functions in the account cannot starve it; also the most it may run at once, and taken from the account\'s unreserved pool (which must keep 100). Set it in a shared account, to at least `throttlingBurstLimit`.',
  },
  maxBodyBytes: {
    kind: 'integer',
    default: '`4694016` (about 4.48 MiB)',
    scope: 'both',
    description:
      "Largest webhook body accepted, in bytes; larger ones get 413. At most 4694016, the largest body API Gateway can hand a function base64-encoded within Lambda's 6 MiB synchronous payload (docs/limits.md). An event too large for the bus is kept in the oversize bucket and published as a stub.",
  },
  oversizeRetentionDays: {
    kind: 'integer',
    default: '`30`',
    scope: 'aws',
    prop: 'oversizeRetention',
    description:
      'Days the oversize bucket keeps an object: the whole event behind a stub published for an event too large for the bus, and a dead letter too large for SQS. From 1; subscribers must fetch a stub\'s event within it.',
  },
  publishBudgetMs: {
    kind: 'integer',
    default: '`1400`',
    scope: 'both',
    prop: 'publishBudget',
    description:
      'Milliseconds the ingest function may spend on PutEvents and its retries before it dead-letters the webhook; what init and decoding took comes off it. At most 8000. The default answers within Jamf Pro\'s read timeout (2 s by default); a longer budget answers after the budget and 400 ms for the dead-letter write.',
  },
  allowedSourceCidrs: {
    kind: 'list',
    default: 'any source address',
    scope: 'aws',
    description:
      "CIDR ranges allowed to call the API, as a comma-separated list or a JSON array; every other address gets 403: from the functions with `apiType` `http`, and from a resource policy too with `rest`. For Jamf Cloud, use the outbound IP ranges Jamf publishes for your instance's region.",
  },
  jamfCloudIpsFile: {
    kind: 'string',
    default: 'none',
    scope: 'aws',
    description:
      "Path (from the directory `cdk` runs in) of a saved copy of Jamf's `public-ips.json`, the addresses Jamf Cloud uses. The outbound ranges of `jamfCloudRegions` are added to `allowedSourceCidrs`, read at synth time, never downloaded: refresh the copy to take Jamf's changes (docs/jamf-pro.md). Needs `jamfCloudRegions`.",
  },
  jamfCloudRegions: {
    kind: 'list',
    default: 'none',
    scope: 'aws',
    description:
      "The regions of `jamfCloudIpsFile` (its entries' `region`, e.g. your Jamf Cloud instance's) whose outbound ranges may call the API, as a comma-separated list or a JSON array. Needs `jamfCloudIpsFile`.",
  },
  webAclArn: {
    kind: 'string',
    default: 'no web ACL',
    scope: 'aws',
    description: "ARN of a regional AWS WAF web ACL, in the stack's region, to associate with the API stage. Needs `apiType` `rest`: an HTTP API cannot have a web ACL.",
  },
  consumerAccounts: {
    kind: 'list',
    default: 'no other account',
    scope: 'aws',
    description:
      "12-digit AWS account ids, as a comma-separated list or a JSON array, that may create rules on the bus the stack creates and manage them, each only its own (the bus policy's `events:creatorAccount` condition). Not allowed with `existingEventBus`. See docs/deploy.md, \"Subscribers in other accounts\".",
  },
  consumerOrganizationId: {
    kind: 'string',
    default: 'no organization',
    scope: 'aws',
    description:
      'An AWS Organizations id (`o-...`) whose every account may create rules on the bus the stack creates and manage them, each only its own. Not allowed with `existingEventBus`.',
  },
  webhookAuthSecretArn: {
    kind: 'string',
    default: 'the stack creates a secret with a generated password',
    scope: 'aws',
    prop: 'webhookAuthSecret',
    description:
      'Complete ARN (ending in the 6-character suffix) of an existing secret with the webhook credentials document, e.g. `{"username": "...", "password": "..."}`. Locally: `JAMF_WEBHOOK_AUTH`.',
  },
  webhookAuthSecretKeyArn: {
    kind: 'string',
    default: 'the AWS managed key',
    scope: 'aws',
    description: 'ARN of the customer managed KMS key that encrypts `webhookAuthSecretArn`, so the functions may decrypt it.',
  },
  alarmEmail: {
    kind: 'string',
    default: 'no email',
    scope: 'aws',
    description:
      'Email address that receives the alarms (through the stack\'s alarm topic; confirm the subscription email). Not allowed with `alarmTopicArn`.',
  },
  alarmTopicArn: {
    kind: 'string',
    default: 'the stack creates a topic',
    scope: 'aws',
    prop: 'alarmTopic',
    description: 'ARN of an existing SNS topic that receives the alarms instead of the stack\'s own.',
  },
  tracing: {
    kind: 'boolean',
    default: '`false`',
    scope: 'aws',
    description:
      "Whether X-Ray active tracing is on for the API stage and the functions (off for cost: it records nearly every webhook, about $5 per million). Accounts that enforce AWS Control Tower's X-Ray control for API Gateway need `true`.",
  },
  apiGatewayCloudWatchRole: {
    kind: 'boolean',
    default: '`true`',
    scope: 'aws',
    description:
      "Whether the stack sets the account's API Gateway CloudWatch Logs role (one per account and region, which API Gateway needs to write logs). Set `false` if it is managed elsewhere.",
  },
  secretMaxStaleHours: {
    kind: 'integer',
    default: '`24`',
    scope: 'aws',
    prop: 'secretMaxStale',
    description:
      'Hours a function keeps using the secrets it read last (webhook credentials, SCEP keys) while Secrets Manager cannot be read, logging `secret-stale`; `0` never uses one past its 5-minute cache. A cold instance in an outage keeps webhooks unverified for the redrive to check.',
  },
  redriveScheduleMinutes: {
    kind: 'integer',
    default: '`60`',
    scope: 'aws',
    prop: 'redriveSchedule',
    description:
      'Minutes between runs of the redrive function, which publishes what the dead-letter queue holds and can be published (bad input stays); `0` for on demand only (`npm run redrive`).',
  },
  scepChallenge: {
    kind: 'boolean',
    default: '`true`',
    scope: 'both',
    description:
      'Whether to run the SCEP dynamic-challenge service (`/scep-challenge` for Jamf Pro, `/scep-challenge/verify` for step-ca). With `false`, no other `scep*` setting may be given.',
  },
  scepSigningKeySecretArn: {
    kind: 'string',
    default: 'the stack creates a secret with a generated 64-character key',
    scope: 'aws',
    prop: 'scepSigningKeySecret',
    description:
      'Complete ARN of an existing secret holding the challenge signing key (`{"key": "...", "previousKeys": [...]}`). Locally: `SCEP_CHALLENGE_KEY`.',
  },
  scepVerifySecretArn: {
    kind: 'string',
    default: "the stack creates a placeholder secret to put step-ca's value in",
    scope: 'aws',
    prop: 'scepVerifySecret',
    description:
      "Complete ARN of an existing secret holding step-ca's webhook signing secret (the base64 value, or `{\"secrets\": [\"...\"]}`). Locally: `SCEP_VERIFY_SECRET`.",
  },
  scepChallengeTtlSeconds: {
    kind: 'integer',
    default: '`3600`',
    scope: 'both',
    prop: 'scepChallengeTtl',
    description: 'Seconds a challenge is valid, at most 604800 (7 days).',
  },
  scepAuditBudgetMs: {
    kind: 'integer',
    default: '`500`',
    scope: 'both',
    prop: 'scepAuditBudget',
    description:
      'Milliseconds the `jamf.SCEPChallenge` audit publish may add to a challenge response before the request is dead-lettered instead; at most 1500 (and at most 1550 with `scepUpstreamTimeoutMs`). A failed publish adds 250 ms more.',
  },
  scepRequireDeviceMatch: {
    kind: 'boolean',
    default: '`false`',
    scope: 'both',
    description:
      "Whether the verifier also requires step-ca's certificate request to name the device (UDID, or serial number) the challenge was issued for.",
  },
  scepMaxBodyBytes: {
    kind: 'integer',
    default: '`65536`',
    scope: 'both',
    description: 'Largest SCEP request body in bytes, at most 786432 (768 KiB, so that a request that fails fits in a dead-letter message); larger ones get 413.',
  },
  scepUpstreamUrl: {
    kind: 'string',
    default: 'challenges are signed by the function',
    scope: 'both',
    prop: 'scepUpstream.url',
    description: 'https URL of an upstream issuer to get challenges from instead of signing them (locally http is allowed too).',
  },
  scepUpstreamSecretArn: {
    kind: 'string',
    default: 'no credentials upstream',
    scope: 'aws',
    prop: 'scepUpstream.credentialsSecret',
    description:
      'Complete ARN of a secret `{"username": "...", "password": "..."}` for the upstream issuer. Requires `scepUpstreamUrl`. Locally: `SCEP_UPSTREAM_USERNAME` and `SCEP_UPSTREAM_PASSWORD`.',
  },
  scepUpstreamTimeoutMs: {
    kind: 'integer',
    default: '`1000`',
    scope: 'both',
    prop: 'scepUpstream.timeout',
    description:
      'Milliseconds a call to the upstream issuer may take, at most 1800, and at most 1550 together with `scepAuditBudgetMs`. Requires `scepUpstreamUrl`.',
  },
  scepProvisionedConcurrency: {
    kind: 'integer',
    default: '`0`',
    scope: 'both',
    description:
      'Instances of the SCEP function kept initialized (billed all the time); `0` for none. Locally, above 0 prepares the issue path at start, as a provisioned instance does.',
  },
  jamfUrl: {
    kind: 'string',
    default: 'none: nothing is registered in Jamf Pro',
    scope: 'aws',
    prop: 'jamfWebhooks.jamfUrl',
    description:
      'https URL of the Jamf Pro to register the webhooks in at deploy time (and delete them from with the stack), e.g. `https://example.jamfcloud.com`. Requires `jamfApiClientSecretArn`. Locally: `npm run jamf -- sync`.',
  },
  jamfApiClientSecretArn: {
    kind: 'string',
    default: 'none',
    scope: 'aws',
    prop: 'jamfWebhooks.apiClientSecret',
    description:
      'Complete ARN of a secret `{"clientId": "...", "clientSecret": "..."}` holding the Jamf Pro API client that registers the webhooks (privileges: Create, Read, Update and Delete Webhooks). Requires `jamfUrl`.',
  },
  jamfWebhookEvents: {
    kind: 'list',
    default: 'every event but the SmartGroup ones',
    scope: 'aws',
    prop: 'jamfWebhooks.events',
    description: 'The events to register, e.g. `ComputerAdded,ComputerCheckIn`; SmartGroup events go in `jamfSmartGroups`. Requires `jamfUrl`.',
  },
  jamfWebhookFormat: {
    kind: 'string',
    default: '`json`',
    scope: 'aws',
    prop: 'jamfWebhooks.format',
    description: 'The body Jamf Pro sends: `json` or `xml` (SCEPChallenge is always JSON). Requires `jamfUrl`.',
  },
  jamfWebhookAuth: {
    kind: 'string',
    default: '`basic`',
    scope: 'aws',
    prop: 'jamfWebhooks.auth',
    description:
      'How Jamf Pro authenticates: `basic`, `header` or `hmac`, with the first credential of that kind in the webhook credentials secret. Requires `jamfUrl`.',
  },
  jamfSmartGroups: {
    kind: 'list',
    default: 'none',
    scope: 'aws',
    prop: 'jamfWebhooks.smartGroups',
    description:
      'SmartGroup membership webhooks to register, each `<SmartGroupEvent>:<smart group id>`, e.g. `SmartGroupComputerMembershipChange:12`. Requires `jamfUrl`.',
  },
  jamfInstances: {
    kind: 'instances',
    default: 'none: one Jamf Pro, at `/webhooks`',
    scope: 'both',
    prop: 'instances',
    description:
      'More Jamf Pro instances sending to this deployment besides the default one (production and sandbox, one per subsidiary), at most 10: a JSON array of `{"name": "sandbox", ...}`, or a comma-separated list of names. Each gets `/webhooks/<name>`, `/scep-challenge/<name>` (with the SCEP service), credentials of its own (a generated secret, or `webhookAuthSecretArn`) and outputs named `Instance<Name>...`; its events carry `detail.delivery.instance`. Per instance, optionally: `eventSource`, `webhookAuthSecretArn`, `webhookAuthSecretKeyArn`, `scepChallenge` (`false`: no SCEP route), and `jamfUrl` with `jamfApiClientSecretArn` (and `jamfWebhookEvents`, `jamfWebhookFormat`, `jamfWebhookAuth`, `jamfSmartGroups`) to register its webhooks at deploy time. A name is 1 to 32 lower-case letters and digits with single dashes. Locally: `JAMF_INSTANCES` holds their credentials. See docs/deploy.md, "Several Jamf Pro instances".',
  },
} as const satisfies Readonly<Record<string, SettingSpec>>;

export type SettingKey = keyof typeof SETTINGS;

type ValueOfKind<K extends SettingKind> = K extends 'string'
  ? string
  : K extends 'boolean'
    ? boolean
    : K extends 'list'
      ? readonly string[]
      : K extends 'instances'
        ? readonly JamfInstanceSettings[]
        : number;

/**
 * The settings an instance of `jamfInstances` may have of its own: they mean for that instance
 * what they mean for the default one. Any other is the stack's, shared by every instance.
 */
export const INSTANCE_SETTING_KEYS = [
  'eventSource',
  'webhookAuthSecretArn',
  'webhookAuthSecretKeyArn',
  'scepChallenge',
  'jamfUrl',
  'jamfApiClientSecretArn',
  'jamfWebhookEvents',
  'jamfWebhookFormat',
  'jamfWebhookAuth',
  'jamfSmartGroups',
] as const;

export type InstanceSettingKey = (typeof INSTANCE_SETTING_KEYS)[number];

/** One instance of `jamfInstances`: its name (a path segment) and its own settings. */
export type JamfInstanceSettings = { readonly name: string } & {
  readonly [K in InstanceSettingKey]?: ValueOfKind<(typeof SETTINGS)[K]['kind']>;
};

/** The settings as read from context: each key of {@link SETTINGS}, optional, with the type its kind gives. */
export type JamfEventBridgeSettings = {
  readonly [K in SettingKey]?: ValueOfKind<(typeof SETTINGS)[K]['kind']>;
};

/** The context keys that are settings, in the order of the reference. */
// Marked pure so that a bundle that imports nothing of the settings (a handler) leaves them out.
export const SETTING_KEYS = /* @__PURE__ */ Object.keys(SETTINGS) as readonly SettingKey[];

/** Settings that cannot be read or cannot work: each problem names the key the user typed. */
export class InvalidSettingError extends Error {
  override readonly name = 'InvalidSettingError';
  /** One sentence per problem. */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('\n'));
    this.problems = list;
  }
}

/** Computed on first use, not at load: a handler bundle then drops the settings altogether. */
let propsByLength: readonly { key: string; prop: string }[] | undefined;
const propsLongestFirst = () =>
  (propsByLength ??= Object.entries(SETTINGS)
    .flatMap(([key, spec]) => ('prop' in spec ? [{ key, prop: spec.prop as string }] : []))
    .sort((a, b) => b.prop.length - a.prop.length));

/**
 * A construct's problem said in the words of the settings: each property name
 * becomes the setting the user typed (`scepChallengeTtl` is `scepChallengeTtlSeconds`,
 * `eventBus` is `existingEventBus`). The units match, as each setting is the
 * property in the unit its name gives.
 */
export function inSettingTerms(problem: string): string {
  return propsLongestFirst().reduce(
    (text, { key, prop }) => text.replace(new RegExp(`(?<![\\w.])${prop.replace('.', '\\.')}(?![\\w])`, 'g'), key),
    problem,
  );
}

/** Settings are plain camelCase words; CDK's own keys and feature flags have ':', '@' or '-'. */
const SETTING_LIKE = /^[a-z][A-Za-z0-9]*$/;

/**
 * Reads the settings from a context object (CDK's `node.getAllContext()`, or
 * cdk.json's `context` merged with `-c key=value` for the local runtime).
 *
 * Values from the command line are strings and are converted; values from
 * cdk.json may already be booleans, numbers or arrays. A value that cannot be
 * converted throws, naming the key and an example. So does a key that looks
 * like a setting but is not one (`-c evenSource=...`): a typo must not deploy
 * a default silently, least of all an API open to every address.
 */
export function parseSettings(context: Readonly<Record<string, unknown>>): JamfEventBridgeSettings {
  for (const key of Object.keys(context)) {
    if (SETTING_LIKE.test(key) && !Object.hasOwn(SETTINGS, key)) {
      const near = closestSetting(key);
      throw new InvalidSettingError(
        near === undefined
          ? `Unknown setting '${key}'. Check the spelling; the settings are: ${SETTING_KEYS.join(', ')}.`
          : `Unknown setting '${key}'. Did you mean '${near}'? The settings are: ${SETTING_KEYS.join(', ')}.`,
      );
    }
  }
  const settings: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const raw = context[key];
    if (raw === undefined || raw === null) continue;
    settings[key] = parseSetting(key, SETTINGS[key].kind, raw);
  }
  return settings as JamfEventBridgeSettings;
}

/**
 * `jamfInstances`: a JSON array (text from `-c`, or an array from cdk.json) of names or
 * `{"name": ..., <instance setting>: ...}` objects, or a comma-separated list of names. Each
 * instance setting is read as the setting of that name is; names are checked as routes need them.
 */
function parseInstances(key: string, raw: unknown): JamfInstanceSettings[] {
  const example = `'[{"name":"sandbox","eventSource":"jamf.sandbox"}]'`;
  let items: unknown = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('[')) {
      try {
        items = JSON.parse(text);
      } catch {
        throw new InvalidSettingError(`Setting '${key}' is not a JSON array (e.g. -c ${key}=${example}).`);
      }
    } else if (text.startsWith('{')) {
      items = undefined; // one instance without its array: refused below
    } else {
      items = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
    }
  }
  if (!Array.isArray(items)) {
    throw new InvalidSettingError(`Setting '${key}' must be a JSON array of instances or a comma-separated list of names (e.g. -c ${key}=${example}).`);
  }
  const problems: string[] = [];
  const instances = items.flatMap((item: unknown, index): JamfInstanceSettings[] => {
    if (typeof item === 'string') return [{ name: item.trim() }];
    if (typeof item !== 'object' || item === null || Array.isArray(item) || typeof (item as { name?: unknown }).name !== 'string') {
      problems.push(`${key}[${index}] must be a name or an object with a "name" (e.g. {"name":"sandbox"}).`);
      return [];
    }
    const { name, ...own } = item as { name: string } & Record<string, unknown>;
    const instance: Record<string, unknown> = { name: name.trim() };
    for (const [ownKey, value] of Object.entries(own)) {
      const label = `${key}[${name}].${ownKey}`;
      if (!(INSTANCE_SETTING_KEYS as readonly string[]).includes(ownKey)) {
        problems.push(`${label} is not a setting an instance can have; these are: name, ${INSTANCE_SETTING_KEYS.join(', ')}.`);
        continue;
      }
      if (value === undefined || value === null) continue;
      try {
        instance[ownKey] = parseSetting(label, SETTINGS[ownKey as InstanceSettingKey].kind, value);
      } catch (error) {
        if (!(error instanceof InvalidSettingError)) throw error;
        problems.push(...error.problems);
      }
    }
    return [instance as JamfInstanceSettings];
  });
  problems.push(...instanceNameProblems(instances.map((instance) => instance.name), key));
  if (problems.length > 0) throw new InvalidSettingError(problems);
  return instances;
}

/** The setting within a few edits of `key` (case ignored), if one is. */
function closestSetting(key: string): SettingKey | undefined {
  let best: { key: SettingKey; distance: number } | undefined;
  for (const candidate of SETTING_KEYS) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Levenshtein distance, for spelling suggestions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function parseSetting(key: string, kind: SettingKind, raw: unknown): string | boolean | number | string[] | JamfInstanceSettings[] {
  const fail = (expected: string, example: string): never => {
    throw new InvalidSettingError(`Setting '${key}' must be ${expected} (e.g. -c ${key}=${example}), got ${JSON.stringify(raw)}.`);
  };
  switch (kind) {
    case 'string': {
      if (typeof raw !== 'string' || raw.trim() === '') return fail('a non-empty string', 'value');
      return raw.trim();
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return raw.trim().toLowerCase() === 'true';
      return fail('true or false', 'false');
    }
    case 'integer': {
      const value = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return fail('a whole number', '30');
      return value;
    }
    case 'number': {
      const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail('a number', '100');
      return value;
    }
    case 'list': {
      const example = '192.0.2.0/24,198.51.100.7/32';
      let items: unknown = raw;
      if (typeof raw === 'string') {
        const text = raw.trim();
        if (text.startsWith('[')) {
          try {
            items = JSON.parse(text);
          } catch {
            return fail('a comma-separated list or a JSON array of strings', example);
          }
        } else {
          items = text.split(',');
        }
      }
      if (!Array.isArray(items) || !items.every((item): item is string => typeof item === 'string')) {
        return fail('a comma-separated list or a JSON array of strings', example);
      }
      return items.map((item) => item.trim()).filter((item) => item !== '');
    }
    case 'instances':
      return parseInstances(key, raw);
  }
}
