import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PayloadTooLargeError } from './errors';

/** What authentication and decoding need of a request: headers by lower-case name, and the exact body bytes. */
export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

/** Header names are case-insensitive; API Gateway passes them as the client sent them. */
export function requestHeaders(event: APIGatewayProxyEvent): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

/**
 * The exact bytes Jamf sent. The API declares every media type binary, so
 * API Gateway base64-encodes the body and signatures can be checked over it.
 */
export function requestBody(event: APIGatewayProxyEvent): Uint8Array {
  if (!event.body) return new Uint8Array(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** A request as every handler starts with it. */
export interface IncomingRequest extends WebhookRequest {
  /** When it arrived (epoch ms). */
  readonly started: number;
  readonly requestId: string;
  readonly contentType: string | undefined;
}

export function incomingRequest(event: APIGatewayProxyEvent): IncomingRequest {
  const headers = requestHeaders(event);
  // When API Gateway took the request, so that a cold start's init counts against Jamf's read
  // timeout too; never later than now (clocks differ a little).
  const arrived = event.requestContext?.requestTimeEpoch;
  return {
    started: typeof arrived === 'number' && arrived > 0 ? Math.min(arrived, Date.now()) : Date.now(),
    // API Gateway always sends an id; the global crypto does not load node:crypto at init.
    requestId: event.requestContext?.requestId || crypto.randomUUID(),
    headers,
    contentType: headers['content-type'],
    body: requestBody(event),
  };
}

/** Throws a 413 `BodyTooLarge` for a body over `maxBytes`. */
export function assertBodyWithin(body: Uint8Array, maxBytes: number): void {
  if (body.byteLength > maxBytes) {
    throw new PayloadTooLargeError('BodyTooLarge', `The body is ${body.byteLength} bytes; the limit is ${maxBytes}`);
  }
}
