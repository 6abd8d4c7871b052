import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import localRules from '../../examples/local-rules.json';
import { addRecipe, RECIPE_NAMES, type RecipeName } from '../../examples/recipes';
import { JamfEventBridge } from '../../lib/jamf-eventbridge';
import { newApp } from '../infra/synth';

/** Every recipe, added with onEvent to a default JamfEventBridge, and its EventPattern as synthesized. */
function synthesizedPatterns(): Record<RecipeName, unknown> {
  const stack = new Stack(newApp(), 'Recipes');
  const jamf = new JamfEventBridge(stack, 'Jamf');
  const target = new targets.SqsQueue(new sqs.Queue(stack, 'Matches', { enforceSSL: true }));
  const rules = RECIPE_NAMES.map((name) => [name, addRecipe(jamf, name, { target })] as const);
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties: { EventPattern: unknown } }>;
  const patternOf = (rule: events.Rule) => resources[stack.resolve((rule.node.defaultChild as events.CfnRule).logicalId) as string]!.Properties.EventPattern;
  return Object.fromEntries(rules.map(([name, rule]) => [name, patternOf(rule)])) as Record<RecipeName, unknown>;
}

describe('the rule recipes', () => {
  it('are in examples/local-rules.json exactly as onEvent synthesizes them, in the same order', () => {
    const synthesized = synthesizedPatterns();
    expect(Object.keys(localRules)).toEqual(RECIPE_NAMES);
    expect(localRules).toEqual(synthesized);
  });
});
