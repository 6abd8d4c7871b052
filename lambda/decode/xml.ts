import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MalformedBodyError } from '../shared/errors';
import { MAX_DEPTH } from './structure';

/**
 * Values stay text (`parseTagValue: false`) so `0123` and `1E5` survive; the
 * schemas coerce what Jamf documents as numbers. Repeated elements become
 * arrays and lone ones stay scalars (`isArray` is not set): the schemas turn
 * every documented list into an array, and for unknown events a repeated
 * element is the only evidence of a list.
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  // fast-xml-parser 5 decodes numeric character references (`&#38;`) only
  // with `htmlEntities`; the HTML named entities it also brings are harmless text.
  htmlEntities: true,
  maxNestedTags: MAX_DEPTH,
});

/** DOCTYPE declarations are how entity expansion and external entities get in; Jamf never sends one. */
const DECLARATION = /<!(?:DOCTYPE|ENTITY)/i;

/** Parses an XML body and returns the content of its single root element. */
export function parseXml(text: string): unknown {
  if (DECLARATION.test(text)) {
    throw new MalformedBodyError('XmlDoctypeNotAllowed', 'XML with a DOCTYPE or ENTITY declaration is not accepted');
  }
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new MalformedBodyError('MalformedXml', `Malformed XML at line ${line}, column ${col}: ${msg.slice(0, 120)}`);
  }
  let document: Record<string, unknown>;
  try {
    document = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/nested/i.test(message)) {
      throw new MalformedBodyError('TooDeep', `The body is nested deeper than ${MAX_DEPTH} levels`, { cause: error });
    }
    if (/SECURITY|reserved/i.test(message)) {
      throw new MalformedBodyError('ForbiddenKey', 'The XML uses an element name that is not allowed', { cause: error });
    }
    throw new MalformedBodyError('MalformedXml', 'Malformed XML', { cause: error });
  }
  const roots = Object.keys(document);
  if (roots.length !== 1) {
    throw new MalformedBodyError('MalformedXml', 'XML must have exactly one root element');
  }
  return document[roots[0]!];
}
