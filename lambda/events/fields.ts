/**
 * Field schemas that coerce a Jamf value to the type Jamf documents for JSON.
 *
 * XML arrives as text (the parser keeps every value as a string so that serial
 * numbers such as `0123` survive), and JSON from some servers carries a number
 * where the documentation says string or the reverse. Every field therefore
 * accepts the forms Jamf is known to send and outputs the documented type, so
 * the JSON and the XML form of one event produce the same object.
 *
 * Every field is `nullish`: older Jamf Pro versions omit fields (no
 * `eventTimestamp` before 10.12) and some send `null` (`"product": null`).
 * An empty XML element (`<jssID/>`) carries no value and becomes `null` for
 * numbers and booleans; for text it stays `""`.
 */
import * as v from 'valibot';

const INTEGER_TEXT = /^[+-]?\d+$/;

/**
 * What each schema made here does, as plain data, for the decoder's compiled
 * coercion (`lambda/decode/compiled.ts`): the schema stays the definition and
 * the source of the types; this records the same steps so that they can run
 * without valibot on the hot path. Keyed by the schema object.
 */
export type FieldPlan =
  /**
   * `convert` gives the output, or `undefined` for input it cannot convert;
   * `canonical` accepts exactly what it outputs (the published form, see `canonical.ts`).
   */
  | { readonly kind: 'convert'; readonly convert: (input: unknown) => unknown; readonly canonical: v.GenericSchema }
  /** An array as is, `""` as `[]`, anything else as a one-item array; then each item by `item`. */
  | { readonly kind: 'list'; readonly item: v.GenericSchema }
  /** `""` as `{}`, an array refused, then a loose object of `entries`. */
  | { readonly kind: 'entity'; readonly entries: v.ObjectEntries };

export const FIELD_PLANS = new WeakMap<object, FieldPlan>();

function planned<TSchema extends object>(schema: TSchema, plan: FieldPlan): TSchema {
  FIELD_PLANS.set(schema, plan);
  return schema;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : `"${value}"`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * A schema that converts with `convert`, which returns `undefined` for input it
 * cannot convert. `canonical` is the schema of its output.
 */
function coerced<T>(expected: string, convert: (input: unknown) => T | undefined, canonical: v.GenericSchema<T>) {
  return planned(v.pipe(
    v.unknown(),
    v.rawTransform<unknown, T>(({ dataset, addIssue, NEVER }) => {
      const output = convert(dataset.value);
      if (output === undefined) {
        addIssue({ message: `Expected ${expected} but received ${describe(dataset.value)}` });
        return NEVER;
      }
      return output;
    }),
  ), { kind: 'convert', convert, canonical });
}

function toText(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  if (typeof input === 'number' && Number.isFinite(input)) return String(input);
  if (typeof input === 'boolean') return String(input);
  return undefined;
}

function toInteger(input: unknown): number | null | undefined {
  if (typeof input === 'number') return Number.isSafeInteger(input) ? input : undefined;
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  if (text === '') return null;
  if (!INTEGER_TEXT.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function toBoolean(input: unknown): boolean | null | undefined {
  if (typeof input === 'boolean') return input;
  if (typeof input !== 'string') return undefined;
  const text = input.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === '') return null;
  return undefined;
}

/*
 * What each kind of field outputs, built once and shared by every field of
 * that kind: the handlers load these modules, and a schema per field would
 * only cost init time. An empty XML element gives `null` for numbers and booleans.
 */
const CANONICAL_TEXT = v.string();
const CANONICAL_INTEGER = v.nullable(v.pipe(v.number(), v.integer()));
const CANONICAL_BOOLEAN = v.nullable(v.boolean());
const CANONICAL_INTEGER_OR_TEXT = v.nullable(v.union([v.pipe(v.number(), v.integer()), v.string()]));

/** Documented `"string"`: numbers and booleans become their text; text is kept as sent. */
export const text = () => v.nullish(coerced<string>('a string', toText, CANONICAL_TEXT));

/** Documented `integer` or `epoch` (milliseconds): integer text such as `"0042"` becomes 42. */
export const integer = () => v.nullish(coerced<number | null>('an integer', toInteger, CANONICAL_INTEGER));

/** Documented `boolean`: `"true"` and `"false"` (any case) become booleans. */
export const boolean = () => v.nullish(coerced<boolean | null>('a boolean', toBoolean, CANONICAL_BOOLEAN));

/**
 * An identifier that Jamf documents as an integer but real servers send as a
 * UUID string (`PushSent.managementId`): integer text becomes a number, any
 * other text is kept.
 */
export const integerOrText = () =>
  v.nullish(
    coerced<number | string | null>(
      'an integer or a string',
      (input) => {
        const asInteger = toInteger(input);
        return asInteger !== undefined ? asInteger : toText(input);
      },
      CANONICAL_INTEGER_OR_TEXT,
    ),
  );

/**
 * A documented list. A lone XML element arrives as a single value and an empty
 * element as `""`; both become arrays so consumers never test the shape.
 */
export const list = <TItem extends v.GenericSchema>(item: TItem) =>
  v.nullish(
    planned(
      v.pipe(
        v.unknown(),
        v.transform((input): unknown[] => (Array.isArray(input) ? input : input === '' ? [] : [input])),
        v.array(item),
      ),
      { kind: 'list', item },
    ),
  );

/**
 * A documented nested object. Unknown keys are kept (Jamf adds fields over
 * time); an empty XML element (`<targetUser/>`) is an object with no fields.
 */
export const entity = <TEntries extends v.ObjectEntries>(entries: TEntries) =>
  v.nullish(
    planned(
      v.pipe(
        v.unknown(),
        v.transform((input) => (input === '' ? {} : input)),
        v.check((input) => !Array.isArray(input), 'Expected an object but received an array'),
        v.looseObject(entries),
      ),
      { kind: 'entity', entries },
    ),
  );
