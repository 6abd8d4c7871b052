/** API Gateway proxy events as the deployed API sends them, for the handlers under measurement. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PROJECT_ROOT } from '../lib/bundle';
import { stepCaSignature } from '../lambda/scep/step-ca';
import { proxyEvent } from '../test/support/requests';
import { BENCH_PASSWORD, BENCH_VERIFY_SECRET } from './aws';

export function fixture(name: string, format: 'json' | 'xml'): Buffer {
  return readFileSync(join(PROJECT_ROOT, 'events', format, `${name}.${format}`));
}

/** The names of the fixture events (events/json/<name>.json), sorted; each has its XML twin. */
export function fixtureNames(): string[] {
  const names = (format: 'json' | 'xml') =>
    readdirSync(join(PROJECT_ROOT, 'events', format))
      .filter((file) => file.endsWith(`.${format}`))
      .map((file) => file.slice(0, -format.length - 1))
      .sort();
  const json = names('json');
  if (json.join() !== names('xml').join()) throw new Error('events/json and events/xml hold different events');
  return json;
}

const JAMF_AUTH = `Basic ${Buffer.from(`jamf:${BENCH_PASSWORD}`).toString('base64')}`;

export function jamfEvent(resource: string, name: string, format: 'json' | 'xml'): APIGatewayProxyEvent {
  return jamfBodyEvent(resource, fixture(name, format), format);
}

/** A webhook with `body`, as Jamf Pro sends it with the bench's credential. */
export function jamfBodyEvent(resource: string, body: Buffer, format: 'json' | 'xml'): APIGatewayProxyEvent {
  return proxyEvent(body, { authorization: JAMF_AUTH, 'content-type': format === 'json' ? 'application/json' : 'text/xml' }, resource);
}

export function stepCaEvent(challenge: string): APIGatewayProxyEvent {
  const body = JSON.stringify({ scepChallenge: challenge, scepTransactionID: 'tx-bench', provisionerName: 'bench' });
  return proxyEvent(
    body,
    {
      'content-type': 'application/json',
      'x-smallstep-signature': stepCaSignature(Buffer.from(BENCH_VERIFY_SECRET, 'base64'), body),
    },
    '/scep-challenge/verify',
  );
}
