/**
 * Bundle sizes, with the esbuild options the CDK app ships (lib/bundle.ts):
 * what a cold start loads before the first request (the entry file and the
 * chunks it imports statically), what is loaded on first use, and how much of
 * each is the AWS SDK.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Metafile } from 'esbuild';
import { BUNDLE_ENTRY_NAME, bundleHandler, PROJECT_ROOT } from '../lib/bundle';

/** Packages that are the AWS SDK (clients, their Smithy runtime and crypto). */
const AWS_SDK = /node_modules\/(?:@aws-sdk|@smithy|@aws-crypto|@aws\/)/;

export interface BundleReport {
  readonly name: string;
  readonly dir: string;
  /** The entry file alone (index.mjs). */
  readonly entryBytes: number;
  /** Entry file plus every chunk it imports statically: what init loads. */
  readonly initBytes: number;
  readonly initSdkBytes: number;
  /** Files loaded at init, and files in all. */
  readonly initFiles: number;
  readonly totalFiles: number;
  /** Every .mjs file of the bundle. */
  readonly totalBytes: number;
  readonly totalSdkBytes: number;
  /** Inputs loaded at init, largest first (bytes in the output). */
  readonly initInputs: readonly { input: string; bytes: number }[];
  /** Whether a module is in what init loads. */
  loadsAtInit(input: RegExp): boolean;
}

function sdkBytes(output: Metafile['outputs'][string]): number {
  return Object.entries(output.inputs)
    .filter(([input]) => AWS_SDK.test(input))
    .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0);
}

export function bundle(name: string, entry: string): BundleReport {
  const dir = mkdtempSync(join(tmpdir(), `jeb-bench-${name}-`));
  const metafile = bundleHandler(entry, dir);
  const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
  const byPath = new Map(outputs);
  // Not by `entryPoint`: esbuild sets it on the chunks of dynamic import() targets too.
  const entryPath = outputs.find(([file]) => file.endsWith(`/${BUNDLE_ENTRY_NAME}.mjs`))![0];

  const init = new Set<string>();
  const pending = [entryPath];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (init.has(file)) continue;
    init.add(file);
    for (const imported of byPath.get(file)!.imports) {
      if (imported.kind === 'import-statement' && byPath.has(imported.path)) pending.push(imported.path);
    }
  }
  const initOutputs = [...init].map((file) => byPath.get(file)!);
  const inputs = new Map<string, number>();
  for (const output of initOutputs) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      inputs.set(input, (inputs.get(input) ?? 0) + bytesInOutput);
    }
  }
  return {
    name,
    dir: join(PROJECT_ROOT, relative(PROJECT_ROOT, dir)),
    entryBytes: byPath.get(entryPath)!.bytes,
    initFiles: init.size,
    totalFiles: outputs.length,
    initBytes: initOutputs.reduce((sum, output) => sum + output.bytes, 0),
    initSdkBytes: initOutputs.reduce((sum, output) => sum + sdkBytes(output), 0),
    totalBytes: outputs.reduce((sum, [, output]) => sum + output.bytes, 0),
    totalSdkBytes: outputs.reduce((sum, [, output]) => sum + sdkBytes(output), 0),
    initInputs: [...inputs]
      .map(([input, bytes]) => ({ input, bytes }))
      .filter(({ bytes }) => bytes > 0)
      .sort((a, b) => b.bytes - a.bytes),
    loadsAtInit: (pattern) => [...inputs.keys()].some((input) => pattern.test(input)),
  };
}
