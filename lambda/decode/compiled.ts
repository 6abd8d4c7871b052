/**
 * The decode of a well-formed webhook in one walk of its tree, with plain
 * functions compiled once from the valibot schemas.
 *
 * The valibot path (`readEnvelope`, then `decodeEvent`) walks the tree five
 * times: the structure check, the envelope (copying `event`), the event
 * schema, then `removeSecrets`. Here one function per schema does all of it
 * at once: it checks depth and keys, coerces the documented fields with the
 * very converters the schemas use (`FIELD_PLANS`), copies unknown keys as
 * `looseObject` does, and leaves out secret-named keys.
 *
 * It only ever answers for a tree the valibot path accepts: anything it does
 * not accept (a wrong type, a missing key, a forbidden key, too deep) makes it
 * give up with `REJECTED`, and the caller runs the valibot path, whose error
 * is the one reported. So errors, their messages and issues are the valibot
 * path's by construction; what this must get right is the output of a
 * successful decode, which the parity and property tests compare with the
 * valibot path's. A schema built from anything it does not know compiles to
 * `undefined`, and that event always takes the valibot path.
 */
import type * as v from 'valibot';
import { FIELD_PLANS } from '../events/fields';
import { WebhookSchema } from '../events/webhook';
import { isSecretKey } from '../shared/redact';
import type { CanonicalDetail } from './canonical';
import { FORBIDDEN_KEYS, inCanonicalOrder, isSafeRemovingSecrets, MAX_DEPTH, sortedKeys } from './structure';

/** What a compiled schema returns for input the valibot path would not accept (or might not). */
export const REJECTED: unique symbol = Symbol('rejected');

/** A compiled schema: the output for `input`, found at `depth` of the tree, or REJECTED. */
export type Coercer = (input: unknown, depth: number) => unknown;

type AnySchema = v.GenericSchema & {
  readonly type: string;
  readonly pipe?: readonly { readonly type: string; readonly kind: string; readonly requirement?: unknown }[];
  readonly default?: unknown;
  readonly fallback?: unknown;
  readonly wrapped?: AnySchema;
  readonly options?: readonly AnySchema[];
  readonly entries?: v.ObjectEntries;
};

const compiled = new WeakMap<object, Coercer | null>();

/** The compiled form of `schema`, built on first use; `undefined` if it uses anything not handled here. */
export function compileSchema(schema: v.GenericSchema): Coercer | undefined {
  let coercer = compiled.get(schema);
  if (coercer === undefined) {
    coercer = build(schema as AnySchema) ?? null;
    compiled.set(schema, coercer);
  }
  return coercer ?? undefined;
}

function build(schema: AnySchema): Coercer | undefined {
  if (schema.default !== undefined || schema.fallback !== undefined) return undefined;
  const plan = FIELD_PLANS.get(schema);
  if (plan?.kind === 'convert') {
    const { convert } = plan;
    return (input) => {
      const output = convert(input);
      return output === undefined ? REJECTED : output;
    };
  }
  if (plan?.kind === 'list') return list(plan.item);
  if (plan?.kind === 'entity') return entity(plan.entries);
  if (schema.pipe !== undefined) return pipedString(schema);
  switch (schema.type) {
    case 'nullish':
      return nullish(schema.wrapped!);
    case 'union':
      return union(schema.options!);
    case 'loose_object':
      return looseObject(schema.entries!);
    case 'string':
      return (input) => (typeof input === 'string' ? input : REJECTED);
    default:
      return undefined;
  }
}

/** `v.pipe(v.string(), v.regex(...)...)`: a string every expression matches. */
function pipedString(schema: AnySchema): Coercer | undefined {
  const [first, ...actions] = schema.pipe!;
  if (first?.type !== 'string') return undefined;
  const patterns: RegExp[] = [];
  for (const action of actions) {
    if (action.type !== 'regex' || !(action.requirement instanceof RegExp)) return undefined;
    if (action.requirement.global || action.requirement.sticky) return undefined;
    patterns.push(action.requirement);
  }
  return (input) => (typeof input === 'string' && patterns.every((pattern) => pattern.test(input)) ? input : REJECTED);
}

function nullish(wrapped: AnySchema): Coercer | undefined {
  const inner = compileSchema(wrapped);
  if (inner === undefined) return undefined;
  return (input, depth) => (input === null || input === undefined ? input : inner(input, depth));
}

function union(options: readonly AnySchema[]): Coercer | undefined {
  const coercers = options.map((option) => compileSchema(option));
  if (coercers.some((coercer) => coercer === undefined)) return undefined;
  const tries = coercers as Coercer[];
  return (input, depth) => {
    for (const coercer of tries) {
      const output = coercer(input, depth);
      if (output !== REJECTED) return output;
    }
    return REJECTED;
  };
}

function list(item: v.GenericSchema): Coercer | undefined {
  const coerceItem = compileSchema(item);
  if (coerceItem === undefined) return undefined;
  return (input, depth) => {
    if (input === '') return [];
    if (!Array.isArray(input)) {
      // A lone value stands where the list would: same depth.
      const output = coerceItem(input, depth);
      return output === REJECTED ? REJECTED : [output];
    }
    if (depth >= MAX_DEPTH) return REJECTED;
    const outputs: unknown[] = [];
    for (const value of input) {
      const output = coerceItem(value, depth + 1);
      if (output === REJECTED) return REJECTED;
      outputs.push(output);
    }
    return outputs;
  };
}

function entity(entries: v.ObjectEntries): Coercer | undefined {
  const object = looseObject(entries);
  if (object === undefined) return undefined;
  return (input, depth) => (input === '' ? object({}, depth) : object(input, depth));
}

function isOptional(schema: AnySchema): boolean {
  return schema.type === 'nullish' || schema.type === 'optional' || schema.type === 'exact_optional';
}

/**
 * `v.looseObject(entries)`: the entries, each when its key is in the input,
 * and the other keys (checked, secrets left out), all in sorted order at every
 * depth: valibot's output with its keys in canonical order.
 */
function looseObject(entries: v.ObjectEntries): Coercer | undefined {
  // Written in sorted order, the order the canonical JSON of the delivery id has (see `inCanonicalOrder`).
  const keys = Object.keys(entries).sort();
  // A documented field with a secret's name would be coerced, then deleted: not handled here.
  if (keys.some((key) => isSecretKey(key) || FORBIDDEN_KEYS.has(key))) return undefined;
  // A documented field every object inherits (`toString`) would be found in any input: not handled here.
  if (keys.some((key) => key in Object.prototype)) return undefined;
  const known = new Set(keys);
  const coercers: Coercer[] = [];
  const required: boolean[] = [];
  for (const key of keys) {
    const coercer = compileSchema(entries[key]!);
    if (coercer === undefined) return undefined;
    coercers.push(coercer);
    required.push(!isOptional(entries[key] as AnySchema));
  }
  try {
    return generatedLooseObject(keys, coercers, required, known);
  } catch {
    return closureLooseObject(keys, coercers, required, known);
  }
}

/**
 * The loop over the entries, unrolled into a function with each key written
 * out, so that V8 reads and writes each property by its name (an inline
 * cache per key) instead of by a key it only knows at run time. The keys
 * enter the source only as JSON string literals.
 */
function generatedLooseObject(keys: readonly string[], coercers: readonly Coercer[], required: readonly boolean[], known: ReadonlySet<string>): Coercer {
  const lines = keys.map((key, i) => {
    const name = JSON.stringify(key);
    return `if (${name} in record) { value = coercers[${i}](record[${name}], next); if (value === REJECTED) return REJECTED; output[${name}] = value; present++; }` +
      (required[i] ? ' else return REJECTED;' : '');
  });
  const body = `
    return function looseObject(input, depth) {
      if (input === null || typeof input !== 'object' || Array.isArray(input) || depth >= MAX_DEPTH) return REJECTED;
      const record = input;
      const output = {};
      const next = depth + 1;
      let value;
      let present = 0;
      ${lines.join('\n      ')}
      const inputKeys = Object.keys(record);
      let others = false;
      // Every key known and found (none inherited): no other key to check or copy.
      if (inputKeys.length !== present || !ownKeysOnly(record)) for (let i = 0; i < inputKeys.length; i++) {
        const key = inputKeys[i];
        if (known.has(key)) continue;
        value = record[key];
        if (FORBIDDEN_KEYS.has(key) || !isSafeRemovingSecrets(value, next)) return REJECTED;
        if (!isSecretKey(key)) { output[key] = inCanonicalOrder(value); others = true; }
      }
      return others ? sortedKeys(output, false) : output;
    };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('coercers', 'known', 'REJECTED', 'MAX_DEPTH', 'FORBIDDEN_KEYS', 'isSafeRemovingSecrets', 'isSecretKey', 'inCanonicalOrder', 'sortedKeys', 'ownKeysOnly', body)(
    coercers, known, REJECTED, MAX_DEPTH, FORBIDDEN_KEYS, isSafeRemovingSecrets, isSecretKey, inCanonicalOrder, sortedKeys, ownKeysOnly,
  ) as Coercer;
}

/**
 * Whether a key `in` the object is one of its own: the generated function
 * counts the known keys it found with `in`, as valibot looks them up, and
 * skips the loop over the other keys when that count is the number of own
 * keys, which is only right if none it found was inherited. True of a parsed
 * tree's objects unless `Object.prototype` was given an enumerable property
 * (polluted); the loop then runs as before.
 */
function ownKeysOnly(record: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(record);
  if (prototype === null) return true;
  if (prototype !== Object.prototype) return false;
  for (const _ in Object.prototype) return false;
  return true;
}

/** The same as the generated function, for a runtime that does not allow code generation from strings. */
function closureLooseObject(keys: readonly string[], coercers: readonly Coercer[], required: readonly boolean[], known: ReadonlySet<string>): Coercer {
  return (input, depth) => {
    // valibot accepts an array here; the schemas refuse one before, and anything odd goes to valibot.
    if (input === null || typeof input !== 'object' || Array.isArray(input) || depth >= MAX_DEPTH) return REJECTED;
    const record = input as Record<string, unknown>;
    const output: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key in record) {
        const value = coercers[i]!(record[key], depth + 1);
        if (value === REJECTED) return REJECTED;
        output[key] = value;
      } else if (required[i]) {
        return REJECTED;
      }
    }
    let others = false;
    for (const key of Object.keys(record)) {
      if (known.has(key)) continue;
      const value = record[key];
      if (FORBIDDEN_KEYS.has(key) || !isSafeRemovingSecrets(value, depth + 1)) return REJECTED;
      if (!isSecretKey(key)) {
        output[key] = inCanonicalOrder(value);
        others = true;
      }
    }
    return others ? sortedKeys(output, false) : output;
  };
}

const coerceWebhook = looseObject(WebhookSchema.entries);

/** An envelope block: `""` is an empty object, an array is refused. */
function block(input: unknown): unknown {
  return input === '' ? {} : Array.isArray(input) ? REJECTED : input;
}

/**
 * The canonical `{ webhook, event }` of a parsed tree, as `readEnvelope` and
 * `decodeEvent` with `removeSecrets` give it, or REJECTED: then the valibot
 * path decides (and reports). `schemaFor` picks the event's schema and
 * published name from the name as sent.
 */
export function compiledDetail(
  tree: unknown,
  schemaFor: (sentName: string) => { readonly eventName: string; readonly schema: v.GenericSchema; readonly known: boolean },
): { readonly eventName: string; readonly known: boolean; readonly detail: CanonicalDetail } | typeof REJECTED {
  if (coerceWebhook === undefined || tree === null || typeof tree !== 'object' || Array.isArray(tree)) return REJECTED;
  const envelope = tree as Record<string, unknown>;
  if (!('webhook' in envelope) || !('event' in envelope)) return REJECTED;
  // The whole tree is checked, as assertSafeStructure checks it, the blocks not published included.
  for (const key of Object.keys(envelope)) {
    if (FORBIDDEN_KEYS.has(key)) return REJECTED;
    if (key !== 'webhook' && key !== 'event' && !isSafeRemovingSecrets(envelope[key], 1)) return REJECTED;
  }
  const webhookBlock = block(envelope.webhook);
  if (webhookBlock === REJECTED) return REJECTED;
  const webhook = coerceWebhook(webhookBlock, 1) as Record<string, unknown> | typeof REJECTED;
  if (webhook === REJECTED) return REJECTED;
  const eventBlock = block(envelope.event);
  if (eventBlock === REJECTED || eventBlock === null || typeof eventBlock !== 'object') return REJECTED;
  const { eventName, schema, known } = schemaFor(webhook.webhookEvent as string);
  const coerceEvent = compileSchema(schema);
  if (coerceEvent === undefined) return REJECTED;
  const event = coerceEvent(eventBlock, 1);
  if (event === REJECTED) return REJECTED;
  // Where the name was in the block: its sorted place.
  webhook.webhookEvent = eventName;
  // `event` before `webhook`: sorted, as every object of the detail.
  return { eventName, known, detail: { event: event as Record<string, unknown>, webhook: webhook as CanonicalDetail['webhook'] } };
}
