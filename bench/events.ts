/** API Gateway proxy events as the deployed API sends them, for the handlers under measurement. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PROJECT_ROOT } from '../lib/bundle';
import { stepCaSignature } from '../lambda/scep/step-ca';
import { BENCH_PASSWORD, BENCH_VERIFY_SECRET } from './aws';

export function fixture(name: string, format: 'json' | 'xml'): Buffer {
  return readFileSync(join(PROJECT_ROOT, 'events', format, `${name}.${format}`));
}

let sequence = 0;

export function proxyEvent(resource: string, body: Buffer | string, headers: Record<string, string>): APIGatewayProxyEvent {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    resource,
    path: `/v1${resource}`,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: bytes.toString('base64'),
    isBase64Encoded: true,
    requestContext: { requestId: `bench-${++sequence}` } as APIGatewayProxyEvent['requestContext'],
  };
}

const JAMF_AUTH = `Basic ${Buffer.from(`jamf:${BENCH_PASSWORD}`).toString('base64')}`;

export function jamfEvent(resource: string, name: string, format: 'json' | 'xml'): APIGatewayProxyEvent {
  return proxyEvent(resource, fixture(name, format), {
    authorization: JAMF_AUTH,
    'content-type': format === 'json' ? 'application/json' : 'text/xml',
  });
}

export function stepCaEvent(challenge: string): APIGatewayProxyEvent {
  const body = JSON.stringify({ scepChallenge: challenge, scepTransactionID: `tx-${sequence}`, provisionerName: 'bench' });
  return proxyEvent('/scep-challenge/verify', body, {
    'content-type': 'application/json',
    'x-smallstep-signature': stepCaSignature(Buffer.from(BENCH_VERIFY_SECRET, 'base64'), body),
  });
}
