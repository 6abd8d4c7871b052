import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_ROOT } from '../../lib/bundle';
import { JamfEventBridge } from '../../lib/jamf-eventbridge';

/*
 * The package as a platform team's CDK app gets it: packed by `npm pack` (which builds it, as
 * prepack), unpacked into the node_modules of a throwaway app beside links to its peer and runtime
 * dependencies and nothing else (no esbuild, no tsx, no sources of ours), and synthesized by plain
 * node. Offline: the links stand in for an install, so a CI machine needs no registry.
 */

/** The app a platform team writes: an ES module importing both entry points; it reports what it saw. */
const APP = `
import { createRequire } from 'node:module';
import { App, Stack } from 'aws-cdk-lib';
import { JamfEventBridge } from 'jamf-eventbridge';
import * as events from 'jamf-eventbridge/events';
import { isJamfEvent } from 'jamf-eventbridge/events';
import { fetchOversize } from 'jamf-eventbridge/events/oversize';

const require = createRequire(import.meta.url);
const notAStub = { detail: { delivery: { id: 'a' } } };
const app = new App({ outdir: 'cdk.out' });
const jamf = new JamfEventBridge(new Stack(app, 'Platform'), 'Jamf', { eventSource: 'jamf.platform' });
jamf.onEvent('PolicyFailed', { detailType: 'ComputerPolicyFinished', detail: { event: { successful: [false] } } });
app.synth();

let esbuild;
try {
  esbuild = createRequire(require.resolve('jamf-eventbridge')).resolve('esbuild');
} catch {
  esbuild = null;
}
process.stdout.write(JSON.stringify({
  eventsExports: Object.keys(events),
  isJamfEventOfNothing: isJamfEvent({}),
  fetchOversizeOfAWholeEvent: (await fetchOversize(notAStub)) === notAStub,
  sameClassFromRequire: require('jamf-eventbridge').JamfEventBridge === JamfEventBridge,
  esbuild,
}));
`;

/** The same app in TypeScript, checked against the declarations as cdk init's tsconfig would. */
const TYPED_APP = `
import { App, Stack } from 'aws-cdk-lib';
import { JamfEventBridge, type JamfEventBridgeProps } from 'jamf-eventbridge';
import { isJamfEvent, oversizeOf } from 'jamf-eventbridge/events';
import { fetchOversize } from 'jamf-eventbridge/events/oversize';

const props: JamfEventBridgeProps = { eventSource: 'jamf.platform' };
const jamf = new JamfEventBridge(new Stack(new App(), 'Platform'), 'Jamf', props);
export const busName: string = jamf.eventBus.eventBusName;
jamf.onEvent('PolicyFailed', { detailType: 'ComputerPolicyFinished', detail: { event: { successful: [false] } } });
// @ts-expect-error: the catalogue types the pattern through the package too, so a misspelt field does not compile
jamf.onEvent('Misspelt', { detailType: 'ComputerPolicyFinished', detail: { event: { sucessful: [false] } } });

/** A subscriber's handler that reads the whole event behind a stub. */
export async function wholeEvent(event: unknown): Promise<unknown> {
  return isJamfEvent(event) && oversizeOf(event) ? (await fetchOversize(event)).detail.event : undefined;
}

/** A subscriber's handler: the published event's type, narrowed by the check. */
export function jssIdOf(event: unknown): number | null | undefined {
  return isJamfEvent(event, 'ComputerAdded') ? event.detail.event.jssID : undefined;
}
`;

interface AppReport {
  readonly eventsExports: string[];
  readonly isJamfEventOfNothing: boolean;
  readonly fetchOversizeOfAWholeEvent: boolean;
  readonly sameClassFromRequire: boolean;
  readonly esbuild: string | null;
}

interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

const FUNCTION_BUNDLES = ['ingest', 'scep', 'redrive'];

let work: string;
let appDir: string;
let packageDir: string;
let packedFiles: string[];
let report: AppReport;
let synthOutput: string;
/** tsc's output and exit status, by module resolution; started before the synthesis, to run beside it. */
const typeChecks = new Map<string, Promise<{ status: number | null; output: string }>>();

/**
 * The module settings of the app's type checks: cdk init's today, checking every declaration file
 * (one that named esbuild, say, would fail), and the CommonJS of older apps, which finds
 * `./events` through typesVersions; the declarations are checked once, by the first.
 */
const TYPE_CHECKS = [
  ['NodeNext', 'NodeNext', false],
  ['CommonJS', 'Node10', true],
] as const;

/** Type-checks TYPED_APP in a directory of the app (so node_modules resolves from there), in the background. */
function startTypeCheck(module: string, moduleResolution: string, skipLibCheck: boolean): Promise<{ status: number | null; output: string }> {
  const dir = path.join(appDir, `typed-${moduleResolution.toLowerCase()}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'app.ts'), TYPED_APP);
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module, moduleResolution, types: ['node'], skipLibCheck },
      files: ['app.ts'],
    }),
  );
  const tsc = require.resolve('typescript/bin/tsc', { paths: [PROJECT_ROOT] });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', dir], { cwd: dir });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** Runs a command to its end; throws with its output when it fails. */
function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 110_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
}

/** Every file under `directory`, by path relative to it with forward slashes. */
function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'jeb-package-'));
  // Prepare: pack (prepack builds dist/), then unpack into the app's node_modules.
  run('npm', ['pack', '--pack-destination', work, '--silent'], PROJECT_ROOT);
  const tarball = readdirSync(work).find((file) => file.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack left no tarball in ${work}`);
  appDir = path.join(work, 'app');
  packageDir = path.join(appDir, 'node_modules', 'jamf-eventbridge');
  mkdirSync(packageDir, { recursive: true });
  run('tar', ['-xzf', path.join(work, tarball), '-C', packageDir, '--strip-components=1'], work);
  packedFiles = filesUnder(packageDir);

  // What npm would install beside it: its dependencies and peer dependencies, linked from ours.
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const installed = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
  for (const name of [...installed, '@types/node']) {
    const link = path.join(appDir, 'node_modules', name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules', name), link, 'dir');
  }

  for (const [module, moduleResolution, skipLibCheck] of TYPE_CHECKS) {
    typeChecks.set(moduleResolution, startTypeCheck(module, moduleResolution, skipLibCheck));
  }

  // Act: plain node, with nothing of this repository's environment.
  writeFileSync(path.join(appDir, 'app.mjs'), APP);
  const result = spawnSync(process.execPath, ['app.mjs'], {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`The app failed to synthesize (exit ${result.status}):\n${result.stderr}`);
  report = JSON.parse(result.stdout) as AppReport;
  synthOutput = result.stderr;
}, 150_000);

afterAll(async () => {
  // The type checks read the app's directory: let them end before it goes.
  await Promise.all(typeChecks.values());
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
}, 60_000);

function template(): CfnTemplate {
  return JSON.parse(readFileSync(path.join(appDir, 'cdk.out', 'Platform.template.json'), 'utf8')) as CfnTemplate;
}

/** The functions of a template, by logical ID, with the asset hash of their code. */
function functionCode(cfn: CfnTemplate): Map<string, string> {
  return new Map(
    Object.entries(cfn.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([id, resource]) => [id, ((resource.Properties?.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '')]),
  );
}

describe('the package', () => {
  it('holds the compiled library and ./events with declarations, and a prebuilt bundle per function', () => {
    const outside = packedFiles.filter((file) => !/^dist\/(lib|lambda|schemas|bundles)\//.test(file));
    expect(outside.sort()).toEqual(['README.md', 'package.json']);
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/lib/index.js', 'dist/lib/index.d.ts']));
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/lambda/events/index.js', 'dist/lambda/events/index.d.ts']));
    for (const name of FUNCTION_BUNDLES) {
      expect(packedFiles).toContain(`dist/bundles/${name}/index.mjs`);
      expect(packedFiles.some((file) => file.startsWith(`dist/bundles/${name}/chunks/`))).toBe(true);
    }
    // No TypeScript sources, tests or tools: an app needs none of them.
    expect(packedFiles.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
  });

  describe('in a CDK app that installs it', () => {
    it('synthesizes with plain node, without esbuild: nothing is bundled', () => {
      expect(report.esbuild).toBeNull();
      expect(synthOutput).not.toMatch(/Bundling asset/);
    });

    it('gives every function the prebuilt bundle of its handler as code, every chunk included', () => {
      const code = functionCode(template());
      expect(code.size).toBe(FUNCTION_BUNDLES.length);
      const shipped = new Map(
        FUNCTION_BUNDLES.map((name) => [name, filesUnder(path.join(packageDir, 'dist', 'bundles', name))] as const),
      );
      const matched: string[] = [];
      for (const hash of code.values()) {
        const asset = path.join(appDir, 'cdk.out', `asset.${hash}`);
        const files = filesUnder(asset);
        const name = [...shipped].find(([bundle, bundleFiles]) =>
          bundleFiles.length === files.length &&
          bundleFiles.every((file, i) => file === files[i] &&
            readFileSync(path.join(packageDir, 'dist', 'bundles', bundle, file)).equals(readFileSync(path.join(asset, file)))),
        )?.[0];
        expect(name).toBeDefined();
        matched.push(name!);
        // Every module a file imports, statically or with import(), is in the asset.
        for (const file of files.filter((f) => f.endsWith('.mjs'))) {
          const text = readFileSync(path.join(asset, file), 'utf8');
          for (const [, specifier] of text.matchAll(/["'](\.{1,2}\/[^"']+\.mjs)["']/g)) {
            expect([file, existsSync(path.join(asset, path.dirname(file), specifier!))]).toEqual([file, true]);
          }
        }
      }
      expect(matched.sort()).toEqual([...FUNCTION_BUNDLES].sort());
    });

    it('makes the template the repository makes, logical IDs included, but for the code of the functions', () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Platform');
      const jamf = new JamfEventBridge(stack, 'Jamf', { eventSource: 'jamf.platform' });
      jamf.onEvent('PolicyFailed', { detailType: 'ComputerPolicyFinished', detail: { event: { successful: [false] } } });
      const fromSources = Template.fromStack(stack).toJSON() as CfnTemplate;
      const fromPackage = template();
      const withoutCode = (cfn: CfnTemplate) => {
        const copy = structuredClone(cfn);
        for (const resource of Object.values(copy.Resources)) {
          if (resource.Type === 'AWS::Lambda::Function') delete resource.Properties?.Code;
        }
        return copy.Resources;
      };
      expect(Object.keys(fromPackage.Resources).sort()).toEqual(Object.keys(fromSources.Resources).sort());
      expect(withoutCode(fromPackage)).toEqual(withoutCode(fromSources));
    });

    it('loads ./events and the construct library with import and require alike', () => {
      expect(report.eventsExports).toContain('isJamfEvent');
      expect(report.isJamfEventOfNothing).toBe(false);
      expect(report.sameClassFromRequire).toBe(true);
    });

    it('keeps ./events free of AWS SDK code: only ./events/oversize needs @aws-sdk/client-s3', () => {
      /** Every package a compiled module requires, following our own modules. */
      const packagesRequiredFrom = (file: string, seen = new Set<string>()): Set<string> => {
        const packages = new Set<string>();
        if (seen.has(file)) return packages;
        seen.add(file);
        for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
          if (specifier!.startsWith('.')) {
            for (const found of packagesRequiredFrom(path.resolve(path.dirname(file), `${specifier!.replace(/\.js$/, '')}.js`), seen)) packages.add(found);
          } else packages.add(specifier!);
        }
        return packages;
      };
      const events = path.join(packageDir, 'dist', 'lambda', 'events');
      expect([...packagesRequiredFrom(path.join(events, 'index.js'))].filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
      expect([...packagesRequiredFrom(path.join(events, 'fetch-oversize.js'))].filter((name) => name.startsWith('@aws-sdk/'))).toEqual(['@aws-sdk/client-s3']);
    });

    it.each(TYPE_CHECKS)('type-checks against the declarations with module %s', async (_module, moduleResolution) => {
      const { status, output } = await typeChecks.get(moduleResolution)!;
      expect(output).toBe('');
      expect(status).toBe(0);
    }, 60_000);
  });
});
