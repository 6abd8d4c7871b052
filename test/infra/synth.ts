import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_ROOT } from '../../lib/function';
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
