/**
 * `npm run bench`: the SCEP and ingest functions measured in this one run,
 * each figure printed beside its aim and written to bench/results.json
 * (bench/results.quick.json with --quick, which is not committed).
 *
 * - bundles as shipped (lib/bundle.ts): bytes loaded at init, with and without the AWS SDK;
 * - cold starts in fresh node processes, and the cold import of each shipped bundle against a
 *   minimal EventBridge-only handler bundled the same way (bench/minimal/handler.ts);
 * - SCEP warm latency (issue 5's aims: init under 20 ms, warm p99 under 2 ms, init bundle under 25 KB);
 * - ingest decode plus the PutEvents entry per fixture against the bare parse and a 20-line peer,
 *   the ingest handler's own warm work and CPU per request, and the local runtime under autocannon
 *   (issue 11's aims);
 * - a smart-group change of 20,000 devices decoded into the entries of its parts, time and peak
 *   memory against the bare parse of the same body (issue 14).
 *
 * Figures, not assertions: a missed aim is printed, never fatal; tests never depend on time. The
 * bench fails only on errors and wrong counts.
 *
 * Options: --quick (fewer and shorter runs, for CI).
 */
import { cpus } from 'node:os';
import { INGEST_ENTRY, INGEST_MEMORY_MB } from '../lib/ingest-function';
import { REDRIVE_ENTRY } from '../lib/redrive-function';
import { SCEP_ENTRY } from '../lib/scep-challenge';
import { bundle, type BundleReport } from './bundles';
import { startBenchAwsProcess } from './aws';
import { coldImports, coldStart } from './cold';
import { ASSUMED_PUT_EVENTS_ROUND_TRIP_MS, billedMsAt, costPerMillion, costInput, DEFAULT_COST_SETTINGS, MEMORY_CANDIDATES_MB } from './cost';
import { FULL_VCPU_MEMORY_MB, lambdaCpuShare } from './cpu-share';
import { decodeRatio } from './decode';
import { jamfEvent } from './events';
import { fleetChange, fleetRequests } from './fleet';
import { compareDecode } from './ingest-decode';
import { ingestOwnWork } from './ingest-warm';
import { DEFAULT_THROTTLING_BURST_LIMIT, DEFAULT_THROTTLING_RATE_LIMIT } from '../lambda/contract';
import { loadLocalRuntime, loadThrottled, type LoadTarget } from './load';
import { Report } from './report';
import { buildResults, resultsPath, writeResults, type Results } from './results';
import { kb, ms } from './stats';
import { ownWork, throughLocalRuntime, warmHandler, type WarmReport } from './warm';

// Before any SDK client exists, and inherited by the child processes: the locked SDK versions
// support Node 20; their warning is about versions published after January 2027.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const quick = process.argv.includes('--quick');
const COLD_RUNS = quick ? 3 : 15;
const WARM_ITERATIONS = quick ? 300 : 3000;
const DECODE = quick ? { rounds: 5, batchMs: 1, warmMs: 10 } : { rounds: 21, batchMs: 4, warmMs: 50 };
const INGEST_WARM = quick ? { iterations: 1000, warmup: 300 } : { iterations: 10_000, warmup: 2000 };
const LOAD = quick ? { connections: 50, requests: 500, warmup: 300 } : { connections: 50, requests: 5000, warmup: 1000 };
/** How each function is deployed (lib/function.ts): source maps on at runtime, except for SCEP. */
const SOURCE_MAPS = '--enable-source-maps';

const x = (value: number) => `${value.toFixed(2)}x`;
const us = (value: number) => `${value.toFixed(1)} us`;
const perSecond = (value: number) => `${value.toFixed(0)} req/s`;
const usd = (value: number) => `$${value.toFixed(2)}`;
/** Cold starts per memory size in the CPU-share section. */
const SHARE_RUNS = quick ? 2 : 7;

function bundleSection(report: Report, bundled: BundleReport): void {
  const key = `bundle.${bundled.name}`;
  report.heading(`${bundled.name} bundle (lib/bundle.ts options, as shipped)`);
  report.show(`${key}.entry_bytes`, 'entry file, index.mjs', bundled.entryBytes, kb);
  report.record(`${key}.init_files`, bundled.initFiles);
  report.show(`${key}.init_bytes_with_sdk`, `loaded at init: entry + static chunks (${bundled.initFiles} files)`, bundled.initBytes, kb);
  report.show(`${key}.init_sdk_bytes`, '  of which AWS SDK', bundled.initSdkBytes, kb);
  report.show(`${key}.init_bytes`, '  without the AWS SDK', bundled.initBytes - bundled.initSdkBytes, kb);
  report.record(`${key}.files`, bundled.totalFiles);
  report.show(`${key}.total_bytes`, `whole bundle (${bundled.totalFiles} files)`, bundled.totalBytes, kb);
  report.show(`${key}.total_bytes_without_sdk`, '  without the AWS SDK', bundled.totalBytes - bundled.totalSdkBytes, kb);
  const top = bundled.initInputs.slice(0, 5).map(({ input, bytes }) => `${input.replace(/^.*node_modules\//, '')} ${kb(bytes)}`);
  report.note(`largest at init: ${top.join(', ')}`);
  const loads = (label: string, pattern: RegExp) => report.line(`${label} loaded at init`, bundled.loadsAtInit(pattern) ? 'yes' : 'no');
  loads('XML parser', /fast-xml-parser/);
  loads('event catalogue', /lambda\/events\/catalogue\.ts/);
  loads('AWS SDK', /@aws-sdk/);
}

async function scepColdSection(report: Report, scep: BundleReport, ingest: BundleReport, env: Record<string, string>): Promise<void> {
  report.heading(`cold start, median of ${COLD_RUNS} fresh node processes`);
  const scepJson = await coldStart(scep.dir, jamfEvent('/scep-challenge', 'SCEPChallenge', 'json'), env, COLD_RUNS, '');
  report.show('scep.cold.init_ms', 'scep: module init (import of index.mjs)', scepJson.initMs, ms);
  report.show('scep.cold.first_request_json_ms', 'scep: first request, JSON (SDK, key fetch, audit)', scepJson.firstRequestMs, ms);
  report.show('scep.cold.init_and_first_json_ms', 'scep: init + first request, JSON', scepJson.initMs + scepJson.firstRequestMs, ms, "Jamf's read timeout: 2 s");
  report.show('scep.cold.wall_over_bare_json_ms', 'scep: process wall time over bare node, JSON', scepJson.wallOverBareMs, ms);
  const scepXml = await coldStart(scep.dir, jamfEvent('/scep-challenge', 'SCEPChallenge', 'xml'), env, COLD_RUNS, '');
  report.show('scep.cold.init_and_first_xml_ms', 'scep: init + first request, XML', scepXml.initMs + scepXml.firstRequestMs, ms);
  const prepared = await coldStart(scep.dir, jamfEvent('/scep-challenge', 'SCEPChallenge', 'json'), { ...env, SCEP_PREPARE_AT_INIT: 'true' }, COLD_RUNS, '');
  report.show('scep.cold.prepared_init_ms', 'scep, provisioned (prepared at init): init', prepared.initMs, ms, 'before any request');
  report.show('scep.cold.prepared_first_json_ms', 'scep, provisioned: first request, JSON', prepared.firstRequestMs, ms);
  const scepMaps = await coldStart(scep.dir, undefined, env, COLD_RUNS, SOURCE_MAPS);
  report.show('scep.cold.init_source_maps_ms', 'scep: module init with --enable-source-maps', scepMaps.initMs, ms, 'not shipped for scep');
  const ingestCold = await coldStart(ingest.dir, jamfEvent('/webhooks', 'ComputerAdded', 'json'), env, COLD_RUNS, SOURCE_MAPS);
  report.show('ingest.cold.init_ms', 'ingest: module init (--enable-source-maps)', ingestCold.initMs, ms);
  report.show('ingest.cold.init_and_first_json_ms', 'ingest: init + first request, JSON', ingestCold.initMs + ingestCold.firstRequestMs, ms);
  const cold = [['scep JSON', scepJson], ['scep XML', scepXml], ['scep prepared', prepared], ['ingest', ingestCold]] as const;
  for (const [name, result] of cold) {
    if (result.status !== 200) throw new Error(`${name} cold request answered ${result.status}`);
  }
}

/** Each shipped bundle's import against the minimal EventBridge-only bundle, deployed alike, in turns. */
async function initSection(report: Report, shipped: readonly BundleReport[], minimal: BundleReport, env: Record<string, string>): Promise<void> {
  const optionsOf = (name: string) => (name === 'scep' ? '' : SOURCE_MAPS);
  const yardstick = (options: string) => (options ? 'minimal' : 'minimal_no_source_maps');
  const targets = [
    { name: 'minimal', bundleDir: minimal.dir, nodeOptions: SOURCE_MAPS },
    { name: 'minimal_no_source_maps', bundleDir: minimal.dir, nodeOptions: '' },
    ...shipped.map(({ name, dir }) => ({ name, bundleDir: dir, nodeOptions: optionsOf(name) })),
  ];
  const medians = await coldImports(targets, env, COLD_RUNS);
  report.heading(`cold import vs a minimal EventBridge-only handler bundled alike, median of ${COLD_RUNS} processes each, in turns`);
  report.show('init.minimal.ms', 'minimal: import, --enable-source-maps', medians.get('minimal')!, ms);
  report.show('init.minimal.no_source_maps_ms', 'minimal: import, no source maps', medians.get('minimal_no_source_maps')!, ms);
  for (const { name } of shipped) {
    const options = optionsOf(name);
    const own = report.show(`init.${name}.ms`, `${name}: import (as deployed)`, medians.get(name)!, ms);
    report.show(`init.${name}.ratio`, `${name} / minimal, ${options ? 'both with' : 'both without'} source maps`, own / medians.get(yardstick(options))!, x);
  }
}

async function scepWarmSection(report: Report, scep: BundleReport, env: Record<string, string>): Promise<void> {
  const warmLines = (key: string, result: WarmReport) => {
    const pair = (part: string, label: string, latency: WarmReport['issueJson']) => {
      const p50 = report.record(`${key}.${part}.p50_ms`, latency.p50);
      report.show(`${key}.${part}.p99_ms`, label, latency.p99, (p99) => `${ms(p50)} / ${ms(p99)}`);
    };
    pair('issue_json', 'issue, JSON: p50 / p99', result.issueJson);
    pair('issue_xml', 'issue, XML: p50 / p99', result.issueXml);
    pair('verify', 'verify, allowed: p50 / p99', result.verify);
  };
  report.heading(`warm: the scep handler's own work (AWS calls answered at once), n=${WARM_ITERATIONS}`);
  warmLines('scep.own_work', await ownWork(WARM_ITERATIONS));
  report.heading('warm: the shipped scep bundle, AWS calls over loopback HTTP to the local endpoint');
  warmLines('scep.bundle_warm', await warmHandler(scep.dir, env, WARM_ITERATIONS));
  report.heading('warm: a request through the local runtime (npm start), HTTP both ways');
  const http = await throughLocalRuntime(WARM_ITERATIONS);
  const p50 = report.record('scep.local_runtime.issue_json.p50_ms', http.p50);
  report.show('scep.local_runtime.issue_json.p99_ms', 'issue, JSON: p50 / p99', http.p99, (p99) => `${ms(p50)} / ${ms(p99)}`);
}

async function scepDecodeSection(report: Report): Promise<void> {
  report.heading('SCEPChallenge decode vs the bare parse of the same body (median of rounds, this run)');
  for (const format of ['json', 'xml'] as const) {
    const ratio = await decodeRatio(format, quick ? 5 : 15, quick ? 500 : 2000);
    report.record(`scep.decode.${format}.ours_us`, ratio.oursUs);
    report.record(`scep.decode.${format}.bare_us`, ratio.bareUs);
    report.show(`scep.decode.${format}.ratio`, `${format.toUpperCase()}: ours / bare`, ratio.ratio, x, `${us(ratio.oursUs)} vs ${us(ratio.bareUs)} per body`);
  }
}

function ingestDecodeSection(report: Report): void {
  report.heading(
    `ingest: decode + PutEvents entry per fixture event, in one process, ${DECODE.rounds} interleaved rounds; ratios are medians over events`,
  );
  for (const format of ['json', 'xml'] as const) {
    const compared = compareDecode(format, DECODE);
    const bare = format === 'json' ? 'JSON.parse' : 'default XMLParser.parse';
    const ratioKey = format === 'json' ? 'ratio' : 'ratio_vs_default';
    const key = `decode.${format}`;
    for (const event of compared.events) {
      const eventKey = `${key}.events.${event.event}`;
      report.record(`${eventKey}.ours_us`, event.oursUs);
      report.record(`${eventKey}.bare_us`, event.bareUs);
      report.record(`${eventKey}.peer_us`, event.peerUs);
      report.record(`${eventKey}.${ratioKey}`, event.ratio);
      report.record(`${eventKey}.vs_peer`, event.vsPeer);
      report.record(`${eventKey}.floor_us`, event.floorUs);
      report.record(`${eventKey}.floor_ratio`, event.floorRatio);
    }
    const worst = [...compared.events].sort((a, b) => b.ratio - a.ratio).slice(0, 3);
    report.show(`${key}.${ratioKey}`, `${format.toUpperCase()} (${compared.events.length} events): ours / ${bare}`, compared.ratio, x);
    report.show(`${key}.vs_peer`, `${format.toUpperCase()}: ours / the 20-line peer`, compared.vsPeer, x);
    report.show(
      `${key}.floor_ratio`,
      `${format.toUpperCase()}: the floor (the peer plus the delivery block and its id, no checks) / ${bare}`,
      compared.floorRatio,
      x,
    );
    report.show(`${key}.ours_us`, `${format.toUpperCase()}: ours, median event`, compared.oursUs, us);
    report.show(`${key}.bare_us`, `${format.toUpperCase()}: ${bare}, median event`, compared.bareUs, us);
    report.show(`${key}.peer_us`, `${format.toUpperCase()}: the peer, median event`, compared.peerUs, us);
    report.show(`${key}.floor_us`, `${format.toUpperCase()}: the floor, median event`, compared.floorUs, us);
    report.note(`highest ours / bare: ${worst.map((e) => `${e.event} ${x(e.ratio)}`).join(', ')}`);
  }
}

async function fleetSection(report: Report): Promise<void> {
  const fleet = await fleetChange(quick ? 3 : 9, quick ? 1 : 3);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  report.heading(
    `ingest: a smart-group change of 20,000 devices, decoded into the PutEvents entries of its parts (median of ${quick ? 3 : 9} rounds; memory: the resident set's rise at its highest, median of ${quick ? 1 : 3} fresh processes)`,
  );
  report.record('fleet.function_memory_mb', INGEST_MEMORY_MB);
  for (const format of ['json', 'xml'] as const) {
    const figures = fleet[format];
    const key = `fleet.${format}`;
    const bare = format === 'json' ? 'JSON.parse' : 'default XMLParser.parse';
    report.record(`${key}.body_bytes`, figures.bodyBytes);
    report.record(`${key}.parts`, figures.parts);
    report.record(`${key}.requests`, figures.requests);
    report.note(`${format.toUpperCase()}: ${mb(figures.bodyBytes)} body, ${figures.parts} parts in ${figures.requests} PutEvents requests`);
    const bareMs = report.record(`${key}.bare_ms`, figures.bareMs);
    report.show(`${key}.ours_ms`, `${format.toUpperCase()}: decode + entries / ${bare}`, figures.oursMs, (value) => `${ms(value)} / ${ms(bareMs)}`);
    report.show(`${key}.ratio`, `${format.toUpperCase()}: ours / bare, time`, figures.oursMs / figures.bareMs, x);
    const barePeak = report.record(`${key}.bare_peak_bytes`, figures.barePeakBytes);
    report.show(`${key}.ours_peak_bytes`, `${format.toUpperCase()}: peak memory, ours / bare`, figures.oursPeakBytes, (value) => `${mb(value)} / ${mb(barePeak)}`);
  }
  // The whole request (authentication, decoding, parts, PutEvents serialised and signed by the SDK,
  // answered at once) at the CPU share Lambda gives each memory size: whether Jamf's 2 s holds.
  report.heading("ingest: the same change through the whole handler at Lambda's CPU share (first request of a fresh process, then the next; PutEvents answered at once)");
  for (const memoryMb of quick ? [INGEST_MEMORY_MB] : MEMORY_CANDIDATES_MB) {
    const share = lambdaCpuShare(memoryMb);
    if ('unavailable' in share) {
      report.note(`skipped: ${share.unavailable}`);
      return;
    }
    const requests = await fleetRequests(share).finally(() => share.remove());
    for (const format of ['json', 'xml'] as const) {
      const key = `fleet.${format}.handler_${memoryMb}mb`;
      const { firstMs, firstStatus, laterMs, laterStatus, peakBytes } = requests[format];
      report.record(`${key}.first_status`, firstStatus);
      report.record(`${key}.later_status`, laterStatus);
      const answer = (status: number) => (status === 200 ? "Jamf's read timeout: 2 s" : `answered ${status}: not published in time, dead-lettered`);
      report.show(`${key}.first_ms`, `${format.toUpperCase()} at ${memoryMb} MB (${(share.share * 100).toFixed(0)} % of a core): first request`, firstMs, ms, answer(firstStatus));
      report.show(`${key}.later_ms`, `${format.toUpperCase()} at ${memoryMb} MB: the next request`, laterMs, ms, answer(laterStatus));
      report.show(`${key}.peak_bytes`, `${format.toUpperCase()} at ${memoryMb} MB: the resident set's rise, at its highest`, peakBytes, mb, `the function's ${memoryMb} MB`);
    }
  }
}

async function ingestWarmSection(report: Report): Promise<void> {
  const warm = await ingestOwnWork(INGEST_WARM.iterations, INGEST_WARM.warmup);
  report.heading(
    `warm: the ingest handler's own work (PutEvents through the SDK client, answered at once), ${warm.bodies} bodies in turns, n=${warm.latency.n}`,
  );
  const p50 = report.record('ingest.warm.p50_ms', warm.latency.p50);
  report.show('ingest.warm.p99_ms', 'request: p50 / p99', warm.latency.p99, (p99) => `${ms(p50)} / ${ms(p99)}`);
  report.show('ingest.cpu_ms_per_request', 'CPU per request (user + system, GC included)', warm.cpuMsPerRequest, ms, 'billed-duration input');
}

async function loadSection(report: Report): Promise<void> {
  const targets: LoadTarget[] = [
    { name: 'webhooks_json', path: '/webhooks', event: 'ComputerCheckIn', format: 'json' },
    { name: 'webhooks_xml', path: '/webhooks', event: 'ComputerCheckIn', format: 'xml' },
    { name: 'scep_challenge', path: '/scep-challenge', event: 'SCEPChallenge', format: 'json' },
  ];
  const results = await loadLocalRuntime(targets, LOAD);
  report.heading(
    `the local runtime under autocannon: ${LOAD.connections} connections, ${LOAD.requests} requests per route after ${LOAD.warmup}, loopback; bus count = 2xx count checked`,
  );
  report.record('load.connections', LOAD.connections);
  for (const result of results) {
    const key = `load.${result.name}`;
    const p50 = report.record(`${key}.p50_ms`, result.p50Ms);
    report.record(`${key}.requests`, result.requests);
    report.record(`${key}.ok`, result.ok);
    report.record(`${key}.non2xx`, result.non2xx);
    report.record(`${key}.errors`, result.errors);
    report.record(`${key}.published`, result.published);
    report.record(`${key}.throttled`, result.throttled);
    report.show(`${key}.requests_per_second`, `${result.name}: throughput`, result.requestsPerSecond, perSecond);
    report.show(`${key}.p99_ms`, `${result.name}: latency p50 / p99`, result.p99Ms, (p99) => `${p50} ms / ${p99} ms`);
  }

  // The same load against API Gateway's throttle at the deployed defaults: what a stage would refuse.
  const throttle = { rateLimit: DEFAULT_THROTTLING_RATE_LIMIT, burstLimit: DEFAULT_THROTTLING_BURST_LIMIT };
  const throttled = await loadThrottled(targets[0]!, throttle, LOAD);
  report.heading(
    `the same, through API Gateway's throttle at the defaults (${throttle.rateLimit}/s, burst ${throttle.burstLimit}), from a full bucket, no warm-up; 429 count = the runtime's checked`,
  );
  report.record('load.throttled.rate_limit', throttle.rateLimit);
  report.record('load.throttled.burst_limit', throttle.burstLimit);
  report.record('load.throttled.requests', throttled.requests);
  report.record('load.throttled.published', throttled.published);
  report.show('load.throttled.requests_per_second', 'offered (answers per second)', throttled.requestsPerSecond, perSecond);
  const ok = report.record('load.throttled.ok', throttled.ok);
  report.show('load.throttled.throttled', '2xx / 429 (lost: Jamf Pro does not resend)', throttled.throttled, (count) => `${ok} / ${count}`);
}

/**
 * The ingest function's cold path (init and the first request) at the CPU share Lambda gives
 * each memory size the cost table weighs, measured in a cgroup with that quota: what a cold
 * start costs in time at each size, the other half of choosing the memory.
 */
async function lambdaShareSection(report: Report, ingest: BundleReport, env: Record<string, string>): Promise<void> {
  report.heading(`ingest cold path at Lambda's CPU share of each memory size (a full vCPU at ${FULL_VCPU_MEMORY_MB} MB), median of ${SHARE_RUNS}`);
  for (const memoryMb of MEMORY_CANDIDATES_MB) {
    const share = lambdaCpuShare(memoryMb);
    if ('unavailable' in share) {
      report.note(`skipped: ${share.unavailable}`);
      return;
    }
    const cold = await coldStart(ingest.dir, jamfEvent('/webhooks', 'ComputerCheckIn', 'json'), env, SHARE_RUNS, SOURCE_MAPS, share).finally(
      () => share.remove(),
    );
    if (cold.status !== 200) throw new Error(`ingest cold request at ${memoryMb} MB answered ${cold.status}`);
    const key = `lambda.ingest_${memoryMb}mb`;
    report.show(`${key}.init_ms`, `${memoryMb} MB (${(share.share * 100).toFixed(0)} % of a core): module init`, cold.initMs, ms);
    report.show(`${key}.cold_ms`, `${memoryMb} MB: init + first request`, cold.initMs + cold.firstRequestMs, ms, "Jamf's read timeout: 2 s");
  }
}

/**
 * Figures computed from the measured ones: what a million webhooks cost (bench/cost.ts, prices
 * in bench/prices.ts). The billed duration at each memory size is the measured CPU per request
 * stretched to that size's CPU share, plus PutEvents' round trip, which this machine cannot
 * measure (ASSUMED_PUT_EVENTS_ROUND_TRIP_MS); Lambda bills by the whole millisecond.
 */
function derivedFigures(report: Report): void {
  const cpuMs = report.value('ingest.cpu_ms_per_request');
  const billedMs = (memoryMb: number) => billedMsAt(cpuMs, memoryMb);
  report.heading(
    `cost per million webhooks (ComputerCheckIn-sized), billed ms = CPU per request at the memory's share + ${ASSUMED_PUT_EVENTS_ROUND_TRIP_MS} ms PutEvents round trip (assumed)`,
  );
  for (const memoryMb of MEMORY_CANDIDATES_MB) {
    const key = memoryMb === INGEST_MEMORY_MB ? 'cost' : `cost.ingest_${memoryMb}mb`;
    report.record(`${key}.billed_ms`, billedMs(memoryMb));
    const defaults = costPerMillion(costInput({ ...DEFAULT_COST_SETTINGS, memoryMb }, billedMs(memoryMb)));
    const label = `defaults at ${memoryMb} MB (${billedMs(memoryMb)} ms billed)${memoryMb === INGEST_MEMORY_MB ? ', as shipped' : ''}`;
    report.show(`${key}.per_million_usd`, label, defaults.total, usd);
  }
  const rest = costPerMillion(costInput({ ...DEFAULT_COST_SETTINGS, apiType: 'rest', memoryMb: INGEST_MEMORY_MB }, billedMs(INGEST_MEMORY_MB)));
  report.show('cost.rest.per_million_usd', 'apiType rest, otherwise the defaults', rest.total, usd);
  const logged = costPerMillion(costInput({ ...DEFAULT_COST_SETTINGS, functionLogs: 'all', memoryMb: INGEST_MEMORY_MB }, billedMs(INGEST_MEMORY_MB)));
  report.show('cost.log_published.per_million_usd', 'logPublishedWebhooks on, otherwise the defaults', logged.total, usd);
}

function machine(): Results['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    date: new Date().toISOString(),
    quick,
  };
}

async function main(): Promise<void> {
  const report = new Report();
  process.stdout.write(`jamf-eventbridge bench: node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}${quick ? ', --quick' : ''}\n`);

  const scep = bundle('scep', SCEP_ENTRY);
  const ingest = bundle('ingest', INGEST_ENTRY);
  const redrive = bundle('redrive', REDRIVE_ENTRY);
  const minimal = bundle('minimal', 'bench/minimal/handler.ts');
  for (const bundled of [scep, ingest, redrive, minimal]) bundleSection(report, bundled);

  // The local AWS endpoint runs in a process of its own, as AWS does.
  const aws = await startBenchAwsProcess();
  try {
    await scepColdSection(report, scep, ingest, aws.env);
    await initSection(report, [ingest, scep, redrive], minimal, aws.env);
    await scepWarmSection(report, scep, aws.env);
    await lambdaShareSection(report, ingest, aws.env);
  } finally {
    aws.stop();
  }
  await scepDecodeSection(report);
  ingestDecodeSection(report);
  await fleetSection(report);
  await ingestWarmSection(report);
  await loadSection(report);
  derivedFigures(report);

  const path = resultsPath(quick);
  writeResults(path, buildResults(machine(), report.figures()));
  process.stdout.write(`\nwrote ${path}\n`);
  // Keep-alive sockets of the SDK clients imported in this process would hold it open.
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
