import * as path from 'node:path';
// Types only: esbuild itself is loaded by bundleHandler, when a handler is bundled from its
// sources. The package runs this module with prebuilt bundles and without esbuild installed.
import type { BuildOptions, Metafile } from 'esbuild';

import { BUNDLE_CHUNK_DIR, BUNDLE_ENTRY_NAME, PROJECT_ROOT } from './bundle-layout';

export { BUNDLE_CHUNK_DIR, BUNDLE_ENTRY_NAME, PREBUILT_BUNDLES_DIR, prebuiltBundleName, PROJECT_ROOT } from './bundle-layout';

/**
 * Bundled CommonJS code (most of the AWS SDK's dependencies) calls `require` on
 * Node built-ins. In an ES module there is no `require`, and esbuild's shim then
 * throws `Dynamic require of "buffer" is not supported`; a real one made with
 * `createRequire` resolves the built-ins. The alias keeps the name from
 * clashing with anything in the bundle.
 */
const REQUIRE_BANNER =
  "import { createRequire as __jebCreateRequire } from 'node:module'; const require = __jebCreateRequire(import.meta.url);";

/**
 * The esbuild options every handler ships with; bench code measures bundles with
 * the same options. A pure function of its arguments.
 *
 * An ES module bundle with code splitting, which the CDK's `NodejsFunction` cannot
 * build (it passes `--outfile`): what a handler loads with `import()` only when it
 * needs it (the XML parser, an AWS SDK client) goes into a chunk of its own, so
 * the entry file that every cold start parses stays small.
 *
 * - `index.mjs`: the entry (Lambda handler `index.handler`); `.mjs` makes Node load
 *   it as an ES module without a package.json.
 * - `chunks/<name>-<hash>.mjs`: the parts loaded on demand.
 * - a linked `.map` per file without the sources' text: `--enable-source-maps`
 *   loads maps at start-up, and the paths are enough to find the source.
 * - nothing external: the AWS SDK version that is tested is the one that ships.
 *
 * @param entry the handler file, absolute or relative to the repository root
 * @param outdir the directory to write the bundle to
 * @see https://esbuild.github.io/api/#splitting
 */
export function handlerBuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [path.resolve(PROJECT_ROOT, entry)],
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    splitting: true,
    outExtension: { '.js': '.mjs' },
    entryNames: BUNDLE_ENTRY_NAME,
    chunkNames: `${BUNDLE_CHUNK_DIR}/[name]-[hash]`,
    target: 'node24',
    // ES module builds first, so esbuild can drop unused code from the AWS SDK.
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
    banner: { js: REQUIRE_BANNER },
  };
}

/**
 * Bundles a handler into `outdir` with {@link handlerBuildOptions}, synchronously
 * (CDK's local bundling cannot wait for a promise), and returns esbuild's
 * metafile. Throws when esbuild reports an error.
 *
 * @example
 * const metafile = bundleHandler('lambda/scep/handler.ts', '/tmp/scep');
 */
export function bundleHandler(entry: string, outdir: string): Metafile {
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  const result = buildSync(handlerBuildOptions(entry, outdir));
  if (result.metafile === undefined) throw new Error(`esbuild returned no metafile for ${entry}`);
  return result.metafile;
}
