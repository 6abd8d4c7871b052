import { decodeWebhook } from '../../../lambda/decode/decode';
import { canonicalJson, deliveryOf } from '../../../lambda/publish/delivery';
import { CONTENT_TYPES, fixtureBytes, fixtureJson, fixtureNames } from '../../support/fixtures';

const receivedAt = new Date('2026-11-27T10:00:00.000Z');
const later = new Date('2026-11-27T10:00:05.000Z');
const decode = (body: string | Buffer, type = 'application/json') => decodeWebhook(Buffer.from(body), type).detail;

describe('deliveryOf', () => {
  it.each(fixtureNames())('gives %s the same id from JSON and from XML', (name) => {
    const json = decodeWebhook(fixtureBytes(name, 'json'), CONTENT_TYPES.json).detail;
    const xml = decodeWebhook(fixtureBytes(name, 'xml'), CONTENT_TYPES.xml).detail;
    expect(deliveryOf(xml, later, 'utf-8').id).toBe(deliveryOf(json, receivedAt, 'utf-8').id);
  });

  it('is 32 lowercase hex characters, and says when the webhook arrived', () => {
    expect(deliveryOf(decode(fixtureBytes('ComputerAdded', 'json')), receivedAt, 'utf-8')).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      receivedAt: '2026-11-27T10:00:00.000Z',
      encoding: 'utf-8',
    });
  });

  it('is the same on every copy of a webhook with a timestamp, whenever it arrives', () => {
    const detail = decode(fixtureBytes('ComputerCheckIn', 'json'));
    expect(deliveryOf(detail, later, 'utf-8').id).toBe(deliveryOf(detail, receivedAt, 'utf-8').id);
  });

  it('does not depend on the order fields arrive in', () => {
    const event = fixtureJson('ComputerAdded');
    const reordered = { event: Object.fromEntries(Object.entries(event.event).reverse()), webhook: event.webhook };
    expect(deliveryOf(decode(JSON.stringify(reordered)), receivedAt, 'utf-8').id).toBe(deliveryOf(decode(JSON.stringify(event)), receivedAt, 'utf-8').id);
  });

  it('tells two webhooks apart that differ only in their timestamp', () => {
    const first = fixtureJson('ComputerCheckIn');
    const second = structuredClone(first);
    second.webhook.eventTimestamp += 1;
    expect(deliveryOf(decode(JSON.stringify(second)), receivedAt, 'utf-8').id).not.toBe(deliveryOf(decode(JSON.stringify(first)), receivedAt, 'utf-8').id);
  });

  it('tells two identical timestamp-less webhooks apart by when they arrived', () => {
    const body = JSON.stringify({ webhook: { id: 1, name: 'n', webhookEvent: 'JSSStartup' }, event: {} });
    expect(deliveryOf(decode(body), later, 'utf-8').id).not.toBe(deliveryOf(decode(body), receivedAt, 'utf-8').id);
    expect(deliveryOf(decode(body), receivedAt, 'utf-8').id).toBe(deliveryOf(decode(body), new Date(receivedAt), 'utf-8').id);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps arrays in order', () => {
    expect(canonicalJson({ b: [{ y: 1, x: 2 }, 3], a: null, c: undefined })).toBe('{"a":null,"b":[{"x":2,"y":1},3]}');
  });
});
