/**
 * `npm start` with JAMF_WEBHOOK_AUTH holding header credentials in the form
 * Jamf Pro's webhook settings write them (`{"headers": {"X-Api-Key": "..."}}`),
 * over real HTTP; and a wrong document stops it with a message that quotes no
 * secret, since that message is printed. Bounded by timeouts; asserts no time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENT_TYPES, fixtureBytes, ROOT } from '../support/fixtures';
import { exited, npmStartEnv, within } from '../support/processes';
import { post } from '../support/local-runtime';
import { TEST_SECRETS } from '../support/secrets';

const localDir = mkdtempSync(join(tmpdir(), 'jamf-eventbridge-header-credentials-'));
const baseEnv = npmStartEnv(localDir);

const children: ChildProcess[] = [];

/** Starts `npm start` with this JAMF_WEBHOOK_AUTH; returns its output so far, kept up to date. */
function start(webhookAuth: string): { child: ChildProcess; output: { stdout: string; stderr: string } } {
  const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...baseEnv, JAMF_WEBHOOK_AUTH: webhookAuth }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  return { child, output };
}

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
  rmSync(localDir, { recursive: true, force: true });
});

describe('npm start with header credentials as one object of name to value', () => {
  let webhookUrl = '';
  const body = fixtureBytes('ComputerAdded', 'json');
  const json = { 'content-type': CONTENT_TYPES.json };

  beforeAll(async () => {
    const { child, output } = start(JSON.stringify({ headers: { 'X-Api-Key': TEST_SECRETS.headerValue } }));
    const url = new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', () => {
        const match = /webhooks\s+POST (http:\/\/127\.0\.0\.1:\d+\/webhooks)/.exec(output.stderr);
        if (match && /One line per request/.test(output.stderr)) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output.stderr}`)));
    });
    webhookUrl = await within(url, 20000, 'npm start printing its URL');
  }, 30000);

  it('publishes a webhook that carries the header', async () => {
    const response = await post(webhookUrl, body, { ...json, 'x-api-key': TEST_SECRETS.headerValue });
    expect(response).toMatchObject({ status: 200, body: { status: 'published', detailType: 'jamf.ComputerAdded' } });
  });

  it('rejects a webhook without it, or with another value, with 401', async () => {
    expect((await post(webhookUrl, body, json)).status).toBe(401);
    expect((await post(webhookUrl, body, { ...json, 'x-api-key': 'not-the-value' })).status).toBe(401);
  });
});

describe('npm start with a wrong credentials document', () => {
  it.each([
    ['a string where the basic list belongs', { basic: 'tsecret-start-Basic1' }, 'tsecret-start-Basic1'],
    ['a secret pasted as a header name', { headers: { 'Bearer tsecret-start-Name2': 'x' } }, 'tsecret-start-Name2'],
  ])('stops on %s, saying what is wrong without quoting it', async (_what, document, secret) => {
    const { child, output } = start(JSON.stringify(document));
    expect(await within(exited(child), 20000, 'npm start exiting')).not.toBe(0);
    expect(output.stderr).toMatch(/the credentials document is invalid/);
    expect(`${output.stdout}${output.stderr}`).not.toContain(secret);
  }, 30000);
});
