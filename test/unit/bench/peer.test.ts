import { XMLParser } from 'fast-xml-parser';
import { decodeWebhook } from '../../../lambda/decode/decode';
import { toPutEventsEntry } from '../../../lambda/publish/entry';
import { fixture, fixtureNames } from '../../../bench/events';
import { floorEntry, peerEntry, peerJson, peerXml } from '../../../bench/peer';

const TARGET = { eventBusName: 'bus', eventSource: 'jamf.pro' };

/** The bench compares ours with the peer only if the peer does the same job: these say it does. */
describe('the 20-line peer of the bench', () => {
  const parser = new XMLParser();
  const cases = fixtureNames().flatMap((name) => [
    [name, 'json'],
    [name, 'xml'],
  ]) as [string, 'json' | 'xml'][];

  it('is run on all 23 fixture events', () => {
    expect(cases).toHaveLength(46);
  });

  it.each(cases)('builds the entry ours builds, less our checks, for %s (%s)', (name, format) => {
    const body = fixture(name, format);
    const peer = peerEntry(body, format === 'json' ? peerJson : peerXml(parser), TARGET);
    const ours = toPutEventsEntry(decodeWebhook(body, format === 'json' ? 'application/json' : 'text/xml'), TARGET, new Date());
    expect(peer).toMatchObject({ EventBusName: 'bus', Source: 'jamf.pro', DetailType: ours.DetailType });
    expect(peer.Time?.getTime()).toBe(ours.Time?.getTime());
    const detail = JSON.parse(peer.Detail!) as { webhook: { webhookEvent: string }; event: unknown };
    expect(detail.webhook.webhookEvent).toBe(name);
    expect(detail.event).toEqual(expect.any(Object));
  });

  it('refuses a body that is no Jamf webhook', () => {
    expect(() => peerEntry(Buffer.from('{"webhook":{}}'), peerJson, TARGET)).toThrow(/webhookEvent/);
    expect(() => peerEntry(Buffer.from('<Other/>'), peerXml(parser), TARGET)).toThrow(/webhookEvent/);
  });

  it.each(cases)('the floor adds to the peer only a delivery block like ours, for %s (%s)', (name, format) => {
    const body = fixture(name, format);
    const parse = format === 'json' ? peerJson : peerXml(parser);
    const receivedAt = new Date('2026-11-27T10:00:00.000Z');
    const peer = JSON.parse(peerEntry(body, parse, TARGET).Detail!) as Record<string, unknown>;
    const floor = JSON.parse(floorEntry(body, parse, TARGET, receivedAt).Detail!) as Record<string, unknown>;
    const ours = JSON.parse(toPutEventsEntry(decodeWebhook(body, format === 'json' ? 'application/json' : 'text/xml'), TARGET, receivedAt).Detail!) as {
      delivery: Record<string, unknown>;
    };
    const { delivery, ...rest } = floor;
    expect(rest).toEqual(peer);
    expect(delivery).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), receivedAt: ours.delivery.receivedAt, encoding: 'utf-8' });
    // Hashed from the text it publishes, as ours is: a different text, a different id.
    expect(floorEntry(Buffer.from(body.toString('utf8').replace(name, `${name}X`)), parse, TARGET, receivedAt).Detail).not.toContain((delivery as { id: string }).id);
  });
});
