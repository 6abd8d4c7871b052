/**
 * Valibot's issues in the two forms the code reports them: `{ path, message }`
 * in a 4xx response about a request, and one line that never quotes a value
 * in an error about a secret or the credentials document.
 */
import * as v from 'valibot';
import type { Issue } from './errors';

/** Each issue located under `prefix` (e.g. `event.`), with valibot's message. */
export function toIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ''): Issue[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue);
    return { path: path ? `${prefix}${path}` : prefix.replace(/\.$/, '') || '(root)', message: issue.message };
  });
}

const OBJECT_SCHEMAS = new Set(['object', 'strict_object', 'loose_object', 'object_with_rest']);

/**
 * `path: what was expected` for each issue, joined. Valibot's default messages
 * quote the value received (`but received "hunter2"`); such a message is
 * replaced by what was expected, while a schema's own message is kept. A key
 * that failed its own check (a record's key) is input like any value, so the
 * path stops at its parent; an unknown key of a strict object is named, since
 * it is a misspelt field name the reader needs to find, and so is a missing one.
 */
export function describeIssuesWithoutValues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .map((issue) => {
      const path = issue.path ?? [];
      const last = path.at(-1);
      // Object schemas report a missing or unknown field at the field's key; every other issue at a key is the key's own check.
      const objectKey = OBJECT_SCHEMAS.has(issue.type);
      const unknownKey = objectKey && issue.expected === 'never';
      const rejectedKey = last !== undefined && 'origin' in last && last.origin === 'key' && !objectKey;
      const shown = (rejectedKey ? path.slice(0, -1) : path).map((item) => String(item.key)).join('.');
      const quotesValue = issue.received !== undefined && issue.message.includes(issue.received);
      const text = unknownKey ? 'unknown key' : objectKey && issue.received === 'undefined' ? 'missing' : quotesValue ? `expected ${issue.expected ?? 'a valid value'}` : issue.message;
      return `${shown || '(root)'}: ${rejectedKey ? 'a key: ' : ''}${text}`;
    })
    .join('; ');
}
