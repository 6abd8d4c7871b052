/**
 * The local runtime under load: autocannon, bounded by a request count, over
 * loopback against `/webhooks` (JSON and XML) and `/scep-challenge`, with the
 * runtime in a process of its own (load-server.ts). Reports throughput and
 * latency, and checks that every 2xx answer put exactly one event on the
 * local bus: a figure from a run that lost or doubled events would be worthless,
 * so a mismatch fails the bench.
 *
 * Every run counts the 429 answers (API Gateway's throttle, which the local
 * runtime plays when given one) and checks the count against the runtime's own.
 * The throughput runs have no throttle, to measure the handlers; a further run
 * ({@link loadThrottled}) offers the same load to the throttle as deployed.
 * Lambda's concurrency limit is not modelled locally: its throttles show only
 * in a deployment (the Throttles alarms).
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
  /** Answers 429, API Gateway's throttle (counted by the client, and equal to the runtime's count, or the bench fails). */
  readonly throttled: number;
}

/** API Gateway's throttle, as the local runtime plays it. */
export interface BenchThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
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

async function startServer(throttle?: BenchThrottle): Promise<LocalServer> {
  const child: ChildProcess = spawn(process.execPath, [require.resolve('tsx/cli'), `${__dirname}/load-server.ts`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_NO_WARNINGS: '1', BENCH_THROTTLE: throttle ? JSON.stringify(throttle) : '' },
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

/** Events the bus has taken and dead letters the queue has, kept or dropped, and requests the throttle refused. */
async function counts(url: string): Promise<{ published: number; deadLettered: number; throttled: number }> {
  const count = async (path: string, droppedHeader: string) => {
    const response = await fetch(`${url}${path}`);
    const kept = ((await response.json()) as unknown[]).length;
    return kept + Number(response.headers.get(droppedHeader) ?? 'NaN');
  };
  const { throttle } = (await (await fetch(`${url}/_local/throttle`)).json()) as { throttle: { throttled: number } | null };
  return {
    published: await count('/_local/events', 'x-local-events-dropped'),
    deadLettered: await count('/_local/dead-letters', 'x-local-dead-letters-dropped'),
    throttled: throttle?.throttled ?? 0,
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
    throttled: result.statusCodeStats?.['429']?.count ?? 0,
  };
  if (report.ok === 0 || report.published !== report.ok) {
    throw new Error(
      `${target.name}: ${report.ok} answers were 2xx but the bus took ${report.published} events ` +
        `(${report.non2xx} other answers, ${report.errors} errors, ${report.deadLettered} dead letters)`,
    );
  }
  if (report.throttled !== after.throttled - before.throttled) {
    throw new Error(`${target.name}: ${report.throttled} answers were 429 but the runtime throttled ${after.throttled - before.throttled}`);
  }
  return report;
}

/**
 * `target` against the runtime with API Gateway's throttle at `throttle`: warmed up as the other
 * runs are, then given the time to refill its bucket, so that the run starts from a full one (a
 * morning's first burst); at least four bursts' worth of requests, so that a machine that serves
 * faster than the rate meets the limit. The answers 429 are the webhooks a deployment with these
 * limits would lose at this load; a machine that serves slower than the rate sees none.
 */
export async function loadThrottled(target: LoadTarget, throttle: BenchThrottle, options: LoadOptions): Promise<LoadReport> {
  const server = await startServer(throttle);
  try {
    if (options.warmup > 0) {
      await cannon(server.url, target, options.connections, Math.min(options.warmup, throttle.burstLimit));
      await new Promise((resolve) => setTimeout(resolve, (1000 * throttle.burstLimit) / throttle.rateLimit + 200));
    }
    return await measure(server.url, target, { ...options, requests: Math.max(options.requests, 4 * throttle.burstLimit) });
  } finally {
    server.stop();
  }
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
