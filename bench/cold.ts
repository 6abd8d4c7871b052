/**
 * Cold starts, each in a fresh `node` process as Lambda makes one: how long the
 * bundle's import takes (module init), how long the first request takes after
 * it (SDK chunks, secret fetch, first connections, all against the local AWS
 * endpoint), and the process's wall time over a bare `node` start.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { CpuShare } from './cpu-share';
import { median, since } from './stats';

/**
 * Imports the bundle as Lambda's runtime does, from an ES module that is
 * already running (so the ESM loader is up, as in Lambda's runtime), then
 * serves one request. A file, not `node -e`: an eval'd script would start the
 * ESM loader inside the measurement.
 */
const CHILD = `
const started = process.hrtime.bigint();
const { handler } = await import(process.env.BENCH_BUNDLE);
const imported = process.hrtime.bigint();
let status = 0;
if (process.env.BENCH_EVENT) status = (await handler(JSON.parse(process.env.BENCH_EVENT))).statusCode;
const answered = process.hrtime.bigint();
process.stdout.write('\\nBENCH_RESULT ' + JSON.stringify({ initMs: Number(imported - started) / 1e6, firstMs: Number(answered - imported) / 1e6, status }));
process.exit(0);
`;

/** Runs `node <args>` (inside `cpuShare`'s cgroup when given) and answers its stdout and wall time; fails on a non-zero exit. */
export function runChild(args: string[], env: Record<string, string>, cpuShare?: CpuShare): Promise<{ wallMs: number; stdout: string }> {
  const started = process.hrtime.bigint();
  const { command, args: commandArgs } = cpuShare ? cpuShare.wrap(process.execPath, args) : { command: process.execPath, args };
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`benchmark child failed (${code}): ${stderr.slice(0, 500)}`));
      else resolve({ wallMs: since(started), stdout });
    });
  });
}

interface ChildResult {
  readonly initMs: number;
  readonly firstMs: number;
  readonly status: number;
}

/** The JSON of a child's `BENCH_RESULT` line (a handler writes its own log lines to stdout too). */
export function benchResult<T>(stdout: string): T {
  const resultLine = stdout.split('\n').find((text) => text.startsWith('BENCH_RESULT '));
  if (!resultLine) throw new Error(`benchmark child printed no result: ${stdout.slice(0, 500)}`);
  return JSON.parse(resultLine.slice('BENCH_RESULT '.length)) as T;
}

export interface ColdReport {
  readonly runs: number;
  /** Median import time of the bundle inside the process. */
  readonly initMs: number;
  /** Median time of the first request after the import. */
  readonly firstRequestMs: number;
  /** Median wall time of the whole process (start, import, request, exit) over a bare `node` start of an empty module. */
  readonly wallOverBareMs: number;
  readonly status: number;
}

/** `runs` fresh processes per measurement, interleaved with bare starts so that machine noise hits both alike. */
export async function coldStart(
  bundleDir: string,
  event: APIGatewayProxyEvent | undefined,
  env: Record<string, string>,
  runs: number,
  /** As the function is deployed: `--enable-source-maps` or nothing (lib/function.ts). */
  nodeOptions: string,
  /** Run the processes with the CPU share Lambda gives a memory size (bare starts too). */
  cpuShare?: CpuShare,
): Promise<ColdReport> {
  const childEnv = {
    ...env,
    NODE_OPTIONS: nodeOptions,
    NODE_NO_WARNINGS: '1',
    BENCH_BUNDLE: join(bundleDir, 'index.mjs'),
    ...(event ? { BENCH_EVENT: JSON.stringify(event) } : {}),
  };
  const dir = mkdtempSync(join(tmpdir(), 'jeb-bench-cold-'));
  const child = join(dir, 'child.mjs');
  const bareChild = join(dir, 'bare.mjs');
  writeFileSync(child, CHILD);
  writeFileSync(bareChild, 'process.exit(0);\n');
  const init: number[] = [];
  const first: number[] = [];
  const overBare: number[] = [];
  let status = 0;
  for (let i = 0; i < runs; i++) {
    const bare = await runChild([bareChild], { NODE_OPTIONS: nodeOptions }, cpuShare);
    const measured = await runChild([child], childEnv, cpuShare);
    const result = benchResult<ChildResult>(measured.stdout);
    init.push(result.initMs);
    first.push(result.firstMs);
    overBare.push(measured.wallMs - bare.wallMs);
    status = result.status;
  }
  return { runs, initMs: median(init), firstRequestMs: median(first), wallOverBareMs: median(overBare), status };
}

export interface ImportTarget {
  readonly name: string;
  readonly bundleDir: string;
  /** As the function is deployed: `--enable-source-maps` or nothing. */
  readonly nodeOptions: string;
}

/**
 * The import time (module init) of several bundles, median of `runs` fresh
 * processes each, taken in turns (one process of each bundle per run) so
 * that a ratio between two of them is not skewed by when each was measured.
 */
export async function coldImports(
  targets: readonly ImportTarget[],
  env: Record<string, string>,
  runs: number,
): Promise<Map<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'jeb-bench-import-'));
  const child = join(dir, 'child.mjs');
  writeFileSync(child, CHILD);
  const samples = new Map<string, number[]>(targets.map(({ name }) => [name, []]));
  for (let i = 0; i < runs; i++) {
    for (const { name, bundleDir, nodeOptions } of targets) {
      const { stdout } = await runChild([child], {
        ...env,
        NODE_OPTIONS: nodeOptions,
        NODE_NO_WARNINGS: '1',
        BENCH_BUNDLE: join(bundleDir, 'index.mjs'),
      });
      samples.get(name)!.push(benchResult<ChildResult>(stdout).initMs);
    }
  }
  return new Map([...samples].map(([name, values]) => [name, median(values)]));
}
