/**
 * A smart-group change over EventBridge's 1 MiB through the local runtime, over
 * real HTTP and the real SDK clients: it reaches the local bus as parts.
 *
 * While the body limit is at most 768 KiB (MAX_BODY_BYTES_LIMIT), a change is
 * larger as an event than as a body when its text grows in decoding: sent as
 * ISO-8859-1 (a Java client's default), each accented letter is one byte in the
 * body and two in the event.
 */
import { MAX_BODY_BYTES_LIMIT, MAX_ENTRY_BYTES } from '../../lambda/contract';
import { joinParts, PART_LISTS, type PartDetail } from '../../lambda/events';
import { getJson, post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';
import { smartGroupChange } from '../support/smart-group-change';

const AUTH = { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };
const stack = useLocalRuntime({
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
  maxBodyBytes: MAX_BODY_BYTES_LIMIT,
  rules: { 'compliance-group': { source: ['jamf.pro'], detail: { event: { jssid: [64] } } } },
});

interface LocalEvent {
  readonly DetailType: string;
  readonly MatchedRules: readonly string[];
  readonly Detail: PartDetail;
}

describe('a smart-group change just over 1 MiB, sent to the local runtime', () => {
  // 4,700 devices: 766 KB of ISO-8859-1 JSON, 1.06 MB as one event. (Its XML is larger than the body
  // limit: test/unit/publish/parts.test.ts shows the XML form splits into the same parts.)
  const change = smartGroupChange({ members: 4700, text: 'latin1' });

  it('arrives in /_local/events as parts, each within 1 MiB, that join back into the change', async () => {
    expect(change.json.byteLength).toBeLessThan(MAX_BODY_BYTES_LIMIT);
    const before = (await getJson(`${stack().url}/_local/events`)).length;
    const response = await post(stack().webhookUrl, change.json, { 'content-type': change.contentType.json, ...AUTH });
    expect(response).toMatchObject({ status: 200, body: { status: 'published', detailType: `jamf.${change.eventName}`, parts: 2 } });
    // The parts go out in requests of their own, at once: they may arrive in either order.
    const events = ((await getJson(`${stack().url}/_local/events`)) as LocalEvent[])
      .slice(before)
      .sort((a, b) => a.Detail.delivery.part!.index - b.Detail.delivery.part!.index);
    expect(events.map((event) => event.Detail.delivery.part)).toEqual([{ index: 1, count: 2 }, { index: 2, count: 2 }]);
    expect(new Set(events.map((event) => event.Detail.delivery.id)).size).toBe(1);
    for (const event of events) {
      expect(event.DetailType).toBe(`jamf.${change.eventName}`);
      expect(Buffer.byteLength(JSON.stringify(event.Detail))).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
      // A rule on the group's id matches every part.
      expect(event.MatchedRules).toEqual(['compliance-group']);
    }
    const joined = joinParts(events.map((event) => event.Detail))!;
    expect(Object.fromEntries(PART_LISTS[change.eventName].map((name) => [name, joined.event[name]]))).toEqual(change.lists);
  });
});
