import { Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { DEFAULT_EVENT_SOURCE, DETAIL_TYPE_PREFIX, detailTypeOf } from '../lambda/contract';
import type { JamfEventName } from '../lambda/events/catalogue';
import type { DetailPattern, JamfEventPattern } from '../lambda/events/pattern';
import { throwIfProblems } from './problems';

/** Which Jamf events a rule matches. */
export interface JamfEventSelection<TName extends JamfEventName = JamfEventName> {
  /**
   * The events, by their name in the catalogue: one, or a list. With a list,
   * fields written side by side in `detail` must be in every event listed, and
   * each `$or` branch must fit one of them (see `ObjectPattern` in lambda/events/pattern.ts).
   * @default - every event of the source, known to the catalogue or not (detail-type prefix `jamf.`)
   */
  readonly detailType?: TName | readonly [TName, ...TName[]];
  /**
   * A pattern on the detail, `{ event, webhook, delivery }`, checked against the
   * catalogue's fields and their types.
   * @default - any detail
   */
  readonly detail?: DetailPattern<NoInfer<TName>>;
}

/** A rule on the Jamf events of a bus: which events, and where they go. */
export interface JamfRuleOptions<TName extends JamfEventName = JamfEventName>
  extends JamfEventSelection<TName>,
    Pick<events.RuleProps, 'description' | 'enabled' | 'role' | 'ruleName' | 'targets'> {
  /**
   * One target, for the common case; added after `targets`.
   * @default - only `targets`
   */
  readonly target?: events.IRuleTarget;
}

/** {@link JamfRuleOptions} with the bus and source the events are published with. */
export interface JamfRuleProps<TName extends JamfEventName = JamfEventName> extends JamfRuleOptions<TName> {
  /** The bus the Jamf events are published to (`JamfEventBridge.eventBus`, or one imported from its outputs). */
  readonly eventBus: events.IEventBus;
  /** Their `source` (`JamfEventBridge.eventSource`, the setting `eventSource`). */
  readonly eventSource: string;
}

/**
 * The event pattern of a selection, in EventBridge's JSON: what `aws events
 * put-rule --event-pattern` and the local runtime's `LOCAL_RULES` file take.
 *
 * @example
 * jamfEventPattern('jamf.pro', { detailType: 'ComputerPolicyFinished', detail: { event: { successful: [false] } } });
 * // { source: ['jamf.pro'], 'detail-type': ['jamf.ComputerPolicyFinished'], detail: { event: { successful: [false] } } }
 */
export function jamfEventPattern<const TName extends JamfEventName = JamfEventName>(
  eventSource: string,
  selection: JamfEventSelection<TName>,
): JamfEventPattern<TName> {
  throwIfProblems('Jamf event rule', selectionProblems(selection));
  const names: readonly TName[] | undefined =
    selection.detailType === undefined ? undefined : typeof selection.detailType === 'string' ? [selection.detailType] : selection.detailType;
  return {
    source: [eventSource],
    // Without names, the prefix: the rule also sees events the catalogue does not know yet.
    'detail-type': names === undefined ? [{ prefix: DETAIL_TYPE_PREFIX }] : names.map((name) => detailTypeOf(name) as `jamf.${TName}`),
    ...(selection.detail === undefined ? {} : { detail: selection.detail }),
  };
}

/**
 * A rule on the bus for the Jamf events of a selection, whose `detail` pattern
 * is checked against the catalogue when it compiles: a misspelt event name, a
 * field the events do not have or a value of the wrong type is a type error,
 * not a rule that silently never matches. {@link JamfEventBridge.onEvent} calls
 * it with the construct's bus; a stack that imports the bus calls it directly.
 *
 * @example
 * jamfEventRule(this, 'PolicyFailed', {
 *   eventBus,
 *   eventSource: 'jamf.pro',
 *   detailType: 'ComputerPolicyFinished',
 *   detail: { event: { successful: [false] } },
 *   target: new targets.LambdaFunction(onFailure),
 * });
 */
export function jamfEventRule<const TName extends JamfEventName = JamfEventName>(
  scope: Construct,
  id: string,
  props: JamfRuleProps<TName>,
): events.Rule {
  const pattern = jamfEventPattern(props.eventSource, props);
  return new events.Rule(scope, id, {
    eventBus: props.eventBus,
    description: props.description,
    enabled: props.enabled,
    role: props.role,
    ruleName: props.ruleName,
    targets: [...(props.targets ?? []), ...(props.target === undefined ? [] : [props.target])],
    // CDK renames only the top-level `detailType`; `detail` goes into the template as written.
    eventPattern: {
      source: [...pattern.source],
      detailType: pattern['detail-type'] as string[],
      ...(pattern.detail === undefined ? {} : { detail: pattern.detail }),
    },
  });
}

/**
 * What EventBridge would refuse only at deployment, named by path: an empty list
 * of names, an empty matcher list (it matches nothing) or an empty object.
 * A token passes: its value is not known until then.
 */
function selectionProblems(selection: JamfEventSelection<JamfEventName>): string[] {
  const problems: string[] = [];
  if (Array.isArray(selection.detailType) && selection.detailType.length === 0) {
    problems.push('detailType is an empty list: name at least one event, or leave detailType out to match every event.');
  }
  if (selection.detail !== undefined) emptyParts(selection.detail, 'detail', problems);
  return problems;
}

function emptyParts(value: unknown, path: string, problems: string[]): void {
  if (value === null || typeof value !== 'object' || Token.isUnresolved(value)) return;
  if (Array.isArray(value)) {
    if (value.length === 0) problems.push(`${path} is an empty list, which EventBridge refuses: give at least one matcher, or leave the field out.`);
    // `$or` holds patterns; a field's list holds matchers, whose objects are never empty in a valid pattern either.
    value.forEach((item, index) => emptyParts(item, `${path}[${index}]`, problems));
    return;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) problems.push(`${path} is an empty object, which EventBridge refuses: name a field in it, or leave it out.`);
  for (const [key, item] of entries) emptyParts(item, `${path}.${key}`, problems);
}

/**
 * Where typed rules on Jamf events are made: {@link JamfEventBridge} in the stack
 * that publishes them, {@link JamfEvents} in a stack that imports the bus. Code
 * that adds rules (the recipes in examples/) takes this, and works with either.
 */
export interface IJamfEvents {
  /** The bus the Jamf events are published to. */
  readonly eventBus: events.IEventBus;
  /** Their `source`. */
  readonly eventSource: string;
  /** A rule on the bus, its `detail` pattern checked against the catalogue (see {@link jamfEventRule}). */
  onEvent<const TName extends JamfEventName = JamfEventName>(id: string, options: JamfRuleOptions<TName>): events.Rule;
}

/** Properties of {@link JamfEvents}. */
export interface JamfEventsProps {
  /**
   * The bus the Jamf events are published to, usually imported from the
   * publishing stack's outputs (`EventBus.fromEventBusArn(this, 'Bus', Fn.importValue('JamfEventBridge-EventBusArn'))`).
   */
  readonly eventBus: events.IEventBus;
  /**
   * Their `source`: the publishing stack's `eventSource` setting.
   * @default 'jamf.pro'
   */
  readonly eventSource?: string;
}

/**
 * The Jamf events of a bus, seen from a stack that did not create it: the same
 * typed `onEvent` as {@link JamfEventBridge}, for a consumer's own stack. It
 * creates nothing itself; each rule is a child of it.
 *
 * @example
 * const jamf = new JamfEvents(this, 'Jamf', {
 *   eventBus: events.EventBus.fromEventBusArn(this, 'Bus', Fn.importValue('JamfEventBridge-EventBusArn')),
 * });
 * jamf.onEvent('PolicyFailed', { detailType: 'ComputerPolicyFinished', detail: { event: { successful: [false] } }, target });
 */
export class JamfEvents extends Construct implements IJamfEvents {
  public readonly eventBus: events.IEventBus;
  public readonly eventSource: string;

  constructor(scope: Construct, id: string, props: JamfEventsProps) {
    super(scope, id);
    this.eventBus = props.eventBus;
    this.eventSource = props.eventSource ?? DEFAULT_EVENT_SOURCE;
  }

  public onEvent<const TName extends JamfEventName = JamfEventName>(id: string, options: JamfRuleOptions<TName>): events.Rule {
    return jamfEventRule<TName>(this, id, { ...options, eventBus: this.eventBus, eventSource: this.eventSource });
  }
}
