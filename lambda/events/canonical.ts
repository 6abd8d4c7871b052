/**
 * The canonical form of a catalogue schema: a schema that accepts exactly
 * what the catalogue schema outputs, and converts nothing.
 *
 * The catalogue's schemas read what Jamf sends: `"1322"` and `1322` both
 * become `jssID: 1322`. A subscriber receives the output, already canonical,
 * and a type guard over it must not accept `"1322"`: it would tell the
 * compiler `jssID` is a number while it is a string. So the published form is
 * checked with this derivation, which replaces every coercing field by the
 * schema of its output (recorded in `FIELD_PLANS`) and keeps every other part
 * (loose objects stay loose: unknown fields are published). The JSON Schemas
 * in `schemas/` are generated from the same derivation.
 */
import * as v from 'valibot';
import { FIELD_PLANS } from './fields';

/** What this module reads of a valibot schema. */
interface SchemaParts {
  readonly type: string;
  readonly kind: string;
  readonly pipe?: readonly { readonly kind: string; readonly type: string }[];
  readonly wrapped?: v.GenericSchema;
  readonly options?: readonly v.GenericSchema[];
  readonly entries?: v.ObjectEntries;
  readonly item?: v.GenericSchema;
}

/** Schemas that check a value and never change it: kept as they are. */
const UNCHANGING = new Set(['string', 'number', 'boolean', 'literal', 'picklist', 'null', 'unknown']);

const forms = new WeakMap<object, v.GenericSchema>();
/**
 * Loose objects by their entries: the computer fields are the same `entries`
 * object in every event that has them, so they become one schema, which the
 * JSON Schemas name once (`Computer`) instead of repeating it.
 */
const looseObjects = new WeakMap<v.ObjectEntries, v.GenericSchema>();

/**
 * The schema of what `schema` outputs. Throws for a part it does not know
 * (a transformation that is not a planned field, a schema type not handled
 * here), so a catalogue change that needs a new rule fails the tests.
 */
export function canonicalForm<TSchema extends v.GenericSchema>(schema: TSchema): v.GenericSchema<v.InferOutput<TSchema>> {
  // The derivation keeps the structure and replaces each field by the schema of
  // its output, so the output type is the one of the schema it derives from.
  return derive(schema) as v.GenericSchema<v.InferOutput<TSchema>>;
}

function derive(schema: v.GenericSchema): v.GenericSchema {
  let form = forms.get(schema);
  if (form === undefined) {
    form = build(schema);
    forms.set(schema, form);
  }
  return form;
}

function build(schema: v.GenericSchema): v.GenericSchema {
  const plan = FIELD_PLANS.get(schema);
  if (plan?.kind === 'convert') return plan.canonical;
  if (plan?.kind === 'list') return v.array(derive(plan.item));
  if (plan?.kind === 'entity') return looseObject(plan.entries);
  const parts = schema as unknown as SchemaParts;
  if (parts.pipe !== undefined) {
    const transformation = parts.pipe.find((item) => item.kind === 'transformation');
    if (transformation !== undefined) {
      throw new Error(`canonicalForm: a ${transformation.type} that is not a planned field (see fields.ts) has no known output schema`);
    }
    // Only checks (a string matching a pattern): the output is the input.
    return schema;
  }
  switch (parts.type) {
    case 'loose_object':
      return looseObject(parts.entries!);
    case 'object':
      return v.object(deriveEntries(parts.entries!));
    case 'nullish':
      return v.nullish(derive(parts.wrapped!));
    case 'nullable':
      return v.nullable(derive(parts.wrapped!));
    case 'optional':
      return v.optional(derive(parts.wrapped!));
    case 'union':
      return v.union(parts.options!.map(derive));
    case 'array':
      return v.array(derive(parts.item!));
    default:
      if (UNCHANGING.has(parts.type)) return schema;
      throw new Error(`canonicalForm: no rule for a valibot ${parts.type} schema`);
  }
}

function looseObject(entries: v.ObjectEntries): v.GenericSchema {
  let form = looseObjects.get(entries);
  if (form === undefined) {
    form = v.looseObject(deriveEntries(entries));
    looseObjects.set(entries, form);
  }
  return form;
}

function deriveEntries(entries: v.ObjectEntries): v.ObjectEntries {
  return Object.fromEntries(Object.entries(entries).map(([key, entry]) => [key, derive(entry)]));
}
