import { UnsupportedMediaTypeError } from '../shared/errors';

export type BodyFormat = 'json' | 'xml';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;
const XML_MEDIA_TYPE = /^(?:text|application)\/(?:[\w.+-]+\+)?xml$/;

/** The format a Content-Type header declares, ignoring parameters such as `charset`. */
export function declaredFormat(contentType: string | undefined): BodyFormat | undefined {
  if (!contentType) return undefined;
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (JSON_MEDIA_TYPE.test(mediaType)) return 'json';
  if (XML_MEDIA_TYPE.test(mediaType)) return 'xml';
  return undefined;
}

/** The format the first non-blank character of the body implies, if it is unambiguous. */
export function sniffedFormat(text: string): BodyFormat | undefined {
  // A body that starts with its first character (every webhook) is answered without the expression.
  const code = text.charCodeAt(0);
  if (code === 0x7b || code === 0x5b) return 'json';
  if (code === 0x3c) return 'xml';
  const first = /\S/.exec(text)?.[0];
  if (first === '<') return 'xml';
  if (first === '{' || first === '[') return 'json';
  return undefined;
}

/**
 * Picks the parser for a body. The body decides when its first character is
 * unambiguous, because proxies and old servers send wrong or missing
 * Content-Types; otherwise the declared type decides, so that a JSON scalar
 * declared as JSON is reported as "not a webhook" rather than "not JSON".
 */
export function chooseFormat(contentType: string | undefined, text: string): BodyFormat {
  const format = sniffedFormat(text) ?? declaredFormat(contentType);
  if (!format) {
    throw new UnsupportedMediaTypeError(
      'UnsupportedMediaType',
      'The body is neither JSON nor XML: send application/json or text/xml',
    );
  }
  return format;
}
