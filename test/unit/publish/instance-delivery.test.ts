/**
 * `detail.delivery.instance`: present only for a named Jamf Pro instance, and hashed into the
 * delivery id only then, so that every default id stays what it was (pinned-ids.test.ts) while
 * the same payload from two instances is two events.
 */
import * as v from 'valibot';
import { decodeWebhook } from '../../../lambda/decode/decode';
import { DeliverySchema } from '../../../lambda/events/delivery';
import { deliveryOf } from '../../../lambda/publish/delivery';
import { toPutEventsEntry } from '../../../lambda/publish/entry';
import { CONTENT_TYPES, fixtureBytes, fixtureNames } from '../../support/fixtures';

const bus = { eventBusName: 'b', eventSource: 's' };

function delivery(name: string, format: 'json' | 'xml', instance?: string): { id: string; instance?: string } {
  const decoded = decodeWebhook(fixtureBytes(name, format), CONTENT_TYPES[format]);
  const entry = toPutEventsEntry(decoded, { ...bus, ...(instance === undefined ? {} : { instance }) }, new Date(0));
  return JSON.parse(entry.Detail!).delivery;
}

describe('the delivery block of a named instance', () => {
  it('names the instance, after the fields every delivery block has', () => {
    const decoded = decodeWebhook(fixtureBytes('ComputerAdded', 'json'), CONTENT_TYPES.json);
    const entry = toPutEventsEntry(decoded, { ...bus, instance: 'sandbox' }, new Date(0));

    expect(Object.keys(JSON.parse(entry.Detail!).delivery)).toEqual(['id', 'receivedAt', 'encoding', 'instance']);
    expect(JSON.parse(entry.Detail!).delivery.instance).toBe('sandbox');
    expect(entry.Source).toBe('s');
  });

  it('is what JSON.stringify writes of the detail and deliveryOf, as for the default instance', () => {
    const decoded = decodeWebhook(fixtureBytes('ComputerAdded', 'xml'), CONTENT_TYPES.xml);
    const receivedAt = new Date('2026-01-02T03:04:05.678Z');
    const entry = toPutEventsEntry(decoded, { ...bus, instance: 'eu-2' }, receivedAt);

    expect(entry.Detail).toBe(JSON.stringify({ ...decoded.detail, delivery: deliveryOf(decoded.detail, receivedAt, 'utf-8', 'eu-2') }));
  });

  it('passes the published schema', () => {
    expect(v.safeParse(DeliverySchema, delivery('ComputerAdded', 'json', 'sandbox')).success).toBe(true);
    expect(v.safeParse(DeliverySchema, { ...delivery('ComputerAdded', 'json'), instance: 'Not A Name' }).success).toBe(false);
  });

  it.each(fixtureNames())('gives %s another id from each instance, and the same one from JSON and XML', (name) => {
    const ids = [undefined, 'sandbox', 'production'].map((instance) => delivery(name, 'json', instance).id);

    expect(new Set(ids).size).toBe(3);
    expect(delivery(name, 'xml', 'sandbox').id).toBe(ids[1]);
  });

  it('leaves the default instance without the field', () => {
    expect(delivery('ComputerAdded', 'json')).not.toHaveProperty('instance');
  });
});
