import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync, type Metafile } from 'esbuild';
import { BUNDLE_ENTRY_NAME, handlerBuildOptions, PROJECT_ROOT } from '../../lib/bundle';
import { SCEP_ENTRY } from '../../lib/scep-challenge';

/**
 * The output Lambda loads, index.mjs. (The metafile also calls the targets of
 * `import()` entry points; they are chunks.)
 */
function isEntryChunk(outputPath: string): boolean {
  return path.basename(outputPath) === `${BUNDLE_ENTRY_NAME}.mjs`;
}

/** Every input in the entry chunk. */
function entryInputs(metafile: Metafile): string[] {
  const entries = Object.entries(metafile.outputs).filter(([outputPath]) => isEntryChunk(outputPath));
  expect(entries.map(([, output]) => output.entryPoint)).toEqual([SCEP_ENTRY]);
  return Object.keys(entries[0]?.[1].inputs ?? {});
}

/** The inputs of every other chunk. */
function chunkInputs(metafile: Metafile): string[] {
  return Object.entries(metafile.outputs)
    .filter(([outputPath]) => !isEntryChunk(outputPath) && !outputPath.endsWith('.map'))
    .flatMap(([, output]) => Object.keys(output.inputs));
}

const fromPackage = (name: string) => (input: string) => input.startsWith(`node_modules/${name}/`);

describe('handlerBuildOptions', () => {
  it('builds an index.mjs ES module for Node.js 24 with its lazily loaded parts in chunks/', () => {
    expect(handlerBuildOptions('lambda/ingest/handler.ts', '/tmp/out')).toMatchObject({
      entryPoints: [path.join(PROJECT_ROOT, 'lambda/ingest/handler.ts')],
      outdir: '/tmp/out',
      absWorkingDir: PROJECT_ROOT,
      bundle: true,
      platform: 'node',
      format: 'esm',
      splitting: true,
      outExtension: { '.js': '.mjs' },
      entryNames: BUNDLE_ENTRY_NAME,
      chunkNames: 'chunks/[name]-[hash]',
      target: 'node24',
      mainFields: ['module', 'main'],
      minify: true,
      sourcemap: 'linked',
      sourcesContent: false,
      metafile: true,
    });
  });

  it('gives bundled CommonJS code a real require, which an ES module lacks', () => {
    const banner = handlerBuildOptions('lambda/ingest/handler.ts', '/tmp/out').banner?.js ?? '';
    expect(banner).toMatch(/import { createRequire\b.* from .node:module.;/);
    expect(banner).toMatch(/\(import\.meta\.url\)/);
    expect(banner).toMatch(/const require =/);
  });

  it('depends on nothing but its arguments, so benchmarks measure what ships', () => {
    expect(handlerBuildOptions(SCEP_ENTRY, '/tmp/a')).toEqual(handlerBuildOptions(SCEP_ENTRY, '/tmp/a'));
    expect(handlerBuildOptions(path.join(PROJECT_ROOT, SCEP_ENTRY), '/tmp/a')).toEqual(
      handlerBuildOptions(SCEP_ENTRY, '/tmp/a'),
    );
  });
});

describe('the SCEP handler, bundled with handlerBuildOptions', () => {
  let outdir: string;
  let metafile: Metafile;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'scep-bundle-'));
    const result = buildSync(handlerBuildOptions(SCEP_ENTRY, outdir));
    metafile = result.metafile as Metafile;
  });
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it('leaves the XML parser out of the entry chunk, for the requests that need it', () => {
    expect(entryInputs(metafile).filter(fromPackage('fast-xml-parser'))).toEqual([]);
    expect(chunkInputs(metafile).some(fromPackage('fast-xml-parser'))).toBe(true);
  });

  it('leaves the AWS SDK out of the entry chunk, for the calls that need it', () => {
    expect(entryInputs(metafile).filter(fromPackage('@aws-sdk'))).toEqual([]);
    expect(chunkInputs(metafile).some(fromPackage('@aws-sdk'))).toBe(true);
  });

  it('does not include the event catalogue at all', () => {
    expect(Object.keys(metafile.inputs)).not.toContain('lambda/events/catalogue.ts');
    expect(Object.keys(metafile.inputs).some((input) => input.startsWith('lambda/'))).toBe(true);
  });
});

describe('the ingest handler, bundled with handlerBuildOptions', () => {
  let outdir: string;
  let metafile: Metafile;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'ingest-bundle-'));
    metafile = buildSync(handlerBuildOptions('lambda/ingest/handler.ts', outdir)).metafile as Metafile;
  });
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  /** Every input of what a cold start loads: the entry file and the chunks it imports statically. */
  function initInputs(): string[] {
    const outputs = new Map(Object.entries(metafile.outputs));
    const pending = [...outputs.keys()].filter(isEntryChunk);
    const init = new Set<string>();
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (init.has(file)) continue;
      init.add(file);
      for (const imported of outputs.get(file)!.imports) if (imported.kind === 'import-statement' && outputs.has(imported.path)) pending.push(imported.path);
    }
    return [...init].flatMap((file) => Object.keys(outputs.get(file)!.inputs));
  }

  it('loads the SQS and Secrets Manager clients on first use, not at init', () => {
    const atInit = initInputs();
    expect(atInit.some(fromPackage('@aws-sdk/client-eventbridge'))).toBe(true);
    expect(atInit.filter(fromPackage('@aws-sdk/client-sqs'))).toEqual([]);
    expect(atInit.filter(fromPackage('@aws-sdk/client-secrets-manager'))).toEqual([]);
    expect(chunkInputs(metafile).some(fromPackage('@aws-sdk/client-sqs'))).toBe(true);
    expect(chunkInputs(metafile).some(fromPackage('@aws-sdk/client-secrets-manager'))).toBe(true);
  });

  it('loads the decoder (valibot, the XML parser) with the first request, not at init', () => {
    const atInit = initInputs();
    expect(atInit.filter(fromPackage('valibot'))).toEqual([]);
    expect(atInit.filter(fromPackage('fast-xml-parser'))).toEqual([]);
    expect(atInit).not.toContain('lambda/decode/decode-async.ts');
    expect(chunkInputs(metafile)).toContain('lambda/decode/decode-async.ts');
    // The XML parser is a chunk of its own, loaded with the first XML body.
    expect(chunkInputs(metafile).some(fromPackage('fast-xml-parser'))).toBe(true);
  });
});
