import type { APIGatewayProxyEvent } from 'aws-lambda';

/** An API Gateway REST proxy event as the deployed API sends it: body base64, headers as sent. */
export function proxyEvent(
  body: string | Buffer,
  headers: Record<string, string> = {},
  /** The route, as API Gateway names it in `resource`. */
  resource = '/webhooks',
): APIGatewayProxyEvent {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    resource,
    path: resource,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: bytes.toString('base64'),
    isBase64Encoded: true,
    requestContext: { requestId: 'test-request' } as APIGatewayProxyEvent['requestContext'],
  };
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
