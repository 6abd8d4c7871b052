import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { PROJECT_ROOT } from '../../lib/bundle';
import { JamfEventBridgeStack } from '../../lib/jamf-eventbridge-stack';
import type { JamfEventBridgeSettings } from '../../lib/settings';

/** The context of cdk.json (feature flags), so tests synthesize what `cdk synth` does. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

export interface Synthesized {
  readonly app: App;
  readonly stack: JamfEventBridgeStack;
  readonly template: Template;
}

export interface SynthOptions {
  /**
   * Whether to bundle the Lambda code with esbuild (about a second per stack).
   * Tests of the template alone skip it, as `cdk synth OtherStack` does.
   * @default false
   */
  readonly bundle?: boolean;
  /** More CDK context, e.g. settings as `-c` would give them. */
  readonly context?: Record<string, unknown>;
}

/** Builds the app as bin/app.ts does (without cdk-nag) and synthesizes the stack. */
export function synthesize(settings: JamfEventBridgeSettings = {}, options: SynthOptions = {}): Synthesized {
  const app = newApp(options);
  const stack = new JamfEventBridgeStack(app, 'JamfEventBridge', { settings });
  return { app, stack, template: Template.fromStack(stack) };
}

/** An app with cdk.json's context; bundling is skipped unless asked for. */
export function newApp(options: SynthOptions = {}): App {
  return new App({
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
}

/** The directory in the cloud assembly that holds a function's bundle (`index.mjs`, `chunks/`). */
export function assetDirectory(synthesized: Synthesized, fn: lambda.Function): string {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const resource = synthesized.template.toJSON().Resources[synthesized.stack.resolve(cfn.logicalId) as string] as {
    Properties: { Code: { S3Key: string } };
  };
  const hash = resource.Properties.Code.S3Key.replace(/\.zip$/, '');
  return path.join(synthesized.app.synth().directory, `asset.${hash}`);
}

/** The JavaScript files of a bundle, entry and chunks, by path relative to its directory. */
export function bundleFiles(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(directory, { recursive: true, encoding: 'utf8' })) {
    if (entry.endsWith('.mjs')) files.set(entry.split(path.sep).join('/'), readFileSync(path.join(directory, entry), 'utf8'));
  }
  return files;
}

/**
 * Imports a bundle's `index.mjs` in a plain Node.js process, as Lambda's runtime
 * does (an ES module, with no `require` of its own), and returns `typeof handler`,
 * or the error it threw.
 */
export function handlerTypeInPlainNode(directory: string, env: Record<string, string>): string {
  const script =
    `const m = await import(${JSON.stringify(pathToFileURL(path.join(directory, 'index.mjs')).href)});` +
    'process.stdout.write(typeof m.handler);';
  const result = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return result.status === 0 ? result.stdout : `exit ${result.status}: ${result.stderr}`;
}
