/**
 * `npm run jamf -- sync|plan|remove [options]`: registers this stack's webhooks in Jamf Pro
 * through the Classic API (lambda/jamf/registrar.ts), one per event, named
 * `jamf-eventbridge: <Event>`.
 *
 *   plan     prints what sync would do, and writes nothing
 *   sync     creates, updates and deletes until Jamf Pro has what is asked for
 *   remove   deletes every webhook sync created, and nothing else
 *   rotate   replaces the webhook credential with no webhook refused in between: adds a new one to
 *            the credentials document (a Secrets Manager secret, --secret-id), waits for the
 *            functions to read it, sends it to every webhook sync created, then retires the old one
 *
 * The API client comes from JAMF_CLIENT_ID and JAMF_CLIENT_SECRET; the webhook credential from
 * JAMF_WEBHOOK_AUTH (the credentials document the functions check). When `npm start` is running,
 * what is not given comes from its .local/runtime.json: the Jamf URL (its Classic API stand-in),
 * the API client, the webhook and SCEP URLs, and the credential. No secret is ever printed.
 */
import { parseCredentialsDocument, type CredentialsDocument } from '../lambda/auth/credentials';
import { canonicalEventName, type JamfEventName } from '../lambda/events/catalogue';
import { ClassicApiClient, JamfApiError } from '../lambda/jamf/classic-api';
import {
  applyPlan,
  DEFAULT_EVENTS,
  desiredWebhooks,
  isSmartGroupEvent,
  planWebhooks,
  RegistrarConfigurationError,
  SMART_GROUP_EVENTS,
  type AppliedChange,
  type PlannedChange,
  type SmartGroupEvent,
  type WebhookAuth,
  type WebhookFormat,
} from '../lambda/jamf/registrar';
import { readRuntimeFile, runtimeFilePath, shownPath, type RuntimeFile } from '../lambda/local/runtime-file';
import { firstAuthKind } from '../lambda/jamf/credential';
import { rotateWebhookCredential, RotationIncompleteError, type CredentialsStore } from '../lambda/jamf/rotation';
import { DEFAULT_SECRET_TTL_SECONDS } from '../lambda/contract/limits';
import { readSecretString } from '../lambda/secrets/secrets-manager';
import { writeSecretString } from '../lambda/secrets/write';
import { boundedRequests } from '../lambda/shared/aws-calls';

/** Added to the functions' secret TTL before the new credential goes to Jamf Pro. */
const ROTATION_MARGIN_SECONDS = 2;

const USAGE = `usage: npm run jamf -- sync|plan|remove [--jamf-url <url>] [--webhook-url <url>] [--scep-url <url>]
         [--events <Name,...>] [--format json|xml] [--auth basic|header|hmac]
         [--smart-group [<SmartGroupEvent>:]<id>]... [--rotate]
       npm run jamf -- rotate [--jamf-url <url>] [--secret-id <WebhookAuthSecretArn>] [--auth basic|header|hmac]
         [--wait <seconds>]
  API client: JAMF_CLIENT_ID, JAMF_CLIENT_SECRET; webhook credential: JAMF_WEBHOOK_AUTH
  (each defaults to the running npm start's, from .local/runtime.json)`;

/** A mistake in the command line or its environment: exit 2 with the usage. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Command = 'sync' | 'plan' | 'remove' | 'rotate';

interface Arguments {
  readonly command: Command;
  readonly values: ReadonlyMap<string, string>;
  readonly smartGroups: readonly string[];
  readonly rotate: boolean;
}

const VALUE_FLAGS = ['--jamf-url', '--webhook-url', '--scep-url', '--events', '--format', '--auth', '--secret-id', '--wait'];

function parseArguments(argv: readonly string[]): Arguments {
  const [command, ...rest] = argv;
  if (command !== 'sync' && command !== 'plan' && command !== 'remove' && command !== 'rotate') throw new UsageError(command ? `unknown command ${command}` : 'which command?');
  const values = new Map<string, string>();
  const smartGroups: string[] = [];
  let rotate = false;
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--rotate') {
      rotate = true;
      continue;
    }
    if (flag !== '--smart-group' && !VALUE_FLAGS.includes(flag)) throw new UsageError(`unknown argument ${arg}`);
    const value = inline ?? rest[++i];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    if (flag === '--smart-group') smartGroups.push(value);
    else values.set(flag, value);
  }
  return { command, values, smartGroups, rotate };
}

function parseEvents(list: string): JamfEventName[] {
  return list.split(',').map((name) => {
    const event = canonicalEventName(name.trim());
    if (!event) throw new UsageError(`unknown event ${name.trim()}`);
    return event;
  });
}

/** `--smart-group 12` pairs the id with each SmartGroup event in --events; `Event:12` names one. */
function parseSmartGroups(values: readonly string[], events: readonly JamfEventName[]): { event: SmartGroupEvent; id: number }[] {
  const listed = events.filter(isSmartGroupEvent);
  return values.flatMap((value) => {
    const [named, idText] = value.includes(':') ? value.split(':', 2) : [undefined, value];
    const id = Number(idText);
    if (!Number.isInteger(id) || id < 1) throw new UsageError(`--smart-group ${value}: the id must be a whole number from 1`);
    if (named !== undefined) {
      const event = canonicalEventName(named);
      if (!event || !isSmartGroupEvent(event)) throw new UsageError(`--smart-group ${value}: ${named} is not one of ${SMART_GROUP_EVENTS.join(', ')}`);
      return [{ event, id }];
    }
    if (listed.length === 0) {
      throw new UsageError(`--smart-group ${value}: name its event (SmartGroupComputerMembershipChange:${id}) or list the SmartGroup event in --events`);
    }
    return listed.map((event) => ({ event, id }));
  });
}

/** The first kind of credential the document has, in the order Jamf Pro's form lists them. */
function defaultAuth(document: CredentialsDocument): WebhookAuth {
  const auth = firstAuthKind(document);
  if (auth === undefined) throw new UsageError('the credentials document has no basic, headers or hmac credential for Jamf Pro to send');
  return auth;
}

function parseAuth(value: string | undefined): WebhookAuth | undefined {
  if (value !== undefined && value !== 'basic' && value !== 'header' && value !== 'hmac') throw new UsageError('--auth must be basic, header or hmac');
  return value;
}

function describe(change: PlannedChange): string {
  switch (change.action) {
    case 'update':
      return `update     ${change.name}  (${[...change.drifted.map((d) => `${d.field}: ${d.found || '(blank)'} -> ${d.wanted}`), ...(change.rotate ? ['credential re-sent'] : [])].join('; ')})`;
    case 'delete':
      return `delete     ${change.name}  (id ${change.id})`;
    case 'create':
      return `create     ${change.name}`;
    case 'unchanged':
      return `unchanged  ${change.name}  (id ${change.id})`;
  }
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const env = (name: string) => process.env[name]?.trim() || undefined;
  const runtimeFile = runtimeFilePath();
  const running = readRuntimeFile(runtimeFile);
  const jamfUrl = args.values.get('--jamf-url') ?? running?.jamfUrl;
  if (!jamfUrl) throw new UsageError('--jamf-url is required (no npm start is running in this checkout)');
  // The stand-in's client only for the stand-in: it would mean nothing to a real Jamf Pro.
  const local = running?.jamfUrl !== undefined && jamfUrl.replace(/\/+$/, '') === running.jamfUrl;
  const clientId = env('JAMF_CLIENT_ID') ?? (local ? running?.jamfClientId : undefined);
  const clientSecret = env('JAMF_CLIENT_SECRET') ?? (local ? running?.jamfClientSecret : undefined);
  if (!clientId || !clientSecret) throw new UsageError('JAMF_CLIENT_ID and JAMF_CLIENT_SECRET must be set (the Jamf Pro API client)');
  const client = new ClassicApiClient({ url: jamfUrl, clientId, clientSecret });

  // What npm start's runtime file holds is for its stand-in only: against a real Jamf Pro, its URLs
  // and credentials would register (or rotate) a local-only credential there.
  const stack = local ? running : undefined;
  if (args.command === 'rotate') return rotate(args, client, stack);

  let desired: ReturnType<typeof desiredWebhooks> = [];
  if (args.command !== 'remove') {
    const webhookUrl = args.values.get('--webhook-url') ?? stack?.webhookUrl;
    if (!webhookUrl) throw new UsageError('--webhook-url is required (the stack\'s WebhookUrl output)');
    const authText = env('JAMF_WEBHOOK_AUTH') ?? stack?.webhookAuth;
    if (!authText) throw new UsageError(`JAMF_WEBHOOK_AUTH must be set (the credentials document), or npm start running (${shownPath(runtimeFile)})`);
    const credentials = parseCredentialsDocument(authText);
    const format = args.values.get('--format') ?? 'json';
    if (format !== 'json' && format !== 'xml') throw new UsageError('--format must be json or xml');
    const auth = parseAuth(args.values.get('--auth')) ?? defaultAuth(credentials);
    const eventsText = args.values.get('--events');
    const events = eventsText ? parseEvents(eventsText) : DEFAULT_EVENTS;
    const scepUrl = args.values.get('--scep-url') ?? stack?.scepChallengeUrl;
    desired = desiredWebhooks({
      webhookUrl,
      ...(scepUrl ? { scepUrl } : {}),
      events,
      smartGroups: parseSmartGroups(args.smartGroups, events),
      format: format satisfies WebhookFormat,
      auth,
      credentials,
    });
  }

  const plan = await planWebhooks(client, desired, { rotate: args.rotate });
  if (args.command === 'plan') {
    for (const change of plan.changes) process.stdout.write(`${describe(change)}\n`);
    process.stdout.write(`plan: ${summary(plan.changes, false)} (nothing written)\n`);
    return;
  }
  const applied = await applyPlan(client, plan);
  for (const result of applied) process.stdout.write(`${line(result)}\n`);
  const failed = applied.filter((a) => a.error);
  process.stdout.write(`${args.command}: ${summary(applied.filter((a) => !a.error).map((a) => a.change), true)}${failed.length ? `, ${failed.length} failed` : ''}\n`);
  if (failed.length > 0) process.exitCode = 1;
}

/**
 * The rotate command. The document is a Secrets Manager secret: --secret-id (the stack's
 * WebhookAuthSecretArn output), or the running npm start's, through its AWS endpoint.
 */
async function rotate(args: Arguments, client: ClassicApiClient, running: RuntimeFile | undefined): Promise<void> {
  // `running` is npm start's only when --jamf-url is its stand-in (see main).
  const given = args.values.get('--secret-id');
  const local = given === undefined && running?.webhookAuthSecretId !== undefined && running.awsEndpointUrl !== undefined;
  const secretId = given ?? (local ? running.webhookAuthSecretId : undefined);
  if (!secretId) throw new UsageError('--secret-id is required (the stack\'s WebhookAuthSecretArn output) unless --jamf-url is a running npm start\'s stand-in');
  const waitText = args.values.get('--wait');
  // The functions read the document again within their secret TTL; a little more covers the read itself.
  const ttlSeconds = waitText === undefined ? (local ? running?.secretTtlSeconds : undefined) ?? DEFAULT_SECRET_TTL_SECONDS : undefined;
  const waitSeconds = waitText === undefined ? ttlSeconds! + ROTATION_MARGIN_SECONDS : Number(waitText);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new UsageError('--wait must be a number of seconds');

  const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const secrets = new SecretsManagerClient({
    maxAttempts: 3,
    ...boundedRequests(2000, 10_000),
    // npm start's built-in endpoint and its static credentials; otherwise the usual AWS configuration.
    ...(local ? { endpoint: running!.awsEndpointUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  const store: CredentialsStore = {
    read: () => readSecretString(secrets, secretId),
    write: (text) => writeSecretString(secrets, secretId, text),
  };
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const result = await rotateWebhookCredential({
    client,
    store,
    auth: parseAuth(args.values.get('--auth')),
    functionsWaitMs: waitSeconds * 1000,
    onStep: (step) => {
      switch (step.step) {
        case 'added':
          return say(`added      a new ${step.auth} credential to the credentials document (the old one stays valid); ${step.webhooks.length} webhook(s) to update`);
        case 'waiting':
          return say(step.why === 'functions'
            ? `waiting    ${Math.round(step.ms / 1000)} s for the functions to read the document again`
            : `waiting    ${Math.round(step.ms / 1000)} s for webhooks sent with the old credential to arrive`);
        case 'updated':
          return say(`updated    ${step.name}  (id ${step.id}): sends the new credential`);
        case 'retired':
          return say(`retired    the old ${step.auth} credential`);
      }
    },
  });
  const others = result.otherKind.length > 0 ? `; ${result.otherKind.length} webhook(s) use other authentication and were left as they are` : '';
  say(`rotate: ${result.updated.length} webhook(s) updated, old credential retired${others}`);
}

function line(result: AppliedChange): string {
  if (result.error) return `FAILED     ${result.change.name}: ${result.error.message}`;
  const changed = result.silentlyChanged.map((d) => `WARNING: Jamf Pro stored ${d.field} ${d.found || '(blank)'}, not ${d.wanted}`);
  return [describe(result.change), ...changed.map((c) => `           ${c}`)].join('\n');
}

function summary(changes: readonly PlannedChange[], done: boolean): string {
  const count = (action: PlannedChange['action']) => changes.filter((c) => c.action === action).length;
  return done
    ? `${count('create')} created, ${count('update')} updated, ${count('delete')} deleted, ${count('unchanged')} unchanged`
    : `${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete, ${count('unchanged')} unchanged`;
}
main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`jamf: ${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  // Every message here is written not to carry a secret (JamfApiError, the credentials document's
  // own errors); anything else is reported by its name only.
  const known = error instanceof JamfApiError || error instanceof RegistrarConfigurationError || error instanceof RotationIncompleteError || (error instanceof Error && error.name === 'InvalidCredentialsDocumentError');
  process.stderr.write(`jamf failed: ${known ? (error as Error).message : error instanceof Error ? error.name : 'unknown error'}\n`);
  process.exit(1);
});
