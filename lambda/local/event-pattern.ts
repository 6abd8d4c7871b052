/**
 * EventBridge event patterns, off AWS: `parseEventPattern` refuses what EventBridge refuses
 * (PutRule's InvalidEventPatternException) with a typed error that names the place, and
 * `matchesEventPattern` says whether an event matches, as a rule on a bus would.
 *
 * The semantics are EventBridge's content filtering as documented, and where the
 * documentation is silent, those of aws/event-ruler, the matcher EventBridge is built on,
 * in its array-consistent mode (`rulesForJSONEvent`):
 *
 * - The event is read as event-ruler reads it: as leaves (strings, numbers, booleans, null),
 *   each named by its keys joined with `.`, arrays crossed without a name. So a field whose
 *   value is an array matches when any element does, nested arrays included, and
 *   `{"a.b": [1]}` matches `{"a": {"b": 1}}` as it does in event-ruler.
 * - Fields of one pattern (one `$or` branch) must be matched by leaves that sit in the same
 *   element of every array they share: `{"groupAddedDevices": {"building": ["HQ"], "osVersion": ["15.1"]}}`
 *   does not match a group change where one device is in HQ and another runs 15.1. (A plain value in an array is in no element.)
 * - `{"exists": false}` holds when no leaf of that name sits in the elements chosen for the
 *   fields whose names sort before it, event-ruler's order: so `{"groupAddedDevices": {"building":
 *   ["HQ"], "username": [{"exists": false}]}}` asks that the HQ device has no user.
 * - Numbers are compared as numbers (`[300]` matches `3.0e2`); `anything-but` in any form
 *   matches a value of another type (`{"anything-but": "x"}` matches `5`, `true` and `null`).
 *
 * Where event-ruler accepts more than EventBridge documents, this module follows EventBridge
 * and refuses: the `exactly` operator, and a list under `anything-but`'s `prefix` or `suffix`.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * @see https://github.com/aws/event-ruler
 */

/** A JSON value an event field can hold at a leaf. */
type Leaf = string | number | boolean | null;

/** `{"equals-ignore-case": "..."}` under `prefix` or `suffix`. */
export interface IgnoreCase {
  readonly 'equals-ignore-case': string;
}

/** What `anything-but` can hold. */
export type AnythingBut =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly 'equals-ignore-case': string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

/** One operator object in a pattern's value list, e.g. `{"prefix": "us-"}`. */
export type MatchExpression =
  | { readonly prefix: string | IgnoreCase }
  | { readonly suffix: string | IgnoreCase }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': AnythingBut }
  | { readonly numeric: readonly (string | number)[] }
  | { readonly exists: boolean }
  | { readonly cidr: string };

/** One entry of a field's value list: an exact value or an operator. */
export type PatternValue = Leaf | MatchExpression;

/**
 * An EventBridge event pattern: each field holds a list of values (any of which may match),
 * an object of further fields, or, under `$or`, a list of patterns.
 *
 * @example
 * { "source": ["jamf.pro"], "detail-type": [{ "prefix": "jamf.Computer" }], "detail": { "event": { "osVersion": [{ "prefix": "14." }] } } }
 */
export interface EventPattern {
  readonly [field: string]: readonly PatternValue[] | EventPattern | readonly EventPattern[];
}

/** A pattern EventBridge would refuse. `path` says where, e.g. `detail.state[0].anything-but`. */
export class InvalidEventPatternError extends Error {
  constructor(
    readonly reason: string,
    /** Where in the pattern, as `a.b[0].operator`; `(root)` for the pattern itself. */
    readonly path: string,
  ) {
    super(`invalid event pattern at ${path}: ${reason}`);
    this.name = 'InvalidEventPatternError';
  }
}

/** The operators EventBridge documents, for the message that names an unknown one. */
const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'] as const;

/**
 * Field names event-ruler refuses inside `$or` (its RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP):
 * there an operator name is taken for a mistake, not a field.
 */
const RESERVED_IN_OR = new Set([
  'exactly',
  ...OPERATORS,
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/** EventBridge refuses a pattern whose `$or`s multiply out to more rule combinations than this. */
export const MAX_OR_COMBINATIONS = 1000;

// ---------------------------------------------------------------------------------------------
// Compiled form: the pattern in disjunctive normal form, as event-ruler compiles it. Each
// branch holds one condition per flattened field name; the pattern matches if a branch does.

/** Tests one leaf of the event. */
type ValueMatcher = (value: Leaf) => boolean;

interface Condition {
  /** The field's flattened name, e.g. `detail.event.computer.serialNumber`. */
  readonly name: string;
  /** Any of them may match a leaf of that name. */
  readonly matchers: readonly ValueMatcher[];
  /** `{"exists": false}` is among the values: the field may be absent. */
  readonly absentOk: boolean;
}

/** One `$or` combination: its conditions, sorted by name. */
type Branch = readonly Condition[];

interface CompiledPattern {
  readonly branches: readonly Branch[];
}

/** Patterns already checked and compiled; patterns are treated as immutable. */
const compiled = new WeakMap<object, CompiledPattern>();

/**
 * Checks a parsed JSON value as EventBridge checks a rule's pattern, and gives it back typed.
 *
 * @throws InvalidEventPatternError naming the place of the first problem found.
 */
export function parseEventPattern(json: unknown): EventPattern {
  const pattern = json as EventPattern;
  compiled.set(pattern as object, compile(json));
  return pattern;
}

/**
 * Whether `event` (an EventBridge event: `version`, `id`, `detail-type`, `source`, `account`,
 * `time`, `region`, `resources`, `detail`) matches `pattern`. Anything but a JSON object never
 * matches. A pattern that did not come from {@link parseEventPattern} is checked on first use.
 *
 * @throws InvalidEventPatternError when the pattern is not valid.
 */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  let compiledPattern = compiled.get(pattern);
  if (!compiledPattern) {
    compiledPattern = compile(pattern);
    compiled.set(pattern, compiledPattern);
  }
  if (!isObject(event)) return false;
  const leaves = flatten(event);
  return compiledPattern.branches.some((branch) => matchesBranch(branch, leaves));
}

// ---------------------------------------------------------------------------------------------
// Checking and compiling

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** `a.b`, `a["x y"]`: a path as a person would type it into a pattern. */
function child(path: string, key: string): string {
  const step = /^[A-Za-z0-9_$-]+$/.test(key) ? key : JSON.stringify(key);
  if (path === '') return step;
  return step.startsWith('"') ? `${path}[${step}]` : `${path}.${step}`;
}

function fail(path: string, reason: string): never {
  throw new InvalidEventPatternError(reason, path === '' ? '(root)' : path);
}

function compile(json: unknown): CompiledPattern {
  if (!isObject(json)) fail('', `the pattern must be a JSON object, not ${shown(json)}`);
  const branches: Map<string, Condition>[] = [];
  compileObject(json, '', '', branches, false);
  if (branches.length === 0) branches.push(new Map());
  // event-ruler walks a rule's fields in the order of their names; exists:false depends on it.
  const byName = (a: Condition, b: Condition) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { branches: branches.map((branch) => [...branch.values()].sort(byName)) };
}

/**
 * Adds the fields of `object` to every branch, forking them at each `$or` (event-ruler's
 * JsonRuleCompiler.parseObject). A later field of the same name replaces an earlier one, as
 * EventBridge documents for a key given twice.
 */
function compileObject(
  object: Readonly<Record<string, unknown>>,
  name: string,
  path: string,
  branches: Map<string, Condition>[],
  insideOr: boolean,
): void {
  const keys = Object.keys(object);
  if (keys.length === 0) fail(path, 'empty objects are not allowed');
  for (const key of keys) {
    const value = object[key];
    const at = child(path, key);
    if (key === '$or') {
      compileOr(value, name, at, branches);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      fail(at, `"${key}" is an operator, which cannot be a field name inside $or (put it in a value list: "field": [{"${key}": ...}])`);
    }
    const fieldName = name === '' ? key : `${name}.${key}`;
    if (Array.isArray(value)) {
      const condition = compileValues(value, fieldName, at);
      if (branches.length === 0) branches.push(new Map());
      for (const branch of branches) branch.set(fieldName, condition);
    } else if (isObject(value)) {
      compileObject(value, fieldName, at, branches, insideOr);
    } else {
      fail(at, `a field must hold an array of values or an object, not ${shown(value)} (e.g. "${key}": [${JSON.stringify(value)}])`);
    }
  }
}

function compileOr(value: unknown, name: string, path: string, branches: Map<string, Condition>[]): void {
  if (!Array.isArray(value)) fail(path, `$or must hold an array of at least 2 objects, not ${shown(value)}`);
  if (value.length < 2) fail(path, '$or must hold at least 2 objects');
  const before = branches.length === 0 ? [new Map<string, Condition>()] : branches.map((branch) => new Map(branch));
  branches.length = 0;
  value.forEach((alternative, index) => {
    const at = `${path}[${index}]`;
    if (!isObject(alternative)) fail(at, `$or must hold objects only, not ${shown(alternative)}`);
    const forked = before.map((branch) => new Map(branch));
    compileObject(alternative, name, at, forked, true);
    branches.push(...forked);
    if (branches.length > MAX_OR_COMBINATIONS) {
      fail(path, `$or makes more than ${MAX_OR_COMBINATIONS} rule combinations (the product of the sizes of the $or arrays)`);
    }
  });
}

function compileValues(values: readonly unknown[], name: string, path: string): Condition {
  if (values.length === 0) fail(path, 'empty arrays are not allowed: list at least one value');
  const matchers: ValueMatcher[] = [];
  let absentOk = false;
  values.forEach((value, index) => {
    const at = `${path}[${index}]`;
    if (isObject(value)) {
      const operator = compileOperator(value, at);
      if (operator === 'absent') absentOk = true;
      else matchers.push(operator);
    } else if (typeof value === 'string') {
      matchers.push(exactString(value));
    } else if (typeof value === 'number') {
      const number = finite(value, at);
      matchers.push((leaf) => leaf === number);
    } else if (typeof value === 'boolean' || value === null) {
      matchers.push((leaf) => leaf === value);
    } else {
      fail(at, `a value must be a string, number, true, false, null or an operator object, not ${shown(value)}`);
    }
  });
  return { name, matchers, absentOk };
}

function finite(value: number, path: string): number {
  if (!Number.isFinite(value)) fail(path, `${value} is not a number EventBridge can compare`);
  return value;
}

function theOnlyKey(object: Readonly<Record<string, unknown>>, path: string, what: string): string {
  const keys = Object.keys(object);
  if (keys.length !== 1) {
    fail(path, keys.length === 0 ? `${what} must name an operator, e.g. {"prefix": "us-"}` : `${what} must have exactly one key, not ${keys.map((k) => `"${k}"`).join(', ')}`);
  }
  return keys[0]!;
}

function text(value: unknown, path: string, what: string): string {
  if (typeof value !== 'string') fail(path, `${what} must be a string, not ${shown(value)}`);
  return value;
}

/** A matcher, or 'absent' for `{"exists": false}`, which the field's condition carries. */
function compileOperator(expression: Readonly<Record<string, unknown>>, path: string): ValueMatcher | 'absent' {
  const operator = theOnlyKey(expression, path, 'an operator object');
  const value = expression[operator];
  const at = child(path, operator);
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (isObject(value)) {
        const inner = theOnlyKey(value, at, `${operator}'s object`);
        if (inner !== 'equals-ignore-case') fail(child(at, inner), `${operator} takes a string or {"equals-ignore-case": "..."}, not "${inner}"`);
        const folded = ignoreCase(text(value[inner], child(at, inner), 'equals-ignore-case'), operator);
        return (leaf) => typeof leaf === 'string' && folded.test(leaf);
      }
      const affix = text(value, at, operator);
      return operator === 'prefix'
        ? (leaf) => typeof leaf === 'string' && leaf.startsWith(affix)
        : (leaf) => typeof leaf === 'string' && leaf.endsWith(affix);
    }
    case 'equals-ignore-case': {
      const folded = ignoreCase(text(value, at, operator), 'whole');
      return (leaf) => typeof leaf === 'string' && folded.test(leaf);
    }
    case 'wildcard': {
      const wildcard = wildcardExpression(text(value, at, operator), at);
      return (leaf) => typeof leaf === 'string' && wildcard.test(leaf);
    }
    case 'anything-but':
      return anythingBut(value, at);
    case 'numeric':
      return numeric(value, at);
    case 'exists':
      if (typeof value !== 'boolean') fail(at, `exists must be true or false, not ${shown(value)}`);
      return value ? () => true : 'absent';
    case 'cidr': {
      const range = cidr(text(value, at, operator), at);
      return (leaf) => {
        if (typeof leaf !== 'string') return false;
        const address = ipBytes(leaf);
        return address !== undefined && inRange(address, range);
      };
    }
    case 'exactly':
      // event-ruler's own operator, not EventBridge's: a plain string is the exact match.
      return fail(at, 'EventBridge has no "exactly" operator (event-ruler does): write the string itself, e.g. "state": ["running"]');
    default:
      return fail(at, `unknown operator "${operator}"; EventBridge has ${OPERATORS.join(', ')}`);
  }
}

/** An exact string; one that is an IP address also matches the other spellings of that address. */
function exactString(value: string): ValueMatcher {
  const address = ipBytes(value);
  if (address === undefined) return (leaf) => leaf === value;
  return (leaf) => {
    if (typeof leaf !== 'string') return false;
    if (leaf === value) return true;
    const other = ipBytes(leaf);
    return other !== undefined && other.length === address.length && other.every((byte, i) => byte === address[i]);
  };
}

function anythingBut(value: unknown, path: string): ValueMatcher {
  if (typeof value === 'string') return (leaf) => leaf !== value;
  if (typeof value === 'number') {
    const number = finite(value, path);
    return (leaf) => leaf !== number;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) fail(path, 'anything-but needs at least one value');
    if (value.every((item) => typeof item === 'string')) {
      const strings = new Set<string>(value);
      return (leaf) => typeof leaf !== 'string' || !strings.has(leaf);
    }
    if (value.every((item) => typeof item === 'number')) {
      const numbers = new Set<number>(value.map((item: number, i) => finite(item, `${path}[${i}]`)));
      return (leaf) => typeof leaf !== 'number' || !numbers.has(leaf);
    }
    const index = value.findIndex((item) => typeof item !== 'string' && typeof item !== 'number');
    if (index >= 0) fail(`${path}[${index}]`, `anything-but's list holds strings or numbers only, not ${shown(value[index])}`);
    return fail(path, "anything-but's list must hold all strings or all numbers, not both");
  }
  if (!isObject(value)) fail(path, `anything-but takes a string, a number, a list of either, or an object, not ${shown(value)}`);
  const operator = theOnlyKey(value, path, "anything-but's object");
  const operand = value[operator];
  const at = child(path, operator);
  // Each form refuses strings it matches; a number, boolean or null is never refused.
  const refusing = (tests: readonly ((leaf: string) => boolean)[]): ValueMatcher => (leaf) => typeof leaf !== 'string' || !tests.some((test) => test(leaf));
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (Array.isArray(operand)) {
        // event-ruler takes a list here; EventBridge documents one prefix (or suffix) only.
        fail(at, `anything-but takes one ${operator} in EventBridge, not a list: use {"anything-but": {"${operator}": "..."}}`);
      }
      const affix = text(operand, at, `anything-but's ${operator}`);
      if (affix === '') fail(at, `anything-but's ${operator} must not be empty`);
      return refusing([operator === 'prefix' ? (leaf) => leaf.startsWith(affix) : (leaf) => leaf.endsWith(affix)]);
    }
    case 'equals-ignore-case':
    case 'wildcard': {
      const list = Array.isArray(operand) ? operand : [operand];
      if (list.length === 0) fail(at, `anything-but's ${operator} needs at least one string`);
      const expressions = list.map((item: unknown, i) => {
        const where = Array.isArray(operand) ? `${at}[${i}]` : at;
        const string = text(item, where, `anything-but's ${operator}`);
        return operator === 'wildcard' ? wildcardExpression(string, where) : ignoreCase(string, 'whole');
      });
      return refusing(expressions.map((expression) => (leaf: string) => expression.test(leaf)));
    }
    default:
      return fail(at, `anything-but takes prefix, suffix, equals-ignore-case or wildcard in an object, not "${operator}"`);
  }
}

/**
 * `["=", n]`, `[">" or ">=", n]`, `["<" or "<=", n]` or `[">" or ">=", low, "<" or "<=", high]`
 * with low below high, as event-ruler's JsonRuleCompiler.processNumericMatchExpression reads them.
 */
function numeric(value: unknown, path: string): ValueMatcher {
  if (!Array.isArray(value)) fail(path, `numeric must hold an array such as [">", 0, "<=", 5], not ${shown(value)}`);
  const operand = (index: number, operator: string): number => {
    const number = value[index];
    if (typeof number !== 'number') fail(`${path}[${index}]`, `the value after "${operator}" must be a number, not ${shown(number)}`);
    return finite(number, `${path}[${index}]`);
  };
  const first = value[0];
  if (typeof first !== 'string') fail(`${path}[0]`, `numeric must start with an operator ("=", ">", ">=", "<", "<="), not ${shown(first)}`);
  const tooMany = (count: number) => {
    if (value.length > count) fail(`${path}[${count}]`, `too many elements in the numeric expression after "${first}"`);
  };
  switch (first) {
    case '=': {
      const n = operand(1, first);
      tooMany(2);
      return (leaf) => leaf === n;
    }
    case '<':
    case '<=': {
      const top = operand(1, first);
      tooMany(2);
      return first === '<' ? (leaf) => typeof leaf === 'number' && leaf < top : (leaf) => typeof leaf === 'number' && leaf <= top;
    }
    case '>':
    case '>=': {
      const bottom = operand(1, first);
      const above = first === '>' ? (n: number) => n > bottom : (n: number) => n >= bottom;
      if (value.length === 2) return (leaf) => typeof leaf === 'number' && above(leaf);
      const second = value[2];
      if (second !== '<' && second !== '<=') fail(`${path}[2]`, `a range continues with "<" or "<=", not ${shown(second)}`);
      const top = operand(3, second);
      tooMany(4);
      if (!(bottom < top)) fail(path, `the range's lower bound ${bottom} must be below its upper bound ${top}`);
      const below = second === '<' ? (n: number) => n < top : (n: number) => n <= top;
      return (leaf) => typeof leaf === 'number' && above(leaf) && below(leaf);
    }
    default:
      return fail(`${path}[0]`, `unknown numeric operator ${JSON.stringify(first)}; use "=", ">", ">=", "<" or "<="`);
  }
}

// ---------------------------------------------------------------------------------------------
// Strings

/** Escapes what a `u`-flag expression gives meaning to outside a class (and no more: `\-` is an error there). */
function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * equals-ignore-case as event-ruler does it (EqualsIgnoreCaseParser): each character of the
 * pattern matches its lower- or its upper-case form (so `ß` matches `SS`, not the reverse).
 */
function ignoreCase(pattern: string, anchor: 'prefix' | 'suffix' | 'whole'): RegExp {
  const body = Array.from(pattern, (character) => {
    const forms = new Set([character, character.toLowerCase(), character.toUpperCase()]);
    return forms.size === 1 ? escapeRegExp(character) : `(?:${[...forms].map(escapeRegExp).join('|')})`;
  }).join('');
  return new RegExp(anchor === 'suffix' ? `(?:${body})$` : anchor === 'prefix' ? `^(?:${body})` : `^(?:${body})$`, 'u');
}

/**
 * A wildcard: `*` is any run of characters, `\*` a star and `\\` a backslash; two `*` in a row
 * and any other escape are refused (event-ruler's WildcardParser).
 */
function wildcardExpression(pattern: string, path: string): RegExp {
  let body = '';
  for (let i = 0; i < pattern.length; i++) {
    const character = pattern[i]!;
    if (character === '*') {
      if (pattern[i + 1] === '*') fail(path, `two wildcard characters in a row at position ${i + 1} of ${JSON.stringify(pattern)}`);
      body += '[\\s\\S]*';
    } else if (character === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') fail(path, `only \\* and \\\\ may be escaped, at position ${i + 1} of ${JSON.stringify(pattern)}`);
      body += escapeRegExp(next);
      i++;
    } else {
      body += escapeRegExp(character);
    }
  }
  return new RegExp(`^${body}$`, 'u');
}

// ---------------------------------------------------------------------------------------------
// IP addresses, as event-ruler's CIDR class reads them

interface Range {
  readonly low: readonly number[];
  readonly high: readonly number[];
}

const IPV4 = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** The 4 or 16 bytes of an IPv4 or IPv6 literal (an IPv4-mapped IPv6 address gives 4), or undefined. */
function ipBytes(address: string): number[] | undefined {
  if (IPV4.test(address)) {
    const bytes = address.split('.').map(Number);
    return bytes.every((byte) => byte <= 255) ? bytes : undefined;
  }
  if (!IPV6.test(address)) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!words.every((word) => /^[0-9a-fA-F]{1,4}$/.test(word))) return undefined;
  const bytes = words.flatMap((word) => {
    const n = parseInt(word, 16);
    return [n >> 8, n & 0xff];
  });
  // Java's InetAddress turns ::ffff:a.b.c.d into the IPv4 address.
  const mapped = bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

function cidr(value: string, path: string): Range {
  const parts = value.split('/');
  if (parts.length !== 2) fail(path, `a CIDR needs one "/", e.g. "10.0.0.0/24", not ${JSON.stringify(value)}`);
  const [address, bits] = parts as [string, string];
  if (!/^[+-]?[0-9]+$/.test(bits)) fail(path, `a CIDR's mask bits must be a whole number, in ${JSON.stringify(value)}`);
  const maskBits = Number(bits);
  if (maskBits < 0) fail(path, `a CIDR's mask bits must not be negative, in ${JSON.stringify(value)}`);
  const bytes = ipBytes(address);
  if (!bytes) fail(path, `${JSON.stringify(address)} is not an IPv4 or IPv6 address`);
  const width = bytes.length * 8;
  // event-ruler (CIDR.cidr) refuses a mask that leaves no bit free; a single address is an exact value.
  if (maskBits >= width) fail(path, `${bytes.length === 4 ? 'IPv4' : 'IPv6'} mask bits must be below ${width}; for one address write it as an exact value`);
  const low: number[] = [];
  const high: number[] = [];
  bytes.forEach((byte, i) => {
    const fixed = Math.max(0, Math.min(8, maskBits - i * 8));
    const mask = (0xff << (8 - fixed)) & 0xff;
    low.push(byte & mask);
    high.push(byte | (~mask & 0xff));
  });
  return { low, high };
}

function inRange(address: readonly number[], range: Range): boolean {
  if (address.length !== range.low.length) return false;
  const compare = (a: readonly number[], b: readonly number[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  };
  return compare(address, range.low) >= 0 && compare(address, range.high) <= 0;
}

// ---------------------------------------------------------------------------------------------
// Matching

/**
 * One leaf of the event, with the array elements it sits in: `trail` holds pairs of
 * (array id, index), outermost first.
 */
interface EventLeaf {
  readonly value: Leaf;
  readonly trail: readonly number[];
}

/** The event's leaves by flattened name (event-ruler's Event/Path: keys joined with `.`). */
function flatten(event: Readonly<Record<string, unknown>>): Map<string, EventLeaf[]> {
  const leaves = new Map<string, EventLeaf[]>();
  let arrays = 0;
  const visit = (value: unknown, name: string, trail: readonly number[]): void => {
    if (Array.isArray(value)) {
      const id = arrays++;
      // As event-ruler's Event.loadArray: an element that is a plain value is a member of no
      // element, so `{"b": [5], "b.c": [...]}` may take 5 beside any element's `c`.
      value.forEach((element, index) => visit(element, name, typeof element === 'object' && element !== null ? [...trail, id, index] : trail));
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) visit(value[key], name === '' ? key : `${name}.${key}`, trail);
    } else if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const list = leaves.get(name);
      if (list) list.push({ value, trail });
      else leaves.set(name, [{ value, trail }]);
    }
  };
  visit(event, '', []);
  return leaves;
}

/**
 * Whether the branch's conditions hold with leaves from the same element of every array they
 * share (event-ruler's array consistency). Conditions are taken in the order of their names,
 * as event-ruler's state machine takes them, and `{"exists": false}` holds when no leaf of that
 * name sits in the array elements chosen so far: so in `{"groupAddedDevices": {"building": ["HQ"],
 * "username": [{"exists": false}]}}` it is the HQ device's element that must have no user. A small
 * backtracking search; events are small.
 */
function matchesBranch(branch: Branch, leaves: ReadonlyMap<string, readonly EventLeaf[]>): boolean {
  // A quick refusal before the search: a condition no leaf can meet, nor absence.
  for (const condition of branch) {
    if (condition.absentOk) continue;
    const present = leaves.get(condition.name);
    if (!present?.some((leaf) => condition.matchers.some((matcher) => matcher(leaf.value)))) return false;
  }
  const chosen = new Map<number, number>();
  const consistent = (leaf: EventLeaf): boolean => {
    for (let i = 0; i < leaf.trail.length; i += 2) {
      const taken = chosen.get(leaf.trail[i]!);
      if (taken !== undefined && taken !== leaf.trail[i + 1]) return false;
    }
    return true;
  };
  const step = (index: number): boolean => {
    if (index === branch.length) return true;
    const condition = branch[index]!;
    const present = leaves.get(condition.name) ?? [];
    for (const leaf of present) {
      if (!consistent(leaf) || !condition.matchers.some((matcher) => matcher(leaf.value))) continue;
      const added: number[] = [];
      for (let i = 0; i < leaf.trail.length; i += 2) {
        if (!chosen.has(leaf.trail[i]!)) {
          chosen.set(leaf.trail[i]!, leaf.trail[i + 1]!);
          added.push(leaf.trail[i]!);
        }
      }
      const found = step(index + 1);
      for (const array of added) chosen.delete(array);
      if (found) return true;
    }
    return condition.absentOk && !present.some(consistent) && step(index + 1);
  };
  return step(0);
}
