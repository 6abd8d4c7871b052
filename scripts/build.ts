/**
 * `npm run build` (`npm pack` runs it as prepack): the package in dist/.
 *
 * - dist/lib, dist/lambda: the construct library and `./events`, compiled to
 *   CommonJS with declarations (tsconfig.build.json).
 * - dist/bundles/<function>: each handler bundled with the options the
 *   repository deploys with (lib/bundle.ts), its entry and every chunk. The
 *   construct uses these when it runs from the package (lib/function.ts), so an
 *   app that installs it synthesizes without esbuild or our sources.
 * - dist/schemas/registry: the documents the schema registry construct reads
 *   at synth, from PROJECT_ROOT, which is dist/ in the package.
 *
 * dist/ is emptied first, so nothing of an earlier build is packed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { bundleHandler, prebuiltBundleName, PROJECT_ROOT } from '../lib/bundle';
import { INGEST_ENTRY } from '../lib/ingest-function';
import { JAMF_REGISTRAR_ENTRY } from '../lib/jamf-webhooks';
import { REDRIVE_ENTRY } from '../lib/redrive-function';
import { SCEP_ENTRY } from '../lib/scep-challenge';
import { REGISTRY_SCHEMAS_DIR } from '../lib/schema-registry';

/**
 * Every handler a construct creates a function for. A handler left out here
 * makes the construct throw when it runs from the package, naming this file;
 * the package test (test/package) synthesizes one with every function.
 */
const HANDLER_ENTRIES = [INGEST_ENTRY, SCEP_ENTRY, REDRIVE_ENTRY, JAMF_REGISTRAR_ENTRY];

const DIST = path.join(PROJECT_ROOT, 'dist');

rmSync(DIST, { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: PROJECT_ROOT,
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

/** What the constructs read from PROJECT_ROOT when they synthesize, relative to it. */
const SYNTH_DATA_DIRS = [REGISTRY_SCHEMAS_DIR];

for (const dir of SYNTH_DATA_DIRS) cpSync(path.join(PROJECT_ROOT, dir), path.join(DIST, dir), { recursive: true });

const names = new Set<string>();
for (const entry of HANDLER_ENTRIES) {
  const name = prebuiltBundleName(entry);
  // Two handlers in one folder would share a directory.
  if (names.has(name)) throw new Error(`Two handlers would be bundled into dist/bundles/${name}`);
  names.add(name);
  // The directory the compiled dist/lib/function.js reads, PREBUILT_BUNDLES_DIR there.
  bundleHandler(entry, path.join(DIST, 'bundles', name));
}
console.log(`Built dist/: lib, lambda, ${SYNTH_DATA_DIRS.join(', ')}, bundles/{${[...names].join(',')}}`);
