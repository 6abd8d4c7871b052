#!/usr/bin/env node
// The CDK app (cdk.json runs it): one JamfEventBridge stack, configured from CDK
// context (`npx cdk deploy -c eventSource=jamf.prod`), checked by cdk-nag and
// against AWS Control Tower's proactive controls.
import { App } from 'aws-cdk-lib';
import { addControlTowerControls, addNagPacks } from '../lib/nag';
import { JamfEventBridgeStack } from '../lib/jamf-eventbridge-stack';
import { settingsFromContext } from '../lib/settings';

const app = new App();
new JamfEventBridgeStack(app, 'JamfEventBridge', { settings: settingsFromContext(app.node) });
addNagPacks(app);
addControlTowerControls(app);
