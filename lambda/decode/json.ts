import { MalformedBodyError } from '../shared/errors';

/**
 * Parses a JSON body. The error names the position only: V8's message quotes
 * the body, which may hold a secret.
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(String(error))?.[1];
    const where = position === undefined ? '' : ` at position ${position}`;
    throw new MalformedBodyError('MalformedJson', `Malformed JSON${where}`, { cause: error });
  }
}
