import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { deadLetterMessage } from '../../../lambda/publish/dead-letters';
import { deadLettersInLog } from '../../../lambda/redrive/logs';
import { redriveRecord } from '../../../lambda/redrive/redrive';
import { logDeadLetter, setLogWriter } from '../../../lambda/shared/log';

const ENTRY: PutEventsRequestEntry = {
  Source: 'jamf.pro',
  DetailType: 'jamf.ComputerAdded',
  Detail: JSON.stringify({ webhook: {}, event: {}, delivery: { id: 'b'.repeat(32), receivedAt: '2026-11-27T10:00:00.000Z', encoding: 'utf-8' } }),
};

/** The line the functions write when the queue will not take a dead letter. */
function loggedLine(): string {
  const lines: string[] = [];
  const previous = setLogWriter((line) => lines.push(line));
  try {
    logDeadLetter(
      deadLetterMessage({
        reason: { code: 'PublishFailed', message: 'x', statusCode: 503, ambiguous: true },
        requestId: 'r-1',
        receivedAt: new Date('2026-11-27T10:00:00.000Z'),
        contentType: 'application/json',
        eventName: 'ComputerAdded',
        body: Buffer.from('{"password":"p"}'),
        entry: ENTRY,
      }),
    );
  } finally {
    setLogWriter(previous);
  }
  return lines[0]!.trimEnd();
}

describe('deadLettersInLog', () => {
  it('reads back the line a function writes, raw or with what an export puts before it', () => {
    const line = loggedLine();
    const text = [
      line,
      `2026-11-27T10:00:01.000Z\t3f1c-request\tERROR\t${line}`,
      `2026/11/27/[$LATEST]abc 2026-11-27T10:00:01 ${line}`,
      '{"level":"INFO","message":"webhook","outcome":"published"}',
      'START RequestId: 3f1c Version: $LATEST',
      '{"message":"dead-letter", broken',
    ].join('\n');
    const records = deadLettersInLog(text);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ reason: { code: 'PublishFailed', ambiguous: true }, deliveryId: 'b'.repeat(32), entry: { DetailType: 'jamf.ComputerAdded' } });
  });

  it('gives a redrive what it needs to publish the event exactly as it was built', async () => {
    const [record] = deadLettersInLog(loggedLine());
    const published: PutEventsRequestEntry[] = [];
    const outcome = await redriveRecord(record, async (entry) => {
      published.push(entry);
      return { ok: true, eventId: 'e', attempts: 1, ambiguous: false };
    }, 'jamf-bus');
    expect(outcome).toBe('published');
    // Without Jamf's timestamp, the event's time is the webhook's arrival, not the redrive's.
    expect(published).toEqual([{ ...ENTRY, EventBusName: 'jamf-bus', Time: new Date('2026-11-27T10:00:00.000Z') }]);
  });

  it('masks secrets in the logged body, as in the queue', () => {
    expect(loggedLine()).not.toContain('"password":"p"');
  });
});
