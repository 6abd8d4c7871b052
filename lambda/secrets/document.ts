/**
 * Reading a JSON secret against its schema. The error says what is wrong and
 * where, never a value: a secret's text must not reach an error message, even
 * one that is only kept as a `cause`.
 */
import * as v from 'valibot';
import { describeIssuesWithoutValues } from '../shared/issues';

export class InvalidSecretError extends Error {
  override readonly name = 'InvalidSecretError';
}


/** Parses `text` as JSON and checks it against `schema`; `what` names the secret in the error, e.g. `the signing key document`. */
export function parseSecretDocument<TSchema extends v.GenericSchema>(
  text: string,
  schema: TSchema,
  what: string,
): v.InferOutput<TSchema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidSecretError(`${what} is not JSON`);
  }
  const result = v.safeParse(schema, json);
  if (!result.success) throw new InvalidSecretError(`${what} is invalid: ${describeIssuesWithoutValues(result.issues)}`);
  return result.output;
}
