/**
 * Rules on the local bus (`LOCAL_RULES`): named event patterns, checked at start as PutRule
 * would check them, matched against each published entry as EventBridge delivers it to a
 * target. `/_local/events` lists the names of the rules each event matched.
 */
import { readFileSync } from 'node:fs';
import type { EventBridgeEvent } from 'aws-lambda';
import type { PublishedEvent } from './event-bus';
import { InvalidEventPatternError, matchesEventPattern, parseEventPattern, type EventPattern } from './event-pattern';

/** The account of every local resource (the dead-letter queue URL has it too). */
export const LOCAL_ACCOUNT = '000000000000';

/** Rule names as PutRule takes them. */
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/** Rules by name, in the order the file gives them. */
export type LocalRules = ReadonlyMap<string, EventPattern>;

/** An event as EventBridge hands it to a rule's target. */
export type DeliveredEvent = EventBridgeEvent<string, unknown>;

/** LOCAL_RULES (or the `rules` option) cannot be used: the message says which rule and where. */
export class InvalidLocalRulesError extends Error {
  override readonly name = 'InvalidLocalRulesError';
}

/**
 * Checks a rules document, `{ "RuleName": <event pattern>, ... }`.
 *
 * @param source what to call the document in an error, e.g. `LOCAL_RULES (rules.json)`.
 * @throws InvalidLocalRulesError naming the rule and, for a pattern, the place in it.
 */
export function parseLocalRules(json: unknown, source = 'rules'): LocalRules {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidLocalRulesError(`${source} must be a JSON object of rule names to event patterns, e.g. {"Computers": {"detail-type": [{"prefix": "jamf.Computer"}]}}`);
  }
  const rules = new Map<string, EventPattern>();
  for (const [name, pattern] of Object.entries(json)) {
    if (!RULE_NAME.test(name)) {
      throw new InvalidLocalRulesError(`${source}: rule name ${JSON.stringify(name)} is not one EventBridge takes: 1 to 64 of A-Z a-z 0-9 . - _`);
    }
    try {
      rules.set(name, parseEventPattern(pattern));
    } catch (error) {
      if (!(error instanceof InvalidEventPatternError)) throw error;
      throw new InvalidLocalRulesError(`${source}: rule "${name}": ${error.message}`, { cause: error });
    }
  }
  return rules;
}

/** Reads and checks the rules file LOCAL_RULES names; errors name the variable and the file. */
export function readLocalRulesFile(path: string, variable = 'LOCAL_RULES'): LocalRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidLocalRulesError(`${variable}: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidLocalRulesError(`${variable}: ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseLocalRules(json, `${variable} (${path})`);
}

/** Where and when a target gets an event: what EventBridge adds to the entry it was published with. */
export interface Delivery {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  /** The entry's `Time`, or when it was published. */
  readonly time: Date | string;
}

/**
 * The event a target of the bus gets: EventBridge's envelope around an entry's
 * detail-type, source and parsed detail, with the time to the second, as
 * EventBridge writes it. One builder for the local runtime, the tests and the
 * generated examples, so that all three show subscribers the same shape.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
export function eventBridgeEnvelope(entry: { readonly detailType: string; readonly source: string; readonly detail: unknown }, delivery: Delivery): DeliveredEvent {
  const time = typeof delivery.time === 'string' ? delivery.time : delivery.time.toISOString();
  return {
    version: '0',
    id: delivery.id,
    'detail-type': entry.detailType,
    source: entry.source,
    account: delivery.account,
    time: time.replace(/\.\d+Z$/, 'Z'),
    region: delivery.region,
    // The handlers send no Resources; EventBridge delivers an empty list then.
    resources: [],
    detail: entry.detail,
  };
}

/** The event a target of the local bus gets for an entry it accepted. */
export function deliveredEvent(published: PublishedEvent, region: string): DeliveredEvent {
  return eventBridgeEnvelope(
    { detailType: published.DetailType, source: published.Source, detail: published.Detail },
    { id: published.EventId, account: LOCAL_ACCOUNT, region, time: published.Time },
  );
}

/** The names of the rules the event matches, in the rules' order. */
export function matchingRules(rules: LocalRules, event: DeliveredEvent): string[] {
  const names: string[] = [];
  for (const [name, pattern] of rules) if (matchesEventPattern(pattern, event)) names.push(name);
  return names;
}
