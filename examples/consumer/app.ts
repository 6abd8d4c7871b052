#!/usr/bin/env node
// The example consumer as a CDK app of its own, beside the JamfEventBridge stack:
//
//   npx cdk deploy --app 'npx tsx examples/consumer/app.ts' -o cdk.out.consumer
//
// It imports the bus and the source from the stack `JamfEventBridge` (-c jamfStackName=<name> for
// another), or takes them from -c jamfEventBusArn=<arn> -c jamfEventSource=<source>.
import { App } from 'aws-cdk-lib';
import { addNagPacks } from '../../lib/checks';
import { JamfConsumerStack } from './stack';

const app = new App();
new JamfConsumerStack(app, 'JamfConsumer', {
  jamfStackName: context('jamfStackName'),
  eventBusArn: context('jamfEventBusArn'),
  eventSource: context('jamfEventSource'),
});
addNagPacks(app);

/** A context value given as text, or undefined. */
function context(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new Error(`-c ${key} must be text, got ${JSON.stringify(value)}`);
  return value;
}
