/**
 * The local runtime under load: autocannon, bounded by a request count, over
 * loopback against `/webhooks` (JSON and XML) and `/scep-challenge`, with the
 * runtime in a process of its own (load-server.ts). Reports throughput and
 * latency, and checks that every 2xx answer put exactly one event on the
 * local bus: a figure from a run that lost or doubled events would be worthless,
 * so a mismatch fails the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { BENCH_PASSWORD } from './aws';
import { fixture } from './events';

export interface LoadTarget {
  readonly name: string;
  readonly path: string;
  readonly event: string;
  readonly format: 'json' | 'xml';
}

export interface LoadReport {
  readonly name: string;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Events the bus took during the measured run (equal to `ok`, or the bench fails). */
  readonly published: number;
  readonly deadLettered: number;
}

export interface LoadOptions {
  readonly connections: number;
  /** Requests per target, measured. */
  readonly requests: number;
  /** Requests per target before measuring (connections, JIT, secrets cached). */
  readonly warmup: number;
}

interface LocalServer {
  readonly url: string;
  stop(): void;
}

async function startServer(): Promise<LocalServer> {
  const child: ChildProcess = spawn(process.execPath, [require.resolve('tsx/cli'), `${__dirname}/load-server.ts`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench local runtime exited with ${code}`)));
  });
  lines.close();
  // The handlers' log lines: read and dropped, so the pipe never fills and stalls the server.
  child.stdout!.resume();
  const { url } = JSON.parse(first) as { url: string };
  return { url, stop: () => child.kill() };
}

/** Events the bus has taken and dead letters the queue has, kept or dropped. */
async function counts(url: string): Promise<{ published: number; deadLettered: number }> {
  const count = async (path: string, droppedHeader: string) => {
    const response = await fetch(`${url}${path}`);
    const kept = ((await response.json()) as unknown[]).length;
    return kept + Number(response.headers.get(droppedHeader) ?? 'NaN');
  };
  return {
    published: await count('/_local/events', 'x-local-events-dropped'),
    deadLettered: await count('/_local/dead-letters', 'x-local-dead-letters-dropped'),
  };
}

interface Cannonade {
  readonly result: autocannon.Result;
  /** From the start to the last answer: autocannon itself ends a run only at its next sampling tick. */
  readonly seconds: number;
}

function cannon(url: string, target: LoadTarget, connections: number, amount: number): Promise<Cannonade> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let lastAnswer = started;
    const instance = autocannon(
      {
        url: `${url}${target.path}`,
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`jamf:${BENCH_PASSWORD}`).toString('base64')}`,
          'content-type': target.format === 'json' ? 'application/json' : 'text/xml',
        },
        body: fixture(target.event, target.format),
        connections: Math.min(connections, amount),
        amount,
        // Longer than any answer can take (Jamf's read timeout is 2 s): a timed-out request would still publish.
        timeout: 10,
        // Short sampling ticks: the run's promise settles on the first tick after the last answer.
        sampleInt: 100,
      },
      (error, result) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve({ result, seconds: Number(lastAnswer - started) / 1e9 });
      },
    );
    instance.on('response', () => {
      lastAnswer = process.hrtime.bigint();
    });
  });
}

async function measure(url: string, target: LoadTarget, options: LoadOptions): Promise<LoadReport> {
  const before = await counts(url);
  const { result, seconds } = await cannon(url, target, options.connections, options.requests);
  // Each request is answered after its publish, so the counts are final once every answer is in.
  const after = await counts(url);
  const report: LoadReport = {
    name: target.name,
    requests: result['2xx'] + result.non2xx,
    requestsPerSecond: (result['2xx'] + result.non2xx) / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    published: after.published - before.published,
    deadLettered: after.deadLettered - before.deadLettered,
  };
  if (report.ok === 0 || report.published !== report.ok) {
    throw new Error(
      `${target.name}: ${report.ok} answers were 2xx but the bus took ${report.published} events ` +
        `(${report.non2xx} other answers, ${report.errors} errors, ${report.deadLettered} dead letters)`,
    );
  }
  return report;
}

export async function loadLocalRuntime(targets: readonly LoadTarget[], options: LoadOptions): Promise<LoadReport[]> {
  const server = await startServer();
  try {
    // Every route warmed before any is measured: the first route measured would otherwise pay for
    // what the server compiles and caches on the way (its modules, the secrets, the sockets to AWS).
    if (options.warmup > 0) {
      for (const target of targets) await cannon(server.url, target, options.connections, options.warmup);
    }
    const reports: LoadReport[] = [];
    for (const target of targets) reports.push(await measure(server.url, target, options));
    return reports;
  } finally {
    server.stop();
  }
}
