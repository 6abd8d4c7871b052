/**
 * The JSON Schemas of the published events (`schemas/jamf.<Name>.json`),
 * written by `npm run docs` and kept current by a test.
 *
 * They come from the valibot schemas subscribers' code checks events with
 * (lambda/events/published.ts): `@valibot/to-json-schema` converts them to
 * JSON Schema draft-07. Objects allow other properties, as the events keep
 * the fields Jamf adds.
 */
import { type OverrideSchemaContext, toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import {
  canonicalForm,
  ChallengeIssuanceSchema,
  ComputerSchema,
  DeliverySchema,
  detailTypeOf,
  EVENT_DESCRIPTIONS,
  EVENT_NAMES,
  MobileDeviceSchema,
  PUBLISHED_EVENT_SCHEMAS,
  PublishedWebhookSchema,
  ScepTargetDeviceSchema,
  ScepTargetUserSchema,
  type JamfEventName,
} from '../lambda/events';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** Where the generated files go, relative to the repository root. */
export const SCHEMAS_DIR = 'schemas';

/**
 * The shapes several events share, named once in each schema's `$defs`
 * instead of repeated inline.
 */
export const SHARED_SHAPES: Readonly<Record<string, v.GenericSchema>> = {
  Webhook: PublishedWebhookSchema,
  Delivery: DeliverySchema,
  ChallengeIssuance: ChallengeIssuanceSchema,
  Computer: canonicalForm(ComputerSchema),
  MobileDevice: canonicalForm(MobileDeviceSchema),
  ScepTargetUser: canonicalForm(ScepTargetUserSchema),
  ScepTargetDevice: canonicalForm(ScepTargetDeviceSchema),
};

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The types of a schema that is nothing but `type`, e.g. `{"type": "string"}`; undefined for any other schema. */
function onlyTypes(schema: Json): string[] | undefined {
  if (!isObject(schema) || Object.keys(schema).length !== 1) return undefined;
  const { type } = schema;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type) && type.every((each): each is string => typeof each === 'string')) return type;
  return undefined;
}

/**
 * `anyOf` as the converter writes a nullable field, `{"anyOf": [{"type":
 * "string"}, {"type": "null"}]}`, in the short form `{"type": ["string",
 * "null"]}`: nested `anyOf`s flattened, and the members that are only a type
 * merged into one.
 */
function compactAnyOf({ jsonSchema }: OverrideSchemaContext): JsonObject | undefined {
  const schema = jsonSchema as JsonObject;
  if (!Array.isArray(schema.anyOf) || Object.keys(schema).length !== 1) return undefined;
  const flat: Json[] = [];
  const flatten = (members: Json[]) => {
    for (const member of members) {
      if (isObject(member) && Array.isArray(member.anyOf) && Object.keys(member).length === 1) flatten(member.anyOf);
      else flat.push(member);
    }
  };
  flatten(schema.anyOf);
  const types = [...new Set(flat.flatMap((member) => onlyTypes(member) ?? []))];
  const others = flat.filter((member) => onlyTypes(member) === undefined);
  const merged: JsonObject | undefined = types.length === 0 ? undefined : { type: types.length === 1 ? types[0]! : types };
  if (others.length === 0 && merged !== undefined) return merged;
  return { anyOf: merged === undefined ? others : [...others, merged] };
}

/** Every `$ref` in `value`, as the name after `#/$defs/`. */
function referencedDefinitions(value: Json, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencedDefinitions(item, found);
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.add(item.replace('#/$defs/', ''));
      else referencedDefinitions(item, found);
    }
  }
  return found;
}

/** The JSON Schema (draft-07) of the published `jamf.<name>` event. */
export function eventJsonSchema(name: JamfEventName): JsonObject {
  const converted = toJsonSchema(PUBLISHED_EVENT_SCHEMAS[name], {
    definitions: SHARED_SHAPES,
    overrideSchema: compactAnyOf,
  }) as JsonObject;
  const { $schema, $defs, ...schema } = converted;
  // The converter writes every definition it was given; each event keeps those it uses (and they use).
  const definitions = isObject($defs) ? $defs : {};
  const used = new Set<string>();
  let pending = [...referencedDefinitions(schema)];
  while (pending.length > 0) {
    for (const each of pending) used.add(each);
    pending = [...referencedDefinitions(pending.map((each) => definitions[each] ?? null))].filter((each) => !used.has(each));
  }
  const kept = Object.fromEntries(Object.keys(definitions).filter((each) => used.has(each)).map((each) => [each, definitions[each]!]));
  return withoutEmptyRequired({
    $schema: $schema ?? 'http://json-schema.org/draft-07/schema#',
    title: detailTypeOf(name),
    description: EVENT_DESCRIPTIONS[name],
    ...schema,
    $defs: kept,
  });
}

/** `value` without the `"required": []` the converter writes for objects whose fields are all optional: it says nothing. */
function withoutEmptyRequired<T extends Json>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutEmptyRequired) as T;
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, item]) => !(key === 'required' && Array.isArray(item) && item.length === 0))
      .map(([key, item]) => [key, withoutEmptyRequired(item)]),
  ) as T;
}

const pretty = (value: Json): string => `${JSON.stringify(value, null, 2)}\n`;

/** `schemas/index.json`: where each detail-type's schema is. */
function schemaIndex(): JsonObject {
  return {
    description: 'The JSON Schema (draft-07) of every detail-type jamf-eventbridge publishes. Generated by npm run docs from lambda/events; do not edit.',
    detailTypes: Object.fromEntries(
      EVENT_NAMES.map((name) => [
        detailTypeOf(name),
        {
          description: EVENT_DESCRIPTIONS[name],
          jsonSchema: `${detailTypeOf(name)}.json`,
        },
      ]),
    ),
  };
}

/** Every generated schema file, by path relative to the repository root. */
export function schemaFiles(): Record<string, string> {
  const files: Record<string, string> = { [`${SCHEMAS_DIR}/index.json`]: pretty(schemaIndex()) };
  for (const name of EVENT_NAMES) {
    files[`${SCHEMAS_DIR}/${detailTypeOf(name)}.json`] = pretty(eventJsonSchema(name));
  }
  return files;
}
