/**
 * `.local/runtime.json`: what a running `npm start` tells `npm run send` in another
 * terminal (its URL and the credentials it accepts), so that no variable has to
 * be exported twice. Written with mode 0600, in a git-ignored directory, removed
 * when the server stops. JAMF_EVENTBRIDGE_LOCAL_DIR puts it elsewhere.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface RuntimeFile {
  /** The `npm start` process; the file is stale when it is gone. */
  readonly pid: number;
  readonly startedAt: string;
  readonly url: string;
  readonly port: number;
  readonly webhookUrl: string;
  /** Absent when the SCEP routes are off (the `scepChallenge` setting). */
  readonly scepChallengeUrl?: string;
  readonly scepVerifyUrl?: string;
  /** The credentials document the server accepts (JSON text), as JAMF_WEBHOOK_AUTH holds it. */
  readonly webhookAuth: string;
  /** The local Secrets Manager's id of that document, for `npm run jamf -- rotate`. */
  readonly webhookAuthSecretId?: string;
  /** Seconds the functions use a secret before reading it again (`SECRET_TTL_SECONDS`). */
  readonly secretTtlSeconds?: number;
  /** Where it came from: the variable, or generated for this run. */
  readonly webhookAuthSource: 'JAMF_WEBHOOK_AUTH' | 'generated';
  /** step-ca's webhook secret, base64, as SCEP_VERIFY_SECRET holds it. */
  readonly scepVerifySecret?: string;
  /** The built-in AWS endpoint, for tools that publish to the local bus (npm run redrive -- --from-logs). */
  readonly awsEndpointUrl?: string;
  /** The Jamf Pro Classic API stand-in (`/_local/jamf`), for `npm run jamf`. */
  readonly jamfUrl?: string;
  /** The stand-in's API client, as JAMF_CLIENT_ID and JAMF_CLIENT_SECRET would hold it. */
  readonly jamfClientId?: string;
  readonly jamfClientSecret?: string;
  /** The named Jamf Pro instances (`jamfInstances`), by name: `npm run send -- --instance <name>`. */
  readonly instances?: Readonly<Record<string, RuntimeFileInstance>>;
}

/** A named instance in the file: its URLs, source and the credentials document its routes accept. */
export interface RuntimeFileInstance {
  readonly webhookUrl: string;
  readonly scepChallengeUrl?: string;
  readonly eventSource: string;
  /** The credentials document (JSON text), as JAMF_INSTANCES holds it for this instance. */
  readonly webhookAuth: string;
  readonly webhookAuthSource: 'JAMF_INSTANCES' | 'generated';
}

const ROOT = join(__dirname, '..', '..');

/** Where the file is: `.local/runtime.json` in the checkout, or under JAMF_EVENTBRIDGE_LOCAL_DIR. */
export function runtimeFilePath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(env.JAMF_EVENTBRIDGE_LOCAL_DIR?.trim() || join(ROOT, '.local'), 'runtime.json');
}

/** The path as a person in the checkout would type it. */
export function shownPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown && !shown.startsWith('..') ? shown : path;
}

/** Writes the file, readable by its owner only, replacing any earlier one in one step. */
export function writeRuntimeFile(path: string, contents: RuntimeFile): void {
  const dir = join(path, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600); // whatever the umask did
  renameSync(temporary, path);
}

/** Removes the file if it is this process's (a later `npm start` may have replaced it). */
export function removeRuntimeFile(path: string, pid = process.pid): void {
  try {
    if ((JSON.parse(readFileSync(path, 'utf8')) as Partial<RuntimeFile>).pid !== pid) return;
    rmSync(path, { force: true });
  } catch {
    // not there, or not ours to judge: leave it
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The file of a running server; undefined when there is none, or its server is gone. */
export function readRuntimeFile(path: string): RuntimeFile | undefined {
  let contents: Partial<RuntimeFile>;
  try {
    contents = JSON.parse(readFileSync(path, 'utf8')) as Partial<RuntimeFile>;
  } catch {
    return undefined;
  }
  if (typeof contents.pid !== 'number' || typeof contents.url !== 'string' || typeof contents.webhookAuth !== 'string') {
    return undefined;
  }
  return isRunning(contents.pid) ? (contents as RuntimeFile) : undefined;
}
