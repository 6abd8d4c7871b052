/**
 * `npm run send -- <EventName> [--xml] [--scep] [--instance <name>] [--url <webhook url>]`: posts
 * the fixture of an event from events/ to the local stack, authenticated with
 * the first credential of JAMF_WEBHOOK_AUTH, and prints the response. With
 * `--scep` it posts to /scep-challenge, as Jamf Pro does for a dynamic SCEP
 * challenge, and the response is the challenge.
 *
 * Without JAMF_WEBHOOK_AUTH it uses the credentials of the running `npm start`,
 * from .local/runtime.json, and its URL unless --url or PORT says otherwise.
 *
 * With `--instance <name>` it posts as that named Jamf Pro instance (`jamfInstances`): to
 * `/webhooks/<name>` (`/scep-challenge/<name>` with `--scep`), with that instance's credentials
 * from JAMF_INSTANCES, else from .local/runtime.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CredentialsDocument, parseCredentialsDocument } from '../lambda/auth/credentials';
import { authHeadersFor } from '../lambda/auth/sign';
import { readRuntimeFile, runtimeFilePath, shownPath } from '../lambda/local/runtime-file';
import { readJamfInstancesVariable } from '../lambda/local/settings';
import {
  INSTANCE_NAME_PATTERN,
  instanceScepChallengePath,
  instanceWebhooksPath,
  SCEP_CHALLENGE_PATH,
  WEBHOOKS_PATH,
} from '../lambda/contract';

const EVENTS_DIR = join(__dirname, '..', 'events');

function usage(message: string): never {
  const names = readdirSync(join(EVENTS_DIR, 'json')).map((f) => f.replace(/\.json$/, ''));
  process.stderr.write(`${message}\nusage: npm run send -- <EventName> [--xml] [--scep] [--instance <name>] [--url <url>]\nevents: ${names.join(', ')}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const xml = args.includes('--xml');
  const urlIndex = args.indexOf('--url');
  const instanceIndex = args.indexOf('--instance');
  const instance = instanceIndex >= 0 ? args[instanceIndex + 1] : undefined;
  if (instanceIndex >= 0 && (instance === undefined || !INSTANCE_NAME_PATTERN.test(instance))) usage('--instance needs an instance name, e.g. --instance sandbox.');
  const scep = args.includes('--scep');
  const path = instance === undefined ? (scep ? SCEP_CHALLENGE_PATH : WEBHOOKS_PATH) : scep ? instanceScepChallengePath(instance) : instanceWebhooksPath(instance);
  const runtimeFile = runtimeFilePath();
  const running = readRuntimeFile(runtimeFile);
  const base = process.env.PORT ? `http://127.0.0.1:${process.env.PORT}` : (running?.url ?? 'http://127.0.0.1:3000');
  const url = urlIndex >= 0 ? args[urlIndex + 1] : `${base}/${path}`;
  const valueAt = new Set([urlIndex, instanceIndex].filter((i) => i >= 0).map((i) => i + 1));
  const name = args.find((arg, i) => !arg.startsWith('--') && !valueAt.has(i));
  if (!name || !url) usage('Which event?');
  if (instance !== undefined && running !== undefined && running.instances?.[instance] === undefined) {
    usage(`The running npm start has no instance "${instance}"${running.instances ? ` (it has ${Object.keys(running.instances).join(', ')})` : ''}: start it with -c jamfInstances=${instance}.`);
  }

  const format = xml ? 'xml' : 'json';
  const file = readdirSync(join(EVENTS_DIR, format)).find((f) => f.toLowerCase() === `${name.toLowerCase()}.${format}`);
  if (!file) usage(`No ${format.toUpperCase()} fixture for "${name}".`);
  const body = readFileSync(join(EVENTS_DIR, format, file));

  const variable = instance === undefined ? 'JAMF_WEBHOOK_AUTH' : 'JAMF_INSTANCES';
  const fromEnv = instance === undefined ? process.env.JAMF_WEBHOOK_AUTH?.trim() || undefined : instanceAuthFromEnv(instance);
  const auth = fromEnv ?? (instance === undefined ? running?.webhookAuth : running?.instances?.[instance]?.webhookAuth);
  const source = fromEnv
    ? variable
    : running
      ? `${shownPath(runtimeFile)} (npm start, pid ${running.pid})`
      : undefined;
  const document = auth ? parseCredentialsDocument(auth) : undefined;
  const headers = {
    'content-type': xml ? 'text/xml; charset=UTF-8' : 'application/json; charset=UTF-8',
    ...(document ? authHeadersFor(document, body) : {}),
  };
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new Error(
      `${cause ?? (error instanceof Error ? error.message : String(error))} at ${url}` +
        (cause === 'ECONNREFUSED' ? ': is npm start running (in this checkout, or on that port)?' : ''),
    );
  }
  process.stdout.write(`${response.status} ${response.statusText}\n${await response.text()}\n`);
  if (response.status === 401) process.stderr.write(`${unauthorizedHint(document, source, runtimeFile, variable)}\n`);
  if (!response.ok) process.exitCode = 1;
}

/** Which credential was sent and where it came from, never the secret. */
function describeCredential(document: CredentialsDocument): string {
  const basic = document.basic?.[0] ?? (document.username ? document : undefined);
  if (basic?.username) return `Basic user "${basic.username}"`;
  if (document.headers?.[0]) return `header ${document.headers[0].name}`;
  if (document.hmac?.[0]) return `HMAC signature in ${document.hmac[0].header}`;
  return 'no credential (the document has none)';
}

function unauthorizedHint(document: CredentialsDocument | undefined, source: string | undefined, runtimeFile: string, variable: string): string {
  if (!document || !source) {
    return (
      `hint: no credential was sent: ${variable} is not set and ${shownPath(runtimeFile)} is not there ` +
      `(it is written by a running npm start in this checkout). Set ${variable} as the server has it.`
    );
  }
  return (
    `hint: the server refused ${describeCredential(document)} from ${source}. ` +
    (source === variable
      ? `Was the server started with another ${variable}? Set the same one here, or unset it to use the running server's.`
      : 'Is the server on that URL the npm start that wrote the file?')
  );
}

/** `JAMF_INSTANCES`' credentials document for `instance` (JSON text, checked), when the variable gives one. */
function instanceAuthFromEnv(instance: string): string | undefined {
  return readJamfInstancesVariable(process.env.JAMF_INSTANCES).get(instance);
}

main().catch((error: unknown) => {
  process.stderr.write(`send failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
