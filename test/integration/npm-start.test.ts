/**
 * `npm start` as a person runs it: the printed URL answers, `npm run send` finds
 * the server's URL and credentials with no export, and SIGTERM to the npm
 * process stops the server. Bounded by timeouts; asserts no time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/fixtures';
import { exited, npmStartEnv, within } from '../support/processes';

const localDir = mkdtempSync(join(tmpdir(), 'jamf-eventbridge-npm-start-'));
const env = npmStartEnv(localDir);

let server: ChildProcess | undefined;
let stderr = '';
let stdout = '';

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGKILL');
    await exited(server);
  }
  rmSync(localDir, { recursive: true, force: true });
});

describe('npm start, npm run send, kill', () => {
  let webhookUrl = '';

  beforeAll(async () => {
    server = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = new Promise<string>((resolve, reject) => {
      server!.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /webhooks\s+POST (http:\/\/127\.0\.0\.1:\d+\/webhooks)/.exec(stderr);
        if (match && /One line per request/.test(stderr)) resolve(match[1]!);
      });
      server!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${stderr}`)));
    });
    webhookUrl = await within(url, 20000, 'npm start printing its URL');
  }, 30000);

  it('prints no AWS SDK warning and tells where send finds the credentials', () => {
    expect(stderr).not.toMatch(/NodeVersionSupportWarning/);
    expect(stderr).toMatch(/JAMF_WEBHOOK_AUTH is not set: generated for this run/);
    expect(stderr).toMatch(/faults\s+GET\|PUT http:\/\/127\.0\.0\.1:\d+\/_local\/faults\s+\(none/);
    const file = join(localDir, 'runtime.json');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('publishes what npm run send posts, with no export', async () => {
    const sendEnv = { ...env };
    delete sendEnv.PORT;
    const send = spawn('npm', ['run', '-s', 'send', '--', 'ComputerAdded'], { cwd: ROOT, env: sendEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    send.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    send.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await within(exited(send), 20000, 'npm run send exiting')).toBe(0);
    expect(out).toMatch(/^200 OK\n\{"status":"published"/m);
    const events = (await (await fetch(new URL('/_local/events', webhookUrl))).json()) as unknown[];
    expect(events).toHaveLength(1);
  }, 30000);

  it('stops the server when the npm process gets SIGTERM', async () => {
    server!.kill('SIGTERM');
    await within(exited(server!), 10000, 'npm exiting after SIGTERM');
    await expect(fetch(webhookUrl, { method: 'POST' })).rejects.toThrow();
    expect(existsSync(join(localDir, 'runtime.json'))).toBe(false);
    // One short line for the request, not the JSON line.
    expect(stdout).toMatch(/200 published\s+ComputerAdded\s+POST \/webhooks .* id=/);
    expect(stdout).not.toMatch(/"_aws"/);
  }, 20000);
});
