/**
 * The yardstick for cold imports: the smallest honest handler of the ingest
 * function's shape (configuration read and an EventBridge client created at
 * init, a handler that decodes the body and puts one entry) that loads only
 * `@aws-sdk/client-eventbridge`. The bench bundles it with the shipped
 * options (lib/bundle.ts) in the same run as the real handlers, so
 * `init.<name>.ratio` prices what our handlers load beyond the SDK client
 * any such function needs. Never deployed.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { peerEntry, peerJson } from '../peer';

const target = { eventBusName: process.env.EVENT_BUS_NAME ?? 'default', eventSource: 'jamf' };
const client = new EventBridgeClient({});

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const result = await client.send(new PutEventsCommand({ Entries: [peerEntry(body, peerJson, target)] }));
  return { statusCode: result.FailedEntryCount ? 502 : 200, body: JSON.stringify({ eventId: result.Entries?.[0]?.EventId }) };
}
