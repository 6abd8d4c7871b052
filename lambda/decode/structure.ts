import { MalformedBodyError } from '../shared/errors';
import { isSecretKey } from '../shared/redact';

/** Deeper than any Jamf payload (4 levels) by a wide margin. */
export const MAX_DEPTH = 32;

/** Keys that would reach an object's prototype if copied by assignment. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Rejects trees a Jamf webhook never has and that could hurt us later: keys
 * that touch prototypes when copied (the schemas copy unknown keys) and
 * nesting deep enough to exhaust the stack of a recursive walk such as
 * `JSON.stringify`. The walk itself stops at MAX_DEPTH, so it is safe on any input.
 */
export function assertSafeStructure(value: unknown, depth = 0): void {
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_DEPTH) {
    throw new MalformedBodyError('TooDeep', `The body is nested deeper than ${MAX_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    for (const item of value) assertSafeStructure(item, depth + 1);
    return;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) {
      throw new MalformedBodyError('ForbiddenKey', `The key "${key}" is not allowed`);
    }
    assertSafeStructure((value as Record<string, unknown>)[key], depth + 1);
  }
}

/**
 * `assertSafeStructure` and `removeSecrets` in one walk, for a value at
 * `depth` of the tree: `false` where `assertSafeStructure` would throw (the
 * caller then runs it for the error), else `true`, with every secret-named key
 * deleted in place, as `removeSecrets` deletes it from the decoded tree. A
 * secret's own subtree is checked before it is deleted, since
 * `assertSafeStructure` checks it too.
 */
export function isSafeRemovingSecrets(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!isSafeRemovingSecrets(item, depth + 1)) return false;
    return true;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (FORBIDDEN_KEYS.has(key) || !isSafeRemovingSecrets(record[key], depth + 1)) return false;
    if (isSecretKey(key)) delete record[key];
  }
  return true;
}

/**
 * `value` with the keys of every object in sorted order (UTF-16 code units,
 * as `Array.prototype.sort` compares them): the same content, in the order
 * the canonical JSON of the delivery id writes it, so that `JSON.stringify` of
 * a decoded detail is that JSON (see `canonicalJson`). Objects and arrays are
 * copied; for a tree `assertSafeStructure` accepts.
 */
export function inCanonicalOrder(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(inCanonicalOrder);
  return sortedKeys(value as Record<string, unknown>, true);
}

/** The object's keys in sorted order, their values as they are, or (`deep`) each in canonical order too. */
export function sortedKeys(record: Record<string, unknown>, deep: boolean): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) output[key] = deep ? inCanonicalOrder(record[key]) : record[key];
  return output;
}
