/**
 * `npm run jamf -- rotate` through real HTTP, as in a deployment: the CLI talks to the Classic
 * API stand-in and to Secrets Manager (the local runtime's, through the SDK's endpoint
 * variables), while a stand-in for Jamf Pro keeps sending every registered webhook with the
 * credential the stand-in holds for it. Not one of those webhooks is refused, from before the
 * rotation to after it, and at the end only the new credential is accepted.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseCredentialsDocument } from '../../lambda/auth/credentials';
import { ClassicApiClient } from '../../lambda/jamf/classic-api';
import { syncWebhooks } from '../../lambda/jamf/registrar';
import { LOCAL_AUTH_SECRET } from '../../lambda/local/runtime';
import { fixtureText, ROOT } from '../support/fixtures';
import { npmStartEnv } from '../support/processes';
import { useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';

const OLD_PASSWORD = 'rotate-test-old-password-1';
const stack = useLocalRuntime({
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: OLD_PASSWORD }] }),
  // Seconds, not minutes, so the rotation's wait for the functions is short.
  secretTtlSeconds: 1,
  jamf: { clientId: 'rotate-test-client', clientSecret: 'rotate-test-client-secret-1' },
});

interface Run {
  readonly code: number | null;
  readonly output: string;
}

function rotate(env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', 'jamf', '--', 'rotate', '--jamf-url', stack().jamfUrl, '--secret-id', LOCAL_AUTH_SECRET, '--wait', '2'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm run jamf -- rotate did not finish within 60 s:\n${output}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function send(authorization: string): Promise<number> {
  const response = await fetch(stack().webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: fixtureText('ComputerAdded', 'json'),
  });
  await response.arrayBuffer();
  return response.status;
}

it('rotates with every webhook accepted throughout, then refuses the old credential', async () => {
  const runtime = stack();
  const jamf = new ClassicApiClient({ url: runtime.jamfUrl, clientId: 'rotate-test-client', clientSecret: 'rotate-test-client-secret-1', timeoutMs: 5000 });
  await syncWebhooks(jamf, {
    webhookUrl: runtime.webhookUrl,
    events: ['ComputerAdded', 'ComputerCheckIn'],
    auth: 'basic',
    credentials: { basic: [{ username: 'jamf', password: OLD_PASSWORD }] },
  });

  // Jamf Pro, sending each webhook with what it holds, until the rotation has finished.
  const statuses: number[] = [];
  let rotating = true;
  const jamfPro = (async () => {
    while (rotating) {
      for (const webhook of runtime.jamf.webhooks()) statuses.push(await send(basicAuth(webhook.username, webhook.password)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  // No npm start's runtime file to go by (an empty directory): every value comes from the command
  // line and the environment, as against a deployed stack.
  const localDir = mkdtempSync(join(tmpdir(), 'jamf-eventbridge-rotate-'));
  const run = await rotate({
    ...npmStartEnv(localDir),
    JAMF_CLIENT_ID: 'rotate-test-client',
    JAMF_CLIENT_SECRET: 'rotate-test-client-secret-1',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: runtime.awsEndpointUrl,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  rotating = false;
  await jamfPro;
  rmSync(localDir, { recursive: true, force: true });

  expect(run).toEqual({ code: 0, output: expect.stringContaining('rotate: 2 webhook(s) updated, old credential retired') });
  expect(run.output).toMatch(/added .*\n.*waiting +2 s for the functions/);
  expect(statuses.length).toBeGreaterThan(10);
  expect(statuses.filter((status) => status !== 200)).toEqual([]);

  const secrets = new SecretsManagerClient({ endpoint: runtime.awsEndpointUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const document = parseCredentialsDocument((await secrets.send(new GetSecretValueCommand({ SecretId: LOCAL_AUTH_SECRET }))).SecretString!);
  expect(document.basic).toHaveLength(1);
  const [fresh] = document.basic!;
  expect(fresh!.password).not.toBe(OLD_PASSWORD);
  expect(runtime.jamf.webhooks().map((w) => w.password)).toEqual([fresh!.password, fresh!.password]);
  // Neither credential reached the output.
  expect(run.output).not.toContain(OLD_PASSWORD);
  expect(run.output).not.toContain(fresh!.password);

  // Once the functions have read the document again, the old credential is refused.
  let old = 0;
  for (let attempt = 0; attempt < 100 && old !== 401; attempt += 1) {
    old = await send(basicAuth('jamf', OLD_PASSWORD));
    if (old !== 401) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(old).toBe(401);
  expect(await send(basicAuth('jamf', fresh!.password))).toBe(200);
}, 90_000);
