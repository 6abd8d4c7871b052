/**
 * `npm start` with named Jamf Pro instances (`-c jamfInstances=...`), as a person runs it:
 * JAMF_INSTANCES gives an instance its credentials (or they are generated for the run), the
 * runtime file lists each instance, and `npm run send -- --instance <name>` posts as that
 * instance with no export. Bounded by timeouts; asserts no time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeFile } from '../../lambda/local/runtime-file';
import { ROOT } from '../support/fixtures';
import { getJson } from '../support/local-runtime';
import { exited, npmStartEnv, within } from '../support/processes';
import { TEST_SECRETS } from '../support/secrets';

const localDir = mkdtempSync(join(tmpdir(), 'jamf-eventbridge-instances-'));
const JAMF_INSTANCES = JSON.stringify({ sandbox: { auth: { basic: [{ username: 'jamf', password: TEST_SECRETS.sandboxPassword }] } } });
const env: NodeJS.ProcessEnv = { ...npmStartEnv(localDir), JAMF_INSTANCES };
const children: ChildProcess[] = [];

function run(args: string[], extraEnv: NodeJS.ProcessEnv = env): { child: ChildProcess; output: { text: string } } {
  const child = spawn('npm', args, { cwd: ROOT, env: extraEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const output = { text: '' };
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
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

describe('npm start with two named instances, and npm run send -- --instance', () => {
  let runtimeFile: RuntimeFile;
  let startOutput: { text: string };

  beforeAll(async () => {
    const { child, output } = run(['start', '--', '-c', 'jamfInstances=sandbox,eu-2']);
    startOutput = output;
    await within(
      new Promise<void>((resolve, reject) => {
        child.stderr!.on('data', () => /One line per request/.test(output.text) && resolve());
        child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output.text}`)));
      }),
      20000,
      'npm start printing its routes',
    );
    runtimeFile = JSON.parse(readFileSync(join(localDir, 'runtime.json'), 'utf8')) as RuntimeFile;
  }, 30000);

  it("prints each instance's routes", () => {
    expect(startOutput.text).toMatch(/instance\s+POST http:\/\/127\.0\.0\.1:\d+\/webhooks\/sandbox\s+SCEP http:\/\/127\.0\.0\.1:\d+\/scep-challenge\/sandbox/);
    expect(startOutput.text).toMatch(/instance\s+POST http:\/\/127\.0\.0\.1:\d+\/webhooks\/eu-2/);
  });

  it('prints the credentials it generated, and never those it was given', () => {
    expect(startOutput.text).toMatch(/JAMF_INSTANCES='\{"eu-2":/);
    expect(startOutput.text).not.toContain(TEST_SECRETS.sandboxPassword);
  });

  it("lists each instance's URLs and credentials in the runtime file, saying where they came from", () => {
    expect(runtimeFile.instances).toEqual({
      sandbox: expect.objectContaining({ webhookUrl: `${runtimeFile.url}/webhooks/sandbox`, eventSource: 'jamf.pro', webhookAuthSource: 'JAMF_INSTANCES' }),
      'eu-2': expect.objectContaining({ webhookUrl: `${runtimeFile.url}/webhooks/eu-2`, webhookAuthSource: 'generated' }),
    });
    expect(JSON.parse(runtimeFile.instances!.sandbox!.webhookAuth)).toEqual(JSON.parse(JAMF_INSTANCES).sandbox.auth);
  });

  it.each(['sandbox', 'eu-2'])('posts as %s with npm run send -- --instance, with no export', async (name) => {
    const sendEnv = { ...env };
    delete sendEnv.PORT;
    delete sendEnv.JAMF_INSTANCES;
    const { child, output } = run(['run', '-s', 'send', '--', '--instance', name, 'ComputerAdded'], sendEnv);

    expect(await within(exited(child), 20000, 'npm run send exiting')).toBe(0);
    expect(output.text).toMatch(/^200 OK/);
    const events = (await getJson(`${runtimeFile.url}/_local/events`)) as Array<{ Detail: { delivery: { instance?: string } } }>;
    expect(events.at(-1)!.Detail.delivery.instance).toBe(name);
  });

  it('refuses an instance the server does not have, naming it', async () => {
    const sendEnv = { ...env };
    delete sendEnv.PORT;
    const { child, output } = run(['run', '-s', 'send', '--', '--instance', 'test', 'ComputerAdded'], sendEnv);

    expect(await within(exited(child), 20000, 'npm run send exiting')).toBe(2);
    expect(output.text).toContain('The running npm start has no instance "test" (it has sandbox, eu-2)');
  });
});

describe('npm start with JAMF_INSTANCES naming an instance jamfInstances does not list', () => {
  it('stops, naming it and no secret', async () => {
    const { child, output } = run(['start', '--', '-c', 'jamfInstances=eu-2'], { ...env, PORT: '0' });

    expect(await within(exited(child), 20000, 'npm start exiting')).toBe(1);
    expect(output.text).toContain('JAMF_INSTANCES names sandbox, which the setting jamfInstances does not list');
    expect(output.text).not.toContain(TEST_SECRETS.sandboxPassword);
  });
});
