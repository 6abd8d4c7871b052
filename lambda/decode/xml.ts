import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MalformedBodyError } from '../shared/errors';
import { SAFE_XML_OPTIONS, XML_DECLARATION } from './safe-xml';
import { MAX_DEPTH } from './structure';

/**
 * Values stay text (`parseTagValue: false`) so `0123` and `1E5` survive; the
 * schemas coerce what Jamf documents as numbers. Repeated elements become
 * arrays and lone ones stay scalars (`isArray` is not set): the schemas turn
 * every documented list into an array, and for unknown events a repeated
 * element is the only evidence of a list.
 */
const parser = new XMLParser({
  ...SAFE_XML_OPTIONS,
  // fast-xml-parser 5 decodes numeric character references (`&#38;`) only
  // with `htmlEntities`; the HTML named entities it also brings are harmless text.
  htmlEntities: true,
  maxNestedTags: MAX_DEPTH,
});


/** Parses an XML body and returns the content of its single root element. */
export function parseXml(text: string): unknown {
  const simple = parseSimpleXml(text);
  return simple !== NOT_SIMPLE ? simple : parseAnyXml(text);
}

/** What `parseSimpleXml` returns for a document it leaves to the full parser. */
export const NOT_SIMPLE: unique symbol = Symbol('not simple');

/** An XML declaration as Jamf writes it, at the very start. */
const SIMPLE_DECLARATION = /^<\?xml\s+version\s*=\s*(["'])1\.0\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][\w.:-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/;
/** Element names the parser takes as they are: no namespace prefix, nothing it renames or refuses. */
const SIMPLE_NAME = /^[A-Za-z_][\w.-]*$/;
const RENAMED_NAMES = new Set([
  '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf',
  '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
]);
/** The five entities of XML itself; any other `&` goes to the full parser. */
const OTHER_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos);)/;
const XML_ENTITY = /&(amp|lt|gt|quot|apos);/g;
const XML_ENTITY_TEXT: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** Nesting below the parser's limit (MAX_DEPTH), so the limit's error is always the parser's. */
const SIMPLE_MAX_DEPTH = MAX_DEPTH - 2;

function isXmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

/** A leaf's text as the parser gives it: trimmed, then the five entities replaced. */
function leafText(raw: string): string | typeof NOT_SIMPLE {
  const value = raw.trim();
  // The parser turns CR and CRLF into LF before anything else; only trimmed-off ones are simple.
  if (value.includes('\r')) return NOT_SIMPLE;
  if (!value.includes('&')) return value;
  if (OTHER_AMPERSAND.test(value)) return NOT_SIMPLE;
  return value.replace(XML_ENTITY, (_entity, name: string) => XML_ENTITY_TEXT[name]!);
}

interface OpenElement {
  readonly name: string;
  /** Its child elements so far, by name; a repeated one becomes an array, in document order. */
  children: Record<string, unknown> | undefined;
  /** Where its content starts in the text. */
  readonly start: number;
}

/**
 * The content of the single root element of the XML Jamf sends, in one pass:
 * an optional declaration, then elements without attributes holding either
 * text or other elements. It builds what the full parser (fast-xml-parser with
 * `parser`'s options, after XMLValidator) builds for such a document, and so
 * needs no validation pass of its own: every document it accepts is
 * well-formed. Anything else (attributes, comments, CDATA, processing
 * instructions, mixed content, entities other than XML's five, a name the
 * parser renames, deep nesting, or anything malformed or truncated) returns
 * NOT_SIMPLE, and the full parser decides, and reports.
 */
export function parseSimpleXml(text: string): unknown {
  const length = text.length;
  let i = 0;
  if (text.startsWith('<?')) {
    const declaration = SIMPLE_DECLARATION.exec(text);
    if (declaration === null) return NOT_SIMPLE;
    i = declaration[0].length;
  }
  const stack: OpenElement[] = [];
  let root: unknown = NOT_SIMPLE;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code !== 0x3c /* < */) {
      // Text: between elements it must be blank, in a leaf it is the value (taken at the closing tag).
      const next = text.indexOf('<', i);
      if (next === -1) {
        if (stack.length > 0) return NOT_SIMPLE;
        for (let j = i; j < length; j++) if (!isXmlSpace(text.charCodeAt(j))) return NOT_SIMPLE;
        break;
      }
      if (stack.length === 0 || stack[stack.length - 1]!.children !== undefined) {
        for (let j = i; j < next; j++) if (!isXmlSpace(text.charCodeAt(j))) return NOT_SIMPLE;
      }
      i = next;
      continue;
    }
    const close = text.indexOf('>', i + 1);
    if (close === -1) return NOT_SIMPLE;
    if (text.charCodeAt(i + 1) === 0x2f /* / */) {
      const open = stack.pop();
      if (open === undefined || text.slice(i + 2, close) !== open.name) return NOT_SIMPLE;
      let value: unknown;
      if (open.children !== undefined) {
        value = open.children;
      } else {
        value = leafText(text.slice(open.start, i));
        if (value === NOT_SIMPLE) return NOT_SIMPLE;
      }
      if (!add(stack, open.name, value)) return NOT_SIMPLE;
      if (stack.length === 0) {
        if (root !== NOT_SIMPLE) return NOT_SIMPLE;
        root = value;
      }
      i = close + 1;
      continue;
    }
    const selfClosing = text.charCodeAt(close - 1) === 0x2f;
    const name = text.slice(i + 1, selfClosing ? close - 1 : close);
    if (!SIMPLE_NAME.test(name) || RENAMED_NAMES.has(name)) return NOT_SIMPLE;
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      if (root !== NOT_SIMPLE) return NOT_SIMPLE; // a second root
    } else if (parent.children === undefined) {
      // The parent's text so far must be blank: otherwise it is mixed content.
      if (text.slice(parent.start, i).trim() !== '') return NOT_SIMPLE;
      parent.children = {};
    }
    if (selfClosing) {
      if (!add(stack, name, '')) return NOT_SIMPLE;
      if (stack.length === 0) root = '';
    } else {
      if (stack.length >= SIMPLE_MAX_DEPTH) return NOT_SIMPLE;
      stack.push({ name, children: undefined, start: close + 1 });
    }
    i = close + 1;
  }
  return stack.length === 0 ? root : NOT_SIMPLE;
}

/** Adds a closed element to its parent's children; `false` where the full parser should decide. */
function add(stack: readonly OpenElement[], name: string, value: unknown): boolean {
  const parent = stack[stack.length - 1];
  if (parent === undefined) return true;
  const children = (parent.children ??= {});
  if (!Object.prototype.hasOwnProperty.call(children, name)) {
    children[name] = value;
  } else {
    const existing = children[name];
    if (Array.isArray(existing)) existing.push(value);
    else children[name] = [existing, value];
  }
  return true;
}

/** Any XML: XMLValidator, then fast-xml-parser, with the errors the decoder reports. */
export function parseAnyXml(text: string): unknown {
  if (XML_DECLARATION.test(text)) {
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
