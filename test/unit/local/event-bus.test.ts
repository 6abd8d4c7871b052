import { MAX_ENTRY_BYTES, MAX_REQUEST_BYTES } from '../../../lambda/contract';
import { AwsServiceError } from '../../../lambda/local/aws-endpoint';
import { LocalEventBus } from '../../../lambda/local/event-bus';

const putEvents = (bus: LocalEventBus, entries: unknown[]) =>
  bus.operations['AWSEvents.PutEvents']!({ Entries: entries }, {}) as { FailedEntryCount: number; Entries: Record<string, string>[] };

/** An entry of exactly `bytes` as EventBridge counts them (a Time counts 14). */
function entryOf(bytes: number, extra: Record<string, unknown> = {}) {
  const Source = 'jamf.pro';
  const DetailType = 'jamf.SmartGroupComputerMembershipChange';
  const fixed = Source.length + DetailType.length + 14 + '{"pad":""}'.length;
  const resources = (extra.Resources as string[] | undefined)?.reduce((n, r) => n + r.length, 0) ?? 0;
  return { Source, DetailType, Time: 1781119613, Detail: `{"pad":"${'x'.repeat(bytes - fixed - resources)}"}`, ...extra };
}

describe('the local event bus', () => {
  it('takes an entry of exactly 1 MiB, and refuses one a byte over, as EventBridge does', () => {
    const bus = new LocalEventBus();
    const result = putEvents(bus, [entryOf(MAX_ENTRY_BYTES)]);
    expect(result.FailedEntryCount).toBe(0);
    expect(putEvents(bus, [entryOf(MAX_ENTRY_BYTES + 1)])).toMatchObject({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InvalidArgument', ErrorMessage: `Entry size ${MAX_ENTRY_BYTES + 1} exceeds ${MAX_ENTRY_BYTES}` }],
    });
    expect(bus.events).toHaveLength(1);
  });

  it('counts the bytes of each Resource in an entry', () => {
    const bus = new LocalEventBus();
    const resources = ['arn:aws:ec2:eu-west-1:123456789012:instance/i-1', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-2'];
    // Within the limit with its resources counted...
    expect(putEvents(bus, [entryOf(MAX_ENTRY_BYTES, { Resources: resources })]).FailedEntryCount).toBe(0);
    // ...and over it when they are added to an entry that was at the limit without them.
    expect(putEvents(bus, [{ ...entryOf(MAX_ENTRY_BYTES), Resources: resources }]).FailedEntryCount).toBe(1);
  });

  it('refuses a request whose entries together are over 1 MiB, applying none of them', () => {
    const bus = new LocalEventBus();
    const half = MAX_REQUEST_BYTES / 2;
    expect(putEvents(bus, [entryOf(half), entryOf(half)]).FailedEntryCount).toBe(0);
    expect(() => putEvents(bus, [entryOf(half), entryOf(half + 1)])).toThrow(AwsServiceError);
    expect(() => putEvents(bus, [entryOf(half), entryOf(half + 1)])).toThrow(/Total size of the entries in the request is 1048577 bytes/);
    expect(bus.events).toHaveLength(2);
  });

  it('refuses a request of more than 10 entries', () => {
    expect(() => putEvents(new LocalEventBus(), Array.from({ length: 11 }, () => entryOf(100)))).toThrow(/1 to 10 entries/);
  });
});
