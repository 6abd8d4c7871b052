/**
 * `npm run jamf` as a person runs it, against a started `npm start` and its Classic API stand-in,
 * with nothing exported: plan, sync, sync again (nothing to do), remove. And no secret, the
 * stand-in's nor the webhook credential nor a wrong one given, reaches its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeFile } from '../../lambda/local/runtime-file';
import { ROOT } from '../support/fixtures';

const localDir = mkdtempSync(join(tmpdir(), 'jamf-eventbridge-jamf-cli-'));
// Functions that read their secrets again after a second, so that a rotation waits seconds.
const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', JAMF_EVENTBRIDGE_LOCAL_DIR: localDir, SECRET_TTL_SECONDS: '1' };
for (const name of ['JAMF_WEBHOOK_AUTH', 'JAMF_CLIENT_ID', 'JAMF_CLIENT_SECRET', 'LOG_FORMAT', 'SCEP_UPSTREAM_URL', 'LOCAL_FAULTS', 'LOCAL_AWS_PORT', 'AWS_ENDPOINT_URL']) {
  delete env[name];
}

let server: ChildProcess | undefined;
let runtime: RuntimeFile;
/** Everything every `npm run jamf` printed, for the secret check. */
let printed = '';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The webhook credentials document after the rotation, for the secret check. */
let rotatedAuth = '';

function jamf(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return npmRun('jamf', args, extraEnv);
}

function npmRun(script: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', script, '--', ...args], { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm run ${script} -- ${args.join(' ')} did not finish within 60 s`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      printed += stdout + stderr;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  server = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.resume();
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`npm start did not start within 20 s:\n${stderr}`)), 20_000);
    server!.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/One line per request/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    server!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${stderr}`)));
  });
  runtime = JSON.parse(readFileSync(join(localDir, 'runtime.json'), 'utf8')) as RuntimeFile;
}, 30_000);

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  }
  rmSync(localDir, { recursive: true, force: true });
});

describe('npm run jamf against npm start', () => {
  it('writes the stand-in and its API client to runtime.json', () => {
    expect(runtime.jamfUrl).toBe(`${runtime.url}/_local/jamf`);
    expect(runtime.jamfClientId).toEqual(expect.any(String));
    expect(runtime.jamfClientSecret).toEqual(expect.any(String));
  });

  it('plans, syncs, finds nothing to do, and removes, with no export', async () => {
    const plan = await jamf(['plan']);
    expect(plan).toMatchObject({ code: 0, stderr: '' });
    expect(plan.stdout).toContain('create     jamf-eventbridge: ComputerAdded\n');
    expect(plan.stdout).toMatch(/plan: 20 to create, 0 to update, 0 to delete, 0 unchanged \(nothing written\)\n$/);

    const sync = await jamf(['sync']);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/sync: 20 created, 0 updated, 0 deleted, 0 unchanged\n$/);

    const again = await jamf(['sync']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/sync: 0 created, 0 updated, 0 deleted, 20 unchanged\n$/);

    const remove = await jamf(['remove']);
    expect(remove.code).toBe(0);
    expect(remove.stdout).toMatch(/remove: 0 created, 0 updated, 20 deleted, 0 unchanged\n$/);
  }, 90_000);

  it('rotates the credential of npm start, and npm run send follows it', async () => {
    const sync = await jamf(['sync', '--events', 'ComputerAdded']);
    expect(sync.stdout).toMatch(/sync: 1 created/);
    expect(runtime).toMatchObject({ webhookAuthSecretId: expect.any(String), secretTtlSeconds: 1 });

    const rotate = await jamf(['rotate']);
    expect(rotate).toMatchObject({ code: 0, stderr: '' });
    expect(rotate.stdout).toMatch(/waiting +3 s for the functions[^]*rotate: 1 webhook\(s\) updated, old credential retired\n$/);

    // npm start wrote the new document to its runtime file, and npm run send signs with it.
    const rotated = JSON.parse(readFileSync(join(localDir, 'runtime.json'), 'utf8')) as RuntimeFile;
    rotatedAuth = rotated.webhookAuth;
    expect(rotated.webhookAuth).not.toBe(runtime.webhookAuth);
    const send = await npmRun('send', ['ComputerAdded'], { PORT: '' });
    expect(send).toMatchObject({ code: 0, stderr: '' });
    expect(send.stdout).toMatch(/\b200\b/);
    await jamf(['remove']);
  }, 90_000);

  it('says in one line that Jamf refused the API client', async () => {
    const refused = await jamf(['plan'], { JAMF_CLIENT_ID: runtime.jamfClientId, JAMF_CLIENT_SECRET: 'a-wrong-client-secret-123' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('jamf failed: Jamf Pro refused the API client id or secret (401 from /api/oauth/token)\n');
  }, 30_000);

  it('says in one line what the command line lacks', async () => {
    const wrong = await jamf(['sync', '--events', 'ComputerAddedd']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.split('\n')[0]).toBe('jamf: unknown event ComputerAddedd');

    // npm start's URLs and credentials are for its stand-in only, never for another Jamf Pro.
    const client = { JAMF_CLIENT_ID: 'a-real-client', JAMF_CLIENT_SECRET: 'a-real-client-secret-123' };
    const rotate = await jamf(['rotate', '--jamf-url', 'https://prod.example.test'], client);
    expect(rotate.code).toBe(2);
    expect(rotate.stderr.split('\n')[0]).toBe("jamf: --secret-id is required (the stack's WebhookAuthSecretArn output) unless --jamf-url is a running npm start's stand-in");
    const sync = await jamf(['sync', '--jamf-url', 'https://prod.example.test'], client);
    expect(sync.code).toBe(2);
    expect(sync.stderr.split('\n')[0]).toBe("jamf: --webhook-url is required (the stack's WebhookUrl output)");
  }, 30_000);

  it('never prints a secret', () => {
    const passwordOf = (document: string) => (JSON.parse(document) as { basic: { password: string }[] }).basic[0]!.password;
    expect(printed).not.toHaveLength(0);
    expect(rotatedAuth).not.toBe('');
    for (const secret of [passwordOf(runtime.webhookAuth), passwordOf(rotatedAuth), runtime.jamfClientSecret!, 'a-wrong-client-secret-123']) {
      expect(printed).not.toContain(secret);
    }
  });
});
