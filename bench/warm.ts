/**
 * Warm latency, three ways: the handler's own work (its AWS calls answered at
 * once), the shipped bundle calling the local AWS endpoint over loopback HTTP
 * (SDK clients included), and a whole round trip through the local runtime.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { authenticatorFor, credentialsVerifier } from '../lambda/auth/source';
import { setLogWriter } from '../lambda/shared/log';
import { readScepConfig } from '../lambda/scep/config';
import { createIssueHandler } from '../lambda/scep/issue';
import { signedIssuer } from '../lambda/scep/issuers';
import { createVerifyHandler } from '../lambda/scep/verify';
import { startLocalRuntime } from '../lambda/local/runtime';
import { BENCH_PASSWORD, BENCH_SIGNING_KEY, BENCH_VERIFY_SECRET } from './aws';
import { fixture, jamfEvent, stepCaEvent } from './events';
import { percentile, since } from './stats';

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly n: number;
}

export function latency(samples: readonly number[]): Latency {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), n: samples.length };
}

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * Runs `measure` with stdout going to /dev/null: the handlers write a log line
 * per request, which in Lambda is a write to a pipe. The write is kept (it is
 * part of the cost), its output is not.
 */
export async function withStdoutDiscarded<T>(measure: () => Promise<T>): Promise<T> {
  const devNull = openSync('/dev/null', 'w');
  const original = process.stdout.write;
  const discard = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    writeSync(devNull, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    callback?.();
    return true;
  };
  process.stdout.write = discard as typeof process.stdout.write;
  const previousWriter = setLogWriter((line) => writeSync(devNull, line));
  try {
    return await measure();
  } finally {
    process.stdout.write = original;
    setLogWriter(previousWriter);
    closeSync(devNull);
  }
}

async function timed(handler: Handler, event: APIGatewayProxyEvent, expected: number): Promise<[number, string]> {
  const started = process.hrtime.bigint();
  const response = await handler(event);
  const elapsed = since(started);
  if (response.statusCode !== expected) {
    throw new Error(`expected ${expected}, got ${response.statusCode}: ${response.body.slice(0, 200)}`);
  }
  return [elapsed, response.body];
}

export interface WarmReport {
  readonly issueJson: Latency;
  readonly issueXml: Latency;
  readonly verify: Latency;
}

async function measureScep(handler: Handler, iterations: number): Promise<WarmReport> {
  const issue = (format: 'json' | 'xml') => timed(handler, jamfEvent('/scep-challenge', 'SCEPChallenge', format), 200);
  // Warm-up: chunks loaded, secrets cached, connections open, code optimised.
  for (let i = 0; i < 300; i++) {
    const [, challenge] = await issue(i % 2 === 0 ? 'json' : 'xml');
    await timed(handler, stepCaEvent(challenge), 200);
  }
  const json: number[] = [];
  const xml: number[] = [];
  const challenges: string[] = [];
  for (let i = 0; i < iterations; i++) {
    const [jsonMs, challenge] = await issue('json');
    json.push(jsonMs);
    challenges.push(challenge);
    xml.push((await issue('xml'))[0]);
  }
  const verify: number[] = [];
  for (const challenge of challenges) {
    const [elapsed, body] = await timed(handler, stepCaEvent(challenge), 200);
    if (body !== '{"allow":true}') throw new Error(`a fresh challenge was not allowed: ${body}`);
    verify.push(elapsed);
  }
  return { issueJson: latency(json), issueXml: latency(xml), verify: latency(verify) };
}

/**
 * The handler's own work: the same issue and verify handlers, with the same
 * authentication, decoding, signing and logging, but the audit publish, the
 * secrets and the used-challenge record answered at once instead of over the network.
 */
export async function ownWork(iterations: number): Promise<WarmReport> {
  return withStdoutDiscarded(async () => {
    const config = readScepConfig({ EVENT_BUS_NAME: 'bench', DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/000000000000/dlq' });
    const keys = { current: Buffer.from(BENCH_SIGNING_KEY), all: [Buffer.from(BENCH_SIGNING_KEY)] };
    const used = new Set<string>();
    const issue = createIssueHandler({
      config,
      authenticate: authenticatorFor(
        credentialsVerifier(async () => JSON.stringify({ basic: [{ username: 'jamf', password: BENCH_PASSWORD }] })),
      ),
      issue: signedIssuer(async () => keys, config.challengeTtlSeconds),
      publish: async () => ({ ok: true, eventId: 'bench', attempts: 1, ambiguous: false }),
      deadLetter: async () => ({ stored: true }),
    });
    const verify = createVerifyHandler({
      config,
      webhookSecrets: async () => [Buffer.from(BENCH_VERIFY_SECRET, 'base64')],
      signingKeys: async () => keys,
      claim: async ({ challengeId }) => !used.has(challengeId) && Boolean(used.add(challengeId)),
    });
    const handler: Handler = (event) => (event.resource.endsWith('/verify') ? verify(event) : issue(event));
    return measureScep(handler, iterations);
  });
}

/** The SCEP handler from `bundleDir`, with `env` (the local AWS endpoint) set before its import. */
export async function warmHandler(bundleDir: string, env: Record<string, string>, iterations: number): Promise<WarmReport> {
  return withStdoutDiscarded(() => measureWarmHandler(bundleDir, env, iterations));
}

async function measureWarmHandler(bundleDir: string, env: Record<string, string>, iterations: number): Promise<WarmReport> {
  Object.assign(process.env, env);
  const { handler } = (await import(pathToFileURL(join(bundleDir, 'index.mjs')).href)) as { handler: Handler };
  return measureScep(handler, iterations);
}

/** Round trips of a JSON SCEPChallenge through the local runtime (`npm start`), HTTP included. */
export async function throughLocalRuntime(iterations: number): Promise<Latency> {
  return withStdoutDiscarded(() => measureLocalRuntime(iterations));
}

async function measureLocalRuntime(iterations: number): Promise<Latency> {
  const stack = await startLocalRuntime({
    port: 0,
    webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: BENCH_PASSWORD }] }),
  });
  const headers = {
    authorization: `Basic ${Buffer.from(`jamf:${BENCH_PASSWORD}`).toString('base64')}`,
    'content-type': 'application/json',
  };
  const body = fixture('SCEPChallenge', 'json');
  const once = async () => {
    const started = process.hrtime.bigint();
    const response = await fetch(stack.scepChallengeUrl, { method: 'POST', headers, body });
    await response.text();
    if (response.status !== 200) throw new Error(`local runtime answered ${response.status}`);
    return since(started);
  };
  try {
    for (let i = 0; i < 200; i++) await once();
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) samples.push(await once());
    return latency(samples);
  } finally {
    await stack.close();
  }
}
