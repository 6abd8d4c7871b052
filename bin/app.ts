#!/usr/bin/env node
// The CDK app (cdk.json runs it): one JamfEventBridge stack, configured from CDK
// context (`npx cdk deploy -c eventSource=jamf.prod`), checked by cdk-nag and
// against AWS Control Tower's proactive controls.
import { App } from 'aws-cdk-lib';
import { addControlTowerControls, addNagPacks } from '../lib/checks';
import { JamfEventBridgeStack } from '../lib/jamf-eventbridge-stack';
import { InvalidSettingError, settingsFromContext } from '../lib/settings';

const app = new App();
try {
  new JamfEventBridgeStack(app, 'JamfEventBridge', { settings: settingsFromContext(app.node) });
} catch (error) {
  // A wrong setting is the user's to fix, not our bug: one line per problem, no stack trace.
  if (!(error instanceof InvalidSettingError)) throw error;
  for (const problem of error.problems) process.stderr.write(`Invalid setting: ${problem}\n`);
  process.exit(1);
}
addNagPacks(app);
addControlTowerControls(app);
