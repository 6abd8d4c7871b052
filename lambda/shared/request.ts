import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError } from './errors';

/**
 * What API Gateway hands a function: a REST API's proxy event (payload format
 * 1.0), or an HTTP API's (payload format 2.0). The handlers take either, so that
 * both front doors (`apiType`) run the same code.
 */
export type ApiEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

/** Whether `event` is an HTTP API payload 2.0 event (it says so in `version`). */
export function isHttpApiEvent(event: ApiEvent): event is APIGatewayProxyEventV2 {
  return 'version' in event && event.version === '2.0';
}

/** What authentication and decoding need of a request: headers by lower-case name, and the exact body bytes. */
export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

/**
 * Header names are case-insensitive; a REST API passes them as the client sent
 * them, an HTTP API in lower case (repeated headers joined with commas).
 */
export function requestHeaders(event: ApiEvent): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

/**
 * The exact bytes Jamf sent. The REST API declares every media type binary, so
 * it base64-encodes every body; an HTTP API base64-encodes what it does not
 * take for text. Either way `isBase64Encoded` says which, and signatures can be
 * checked over the bytes.
 */
export function requestBody(event: ApiEvent): Uint8Array {
  if (!event.body) return new Uint8Array(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** When API Gateway took the request (epoch ms): `requestTimeEpoch` in 1.0, `timeEpoch` in 2.0. */
export function requestArrival(event: ApiEvent): number | undefined {
  const arrived = isHttpApiEvent(event) ? event.requestContext?.timeEpoch : event.requestContext?.requestTimeEpoch;
  return typeof arrived === 'number' && arrived > 0 ? arrived : undefined;
}

/**
 * The address of the TCP connection API Gateway accepted (never a header the
 * caller could write): `requestContext.identity.sourceIp` in 1.0,
 * `requestContext.http.sourceIp` in 2.0.
 */
export function requestSourceIp(event: ApiEvent): string | undefined {
  const ip = isHttpApiEvent(event) ? event.requestContext?.http?.sourceIp : event.requestContext?.identity?.sourceIp;
  return typeof ip === 'string' && ip !== '' ? ip : undefined;
}

/** The request's path as routed: the resource (`/scep-challenge/verify`) in 1.0; in 2.0 the route key's path, else `rawPath` (which starts with the stage). */
export function requestRoute(event: ApiEvent): string {
  if (isHttpApiEvent(event)) {
    const routeKey = event.routeKey ?? '';
    const space = routeKey.indexOf(' ');
    return space > 0 ? routeKey.slice(space + 1) : event.rawPath ?? '';
  }
  return event.resource ?? event.path ?? '';
}

/** A request as every handler starts with it. */
export interface IncomingRequest extends WebhookRequest {
  /** When it arrived (epoch ms). */
  readonly started: number;
  readonly requestId: string;
  readonly contentType: string | undefined;
  /** The caller's address as API Gateway saw it, when the event has one. */
  readonly sourceIp: string | undefined;
}

/**
 * Whether API Gateway handed the body over as text holding U+FFFD: an HTTP API passes JSON and
 * XML without a declared charset as a UTF-8 string, and bytes that were not UTF-8 (Latin-1 from
 * a Java client) arrive replaced, beyond recovery. A scan of the body: ask only when it matters.
 */
export function hasReplacedCharacters(event: ApiEvent): boolean {
  return !event.isBase64Encoded && event.body?.includes('\uFFFD') === true;
}

export function incomingRequest(event: ApiEvent): IncomingRequest {
  const headers = requestHeaders(event);
  // When API Gateway took the request, so that a cold start's init counts against Jamf's read
  // timeout too; never later than now (clocks differ a little).
  const arrived = requestArrival(event);
  return {
    started: arrived === undefined ? Date.now() : Math.min(arrived, Date.now()),
    // API Gateway always sends an id; the global crypto does not load node:crypto at init.
    requestId: event.requestContext?.requestId || crypto.randomUUID(),
    headers,
    contentType: headers['content-type'],
    body: requestBody(event),
    sourceIp: requestSourceIp(event),
  };
}

/** Throws a 413 `BodyTooLarge` for a body over `maxBytes`. */
export function assertBodyWithin(body: Uint8Array, maxBytes: number): void {
  if (body.byteLength > maxBytes) {
    throw new PayloadTooLargeError('BodyTooLarge', `The body is ${body.byteLength} bytes; the limit is ${maxBytes}`);
  }
}
