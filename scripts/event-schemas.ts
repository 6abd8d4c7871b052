/**
 * The JSON Schemas of the published events (`schemas/jamf.<Name>.json`) and
 * the same schemas as EventBridge schema registry documents
 * (`schemas/registry/jamf.<Name>.json`), written by `npm run docs` and kept
 * current by a test.
 *
 * Both come from the valibot schemas subscribers' code checks events with
 * (lambda/events/published.ts): `@valibot/to-json-schema` converts them to
 * JSON Schema draft-07, and `registryDocument` rewrites that in OpenAPI 3.0,
 * the format the registry generates code bindings from, in the shape of the
 * schemas EventBridge discovers (an `AWSEvent` component with
 * `x-amazon-events-source` and `x-amazon-events-detail-type`, one component
 * per object). Objects allow other properties, as the events keep the fields
 * Jamf adds.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-schema.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-schemas-infer-from-json.html
 */
import { type OverrideSchemaContext, toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { DEFAULT_EVENT_SOURCE } from '../lambda/contract';
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
export const REGISTRY_DIR = 'schemas/registry';

/**
 * The shapes several events share, named once in each schema's `$defs` (and
 * each registry document's components) instead of repeated inline.
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

const pascal = (key: string): string =>
  key
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');

/**
 * A JSON Schema in the OpenAPI 3.0 dialect: `nullable` instead of a `"null"`
 * type, `enum` instead of `const`, no empty `required`, references into
 * `#/components/schemas`, and every object with properties moved to a
 * component of its own (named after where it stands) as EventBridge's own
 * schemas do.
 *
 * OpenAPI 3.0 cannot say that a reference may be `null`: `nullable` counts
 * only beside `type`, and a `$ref` has no siblings. So a field that is a
 * shape or `null` (`computer`, which Jamf sends as an object) is the shape
 * here; the JSON Schemas, which are the ones to validate with, keep the `null`.
 */
class OpenApiWriter {
  readonly components: Record<string, JsonObject> = {};

  /** `schema` converted; `name` is the component name an object found here takes. */
  convert(schema: Json, name: string, hoist = true): JsonObject {
    if (!isObject(schema)) throw new Error(`Expected a schema object at ${name}`);
    let nullable = false;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(schema)) {
      switch (key) {
        case '$schema':
        case '$defs':
          break;
        case '$ref':
          out.$ref = String(value).replace('#/$defs/', '#/components/schemas/');
          break;
        case 'type': {
          const types = (Array.isArray(value) ? value : [value]).filter((type) => type !== 'null');
          nullable ||= types.length < (Array.isArray(value) ? value.length : 1);
          if (types.length === 1) out.type = types[0]!;
          else out.anyOf = types.map((type) => ({ type }));
          break;
        }
        case 'const':
          out.enum = [value];
          if (typeof value === 'string') out.type ??= 'string';
          break;
        case 'required':
          if (Array.isArray(value) && value.length > 0) out.required = value;
          break;
        case 'properties':
          out.properties = Object.fromEntries(
            Object.entries(value as JsonObject).map(([property, each]) => [property, this.convert(each, `${name}${pascal(property)}`)]),
          );
          break;
        case 'items':
          out.items = this.convert(value, `${name}Item`);
          break;
        case 'anyOf': {
          const members = (value as Json[]).filter((member) => onlyTypes(member)?.join() !== 'null');
          nullable ||= members.length < (value as Json[]).length;
          out.anyOf = members.map((member, index) => this.convert(member, members.length === 1 ? name : `${name}${index + 1}`));
          break;
        }
        case 'allOf':
          // The parts of one object: they stay where they are.
          out.allOf = (value as Json[]).map((member) => this.convert(member, name, false));
          break;
        default:
          out[key] = value;
      }
    }
    // An `anyOf` left with one member after `null` went is that member.
    if (Array.isArray(out.anyOf) && out.anyOf.length === 1 && Object.keys(out).length === 1) return this.withNullable(out.anyOf[0] as JsonObject, nullable);
    if (hoist && out.type === 'object' && isObject(out.properties)) {
      if (this.components[name] !== undefined) throw new Error(`Two objects would be the component ${name}`);
      this.components[name] = out;
      return this.withNullable({ $ref: `#/components/schemas/${name}` }, nullable);
    }
    return this.withNullable(out, nullable);
  }

  private withNullable(schema: JsonObject, nullable: boolean): JsonObject {
    if (!nullable || schema.$ref !== undefined) return schema;
    if (schema.type !== undefined) return { ...schema, nullable: true };
    // `{"anyOf": [{"type": "integer"}, {"type": "string"}]}`: the null goes to a member that has a type.
    const members = Array.isArray(schema.anyOf) ? (schema.anyOf as JsonObject[]) : [];
    const typed = members.findIndex((member) => member.type !== undefined);
    if (typed < 0) return schema;
    return { ...schema, anyOf: members.map((member, index) => (index === typed ? { ...member, nullable: true } : member)) };
  }
}

/**
 * The EventBridge schema registry document (OpenAPI 3.0) of `jamf.<name>`,
 * from its JSON Schema. The event's source is `jamf.pro` here; the construct
 * writes the deployment's own.
 */
export function registryDocument(name: JamfEventName, jsonSchema: JsonObject = eventJsonSchema(name)): JsonObject {
  const writer = new OpenApiWriter();
  // Definitions first, so that they keep their names and the objects met later are named after their place.
  const definitions = isObject(jsonSchema.$defs) ? jsonSchema.$defs : {};
  for (const [definition, schema] of Object.entries(definitions)) writer.convert(schema, definition);
  const { title: _title, description, properties, ...envelope } = jsonSchema;
  if (!isObject(properties) || !isObject(properties.detail)) throw new Error(`The schema of ${name} has no detail`);
  const detail = writer.convert(properties.detail, name);
  const { detail: _detail, ...others } = properties;
  const event = writer.convert({ ...envelope, properties: others }, 'AWSEvent', false);
  const eventProperties = event.properties as JsonObject;
  const awsEvent: JsonObject = {
    type: 'object',
    required: event.required ?? [],
    // What the registry's tools (and EventBridge's discovered schemas) read the event's identity from.
    'x-amazon-events-detail-type': detailTypeOf(name),
    'x-amazon-events-source': DEFAULT_EVENT_SOURCE,
    properties: {
      detail,
      ...eventProperties,
      // As in EventBridge's own schemas: a string, its value in x-amazon-events-detail-type.
      'detail-type': { type: 'string' },
    },
  };
  return {
    openapi: '3.0.0',
    info: { version: '1.0.0', title: name, description: description ?? null },
    paths: {},
    components: { schemas: { AWSEvent: awsEvent, ...sortedByName(writer.components) } },
  };
}

function sortedByName(components: Record<string, JsonObject>): Record<string, JsonObject> {
  return Object.fromEntries(Object.entries(components).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const pretty = (value: Json): string => `${JSON.stringify(value, null, 2)}\n`;

/** `schemas/index.json`: where each detail-type's two schemas are. */
function schemaIndex(): JsonObject {
  return {
    description:
      'The JSON Schema (draft-07) and the EventBridge schema registry document (OpenAPI 3.0) of every detail-type ' +
      'jamf-eventbridge publishes. Generated by npm run docs from lambda/events; do not edit.',
    detailTypes: Object.fromEntries(
      EVENT_NAMES.map((name) => [
        detailTypeOf(name),
        {
          description: EVENT_DESCRIPTIONS[name],
          jsonSchema: `${detailTypeOf(name)}.json`,
          registry: `registry/${detailTypeOf(name)}.json`,
        },
      ]),
    ),
  };
}

/** Every generated schema file, by path relative to the repository root. */
export function schemaFiles(): Record<string, string> {
  const files: Record<string, string> = { [`${SCHEMAS_DIR}/index.json`]: pretty(schemaIndex()) };
  for (const name of EVENT_NAMES) {
    const jsonSchema = eventJsonSchema(name);
    files[`${SCHEMAS_DIR}/${detailTypeOf(name)}.json`] = pretty(jsonSchema);
    files[`${REGISTRY_DIR}/${detailTypeOf(name)}.json`] = pretty(registryDocument(name, jsonSchema));
  }
  return files;
}
