import type { Node } from 'constructs';

/**
 * The deployment settings: what a user can change without editing code, on the
 * command line (`npx cdk deploy -c eventSource=jamf.prod`) or in the `context`
 * block of cdk.json. Each key is the name of a CDK context value; the README's
 * "Deploy" section has the same table.
 *
 * Values are plain JSON so that they can come from context; the stack turns them
 * into {@link JamfEventBridgeProps} and the construct checks how they combine.
 */
export interface JamfEventBridgeSettings {
  /**
   * `Source` of every event published to the bus.
   * @default 'jamf.pro'
   */
  readonly eventSource?: string;
  /**
   * Name of the event bus the stack creates. Not allowed with `existingEventBus`.
   * @default - the stack name, `JamfEventBridge`
   */
  readonly eventBusName?: string;
  /**
   * Name or ARN of an existing event bus (same account and region) to publish to
   * instead of creating one, e.g. `default`.
   * @default - the stack creates a bus
   */
  readonly existingEventBus?: string;
  /**
   * Whether the bus keeps an archive of the published events (replay is how
   * consumers recover from an outage).
   * @default true
   */
  readonly archive?: boolean;
  /**
   * Days the archive keeps an event; 0 keeps events indefinitely.
   * @default 30
   */
  readonly archiveRetentionDays?: number;
  /**
   * Whether a rule copies every published event to a CloudWatch log group, so
   * that a new installation can see events arrive.
   * @default true
   */
  readonly eventLog?: boolean;
  /**
   * Days CloudWatch keeps the logs (functions, API access and execution logs, event
   * log). One of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, ...
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Steady-state requests per second the API stage accepts.
   * @default 100
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the API stage accepts in a burst.
   * @default 200
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Largest webhook body the ingest function accepts, in bytes; larger ones get 413.
   * @default 262144
   */
  readonly maxBodyBytes?: number;
  /**
   * Milliseconds the ingest function may spend publishing (PutEvents and its
   * retries) before it dead-letters the webhook.
   * @default - the function's own default (1200)
   */
  readonly publishBudgetMs?: number;
  /**
   * CIDR ranges allowed to call the API, as a comma-separated list or a JSON
   * array, e.g. Jamf Cloud's published outbound ranges. Others get 403.
   * @default - any source address
   */
  readonly allowedSourceCidrs?: readonly string[];
  /**
   * ARN of a regional AWS WAF web ACL to associate with the API stage.
   * @default - no web ACL
   */
  readonly webAclArn?: string;
  /**
   * Complete ARN of an existing Secrets Manager secret holding the webhook
   * credentials (`{"username": "...", "password": "..."}`).
   * @default - the stack creates a secret with a generated password
   */
  readonly webhookAuthSecretArn?: string;
  /**
   * ARN of the customer managed KMS key that encrypts `webhookAuthSecretArn`,
   * so the functions may decrypt it.
   * @default - the secret uses the AWS managed key
   */
  readonly webhookAuthSecretKeyArn?: string;
  /**
   * Email address that receives the alarms (through an SNS topic the stack creates;
   * confirm the subscription email). Not allowed with `alarmTopicArn`.
   * @default - no email
   */
  readonly alarmEmail?: string;
  /**
   * ARN of an existing SNS topic that receives the alarms.
   * @default - no topic
   */
  readonly alarmTopicArn?: string;
  /**
   * Whether X-Ray active tracing is on for the API stage and the functions
   * (off for cost: it records nearly every webhook, about $5 per million).
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Whether the stack sets the account's API Gateway CloudWatch Logs role (an
   * account-wide, per-region setting API Gateway needs to write logs). Set false
   * if the account already has one that you manage elsewhere.
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * Whether to deploy the SCEP dynamic-challenge service (`/scep-challenge` for
   * Jamf Pro, `/scep-challenge/verify` for step-ca). With false, no other `scep*`
   * setting may be given.
   * @default true
   */
  readonly scepChallenge?: boolean;
  /**
   * Complete ARN of an existing secret holding the challenge signing key
   * (`{"key": "...", "previousKeys": [...]}`).
   * @default - the stack creates a secret with a generated 64-character key
   */
  readonly scepSigningKeySecretArn?: string;
  /**
   * Complete ARN of an existing secret holding step-ca's webhook signing secret
   * (the base64 value, or `{"secrets": ["..."]}`).
   * @default - the stack creates a placeholder secret to put step-ca's value in
   */
  readonly scepVerifySecretArn?: string;
  /**
   * Seconds a challenge is valid, at most 604800 (7 days).
   * @default 3600
   */
  readonly scepChallengeTtlSeconds?: number;
  /**
   * Milliseconds the audit publish may add to a SCEP response, at most 1500.
   * @default 500
   */
  readonly scepAuditBudgetMs?: number;
  /**
   * Whether step-ca's certificate request must name the device the challenge was issued for.
   * @default false
   */
  readonly scepRequireDeviceMatch?: boolean;
  /**
   * Largest SCEP request body in bytes, at most 786432; larger ones get 413.
   * @default 65536
   */
  readonly scepMaxBodyBytes?: number;
  /**
   * https URL of an upstream issuer to get challenges from instead of signing them.
   * @default - challenges are signed by the function
   */
  readonly scepUpstreamUrl?: string;
  /**
   * Complete ARN of a secret `{"username": "...", "password": "..."}` for the
   * upstream issuer. Requires `scepUpstreamUrl`.
   * @default - no credentials upstream
   */
  readonly scepUpstreamSecretArn?: string;
  /**
   * Milliseconds a call to the upstream issuer may take, at most 1800, and at most 1550 together
   * with `scepAuditBudgetMs`. Requires `scepUpstreamUrl`.
   * @default 1000
   */
  readonly scepUpstreamTimeoutMs?: number;
  /**
   * Instances of the SCEP function kept initialized (billed all the time); 0 for none.
   * @default 0
   */
  readonly scepProvisionedConcurrency?: number;
}

type SettingKind = 'string' | 'boolean' | 'integer' | 'number' | 'list';

/** How each setting is read from context. The keys are the context keys. */
const SETTING_KINDS: { readonly [K in keyof Required<JamfEventBridgeSettings>]: SettingKind } = {
  eventSource: 'string',
  eventBusName: 'string',
  existingEventBus: 'string',
  archive: 'boolean',
  archiveRetentionDays: 'integer',
  eventLog: 'boolean',
  logRetentionDays: 'integer',
  throttlingRateLimit: 'number',
  throttlingBurstLimit: 'integer',
  maxBodyBytes: 'integer',
  publishBudgetMs: 'integer',
  allowedSourceCidrs: 'list',
  webAclArn: 'string',
  webhookAuthSecretArn: 'string',
  webhookAuthSecretKeyArn: 'string',
  alarmEmail: 'string',
  alarmTopicArn: 'string',
  tracing: 'boolean',
  apiGatewayCloudWatchRole: 'boolean',
  scepChallenge: 'boolean',
  scepSigningKeySecretArn: 'string',
  scepVerifySecretArn: 'string',
  scepChallengeTtlSeconds: 'integer',
  scepAuditBudgetMs: 'integer',
  scepRequireDeviceMatch: 'boolean',
  scepMaxBodyBytes: 'integer',
  scepUpstreamUrl: 'string',
  scepUpstreamSecretArn: 'string',
  scepUpstreamTimeoutMs: 'integer',
  scepProvisionedConcurrency: 'integer',
};

/** The context keys that are settings, in the order of the README table. */
export const SETTING_KEYS = Object.keys(SETTING_KINDS) as ReadonlyArray<keyof JamfEventBridgeSettings>;

/**
 * Reads the settings from CDK context (`-c key=value`, cdk.json `context`).
 *
 * Values from the command line are strings and are converted; values from
 * cdk.json may already be booleans, numbers or arrays. A value that cannot be
 * converted throws, naming the key and an example. So does a context key that
 * looks like a setting but is not one (`-c evenSource=...`): a typo must not
 * deploy a default silently, least of all an API open to every address.
 */
export function settingsFromContext(node: Node): JamfEventBridgeSettings {
  const known = new Set<string>(SETTING_KEYS);
  for (const key of Object.keys(node.getAllContext())) {
    // Settings are plain camelCase words; CDK's own keys and feature flags have ':', '@' or '-'.
    if (/^[a-z][A-Za-z0-9]*$/.test(key) && !known.has(key)) {
      throw new Error(
        `Unknown setting '${key}' in CDK context. Check the spelling; the settings are: ${SETTING_KEYS.join(', ')}.`,
      );
    }
  }

  const settings: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const raw: unknown = node.tryGetContext(key);
    if (raw === undefined || raw === null) continue;
    settings[key] = parseSetting(key, SETTING_KINDS[key], raw);
  }
  return settings as JamfEventBridgeSettings;
}

function parseSetting(key: string, kind: SettingKind, raw: unknown): string | boolean | number | string[] {
  const fail = (expected: string, example: string): never => {
    throw new Error(
      `Setting '${key}' must be ${expected} (e.g. -c ${key}=${example}), got ${JSON.stringify(raw)}.`,
    );
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
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        return fail('a whole number', '30');
      }
      return value;
    }
    case 'number': {
      const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail('a number', '100');
      return value;
    }
    case 'list': {
      let items: unknown = raw;
      if (typeof raw === 'string') {
        const text = raw.trim();
        if (text.startsWith('[')) {
          try {
            items = JSON.parse(text);
          } catch {
            return fail('a comma-separated list or a JSON array of strings', '192.0.2.0/24,198.51.100.7/32');
          }
        } else {
          items = text.split(',');
        }
      }
      if (!Array.isArray(items) || !items.every((item): item is string => typeof item === 'string')) {
        return fail('a comma-separated list or a JSON array of strings', '192.0.2.0/24,198.51.100.7/32');
      }
      return items.map((item) => item.trim()).filter((item) => item !== '');
    }
  }
}
