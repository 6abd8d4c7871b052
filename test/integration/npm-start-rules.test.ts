/**
 * `npm start` with LOCAL_RULES and LOCAL_SUBSCRIBERS, as a person runs it: a broken pattern
 * stops it at start with one line that names the rule and the place; a TypeScript subscriber
 * module is loaded, an export no rule names is warned about, and a subscriber that throws is
 * one line in the output while the server keeps serving. Bounded by timeouts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENT_TYPES, fixtureBytes, ROOT } from '../support/fixtures';
import { exited, npmStartEnv } from '../support/processes';

const dir = mkdtempSync(join(tmpdir(), 'jamf-eventbridge-rules-'));
const baseEnv = npmStartEnv(dir);

const children: ChildProcess[] = [];

function start(env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string; err: () => string } {
  const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, out: () => stdout, err: () => stderr };
}

async function until<T>(what: string, ms: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGTERM, which npm forwards to the server; SIGKILL would leave the server to notice its parent is gone.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited(child);
      clearTimeout(timer);
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start with LOCAL_RULES', () => {
  it('refuses a broken pattern at start, in one line naming the rule and the place, and exits non-zero', async () => {
    const rules = join(dir, 'broken-rules.json');
    writeFileSync(rules, JSON.stringify({ Fine: { source: ['jamf.pro'] }, Broken: { detail: { event: { osVersion: [{ prefix: 15 }] } } } }));

    const run = start({ LOCAL_RULES: rules });

    expect(await until('npm start exiting', 20000, () => run.child.exitCode ?? undefined)).toBe(1);
    const lines = run.err().split('\n').filter((line) => line.startsWith('local stack failed to start'));
    expect(lines).toEqual([
      `local stack failed to start: LOCAL_RULES (${rules}): rule "Broken": invalid event pattern at detail.event.osVersion[0].prefix: prefix must be a string, not number 15`,
    ]);
  }, 30000);
});

describe('npm start with LOCAL_RULES and LOCAL_SUBSCRIBERS', () => {
  let run: ReturnType<typeof start>;
  let url = '';

  beforeAll(async () => {
    const rules = join(dir, 'rules.json');
    writeFileSync(
      rules,
      JSON.stringify({
        Computers: { 'detail-type': [{ prefix: 'jamf.Computer' }] },
        Throws: { 'detail-type': ['jamf.ComputerAdded'] },
      }),
    );
    const subscribers = join(dir, 'subscribers.ts');
    writeFileSync(
      subscribers,
      [
        "export const Computers = async (event: { detail: { event: { serialNumber: string } } }) => ({ serial: event.detail.event.serialNumber });",
        "export function Throws(): never { throw new TypeError('boom'); }",
        'export const Orphan = (): number => 1;',
        '',
      ].join('\n'),
    );
    run = start({ LOCAL_RULES: rules, LOCAL_SUBSCRIBERS: subscribers });
    url = await until('npm start printing its URL', 20000, () => {
      if (run.child.exitCode !== null) throw new Error(`npm start exited with ${run.child.exitCode}:\n${run.err()}`);
      return /One line per request/.test(run.err()) ? /events\s+GET\s+(http:\/\/127\.0\.0\.1:\d+)\/_local\/events/.exec(run.err())?.[1] : undefined;
    });
  }, 30000);

  it('names the rules and the subscribers it runs, and warns about an export no rule names', () => {
    expect(run.err()).toMatch(/rules\s+Computers, Throws\s+\(LOCAL_RULES /);
    expect(run.err()).toMatch(/subscribers\s+Computers, Throws\s+\(LOCAL_SUBSCRIBERS .*\/_local\/invocations\)/);
    expect(run.err()).toMatch(/WARNING: LOCAL_SUBSCRIBERS exports Orphan, but LOCAL_RULES has no rule of that name/);
  });

  it('invokes the subscribers, prints one line for the one that threw, and keeps serving', async () => {
    const { webhookAuth } = JSON.parse(readFileSync(join(dir, 'runtime.json'), 'utf8')) as { webhookAuth: string };
    const { username, password } = (JSON.parse(webhookAuth) as { basic: { username: string; password: string }[] }).basic[0]!;
    const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

    const response = await fetch(`${url}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': CONTENT_TYPES.json, authorization },
      body: fixtureBytes('ComputerAdded', 'json'),
    });
    expect(response.status).toBe(200);

    const invocations = await until('both invocations', 10000, async () => {
      const all = (await (await fetch(`${url}/_local/invocations`)).json()) as { rule: string; status: string; result?: unknown; error?: string }[];
      return all.length >= 2 ? all : undefined;
    });
    expect(invocations).toEqual([
      expect.objectContaining({ rule: 'Computers', status: 'ok', result: { serial: 'L9XK2W7QHV' } }),
      expect.objectContaining({ rule: 'Throws', status: 'error', error: 'TypeError: boom' }),
    ]);
    const events = (await (await fetch(`${url}/_local/events`)).json()) as { MatchedRules: string[] }[];
    expect(events.map((event) => event.MatchedRules)).toEqual([['Computers', 'Throws']]);
    await until('the subscriber lines', 5000, () => (/subscriber error\s+Throws/.test(run.out()) ? true : undefined));
    expect(run.out().split('\n').filter((line) => /subscriber error/.test(line))).toEqual([expect.stringMatching(/Throws\s+jamf\.ComputerAdded\s+\d+ ms {2}TypeError: boom {2}id=/)]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  }, 30000);
});
