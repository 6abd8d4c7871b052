/**
 * Body bytes to text, in the encoding the sender used.
 *
 * Jamf Pro is a Java server, and Java HTTP clients send ISO-8859-1 unless told
 * otherwise; a long-standing Jamf integration (zentral) decodes Jamf bodies as
 * Latin-1. So a declared charset (the Content-Type's `charset`, else an XML
 * declaration's `encoding`) is honoured, and bytes that declare nothing and are
 * not UTF-8 are read as windows-1252 (the superset of Latin-1 that WHATWG
 * decoders use for both labels) rather than refused: a computer named `Café`
 * must not cost an event. The same goes for bytes that claim UTF-8 and are not:
 * a Java XML writer declares `encoding="UTF-8"` whatever the HTTP client then
 * encodes the text as.
 */
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { MalformedBodyError, UnsupportedMediaTypeError } from '../shared/errors';

/** How a body was decoded: the WHATWG name of its encoding, e.g. `utf-8` or `windows-1252`. */
export type BodyEncoding = string;

export interface DecodedText {
  readonly text: string;
  readonly encoding: BodyEncoding;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * What windows-1252 puts at 0x80-0x9F, where Latin-1 has control characters;
 * the five bytes it leaves undefined map to the same code point, as WHATWG's
 * decoder does. Written out because Node 20's TextDecoder decodes the label
 * as plain Latin-1 (the euro sign 0x80 becomes U+0080).
 */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** windows-1252 bytes to text; every byte is defined, so it never fails. */
export function decodeWindows1252(body: Uint8Array): string {
  let text = '';
  for (let start = 0; start < body.length; start += 8192) {
    const codes = Array.from(body.subarray(start, start + 8192), (byte) =>
      byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_HIGH[byte - 0x80]! : byte,
    );
    text += String.fromCharCode(...codes);
  }
  return text;
}

/** The `charset` parameter of a Content-Type, lower-cased, without quotes. */
export function declaredCharset(contentType: string | undefined): string | undefined {
  // No parameters, no charset: spare the common `application/json` the expression.
  if (contentType === undefined || !contentType.includes(';')) return undefined;
  const match = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return match?.[2]?.toLowerCase();
}

/** The `encoding` of an XML declaration at the very start of the body (read as ASCII, as the spec allows). */
export function xmlDeclaredEncoding(body: Uint8Array): string | undefined {
  // A JSON body cannot start like a declaration: spare it the copy and the expression.
  if (body[0] === 0x7b || body[0] === 0x5b) return undefined;
  const head = Buffer.from(body.subarray(0, 200)).toString('latin1');
  const match = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s*<\?xml\s[^>]*?encoding\s*=\s*(["'])([A-Za-z][\w.:-]*)\1/.exec(head);
  return match?.[2]?.toLowerCase();
}

function decoderFor(label: string): TextDecoder {
  try {
    return new TextDecoder(label, { fatal: true });
  } catch {
    throw new UnsupportedMediaTypeError('UnsupportedCharset', `The charset "${label.slice(0, 40)}" is not one we can decode`);
  }
}

/**
 * The body as UTF-8 without its byte-order mark, or `undefined` if it is not
 * valid UTF-8: what a fatal TextDecoder gives, without building one per body.
 */
function strictUtf8(body: Uint8Array): string | undefined {
  if (!isUtf8(body)) return undefined;
  const start = hasUtf8Bom(body) ? UTF8_BOM.length : 0;
  return Buffer.from(body.buffer, body.byteOffset + start, body.byteLength - start).toString('utf8');
}

function hasUtf8Bom(body: Uint8Array): boolean {
  return body[0] === UTF8_BOM[0] && body[1] === UTF8_BOM[1] && body[2] === UTF8_BOM[2];
}

/**
 * Decodes the body: with the declared charset when there is one other than
 * UTF-8 (bytes that are not valid in it are a 400; a single-byte one yields to
 * bytes that are valid UTF-8), else as UTF-8, else as windows-1252. A UTF-8
 * byte-order mark decides for UTF-8. An empty or blank body is a 400.
 */
export function decodeBodyText(body: Uint8Array, contentType: string | undefined): DecodedText {
  const declared = declaredCharset(contentType) ?? xmlDeclaredEncoding(body);
  let decoded: DecodedText;
  const decoder = declared !== undefined && !hasUtf8Bom(body) ? decoderFor(declared) : undefined;
  // Bytes that are valid UTF-8 are read as UTF-8 even when a single-byte charset is declared: text
  // in Latin-1 that also happens to be valid multi-byte UTF-8 is next to impossible, while a UTF-8
  // body under a stale charset label is common.
  const utf8 = decoder?.encoding === 'windows-1252' ? strictUtf8(body) : undefined;
  if (decoder !== undefined && decoder.encoding !== 'utf-8' && utf8 === undefined) {
    try {
      const text = decoder.encoding === 'windows-1252' ? decodeWindows1252(body) : decoder.decode(body);
      decoded = { text, encoding: decoder.encoding };
    } catch (error) {
      throw new MalformedBodyError(
        'InvalidEncoding',
        `The body is not valid ${decoder.encoding}, as its charset declares`,
        { cause: error },
      );
    }
  } else {
    const text = utf8 ?? strictUtf8(body);
    decoded = text !== undefined ? { text, encoding: 'utf-8' } : { text: decodeWindows1252(body), encoding: 'windows-1252' };
  }
  if (isBlank(decoded.text)) throw new MalformedBodyError('EmptyBody', 'The body is empty');
  return decoded;
}

/** Whether `text.trim()` is empty; a body that starts with `{` or `<` (every webhook) is answered without the copy. */
function isBlank(text: string): boolean {
  const first = text.charCodeAt(0);
  return first !== 0x7b && first !== 0x3c && text.trim() === '';
}
