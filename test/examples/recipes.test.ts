import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import localRules from '../../examples/local-rules.json';
import { addRecipe, RECIPE_NAMES, type RecipeName } from '../../examples/recipes';
import { matchesEventPattern, parseEventPattern, type EventPattern } from '../../lambda/local/event-pattern';
import { JamfEventBridge } from '../../lib/jamf-eventbridge';
import { envelopeOf, fixtureEnvelope } from '../support/envelopes';
import { CONTENT_TYPES, fixtureJson, fixtureNames } from '../support/fixtures';
import { newApp } from '../infra/synth';

/**
 * The fixtures each recipe must match; it must match none of the others. Read from the
 * fixtures: the one failed policy, the smart group of that name, the four computers in
 * "Headquarters" (ComputerAdded is in "Cambridge Lab", ComputerPushCapabilityChanged in "Data Center").
 */
const EXPECTED: Record<RecipeName, readonly string[] | 'every fixture'> = {
  AllJamfEvents: 'every fixture',
  ComputerAdded: ['ComputerAdded'],
  PolicyFailed: ['ComputerPolicyFinished'],
  SmartGroupChange: ['SmartGroupComputerMembershipChange'],
  MobileDeviceEnrolments: ['MobileDeviceEnrolled', 'MobileDeviceUnEnrolled'],
  HeadquartersComputers: ['ComputerCheckIn', 'ComputerInventoryCompleted', 'ComputerPatchPolicyCompleted', 'ComputerPolicyFinished'],
};

const RULES = localRules as Record<RecipeName, unknown>;

/** A recipe's pattern, checked as PutRule checks one. */
const patternOf = (name: RecipeName): EventPattern => parseEventPattern(RULES[name]);

/** The envelope of a fixture's JSON body after `change`. */
function changedFixture(name: string, change: (body: Record<string, any>) => void) {
  const body = fixtureJson(name);
  change(body);
  return envelopeOf(Buffer.from(JSON.stringify(body)), CONTENT_TYPES.json);
}

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

describe.each(RECIPE_NAMES)('the recipe %s', (name) => {
  it('is a pattern EventBridge accepts', () => {
    expect(() => patternOf(name)).not.toThrow();
  });

  it.each(['json', 'xml'] as const)('matches the fixtures it should and none other, sent as %s', (format) => {
    const expected = EXPECTED[name];
    const matched = fixtureNames().filter((fixture) => matchesEventPattern(patternOf(name), fixtureEnvelope(fixture, format)));
    expect(matched).toEqual(expected === 'every fixture' ? fixtureNames() : [...expected].sort());
  });

  it('matches nothing published under another source', () => {
    const matched = fixtureNames().filter((fixture) => matchesEventPattern(patternOf(name), fixtureEnvelope(fixture, 'json', 'jamf.staging')));
    expect(matched).toEqual([]);
  });
});

describe('the recipes on changed fixtures', () => {
  it('PolicyFailed passes over a policy that succeeded', () => {
    const succeeded = changedFixture('ComputerPolicyFinished', (body) => {
      body.event.successful = true;
    });
    expect(matchesEventPattern(patternOf('PolicyFailed'), succeeded)).toBe(false);
  });

  it('SmartGroupChange passes over another group', () => {
    const other = changedFixture('SmartGroupComputerMembershipChange', (body) => {
      body.event.name = 'macOS Sonoma - Not on Latest';
    });
    expect(matchesEventPattern(patternOf('SmartGroupChange'), other)).toBe(false);
  });

  it('HeadquartersComputers takes every building whose name starts with Headquarters, flat or nested', () => {
    const added = changedFixture('ComputerAdded', (body) => {
      body.event.building = 'Headquarters East';
    });
    const checkIn = changedFixture('ComputerCheckIn', (body) => {
      body.event.computer.building = 'Headquarters West';
    });
    const elsewhere = changedFixture('ComputerCheckIn', (body) => {
      body.event.computer.building = 'Old Headquarters';
    });
    expect([added, checkIn, elsewhere].map((event) => matchesEventPattern(patternOf('HeadquartersComputers'), event))).toEqual([true, true, false]);
  });

  it('HeadquartersComputers reads the flat fields that older servers sent with ComputerCheckIn', () => {
    const older = changedFixture('ComputerCheckIn', (body) => {
      const { computer, ...rest } = body.event;
      body.event = { ...rest, ...computer };
    });
    expect(matchesEventPattern(patternOf('HeadquartersComputers'), older)).toBe(true);
  });
});
