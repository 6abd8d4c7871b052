/**
 * Rule recipes: the rules a Jamf consumer usually starts with, each written with
 * the typed `onEvent`, so a misspelt event or field in a copy of one does not compile.
 *
 * Each takes anything that makes typed rules (`IJamfEvents`): the `JamfEventBridge`
 * construct in the stack that publishes, or `JamfEvents` in a consumer's stack
 * that imports the bus (consumer/stack.ts). The same rules as JSON, for `aws
 * events put-rule` and the local runtime's LOCAL_RULES, are in local-rules.json;
 * a test keeps the two equal.
 */
import type * as events from 'aws-cdk-lib/aws-events';
import type { IJamfEvents, JamfRuleOptions } from '../lib/event-rules';

/** The smart group the `SmartGroupChange` recipe follows. Put your group's name here. */
export const SMART_GROUP_NAME = 'macOS Sequoia - Not on Latest';

/** The building the `HeadquartersComputers` recipe follows, by the start of its name ("Headquarters East" too). */
export const BUILDING_PREFIX = 'Headquarters';

/** The events that carry a computer's inventory, and with it its building. */
export const COMPUTER_EVENTS = [
  'ComputerAdded',
  'ComputerCheckIn',
  'ComputerInventoryCompleted',
  'ComputerPatchPolicyCompleted',
  'ComputerPolicyFinished',
  'ComputerPushCapabilityChanged',
] as const;

/** Where a recipe's matches go, and the other options of its rule. */
export type RecipeOptions = Pick<JamfRuleOptions, 'description' | 'enabled' | 'role' | 'ruleName' | 'target' | 'targets'>;

/** Adds a recipe's rule, with construct id `id`, to the Jamf events of a bus. */
export type RuleRecipe = (jamf: IJamfEvents, id: string, options: RecipeOptions) => events.Rule;

export const RULE_RECIPES = {
  /** Every event from Jamf Pro, including those the catalogue does not know yet. */
  AllJamfEvents: (jamf, id, options) => jamf.onEvent(id, options),

  /** One event: computers added to Jamf Pro. */
  ComputerAdded: (jamf, id, options) => jamf.onEvent(id, { detailType: 'ComputerAdded', ...options }),

  /** Policies that failed on a computer. */
  PolicyFailed: (jamf, id, options) =>
    jamf.onEvent(id, { detailType: 'ComputerPolicyFinished', detail: { event: { successful: [false] } }, ...options }),

  /** Computers joining or leaving one smart group, by the group's name. */
  SmartGroupChange: (jamf, id, options) =>
    jamf.onEvent(id, { detailType: 'SmartGroupComputerMembershipChange', detail: { event: { name: [SMART_GROUP_NAME] } }, ...options }),

  /** Mobile devices enrolled and unenrolled, in one rule: the handler tells them apart by detail-type. */
  MobileDeviceEnrolments: (jamf, id, options) =>
    jamf.onEvent(id, { detailType: ['MobileDeviceEnrolled', 'MobileDeviceUnEnrolled'], ...options }),

  /**
   * Every computer event from one building, by the start of the building's name.
   * ComputerAdded, ComputerInventoryCompleted and ComputerPushCapabilityChanged send
   * the building at the top of `event`; current servers send it under `event.computer`
   * for the others. `$or` takes either; a field written side by side would have to be
   * in every event listed, which neither is.
   */
  HeadquartersComputers: (jamf, id, options) =>
    jamf.onEvent(id, {
      detailType: COMPUTER_EVENTS,
      detail: {
        event: {
          $or: [{ building: [{ prefix: BUILDING_PREFIX }] }, { computer: { building: [{ prefix: BUILDING_PREFIX }] } }],
        },
      },
      ...options,
    }),
} satisfies Record<string, RuleRecipe>;

/** The name of a recipe: its construct id, its key in local-rules.json and the subscriber's handler for it. */
export type RecipeName = keyof typeof RULE_RECIPES;

export const RECIPE_NAMES = Object.keys(RULE_RECIPES) as RecipeName[];

/** Adds the recipe `name`, with construct id `name`. */
export function addRecipe(jamf: IJamfEvents, name: RecipeName, options: RecipeOptions): events.Rule {
  return RULE_RECIPES[name](jamf, name, options);
}
