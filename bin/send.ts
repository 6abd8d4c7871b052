/**
 * `npm run send -- <EventName> [--xml] [--scep] [--url <webhook url>]`: posts
 * the fixture of an event from events/ to the local stack, authenticated with
 * the first credential of JAMF_WEBHOOK_AUTH, and prints the response. With
 * `--scep` it posts to /scep-challenge, as Jamf Pro does for a dynamic SCEP
 * challenge, and the response is the challenge.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCredentialsDocument } from '../lambda/auth/credentials';
import { authHeadersFor } from '../lambda/auth/sign';

const EVENTS_DIR = join(__dirname, '..', 'events');

function usage(message: string): never {
  const names = readdirSync(join(EVENTS_DIR, 'json')).map((f) => f.replace(/\.json$/, ''));
  process.stderr.write(`${message}\nusage: npm run send -- <EventName> [--xml] [--scep] [--url <url>]\nevents: ${names.join(', ')}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const xml = args.includes('--xml');
  const urlIndex = args.indexOf('--url');
  const path = args.includes('--scep') ? 'scep-challenge' : 'webhooks';
  const url = urlIndex >= 0 ? args[urlIndex + 1] : `http://127.0.0.1:${process.env.PORT ?? 3000}/${path}`;
  const name = args.find((arg, i) => !arg.startsWith('--') && (urlIndex < 0 || i !== urlIndex + 1));
  if (!name || !url) usage('Which event?');

  const format = xml ? 'xml' : 'json';
  const file = readdirSync(join(EVENTS_DIR, format)).find((f) => f.toLowerCase() === `${name.toLowerCase()}.${format}`);
  if (!file) usage(`No ${format.toUpperCase()} fixture for "${name}".`);
  const body = readFileSync(join(EVENTS_DIR, format, file));

  const auth = process.env.JAMF_WEBHOOK_AUTH?.trim();
  const headers = {
    'content-type': xml ? 'text/xml; charset=UTF-8' : 'application/json; charset=UTF-8',
    ...(auth ? authHeadersFor(parseCredentialsDocument(auth), body) : {}),
  };
  const response = await fetch(url, { method: 'POST', headers, body });
  process.stdout.write(`${response.status} ${response.statusText}\n${await response.text()}\n`);
  if (!response.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`send failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
