/**
 * The local AWS endpoint the measured bundles talk to, set up like the local
 * runtime's: a bus, the dead-letter queue, the secrets and the used-challenge table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startAwsEndpoint, type AwsEndpoint } from '../lambda/local/aws-endpoint';
import { LocalEventBus } from '../lambda/local/event-bus';
import { LocalQueues } from '../lambda/local/queue';
import { LocalSecrets } from '../lambda/local/secrets';
import { LocalTable } from '../lambda/local/table';

export const BENCH_PASSWORD = 'bench-only-password-7f3c';
export const BENCH_SIGNING_KEY = 'bench-only-signing-key-0123456789abcdef';
export const BENCH_VERIFY_SECRET = Buffer.from('bench-only-step-ca-secret').toString('base64');

export interface BenchAws {
  readonly endpoint: AwsEndpoint;
  readonly bus: LocalEventBus;
  /** The environment a handler bundle needs to run against this endpoint. */
  readonly env: Record<string, string>;
}

export async function startBenchAws(): Promise<BenchAws> {
  const bus = new LocalEventBus('bench');
  const queues = new LocalQueues(['bench-dlq']);
  const secrets = new LocalSecrets();
  secrets.set('auth', JSON.stringify({ basic: [{ username: 'jamf', password: BENCH_PASSWORD }] }));
  secrets.set('signing-key', JSON.stringify({ key: BENCH_SIGNING_KEY }));
  secrets.set('verify', BENCH_VERIFY_SECRET);
  const table = new LocalTable({ tableName: 'used', partitionKey: 'challengeId', ttlAttribute: 'expiresAt' });
  const endpoint = await startAwsEndpoint({ ...bus.operations, ...queues.operations, ...secrets.operations, ...table.operations });
  return {
    endpoint,
    bus,
    env: {
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint.url,
      AWS_ENDPOINT_URL_SQS: endpoint.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.url,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      EVENT_BUS_NAME: 'bench',
      DEAD_LETTER_QUEUE_URL: `${endpoint.url}/000000000000/bench-dlq`,
      WEBHOOK_AUTH_SECRET_ID: 'auth',
      SCEP_SIGNING_KEY_SECRET_ID: 'signing-key',
      SCEP_VERIFY_SECRET_ID: 'verify',
      SCEP_USED_CHALLENGES_TABLE: 'used',
    },
  };
}

export interface BenchAwsProcess {
  readonly env: Record<string, string>;
  stop(): void;
}

/** Starts `aws-server.ts` in a child process and waits for its environment line. */
export async function startBenchAwsProcess(): Promise<BenchAwsProcess> {
  const child: ChildProcess = spawn(process.execPath, [require.resolve('tsx/cli'), `${__dirname}/aws-server.ts`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench AWS endpoint exited with ${code}`)));
  });
  lines.close();
  return { env: JSON.parse(first) as Record<string, string>, stop: () => child.kill() };
}
