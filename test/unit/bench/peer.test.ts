import { XMLParser } from 'fast-xml-parser';
import { decodeWebhook } from '../../../lambda/decode/decode';
import { toPutEventsEntry } from '../../../lambda/publish/entry';
import { fixture, fixtureNames } from '../../../bench/events';
import { peerEntry, peerJson, peerXml } from '../../../bench/peer';

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
});
