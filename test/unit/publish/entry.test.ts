import { decodeWebhook } from '../../../lambda/decode/decode';
import { deliveryOf } from '../../../lambda/publish/delivery';
import { entrySize, toPutEventsEntry } from '../../../lambda/publish/entry';
import { CONTENT_TYPES, fixtureBytes, fixtureNames } from '../../support/fixtures';

const target = { eventBusName: 'jamf-bus', eventSource: 'jamf.pro' };

describe('toPutEventsEntry', () => {
  it('builds the entry from the canonical detail', () => {
    const decoded = decodeWebhook(fixtureBytes('ComputerAdded', 'xml'), 'text/xml');
    const receivedAt = new Date('2026-11-27T10:00:00.123Z');
    const entry = toPutEventsEntry(decoded, target, receivedAt);
    expect(entry).toEqual({
      EventBusName: 'jamf-bus',
      Source: 'jamf.pro',
      DetailType: 'jamf.ComputerAdded',
      Detail: JSON.stringify({ ...decoded.detail, delivery: deliveryOf(decoded.detail, receivedAt, 'utf-8') }),
      Time: new Date(decoded.detail.webhook.eventTimestamp!),
    });
    expect(JSON.parse(entry.Detail!).delivery).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), receivedAt: '2026-11-27T10:00:00.123Z', encoding: 'utf-8' });
  });

  it('leaves Time to EventBridge when Jamf sent no timestamp', () => {
    const body = JSON.stringify({ webhook: { webhookEvent: 'JSSStartup' }, event: {} });
    const entry = toPutEventsEntry(decodeWebhook(Buffer.from(body), 'application/json'), target, new Date());
    expect(entry).not.toHaveProperty('Time');
  });
});

describe('entrySize', () => {
  it('counts UTF-8 bytes of Source, DetailType and Detail, and 14 for Time, as EventBridge does', () => {
    expect(entrySize({ Source: 'ab', DetailType: 'ü', Detail: '{"é":1}', Time: new Date() })).toBe(2 + 2 + 8 + 14);
  });
});

describe('the Detail of an entry', () => {
  it('is JSON.stringify of the detail with its delivery block last, for every fixture and form', () => {
    for (const name of fixtureNames()) {
      for (const format of ['json', 'xml'] as const) {
        const decoded = decodeWebhook(fixtureBytes(name, format), CONTENT_TYPES[format]);
        const entry = toPutEventsEntry(decoded, target, new Date(0));
        const delivery = JSON.parse(entry.Detail!).delivery;
        expect(entry.Detail).toBe(JSON.stringify({ ...decoded.detail, delivery }));
      }
    }
  });

  it('keeps the place of a delivery block the detail already has', () => {
    const decoded = decodeWebhook(fixtureBytes('JSSStartup', 'json'), CONTENT_TYPES.json);
    const withDelivery = { ...decoded, detail: { delivery: { id: 'old' } as never, ...decoded.detail } };
    const detail = JSON.parse(toPutEventsEntry(withDelivery, target, new Date(0)).Detail!);
    expect(Object.keys(detail)).toEqual(['delivery', 'event', 'webhook']);
    expect(detail.delivery.id).not.toBe('old');
  });
});
