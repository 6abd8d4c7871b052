import { logRequest, setLogWriter } from '../../../lambda/shared/log';
import { deviceHint, humanRequestLine, PublishedHints } from '../../../lambda/local/log-format';
import type { PublishedEvent } from '../../../lambda/local/event-bus';

function jsonLineOf(entry: Parameters<typeof logRequest>[0]): string {
  let line = '';
  const previous = setLogWriter((text) => (line = text));
  try {
    logRequest(entry, Date.UTC(2026, 10, 27, 14, 3, 12));
  } finally {
    setLogWriter(previous);
  }
  return line;
}

const published = jsonLineOf({
  function: 'ingest',
  requestId: 'r1',
  eventName: 'ComputerAdded',
  outcome: 'published',
  status: 200,
  latencyMs: 8.4,
  eventId: '6f1c0b7e-0000-4000-8000-000000000001',
  attempts: 1,
  metrics: { Published: 1, DeadLettered: 0, PublishFailed: 0 },
});

describe('the local runtime terminal line', () => {
  it('is one short line with status, outcome, event, route, latency, device and event id', () => {
    const line = humanRequestLine(published, { method: 'POST', path: '/webhooks' }, 'serialNumber=C02XK1JQJGH5');
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd()).not.toContain('\n');
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d  200 published\s+ComputerAdded\s+POST \/webhooks\s+8 ms  serialNumber=C02XK1JQJGH5  id=6f1c0b7e-0000-4000-8000-000000000001\n$/,
    );
    expect(line.length).toBeLessThan(published.length / 2);
  });

  it('says why a request was refused and whether it was kept', () => {
    const rejected = jsonLineOf({
      function: 'ingest',
      requestId: 'r2',
      eventName: 'ComputerAdded',
      outcome: 'rejected',
      status: 422,
      latencyMs: 3,
      errorCode: 'InvalidEvent',
      deadLettered: true,
      metrics: { Published: 0, DeadLettered: 1, PublishFailed: 0 },
    });
    expect(humanRequestLine(rejected)).toMatch(/ 422 rejected\s+ComputerAdded\s+POST \/webhooks\s+3 ms  InvalidEvent  dead-lettered\n$/);
  });

  it('passes anything else through unchanged', () => {
    expect(humanRequestLine('not json')).toBe('not json\n');
    expect(humanRequestLine('{"message":"other"}\n')).toBe('{"message":"other"}\n');
  });

  it('takes the device hint from the published event, once', () => {
    const event: PublishedEvent = {
      EventId: 'e1',
      EventBusName: 'b',
      Source: 'jamf.pro',
      DetailType: 'jamf.ComputerAdded',
      Time: '2026-11-27T14:03:12Z',
      Detail: { event: { computer: { serialNumber: 'C02XK1JQJGH5', deviceName: 'Mac' } } },
    };
    expect(deviceHint(event)).toBe('serialNumber=C02XK1JQJGH5');
    const hints = new PublishedHints();
    hints.onPublished(event);
    expect(hints.take('e1')).toBe('serialNumber=C02XK1JQJGH5');
    expect(hints.take('e1')).toBeUndefined();
  });
});

describe('humanRequestLine for lines that are not requests', () => {
  it('says what a redrive did in one line', () => {
    const line = JSON.stringify({ level: 'INFO', message: 'redrive', read: 3, published: 2, deleted: 2, leftBadInput: 1, leftUnpublishable: 0, leftFailed: 0, _aws: { Timestamp: 0 } });
    expect(humanRequestLine(line)).toMatch(/redrive {4}read 3, published 2; left: 1 bad input, 0 unpublishable, 0 failed\n$/);
  });

  it('says a dead letter went to the log without printing the record', () => {
    const line = JSON.stringify({ level: 'ERROR', message: 'dead-letter', deadLetter: { reason: { code: 'PublishFailed' }, eventName: 'ComputerAdded', body: 'x'.repeat(1000) } });
    const human = humanRequestLine(line);
    expect(human).toMatch(/dead letter written to the log, the queue refused it: PublishFailed ComputerAdded\n$/);
    expect(human.length).toBeLessThan(120);
  });
});
