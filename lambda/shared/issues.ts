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

/**
 * `path: what was expected` for each issue, joined. Valibot's default messages
 * quote the value received (`but received "hunter2"`); such a message is
 * replaced by what was expected, while a schema's own message is kept.
 */
export function describeIssuesWithoutValues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .map((issue) => {
      const quotesValue = issue.received !== undefined && issue.message.includes(issue.received);
      const text = quotesValue ? `expected ${issue.expected ?? 'a valid value'}` : issue.message;
      return `${v.getDotPath(issue) ?? '(root)'}: ${text}`;
    })
    .join('; ');
}
