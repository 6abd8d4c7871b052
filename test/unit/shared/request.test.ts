import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError, errorResponse } from '../../../lambda/shared/errors';
import { incomingRequest, requestRoute } from '../../../lambda/shared/request';
import { readAllowedSourceCidrs, sourceCheck } from '../../../lambda/shared/source-allowlist';

const BODY = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><x>\u00e9</x>', 'latin1');

/** A REST API proxy event (payload 1.0), with only what the adapter reads filled in. */
function v1(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    resource: '/scep-challenge/verify',
    path: '/scep-challenge/verify',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'text/xml', Authorization: 'Basic x' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: BODY.toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      requestId: 'rest-1',
      requestTimeEpoch: 1_000,
      identity: { sourceIp: '192.0.2.10' },
    } as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}

/** An HTTP API event (payload 2.0). */
function v2(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /scep-challenge/verify',
    rawPath: '/v1/scep-challenge/verify',
    rawQueryString: '',
    headers: { 'content-type': 'text/xml', authorization: 'Basic x' },
    body: BODY.toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: 'POST', path: '/v1/scep-challenge/verify', protocol: 'HTTP/1.1', sourceIp: '2001:db8::7', userAgent: 'Jamf' },
      requestId: 'http-1',
      routeKey: 'POST /scep-challenge/verify',
      stage: 'v1',
      time: '01/Jan/2025:00:00:00 +0000',
      timeEpoch: 2_000,
    },
    ...overrides,
  };
}

describe('incomingRequest', () => {
  it.each([
    ['payload 1.0 (REST API)', v1(), { requestId: 'rest-1', started: 1_000, sourceIp: '192.0.2.10' }],
    ['payload 2.0 (HTTP API)', v2(), { requestId: 'http-1', started: 2_000, sourceIp: '2001:db8::7' }],
  ])('reads %s: headers in lower case, the exact body bytes, arrival and source address', (_name, event, expected) => {
    const request = incomingRequest(event);
    expect(request).toMatchObject(expected);
    expect(request.headers).toEqual({ 'content-type': 'text/xml', authorization: 'Basic x' });
    expect(request.contentType).toBe('text/xml');
    expect(Buffer.from(request.body).equals(BODY)).toBe(true);
  });

  it('reads a body passed as text in either format', () => {
    for (const event of [v1({ body: '{"a":1}', isBase64Encoded: false }), v2({ body: '{"a":1}', isBase64Encoded: false })]) {
      expect(Buffer.from(incomingRequest(event).body).toString()).toBe('{"a":1}');
    }
  });

  it('reads a missing body as empty in either format', () => {
    expect(incomingRequest(v1({ body: null, isBase64Encoded: false })).body.byteLength).toBe(0);
    expect(incomingRequest(v2({ body: undefined, isBase64Encoded: false })).body.byteLength).toBe(0);
  });

  it('takes now for an arrival in the future or missing (clocks differ a little)', () => {
    const before = Date.now();
    const future = v2();
    future.requestContext.timeEpoch = before + 60_000;
    expect(incomingRequest(future).started).toBeLessThanOrEqual(Date.now());
    expect(incomingRequest(future).started).toBeGreaterThanOrEqual(before);
  });
});

describe('requestRoute', () => {
  it('is the resource in 1.0 and the route key’s path in 2.0, without the stage', () => {
    expect(requestRoute(v1())).toBe('/scep-challenge/verify');
    expect(requestRoute(v2())).toBe('/scep-challenge/verify');
    expect(requestRoute(v2({ routeKey: '$default' }))).toBe('/v1/scep-challenge/verify');
  });
});

describe('the source allowlist', () => {
  const check = sourceCheck(['192.0.2.0/24', '2001:db8::/32']);

  it('lets addresses in the ranges through, IPv4, IPv6 and IPv4-mapped', () => {
    for (const ip of ['192.0.2.10', '2001:db8::7', '::ffff:192.0.2.200']) expect(() => check(ip)).not.toThrow();
  });

  it('answers 403 with a JSON error for any other address, or none', () => {
    for (const ip of ['198.51.100.1', '2001:db9::1', undefined, 'not an ip']) {
      let error: unknown;
      try {
        check(ip);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ForbiddenError);
      const response = errorResponse(error);
      expect(response.statusCode).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'SourceNotAllowed' });
    }
  });

  it('lets everyone through without ranges', () => {
    expect(() => sourceCheck(undefined)('198.51.100.1')).not.toThrow();
  });

  it('reads the ranges from ALLOWED_SOURCE_CIDRS and refuses one that is not a range', () => {
    expect(readAllowedSourceCidrs({ ALLOWED_SOURCE_CIDRS: '192.0.2.0/24, 2001:db8::/32' })).toEqual(['192.0.2.0/24', '2001:db8::/32']);
    expect(readAllowedSourceCidrs({})).toBeUndefined();
    expect(() => readAllowedSourceCidrs({ ALLOWED_SOURCE_CIDRS: '192.0.2.0' })).toThrow(/not a CIDR range/);
  });
});
