/**
 * `npm run bench`: the SCEP function's bundle, cold start and warm latency,
 * and its decode against the bare parse, all measured in this one run.
 * Figures, not assertions: tests never depend on time. Aims (issue 5): init
 * bundle under 25 KB without the AWS SDK, module init under 20 ms, warm p99
 * of the handler under 2 ms.
 *
 * Options: --quick (fewer runs, for a smoke check).
 */
import { cpus } from 'node:os';
import { SCEP_ENTRY } from '../lib/scep-challenge';
import { bundle, type BundleReport } from './bundles';
import { startBenchAwsProcess } from './aws';
import { coldStart } from './cold';
import { decodeRatio } from './decode';
import { jamfEvent } from './events';
import { kb, ms } from './stats';
import { ownWork, throughLocalRuntime, warmHandler, type WarmReport } from './warm';

// Before any SDK client exists, and inherited by the child processes: the locked SDK versions
// support Node 20; their warning is about versions published after January 2027.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const quick = process.argv.includes('--quick');
const COLD_RUNS = quick ? 3 : 15;
const WARM_ITERATIONS = quick ? 300 : 3000;

function line(label: string, value: string, aim = ''): void {
  process.stdout.write(`  ${label.padEnd(46)} ${value.padStart(12)}${aim ? `   ${aim}` : ''}\n`);
}

function bundleLines(report: BundleReport): void {
  process.stdout.write(`\n${report.name} bundle (lib/bundle.ts options, as shipped)\n`);
  line('entry file, index.mjs', kb(report.entryBytes));
  line(`loaded at init: entry + static chunks (${report.initFiles} files)`, kb(report.initBytes));
  line('  of which AWS SDK', kb(report.initSdkBytes));
  line('  without the AWS SDK', kb(report.initBytes - report.initSdkBytes), report.name === 'scep' ? 'aim < 25 KB' : '');
  line(`whole bundle (${report.totalFiles} files)`, kb(report.totalBytes));
  line('  without the AWS SDK', kb(report.totalBytes - report.totalSdkBytes));
  const top = report.initInputs.slice(0, 5).map(({ input, bytes }) => `${input.replace(/^.*node_modules\//, '')} ${kb(bytes)}`);
  process.stdout.write(`  largest at init: ${top.join(', ')}\n`);
}

async function main(): Promise<void> {
  process.stdout.write(`jamf-eventbridge bench: node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}${quick ? ', --quick' : ''}\n`);

  const scep = bundle('scep', SCEP_ENTRY);
  const ingest = bundle('ingest', 'lambda/ingest/handler.ts');
  bundleLines(scep);
  line('XML parser loaded at init', scep.loadsAtInit(/fast-xml-parser/) ? 'yes' : 'no');
  line('event catalogue loaded at init', scep.loadsAtInit(/lambda\/events\/catalogue\.ts/) ? 'yes' : 'no');
  line('AWS SDK loaded at init', scep.loadsAtInit(/@aws-sdk/) ? 'yes' : 'no');
  bundleLines(ingest);

  // The local AWS endpoint runs in a process of its own, as AWS does.
  const aws = await startBenchAwsProcess();
  try {
    process.stdout.write(`\ncold start, median of ${COLD_RUNS} fresh node processes\n`);
    const scepJson = await coldStart(scep.dir, jamfEvent('/scep-challenge', 'SCEPChallenge', 'json'), aws.env, COLD_RUNS, '');
    line('scep: module init (import of index.mjs)', ms(scepJson.initMs), 'aim < 20 ms');
    line('scep: first request, JSON (SDK, key fetch, audit)', ms(scepJson.firstRequestMs));
    line('scep: init + first request, JSON', ms(scepJson.initMs + scepJson.firstRequestMs), "Jamf's read timeout: 2 s");
    line('scep: process wall time over bare node, JSON', ms(scepJson.wallOverBareMs));
    const scepXml = await coldStart(scep.dir, jamfEvent('/scep-challenge', 'SCEPChallenge', 'xml'), aws.env, COLD_RUNS, '');
    line('scep: init + first request, XML', ms(scepXml.initMs + scepXml.firstRequestMs));
    const prepared = await coldStart(
      scep.dir,
      jamfEvent('/scep-challenge', 'SCEPChallenge', 'json'),
      { ...aws.env, SCEP_PREPARE_AT_INIT: 'true' },
      COLD_RUNS,
      '',
    );
    line('scep, provisioned (prepared at init): init', ms(prepared.initMs), 'before any request');
    line('scep, provisioned: first request, JSON', ms(prepared.firstRequestMs));
    const scepMaps = await coldStart(scep.dir, undefined, aws.env, COLD_RUNS, '--enable-source-maps');
    line('scep: module init with --enable-source-maps', ms(scepMaps.initMs), 'not shipped for scep');
    const ingestCold = await coldStart(
      ingest.dir,
      jamfEvent('/webhooks', 'ComputerAdded', 'json'),
      aws.env,
      COLD_RUNS,
      '--enable-source-maps',
    );
    line('ingest: module init (--enable-source-maps)', ms(ingestCold.initMs));
    line('ingest: init + first request, JSON', ms(ingestCold.initMs + ingestCold.firstRequestMs));
    const cold = [['scep JSON', scepJson], ['scep XML', scepXml], ['scep prepared', prepared], ['ingest', ingestCold]] as const;
    for (const [name, report] of cold) {
      if (report.status !== 200) throw new Error(`${name} cold request answered ${report.status}`);
    }

    const warmLines = (report: WarmReport, aim: string) => {
      line('issue, JSON: p50 / p99', `${ms(report.issueJson.p50)} / ${ms(report.issueJson.p99)}`, aim);
      line('issue, XML: p50 / p99', `${ms(report.issueXml.p50)} / ${ms(report.issueXml.p99)}`);
      line('verify, allowed: p50 / p99', `${ms(report.verify.p50)} / ${ms(report.verify.p99)}`);
    };
    process.stdout.write(`\nwarm: the scep handler's own work (AWS calls answered at once), n=${WARM_ITERATIONS}\n`);
    warmLines(await ownWork(WARM_ITERATIONS), 'aim p99 < 2 ms');
    process.stdout.write(`\nwarm: the shipped scep bundle, AWS calls over loopback HTTP to the local endpoint\n`);
    warmLines(await warmHandler(scep.dir, aws.env, WARM_ITERATIONS), '');
    process.stdout.write('\nwarm: a request through the local runtime (npm start), HTTP both ways\n');
    const http = await throughLocalRuntime(WARM_ITERATIONS);
    line('issue, JSON: p50 / p99', `${ms(http.p50)} / ${ms(http.p99)}`);
  } finally {
    aws.stop();
  }

  process.stdout.write('\nSCEPChallenge decode vs the bare parse of the same body (median of rounds, this run)\n');
  for (const format of ['json', 'xml'] as const) {
    const ratio = await decodeRatio(format, quick ? 5 : 15, quick ? 500 : 2000);
    line(
      `${format.toUpperCase()}: ours / bare`,
      `${ratio.ratio.toFixed(2)}x`,
      `${ratio.oursUs.toFixed(1)} us vs ${ratio.bareUs.toFixed(1)} us per body`,
    );
  }
  // Keep-alive sockets of the SDK clients imported in this process would hold it open.
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
