/**
 * `npm start [-- -c key=value ...] [--json]`: the local runtime. Runs the ingest
 * and SCEP handlers behind a local API Gateway on 127.0.0.1:$PORT (default 3000),
 * with local EventBridge, SQS, Secrets Manager and DynamoDB endpoints, and prints
 * one line per request (the handlers' JSON log line with LOG_FORMAT=json or --json).
 *
 * Settings: the same as `cdk deploy`, from the same places: cdk.json's `context`,
 * then `-c key=value` / `--context key=value` (see lambda/local/settings.ts).
 *
 * Secrets come from the environment: JAMF_WEBHOOK_AUTH (the credentials document;
 * without it a local-only Basic credential is generated and printed), JAMF_INSTANCES (each named
 * instance's document, `{"sandbox": {"auth": {...}}}`; generated too for one it leaves out), SCEP_CHALLENGE_KEY
 * (the signing key) and SCEP_VERIFY_SECRET (step-ca's webhook secret, base64);
 * SCEP_UPSTREAM_USERNAME and SCEP_UPSTREAM_PASSWORD for the upstream mode. The URL and
 * the credentials go to .local/runtime.json (mode 0600, removed on exit) for `npm run send`.
 *
 * The built-in AWS endpoint: LOCAL_AWS_PORT (its port), LOCAL_FAULTS (faults it injects),
 * LOCAL_MAX_EVENTS (events and dead letters kept); AWS_ENDPOINT_URL sends the handlers' AWS
 * calls elsewhere, e.g. through a proxy in front of it.
 *
 * Jamf Pro: a stand-in of the Classic API's webhooks resource under /_local/jamf, whose
 * generated API client goes to .local/runtime.json, so that `npm run jamf -- sync` works.
 *
 * Rules and subscribers: LOCAL_RULES names a JSON file of rule name to event pattern (checked
 * at start); LOCAL_SUBSCRIBERS a module (.ts or .js) whose exports, named after rules, are
 * invoked with each event their rule matches. See docs/local.md.
 */
// Before any SDK client exists: the locked AWS SDK versions support Node 20, and their
// 8-line NodeVersionSupportWarning is about versions published after January 2027.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCredentialsDocument } from '../lambda/auth/credentials';
import { SETTINGS } from '../lambda/contract';
import { MIN_SIGNING_KEY_CHARS } from '../lambda/scep/keys';
import { parseVerifySecrets } from '../lambda/scep/step-ca';
import { setLogWriter } from '../lambda/shared/log';
import { humanInvocationLine, humanRequestLine, PublishedHints } from '../lambda/local/log-format';
import { FAULT_SERVICES } from '../lambda/local/faults';
import { currentLocalRequest, LOCAL_AUTH_SECRET, startLocalRuntime, type FaultDocument } from '../lambda/local/runtime';
import { removeRuntimeFile, runtimeFilePath, shownPath, writeRuntimeFile, type RuntimeFile } from '../lambda/local/runtime-file';
import { loadSubscribers, subscribersWithoutRule, type LocalInvocation } from '../lambda/local/subscribers';
import {
  awsOnlySettings,
  contextArguments,
  localStackOptions,
  localThrottle,
  readJamfInstancesVariable,
  readLocalRuntimeVariables,
  readLocalSettings,
} from '../lambda/local/settings';

const USAGE = 'usage: npm start [-- [-c key=value ...] [--json]]';

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

async function main(): Promise<void> {
  const { context, rest } = contextArguments(process.argv.slice(2));
  const json = rest.includes('--json') || process.env.LOG_FORMAT?.trim().toLowerCase() === 'json';
  const unknown = rest.filter((arg) => arg !== '--json');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')}\n${USAGE}`);
  const settings = readLocalSettings(cdkJsonContext(), context);

  const port = Number(process.env.PORT ?? 3000);
  const env = (name: string) => process.env[name]?.trim() || undefined;
  let webhookAuth = env('JAMF_WEBHOOK_AUTH');
  // Fail at start, not on the first webhook, when the document is wrong.
  if (webhookAuth) parseCredentialsDocument(webhookAuth);
  const generatedAuth = webhookAuth === undefined;
  // Local only, and printed once below: so that `npm run send` works with no export.
  webhookAuth ??= JSON.stringify({ basic: [{ username: 'jamf', password: randomBytes(18).toString('base64url') }] });
  const scepChallengeKey = env('SCEP_CHALLENGE_KEY');
  if (scepChallengeKey !== undefined && scepChallengeKey.length < MIN_SIGNING_KEY_CHARS) {
    throw new Error(`SCEP_CHALLENGE_KEY must be at least ${MIN_SIGNING_KEY_CHARS} characters`);
  }
  const scepVerifySecret = env('SCEP_VERIFY_SECRET');
  if (scepVerifySecret !== undefined && parseVerifySecrets(scepVerifySecret).length === 0) {
    throw new Error('SCEP_VERIFY_SECRET must be base64, as step-ca prints it');
  }
  const instances = instanceCredentials(settings.jamfInstances ?? [], env('JAMF_INSTANCES'));
  const upstreamUsername = env('SCEP_UPSTREAM_USERNAME');
  const upstreamPassword = env('SCEP_UPSTREAM_PASSWORD');
  const fromSettings = localStackOptions(settings);
  const { throttleOff, ...local } = readLocalRuntimeVariables();
  const throttle = localThrottle(settings, { throttleOff });
  const upstream = fromSettings.scepUpstream;
  const rules = local.rules ?? new Map();
  const subscribersPath = env('LOCAL_SUBSCRIBERS');
  const subscribers = subscribersPath ? await loadSubscribers(subscribersPath) : undefined;
  // One line per subscriber invocation, beside the request lines; an error is never fatal.
  const onInvocation = (invocation: LocalInvocation) =>
    process.stdout.write(json ? `${JSON.stringify({ message: 'subscriber', ...invocation })}\n` : humanInvocationLine(invocation));

  const hints = new PublishedHints();
  if (!json) {
    // One line per request, for a person; the JSON line stays what production writes.
    setLogWriter((line) => {
      let eventId: string | undefined;
      try {
        eventId = (JSON.parse(line) as { eventId?: string }).eventId;
      } catch {
        // not JSON: printed as it is
      }
      process.stdout.write(humanRequestLine(line, currentLocalRequest(), hints.take(eventId)));
    });
  }
  const runtimeFile = runtimeFilePath();
  let written: RuntimeFile | undefined;
  const stack = await startLocalRuntime({
    ...fromSettings,
    ...local,
    ...(throttle ? { throttle } : {}),
    port,
    webhookAuth,
    instanceAuth: Object.fromEntries([...instances].map(([name, { auth }]) => [name, auth])),
    ...(scepChallengeKey ? { scepChallengeKey } : {}),
    ...(scepVerifySecret ? { scepVerifySecret } : {}),
    ...(upstream
      ? {
          scepUpstream: {
            ...upstream,
            ...(upstreamUsername ? { username: upstreamUsername } : {}),
            ...(upstreamPassword ? { password: upstreamPassword } : {}),
          },
        }
      : {}),
    onPublished: hints.onPublished,
    ...(subscribers ? { subscribers, onInvocation } : {}),
    // A rotation (npm run jamf -- rotate) replaced the document: npm run send uses the new one.
    onWebhookAuthChanged: (document) => {
      if (written) writeRuntimeFile(runtimeFile, (written = { ...written, webhookAuth: document }));
    },
  });

  writeRuntimeFile(runtimeFile, (written = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    url: stack.url,
    port: Number(new URL(stack.url).port),
    webhookUrl: stack.webhookUrl,
    ...(stack.scepEnabled ? { scepChallengeUrl: stack.scepChallengeUrl, scepVerifyUrl: stack.scepVerifyUrl } : {}),
    webhookAuth,
    webhookAuthSource: generatedAuth ? 'generated' : 'JAMF_WEBHOOK_AUTH',
    awsEndpointUrl: stack.awsEndpointUrl,
    jamfUrl: stack.jamfUrl,
    jamfClientId: stack.jamf.clientId,
    jamfClientSecret: stack.jamf.clientSecret,
    ...(stack.scepEnabled ? { scepVerifySecret: stack.scep.verifySecret } : {}),
    ...(stack.instances.length > 0
      ? {
          instances: Object.fromEntries(
            stack.instances.map((instance) => [
              instance.name,
              {
                webhookUrl: instance.webhookUrl,
                ...(instance.scepChallengeUrl ? { scepChallengeUrl: instance.scepChallengeUrl } : {}),
                eventSource: instance.eventSource,
                webhookAuth: instances.get(instance.name)!.auth,
                webhookAuthSource: instances.get(instance.name)!.generated ? ('generated' as const) : ('JAMF_INSTANCES' as const),
              },
            ]),
          ),
        }
      : {}),
    webhookAuthSecretId: LOCAL_AUTH_SECRET,
    ...(local.secretTtlSeconds !== undefined ? { secretTtlSeconds: local.secretTtlSeconds } : {}),
  }));

  const lines = [
    `jamf-eventbridge local stack`,
    `  webhooks      POST ${stack.webhookUrl}   (JSON or XML, as Jamf Pro sends them)`,
    ...(stack.scepEnabled
      ? [
          `  SCEP          POST ${stack.scepChallengeUrl}   (Jamf Pro's SCEPChallenge webhook: ${
            upstream ? `forwarded to ${upstream.url}` : 'answers a signed challenge'
          })`,
          `  SCEP verify   POST ${stack.scepVerifyUrl}   (step-ca's SCEPCHALLENGE webhook)`,
        ]
      : []),
    ...stack.instances.map(
      (instance) =>
        `  ${`instance`.padEnd(13)} POST ${instance.webhookUrl}${instance.scepChallengeUrl ? `   SCEP ${instance.scepChallengeUrl}` : ''}   (source ${instance.eventSource}, delivery.instance "${instance.name}")`,
    ),
    `  events        GET  ${stack.url}/_local/events`,
    `  dead letters  GET  ${stack.url}/_local/dead-letters`,
    `  AWS endpoint  ${stack.awsEndpointUrl}   (EventBridge, SQS, Secrets Manager, DynamoDB wire protocols)`,
    ...(stack.handlerAwsEndpointUrl !== stack.awsEndpointUrl
      ? [`  AWS calls     ${stack.handlerAwsEndpointUrl}   (AWS_ENDPOINT_URL: the handlers send every AWS call there)`]
      : []),
    `  Jamf Pro      ${stack.jamfUrl}   (a Classic API stand-in for the webhook registrar: npm run jamf -- sync)`,
    `  faults        GET|PUT ${stack.url}/_local/faults   (${describeFaults(stack.faults().faults)})`,
    `  throttle      GET  ${stack.url}/_local/throttle   (${
      throttle ? `429 above ${throttle.rateLimit}/s, burst ${throttle.burstLimit}, as API Gateway; LOCAL_THROTTLE=off for none` : 'off: LOCAL_THROTTLE=off'
    })`,
    ...(rules.size > 0 ? [`  rules         ${[...rules.keys()].join(', ')}   (LOCAL_RULES ${env('LOCAL_RULES')}: each event's MatchedRules in /_local/events)`] : []),
    ...(subscribers
      ? [`  subscribers   ${[...subscribers.keys()].filter((name) => rules.has(name)).join(', ') || 'none'}   (LOCAL_SUBSCRIBERS ${subscribersPath}: GET ${stack.url}/_local/invocations)`]
      : []),
    `  try it        npm run send -- ComputerAdded   |   npm run send -- ComputerAdded --xml${
      stack.instances[0] ? `   |   npm run send -- --instance ${stack.instances[0].name} ComputerAdded` : ''
    }`,
    `  settings      ${describeSettings(settings)}`,
  ];
  const awsOnly = awsOnlySettings(settings);
  if (awsOnly.length > 0) lines.push(`  not local     ${awsOnly.join(', ')} (take effect in a deployment only)`);
  const unused = subscribers ? subscribersWithoutRule(subscribers, rules) : [];
  if (unused.length > 0) {
    lines.push(
      '',
      `WARNING: LOCAL_SUBSCRIBERS exports ${unused.join(', ')}, but LOCAL_RULES has no rule of ${unused.length === 1 ? 'that name' : 'those names'}: never invoked.`,
    );
  }
  if (generatedAuth) {
    lines.push(
      '',
      'WARNING: JAMF_WEBHOOK_AUTH is not set: generated for this run, for local use only (npm run send uses it):',
      `  JAMF_WEBHOOK_AUTH='${webhookAuth}'`,
    );
  }
  const generatedInstances = [...instances].filter(([, { generated }]) => generated);
  if (generatedInstances.length > 0) {
    lines.push(
      '',
      `WARNING: JAMF_INSTANCES gives no credentials for ${generatedInstances.map(([name]) => name).join(', ')}: generated for this run, for local use only:`,
      // Only the generated ones: a credential the user gave is theirs and is never printed.
      `  JAMF_INSTANCES='${JSON.stringify(Object.fromEntries(generatedInstances.map(([name, { auth }]) => [name, { auth: JSON.parse(auth) as unknown }])))}'`,
    );
  }
  if (stack.scepEnabled && stack.scep.generated.length > 0) {
    // Printed once, so a local step-ca can be pointed at this stack; they die with the process.
    lines.push('', 'WARNING: SCEP secrets generated for this run, for local use only (set them to keep them):');
    if (stack.scep.generated.includes('challengeKey')) lines.push(`  SCEP_CHALLENGE_KEY=${stack.scep.challengeKey}`);
    if (stack.scep.generated.includes('verifySecret')) lines.push(`  SCEP_VERIFY_SECRET=${stack.scep.verifySecret}`);
  }
  lines.push('', `URL and credentials for npm run send: ${shownPath(runtimeFile)} (removed on exit). One line per request:`);
  process.stderr.write(`${lines.join('\n')}\n\n`);

  stopOnSignals(() => {
    removeRuntimeFile(runtimeFile);
    return stack.close();
  });
  process.on('exit', () => removeRuntimeFile(runtimeFile));
}

/**
 * Each named instance's credentials document (JSON text): from JAMF_INSTANCES
 * (`{"<name>": {"auth": <credentials document>}}`), checked now, or generated for this run, as
 * JAMF_WEBHOOK_AUTH is for the default instance. JAMF_INSTANCES may name only instances that
 * `jamfInstances` lists: the settings say which instances there are, as they do for a deployment.
 */
function instanceCredentials(
  instances: readonly { readonly name: string }[],
  variable: string | undefined,
): Map<string, { readonly auth: string; readonly generated: boolean }> {
  const given = readJamfInstancesVariable(variable);
  const unknown = [...given.keys()].filter((name) => !instances.some((instance) => instance.name === name));
  if (unknown.length > 0) {
    throw new Error(`JAMF_INSTANCES names ${unknown.join(', ')}, which the setting jamfInstances does not list (e.g. -c jamfInstances=${unknown.join(',')})`);
  }
  const credentials = new Map<string, { auth: string; generated: boolean }>();
  for (const { name } of instances) {
    const auth = given.get(name);
    const generated = JSON.stringify({ basic: [{ username: 'jamf', password: randomBytes(18).toString('base64url') }] });
    credentials.set(name, auth === undefined ? { auth: generated, generated: true } : { auth, generated: false });
  }
  return credentials;
}

/** The settings that differ from their defaults, as `key=value`, or that none do. */
function describeSettings(settings: Readonly<Record<string, unknown>>): string {
  const given = Object.entries(settings).filter(([key]) => SETTINGS[key as keyof typeof SETTINGS]?.scope === 'both');
  if (given.length === 0) return 'defaults (cdk.json context and -c key=value, as for cdk deploy)';
  const shown = (value: unknown) =>
    Array.isArray(value) ? value.map((item: unknown) => (typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : item)).join(',') : String(value);
  return given.map(([key, value]) => `${key}=${shown(value)}`).join('  ');
}

/** The faults in force, in one line. */
function describeFaults(document: FaultDocument): string {
  const services = FAULT_SERVICES.filter((service) => document[service] && Object.keys(document[service]!).length > 0);
  if (services.length === 0) return 'none; LOCAL_FAULTS or PUT to inject some';
  return `LOCAL_FAULTS: ${services.map((service) => `${service} ${JSON.stringify(document[service])}`).join('  ')}  seed ${document.seed}`;
}

/** How long closing may take before the process exits anyway. */
const CLOSE_DEADLINE_MS = 2000;

/**
 * Stops on SIGINT (Ctrl-C), SIGTERM (`kill`, which npm forwards to the script) and
 * SIGHUP, and when the process that started this one goes away: the port must not
 * outlive the command that opened it. Ctrl-C reaches this process twice (from the
 * terminal and forwarded by npm), so further signals change nothing; exit comes
 * within CLOSE_DEADLINE_MS whatever close() does.
 */
function stopOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), CLOSE_DEADLINE_MS).unref();
    close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 500).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`local stack failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
