/**
 * The events this stack publishes, as a subscriber receives them: EventBridge's
 * envelope (`version`, `id`, `detail-type`, `source`, `account`, `time`,
 * `region`, `resources`) around the `detail` `{ webhook, event, delivery }`.
 * Types, and the valibot schemas that check a value at run time; the types
 * are inferred from the schemas, the schemas derived from the catalogue's.
 *
 * The `detail` is already canonical (`jssID` a number, lists arrays), so each
 * schema here is the catalogue schema's canonical form (see `canonical.ts`):
 * it accepts what the decoder outputs and converts nothing, so that a value
 * `isJamfEvent` accepts really has the types it then claims. Objects stay
 * loose: fields Jamf adds after this catalogue are published and kept.
 *
 * Imports nothing from CDK, the handlers or the AWS SDK; the package exports it
 * as `jamf-eventbridge/events`.
 *
 * @example
 * import { isJamfEvent, parseJamfEvent, type JamfEvent } from 'jamf-eventbridge/events';
 *
 * export const handler = async (input: unknown) => {
 *   const event: JamfEvent = parseJamfEvent(input);
 *   if (event['detail-type'] === 'jamf.ComputerAdded') {
 *     console.log(event.detail.event.serialNumber, event.detail.delivery.id);
 *   }
 * };
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
import * as v from 'valibot';
import type { Issue } from '../shared/errors';
import { toIssues } from '../shared/issues';
import { canonicalForm } from './canonical';
import { detailTypeOf, EVENT_NAMES, EVENT_SCHEMAS, type JamfEventName } from './catalogue';
import { DeliverySchema } from './delivery';
import { ChallengeIssuanceSchema } from './scep';
import { WebhookSchema } from './webhook';

/** The detail-type of a known event: `jamf.ComputerAdded`. */
export type JamfDetailType<TName extends JamfEventName = JamfEventName> = `jamf.${TName}`;

/** The `webhook` block in canonical form, shared by every event's schema. */
export const PublishedWebhookSchema = canonicalForm(WebhookSchema);

/** The published `webhook` block of one event: its `webhookEvent` is the event's canonical name. */
function webhookOf<TName extends JamfEventName>(name: TName) {
  return v.intersect([PublishedWebhookSchema, v.looseObject({ webhookEvent: v.literal(name) })]);
}

/**
 * What a `jamf.SCEPChallenge` detail has besides the others: `issuance`, on the
 * events the SCEP service publishes (not on those from `/webhooks`).
 */
const SCEP_CHALLENGE_DETAIL = { issuance: v.optional(ChallengeIssuanceSchema) };

type ExtraDetailOf<TName extends JamfEventName> = TName extends 'SCEPChallenge' ? typeof SCEP_CHALLENGE_DETAIL : Record<never, never>;

function publishedEventSchema<TName extends JamfEventName, TExtra extends v.ObjectEntries>(name: TName, extra: TExtra) {
  return v.looseObject({
    version: v.string(),
    id: v.string(),
    'detail-type': v.literal(detailTypeOf(name) as JamfDetailType<TName>),
    /** `jamf.pro` unless the deployment's `eventSource` setting says otherwise. */
    source: v.string(),
    account: v.string(),
    /** Jamf's `eventTimestamp` when it sent one, else when the event was published. */
    time: v.pipe(v.string(), v.isoTimestamp()),
    region: v.string(),
    resources: v.array(v.string()),
    /** On a copy replayed from the archive: the replay's name. */
    'replay-name': v.optional(v.string()),
    detail: v.looseObject({
      webhook: webhookOf(name),
      event: canonicalForm(EVENT_SCHEMAS[name]),
      delivery: DeliverySchema,
      ...extra,
    }),
  });
}

/** The schema of one published event. */
export type PublishedEventSchema<TName extends JamfEventName> = ReturnType<
  typeof publishedEventSchema<TName, ExtraDetailOf<TName>>
>;

/**
 * The schema of each published event, by event name. Each is a Standard Schema
 * (valibot implements it), so tools that take one, such as Powertools for AWS
 * Lambda's parser, can use it as it is.
 */
export const PUBLISHED_EVENT_SCHEMAS = Object.fromEntries(
  EVENT_NAMES.map((name) => [name, publishedEventSchema(name, name === 'SCEPChallenge' ? SCEP_CHALLENGE_DETAIL : {})]),
) as { readonly [TName in JamfEventName]: PublishedEventSchema<TName> };

/**
 * Any published event, chosen by its `detail-type`. An event whose name the
 * catalogue does not know is still published (as `jamf.<Name>`), and is not one of these.
 */
export const JamfEventSchema = v.variant(
  'detail-type',
  EVENT_NAMES.map((name) => PUBLISHED_EVENT_SCHEMAS[name]),
  'detail-type must be jamf.<Name> for an event the catalogue knows',
);

/**
 * `T` without its index signatures, at every depth. The schemas are loose, so
 * their inferred types say any other key may be there (`[key: string]: unknown`);
 * without it, reading a field the event does not have (another event's field,
 * a misspelt one) does not compile. The fields are still in the object at run
 * time: read one the catalogue does not know yet with `'name' in event.detail.event`.
 */
type Known<T> = T extends readonly (infer TItem)[]
  ? Known<TItem>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : number extends K ? never : K]: Known<T[K]> }
    : T;

/**
 * One published event, by its name: `JamfEventOf<'ComputerAdded'>`. A union of
 * names gives the union of their events.
 */
export type JamfEventOf<TName extends JamfEventName> = TName extends JamfEventName
  ? Known<OutputOf<PublishedEventSchema<TName>>>
  : never;

/**
 * `v.InferOutput`, read as valibot defines it, without its constraint: the
 * compiler cannot check the issue types of a schema built for a type parameter.
 */
type OutputOf<TSchema extends { readonly '~types'?: { readonly output: unknown } | undefined }> = NonNullable<TSchema['~types']>['output'];

/**
 * Any event this stack publishes, as a subscriber receives it. Checking
 * `detail-type` narrows it to one event:
 *
 * @example
 * if (event['detail-type'] === 'jamf.ComputerAdded') {
 *   event.detail.event.jssID; // number | null | undefined
 * }
 */
export type JamfEvent = JamfEventOf<JamfEventName>;

/** A value that is not the published event it was checked against; `issues` says where and why. */
export class JamfEventValidationError extends Error {
  override readonly name = 'JamfEventValidationError';
  /** The detail-type it was checked against; `undefined` when any known event would do. */
  readonly detailType: JamfDetailType | undefined;
  /** Each problem, located by a dotted path such as `detail.event.jssID`. */
  readonly issues: readonly Issue[];

  constructor(detailType: JamfDetailType | undefined, issues: readonly Issue[]) {
    const shown = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((issue) => `${issue.path}: ${issue.message}`);
    if (issues.length > MAX_ISSUES_IN_MESSAGE) shown.push(`and ${issues.length - MAX_ISSUES_IN_MESSAGE} more`);
    super(`Not ${detailType === undefined ? 'a known Jamf event' : `a ${detailType} event`}: ${shown.join('; ')}`);
    this.detailType = detailType;
    this.issues = issues;
  }
}

/** Issues named in the message; `issues` has all of them. */
const MAX_ISSUES_IN_MESSAGE = 5;

function schemaFor(name: JamfEventName | undefined): v.GenericSchema {
  if (name === undefined) return JamfEventSchema;
  // The types refuse an unknown name; plain JavaScript callers get a clear error instead of a crash in valibot.
  if (!Object.hasOwn(PUBLISHED_EVENT_SCHEMAS, name)) throw new TypeError(`Unknown Jamf event name: ${String(name)}`);
  return PUBLISHED_EVENT_SCHEMAS[name];
}

/**
 * Whether `value` is an event this stack publishes: any known one, or the one
 * `name` names. Checks the whole event, so the narrowed type can be trusted.
 */
export function isJamfEvent(value: unknown): value is JamfEvent;
export function isJamfEvent<TName extends JamfEventName>(value: unknown, name: TName): value is JamfEventOf<TName>;
export function isJamfEvent(value: unknown, name?: JamfEventName): boolean {
  return v.is(schemaFor(name), value);
}

/**
 * `value` as a published event (any known one, or the one `name` names), or a
 * {@link JamfEventValidationError} listing what does not match.
 */
export function parseJamfEvent(value: unknown): JamfEvent;
export function parseJamfEvent<TName extends JamfEventName>(value: unknown, name: TName): JamfEventOf<TName>;
export function parseJamfEvent(value: unknown, name?: JamfEventName): JamfEvent {
  const result = v.safeParse(schemaFor(name), value);
  if (!result.success) {
    throw new JamfEventValidationError(name === undefined ? undefined : (detailTypeOf(name) as JamfDetailType), toIssues(result.issues));
  }
  // The schema's output, less the index signatures that `JamfEvent` leaves out.
  return result.output as JamfEvent;
}
