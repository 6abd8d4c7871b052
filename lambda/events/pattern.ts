/**
 * EventBridge event patterns typed by the catalogue: a pattern on the detail of
 * a Jamf event names only fields that event has, and each field's matchers fit
 * the field's type. Everything here is a type, derived from the valibot schemas
 * through `JamfEventDetail`; importing it adds no code.
 *
 * The shape is EventBridge's own JSON, so a typed pattern is also the text of
 * `aws events put-rule --event-pattern`:
 *
 * - every leaf is an array of matchers, any of which may match;
 * - a list field (`groupAddedDevicesIds`) is matched through its items, as
 *   EventBridge matches any item of an array;
 * - `$or` holds alternative patterns for the same object.
 *
 * Only the fields the catalogue documents can be named. Jamf adds fields in new
 * versions and the bus carries them, but a typed pattern cannot know them: match
 * on those with a plain `events.Rule` until the catalogue has them.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
import type { JamfEventDetail, JamfEventName } from './catalogue';
import type { Delivery } from './delivery';
import type { ChallengeIssuance } from './scep';

/** `prefix` and `suffix` either match as written or ignoring case. */
type Affix = string | { readonly 'equals-ignore-case': string };

/** What may follow `anything-but` for a string field. */
export type StringExclusion =
  | string
  | readonly string[]
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly 'equals-ignore-case': string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

/** A matcher for a text field: the value itself, or one of EventBridge's string operators. */
export type StringMatcher =
  | string
  | { readonly prefix: Affix }
  | { readonly suffix: Affix }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': StringExclusion };

type LowerBound = '>' | '>=';
type UpperBound = '<' | '<=';

/** `numeric`: one comparison (`['>=', 10]`, `['=', 3]`) or a range, lower bound first (`['>', 0, '<=', 5]`). */
export type NumericRange =
  | readonly ['=' | LowerBound | UpperBound, number]
  | readonly [LowerBound, number, UpperBound, number];

/** A matcher for a number field: the value itself, a range, or values it must not be. */
export type NumberMatcher = number | { readonly numeric: NumericRange } | { readonly 'anything-but': number | readonly number[] };

/** `{ exists: true }` matches a field that is present, `false` one that is absent. For any leaf. */
export type ExistsMatcher = { readonly exists: boolean };

/** `cidr` (IPv4 or IPv6) for the fields that hold an IP address. */
export type CidrMatcher = { readonly cidr: string };

/**
 * The fields that hold an IP address, by name: the schemas type them as text like
 * any other, so the name is what tells `ipAddress` from `deviceName`.
 */
type IpAddressKey = `${string}${'ipAddress' | 'IpAddress' | 'IpV4Address' | 'IpV6Address'}`;

/** The matchers for one value type (distributes over a union: `number | string` takes both kinds). */
type ValueMatcher<TValue, TKey> = TValue extends string
  ? StringMatcher | (TKey extends IpAddressKey ? CidrMatcher : never)
  : TValue extends number
    ? NumberMatcher
    : TValue extends boolean
      ? boolean
      : TValue extends null
        ? null
        : never;

/** A list is matched through its items. */
type Item<TValue> = TValue extends readonly (infer TItem)[] ? TItem : TValue;

/** Names a schema declares, without the index signature a `looseObject` adds for the fields it keeps unknown. */
type DeclaredKey<TKey> = string extends TKey ? never : number extends TKey ? never : TKey;

/** An object's declared fields; for a union, one such object per member. */
type Declared<TObject> = { [K in keyof TObject as DeclaredKey<K>]-?: TObject[K] };

/** A field's value as patterns see it: present, and a list read as its items. */
type Matched<TValue> = Item<Exclude<TValue, undefined>>;

/** The matchers of a leaf: `exists` only where there is a value to test, not for an object that may be `null`. */
type LeafPattern<TLeaf, TKey> = [Exclude<TLeaf, null>] extends [never]
  ? readonly null[]
  : readonly (ValueMatcher<TLeaf, TKey> | ExistsMatcher)[];

/**
 * The pattern for one field: an object pattern where the value is an object, an
 * array of matchers where it is a leaf, either where it may be both (SCEPChallenge's
 * `targetDevice`, an object or a kind such as `"computer"`). `exists` is offered on
 * leaves only, where EventBridge evaluates it.
 */
type FieldPattern<TValue, TKey> =
  | ([Extract<Matched<TValue>, object>] extends [never] ? never : ObjectPattern<Extract<Matched<TValue>, object>>)
  | ([Exclude<Matched<TValue>, object>] extends [never] ? never : LeafPattern<Exclude<Matched<TValue>, object>, TKey>);

/**
 * The fields a pattern may constrain side by side: those every member of `TObject`
 * declares. Written with `& string` so that the mapping does not distribute over
 * the union; a field's pattern then accepts what any member's value may be.
 */
type SharedFieldsPattern<TObject> = {
  readonly [K in keyof Declared<TObject> & string]?: FieldPattern<Declared<TObject>[K], K>;
};

/**
 * A pattern on an object, checked against its declared fields.
 *
 * When the object may be one of several shapes (a rule on several detail types),
 * fields written side by side must be in every shape: EventBridge matches only an
 * event that has every field the pattern names, so a field that one of the chosen
 * events lacks would quietly drop that event from the rule. Each `$or` branch is
 * an alternative and needs to fit only one of the shapes, which is how one rule
 * reads `building` from `ComputerAdded` and `computer.building` from
 * `ComputerCheckIn`.
 */
export type ObjectPattern<TObject> = SharedFieldsPattern<TObject> & {
  readonly $or?: readonly (TObject extends unknown ? ObjectPattern<TObject> : never)[];
};

/**
 * The `detail` of a published event, as a subscriber receives it: the canonical
 * `{ webhook, event }`, the `delivery` block, and SCEPChallenge's `issuance`.
 *
 * Built from the catalogue's types rather than taken from `JamfEventOf` (published.ts):
 * the pattern types map over every field, and over that union of schema outputs
 * TypeScript gives up ("union type that is too complex to represent").
 */
export type PublishedDetail<TName extends JamfEventName> = TName extends unknown
  ? JamfEventDetail<TName> & { delivery: Delivery } & (TName extends 'SCEPChallenge' ? { issuance?: ChallengeIssuance } : unknown)
  : never;

/**
 * A pattern on the `detail` of the events named `TName` (one name or a union).
 *
 * @example
 * const failed: DetailPattern<'ComputerPolicyFinished'> = { event: { successful: [false] } };
 */
export type DetailPattern<TName extends JamfEventName = JamfEventName> = ObjectPattern<PublishedDetail<TName>>;

/**
 * A whole event pattern for Jamf events, as EventBridge takes it and as
 * `LOCAL_RULES` files hold it: `source`, `detail-type` and the typed `detail`.
 */
export interface JamfEventPattern<TName extends JamfEventName = JamfEventName> {
  readonly source: readonly string[];
  readonly 'detail-type': readonly (`jamf.${TName}` | { readonly prefix: 'jamf.' })[];
  readonly detail?: DetailPattern<TName>;
}
