import { costInput, costPerMillion, costTable, defaultCostPerMillion, MEASURED_SIZES, type CostInput } from '../../../bench/cost';
import { PRICES } from '../../../bench/prices';

const BASE: CostInput = {
  apiType: 'http',
  eventLog: false,
  archive: false,
  memoryMb: 1024,
  billedMs: 100,
  eventBytes: 1000,
  requestLogBytes: 0,
  platformLogBytes: 0,
  accessLogBytes: 0,
};
const line = (input: CostInput, item: string) => costPerMillion(input).lines.find((l) => l.item === item)?.usd;

describe('costPerMillion', () => {
  it('adds the fixed per-request prices: HTTP API $1.00, Lambda $0.20, PutEvents $1.00', () => {
    const { total } = costPerMillion({ ...BASE, billedMs: 0 });
    expect(total).toBeCloseTo(2.2, 6);
  });

  it('charges $3.50 for the REST API instead of $1.00', () => {
    expect(line({ ...BASE, apiType: 'rest' }, 'API Gateway REST API')).toBe(3.5);
    expect(costPerMillion({ ...BASE, apiType: 'rest', billedMs: 0 }).total).toBeCloseTo(4.7, 6);
  });

  it('charges Lambda duration by GB-second: 1024 MB for 100 ms is $1.33 per million', () => {
    expect(line(BASE, 'Lambda duration')).toBeCloseTo(1.33334, 5);
    expect(line({ ...BASE, memoryMb: 256, billedMs: 20 }, 'Lambda duration')).toBeCloseTo(0.25 * 0.02 * 13.3334, 5);
  });

  it('charges each log line its bytes and 26 bytes of overhead at $0.50 per GB', () => {
    expect(line({ ...BASE, requestLogBytes: 974 }, 'CloudWatch Logs: function request line')).toBeCloseTo(0.5, 6);
    // Three platform lines, three overheads.
    expect(line({ ...BASE, platformLogBytes: 922 }, 'CloudWatch Logs: Lambda platform lines')).toBeCloseTo(0.5, 6);
    expect(line({ ...BASE, accessLogBytes: 0 }, 'CloudWatch Logs: API access line')).toBe(0);
  });

  it('charges the archive $0.10 and the event log $0.50 per GB of events', () => {
    expect(line({ ...BASE, archive: true, eventBytes: 1000 }, 'EventBridge archive')).toBeCloseTo(0.1, 6);
    expect(line({ ...BASE, eventLog: true, eventBytes: 974 }, 'CloudWatch Logs: event log')).toBeCloseTo(0.5, 6);
    expect(line(BASE, 'EventBridge archive')).toBeUndefined();
  });

  it('counts an event over 64 KB as two PutEvents, and a request over 512 KB as two HTTP API requests', () => {
    expect(line({ ...BASE, eventBytes: 64 * 1024 + 1 }, 'EventBridge PutEvents')).toBe(2);
    expect(line({ ...BASE, requestBytes: 512 * 1024 + 1 }, 'API Gateway HTTP API')).toBe(2);
  });

  it('refuses WAF with an HTTP API, which cannot have it', () => {
    expect(() => costPerMillion({ ...BASE, waf: true })).toThrow(/apiType rest/);
    expect(line({ ...BASE, apiType: 'rest', waf: true }, 'AWS WAF requests')).toBe(PRICES.wafRequestsPerMillion);
  });

  it('totals its lines', () => {
    const result = costPerMillion({ ...BASE, archive: true, eventLog: true, requestLogBytes: 500, platformLogBytes: 250, accessLogBytes: 170 });
    expect(result.total).toBeCloseTo(result.lines.reduce((sum, l) => sum + l.usd, 0), 6);
  });
});

describe('the table of setting combinations', () => {
  const rows = costTable({ billedMsByMemory: { 256: 40, 512: 30, 1024: 25 } });

  it('has every apiType × eventLog × archive × function logs × memory', () => {
    expect(rows).toHaveLength(2 * 2 * 2 * 2 * 3);
  });

  it('makes the REST API $2.50 dearer than the HTTP API, all else equal, with the access line’s difference', () => {
    const http = costPerMillion(costInput({ apiType: 'http', eventLog: false, archive: true, memoryMb: 256, functionLogs: 'all' }, 40));
    const rest = costPerMillion(costInput({ apiType: 'rest', eventLog: false, archive: true, memoryMb: 256, functionLogs: 'all' }, 40));
    const accessDifference = ((MEASURED_SIZES.restAccessLogBytes - MEASURED_SIZES.httpAccessLogBytes) * 1e6 * 0.5) / 1e9;
    expect(rest.total - http.total).toBeCloseTo(2.5 + accessDifference, 5);
  });

  it('gives the defaults’ figure for bench/run.ts', () => {
    const result = defaultCostPerMillion(256, 40);
    expect(result.lines.map((l) => l.item)).toContain('API Gateway HTTP API');
    expect(result.lines.map((l) => l.item)).toContain('EventBridge archive');
    expect(result.lines.map((l) => l.item)).not.toContain('CloudWatch Logs: event log');
  });
});
