/**
 * The fast-xml-parser settings every parser of untrusted XML here starts from (the webhook
 * decoder, the Classic API client): values as text (`0123` and `1E5` survive), no attributes,
 * declarations or processing instructions, and only XML's own entities. A DOCTYPE or ENTITY
 * declaration, the way entity expansion and external entities get in, is refused before parsing.
 */
import type { X2jOptions } from 'fast-xml-parser';

export const SAFE_XML_OPTIONS = {
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
} as const satisfies Partial<X2jOptions>;

/** A DOCTYPE or ENTITY declaration anywhere in the text; Jamf never sends one. */
export const XML_DECLARATION = /<!(?:DOCTYPE|ENTITY)/i;
