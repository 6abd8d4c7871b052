/*
 * Where bundles and the files read at synth are: apart from ./bundle, whose declarations name
 * esbuild's types, so that the package can export these without making esbuild a dependency.
 */
import * as path from 'node:path';

/**
 * The repository root: handlers are bundled from here, with its node_modules.
 * In the package it is dist/, where the build puts the files a construct reads
 * at synth (scripts/build.ts).
 */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * Name of the bundle's entry file, `index.mjs`: the Lambda handler is
 * `index.handler`, the export `handler` of that file.
 */
export const BUNDLE_ENTRY_NAME = 'index';

/** Where the chunks loaded with dynamic `import()` go, relative to the bundle directory. */
export const BUNDLE_CHUNK_DIR = 'chunks';

/**
 * The directory of the bundles the package ships, built by `npm run build` into
 * `dist/bundles`: beside the compiled `dist/lib`, so `bundles` next to the
 * directory of this module. In the repository (lib/) there is none, and
 * handlers are bundled from their sources.
 */
export const PREBUILT_BUNDLES_DIR = path.resolve(__dirname, '..', 'bundles');

/**
 * The name of a handler's prebuilt bundle, its directory under
 * `dist/bundles`: the handler's folder in lambda/.
 *
 * @example prebuiltBundleName('lambda/scep/lambda.mts') // 'scep'
 */
export function prebuiltBundleName(entry: string): string {
  return path.basename(path.dirname(path.resolve(PROJECT_ROOT, entry)));
}
