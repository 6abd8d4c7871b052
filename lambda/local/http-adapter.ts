/**
 * Turns a Node HTTP request into the event the Lambda receives from API Gateway
 * (a REST proxy event, payload 1.0, or an HTTP API event, payload 2.0: `apiType`), and the handler's result back into an HTTP response. Bodies are
 * base64-encoded as API Gateway does with binary media types `*\/*`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import { API_GATEWAY_MAX_BODY_BYTES } from '../contract';
import { declaredCharset } from '../decode/charset';


export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
}

/** How long the rest of a body over the limit is read (and dropped) before the answer goes out anyway. */
const DRAIN_MS = 3000;

/**
 * The request's body, up to `limit` bytes. Over it, the rest is read and
 * dropped (for at most DRAIN_MS) before RequestTooLargeError is thrown: a
 * client still sending its body then reads the answer instead of a reset, and
 * the answer can close the connection (see {@link writeTooLarge}).
 */
export function readBody(request: IncomingMessage, limit = API_GATEWAY_MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const tooLarge = () => reject(new RequestTooLargeError(`request body over ${limit} bytes`));
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) return;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        setTimeout(tooLarge, DRAIN_MS).unref();
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => (over ? tooLarge() : resolve(Buffer.concat(chunks))));
    request.once('error', reject);
    request.once('close', () => (over ? tooLarge() : reject(new Error('the request was closed before its body ended'))));
  });
}

/**
 * 413 for a body over the limit, and the connection closed after it: the
 * body may not have been read to its end, so that the next request on this
 * connection would be read from the middle of it.
 */
export function writeTooLarge(response: ServerResponse, error: RequestTooLargeError): void {
  response.setHeader('connection', 'close');
  writeJson(response, 413, { error: 'BodyTooLarge', message: error.message });
  response.once('finish', () => response.socket?.destroySoon());
}

export function toProxyEvent(request: IncomingMessage, body: Buffer, resource: string): APIGatewayProxyEvent {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!;
    const value = request.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const now = Date.now();
  const method = request.method ?? 'GET';
  return {
    resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: url.search ? query : null,
    multiValueQueryStringParameters: url.search ? multiQuery : null,
    pathParameters: null,
    stageVariables: null,
    body: body.length > 0 ? body.toString('base64') : null,
    isBase64Encoded: body.length > 0,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: method,
      path: url.pathname,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: resource,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: request.headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}

/** The event shape the handlers get: what the deployed front door of that `apiType` sends. */
export type LocalApiType = 'http' | 'rest';

/** The event of `apiType` for a request to `resource`. */
export function toApiEvent(
  apiType: LocalApiType,
  request: IncomingMessage,
  body: Buffer,
  resource: string,
): APIGatewayProxyEvent | APIGatewayProxyEventV2 {
  return apiType === 'rest' ? toProxyEvent(request, body, resource) : toHttpApiEvent(request, body, resource);
}

/**
 * Media types an HTTP API hands a Lambda as text (a UTF-8 string, `isBase64Encoded: false`),
 * as measured on AWS: `text/*`, JSON, XML and JavaScript, when no charset or UTF-8 is declared.
 * Everything else, a declared `charset=ISO-8859-1` included, arrives base64-encoded. AWS does not
 * document the list.
 * @see https://github.com/ministackorg/ministack/pull/766 (the split, verified against AWS)
 */
const HTTP_API_TEXT_TYPE = /^(?:text\/[\w.+-]+|application\/(?:json|xml|javascript))$/;

/** Whether an HTTP API passes a body with this Content-Type as text rather than base64. */
export function httpApiTakesAsText(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  if (!HTTP_API_TEXT_TYPE.test(contentType.split(';', 1)[0]!.trim().toLowerCase())) return false;
  const charset = declaredCharset(contentType);
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

/** The body as an HTTP API hands it to the function. */
function httpApiBody(body: Buffer, contentType: string | undefined): Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'> {
  if (body.length === 0) return { isBase64Encoded: false };
  return httpApiTakesAsText(contentType) ? { body: body.toString('utf8'), isBase64Encoded: false } : { body: body.toString('base64'), isBase64Encoded: true };
}

/**
 * The HTTP API's payload format 2.0 event: header names in lower case, a
 * repeated header joined with commas, the route in `routeKey`, the caller's
 * address in `requestContext.http.sourceIp`. A body it takes for text is a UTF-8
 * string, bytes that are not UTF-8 replaced (U+FFFD), as the HTTP API hands it
 * over; any other body is base64-encoded.
 */
export function toHttpApiEvent(request: IncomingMessage, body: Buffer, resource: string): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    const value = request.rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const now = new Date();
  const method = request.method ?? 'GET';
  const routeKey = `${method} ${resource}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...httpApiBody(body, headers['content-type']),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

export function writeProxyResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
  headers['content-length'] = String(body.length);
  response.writeHead(result.statusCode, headers);
  response.end(body);
}

export function writeJson(response: ServerResponse, statusCode: number, payload: unknown): void {
  writeProxyResult(response, {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: `${JSON.stringify(payload, null, 2)}\n`,
  });
}
