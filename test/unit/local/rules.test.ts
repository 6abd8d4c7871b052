import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishedEvent } from '../../../lambda/local/event-bus';
import { humanInvocationLine } from '../../../lambda/local/log-format';
import { deliveredEvent, InvalidLocalRulesError, matchingRules, parseLocalRules, readLocalRulesFile } from '../../../lambda/local/rules';
import { readLocalRuntimeVariables } from '../../../lambda/local/settings';
import { LocalSubscribers, MAX_RESULT_BYTES, subscribersWithoutRule, type LocalInvocation, type LocalSubscriber } from '../../../lambda/local/subscribers';

const dir = mkdtempSync(join(tmpdir(), 'jamf-eventbridge-rules-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const published: PublishedEvent = {
  EventId: '6f1c2b8e-0000-4000-8000-000000000001',
  EventBusName: 'jamf-eventbridge',
  Source: 'jamf.pro',
  DetailType: 'jamf.ComputerAdded',
  Time: '2026-01-14T09:12:37.481Z',
  Detail: { event: { serialNumber: 'L9XK2W7QHV', osVersion: '15.5' } },
};

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('nothing was thrown');
}

describe('parseLocalRules', () => {
  it('keeps the rules in the order the document gives them', () => {
    const rules = parseLocalRules({ B: { source: ['jamf.pro'] }, A: { 'detail-type': [{ prefix: 'jamf.' }] } });
    expect([...rules.keys()]).toEqual(['B', 'A']);
  });

  it.each([
    ['an array', [], /must be a JSON object of rule names to event patterns/],
    ['a rule name EventBridge refuses', { 'my rule': { source: ['x'] } }, /rule name "my rule" is not one EventBridge takes/],
    ['a rule name over 64 characters', { ['R'.repeat(65)]: { source: ['x'] } }, /is not one EventBridge takes: 1 to 64/],
    ['a broken pattern', { Computers: { source: 'jamf.pro' } }, /^rules: rule "Computers": invalid event pattern at source: /],
  ])('refuses %s with an InvalidLocalRulesError', (_what, json, message) => {
    const error = thrown(() => parseLocalRules(json));
    expect(error).toBeInstanceOf(InvalidLocalRulesError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });
});

describe('readLocalRulesFile', () => {
  it('reads and checks the file', () => {
    const path = join(dir, 'rules.json');
    writeFileSync(path, JSON.stringify({ Computers: { 'detail-type': [{ prefix: 'jamf.Computer' }] } }));
    expect([...readLocalRulesFile(path).keys()]).toEqual(['Computers']);
  });

  it('names the variable and the file when it cannot be read or is not JSON', () => {
    expect(thrown(() => readLocalRulesFile(join(dir, 'missing.json'))).message).toMatch(/^LOCAL_RULES: cannot read .*missing\.json: ENOENT/);
    const path = join(dir, 'not-json.json');
    writeFileSync(path, '{ "Computers": ');
    expect(thrown(() => readLocalRulesFile(path)).message).toMatch(/^LOCAL_RULES: .*not-json\.json is not JSON: /);
  });

  it('is what readLocalRuntimeVariables reads from LOCAL_RULES', () => {
    const path = join(dir, 'from-env.json');
    writeFileSync(path, JSON.stringify({ Everything: { source: [{ exists: true }] } }));
    expect([...readLocalRuntimeVariables({ LOCAL_RULES: path }).rules!.keys()]).toEqual(['Everything']);
    expect(readLocalRuntimeVariables({ LOCAL_RULES: '  ' })).toEqual({});
    writeFileSync(path, JSON.stringify({ Broken: { source: [] } }));
    expect(() => readLocalRuntimeVariables({ LOCAL_RULES: path })).toThrow(`LOCAL_RULES (${path}): rule "Broken": invalid event pattern at source: empty arrays are not allowed`);
  });
});

describe('deliveredEvent', () => {
  it("is EventBridge's envelope around the published entry, the time to the second", () => {
    expect(deliveredEvent(published, 'eu-west-1')).toEqual({
      version: '0',
      id: published.EventId,
      'detail-type': 'jamf.ComputerAdded',
      source: 'jamf.pro',
      account: '000000000000',
      time: '2026-01-14T09:12:37Z',
      region: 'eu-west-1',
      resources: [],
      detail: published.Detail,
    });
  });

  it('is what the rules are matched against, envelope fields included', () => {
    const rules = parseLocalRules({
      Region: { region: ['eu-west-1'], account: ['000000000000'], version: ['0'] },
      MacOS15: { detail: { event: { osVersion: [{ prefix: '15.' }] } } },
      Mobile: { 'detail-type': [{ prefix: 'jamf.Mobile' }] },
    });
    expect(matchingRules(rules, deliveredEvent(published, 'eu-west-1'))).toEqual(['Region', 'MacOS15']);
  });
});

describe('LocalSubscribers', () => {
  const event = deliveredEvent(published, 'us-east-1');
  const subscribers = (handlers: Record<string, LocalSubscriber>, options: Partial<ConstructorParameters<typeof LocalSubscribers>[1]> = {}) =>
    new LocalSubscribers(new Map(Object.entries(handlers)), { region: 'us-east-1', maxInvocations: 100, ...options });

  it('invokes nothing before the current turn of the event loop is over', async () => {
    const calls: string[] = [];
    const local = subscribers({ A: () => void calls.push('A') });
    local.deliver(event, ['A']);
    calls.push('after deliver');
    await local.settled();
    expect(calls).toEqual(['after deliver', 'A']);
  });

  it('skips rules without a handler', async () => {
    const local = subscribers({ A: () => 'a' });
    local.deliver(event, ['A', 'NoHandler']);
    await local.settled();
    expect(local.invocations.map((invocation) => invocation.rule)).toEqual(['A']);
  });

  it('keeps the last maxInvocations and counts the dropped', async () => {
    const local = subscribers({ A: () => 'a' }, { maxInvocations: 2 });
    for (let i = 0; i < 5; i++) local.deliver({ ...event, id: `e${i}` }, ['A']);
    await local.settled();
    expect(local.invocations.map((invocation) => invocation.eventId)).toEqual(['e3', 'e4']);
    expect(local.dropped).toBe(3);
  });

  it('says why a returned value is left out', async () => {
    const local = subscribers({ Big: () => 'x'.repeat(MAX_RESULT_BYTES), Fn: () => () => 1, Cycle: () => { const a: Record<string, unknown> = {}; a.a = a; return a; } });
    local.deliver(event, ['Big', 'Fn', 'Cycle']);
    await local.settled();
    expect(local.invocations.map(({ rule, status, resultOmitted }) => ({ rule, status, resultOmitted }))).toEqual([
      { rule: 'Big', status: 'ok', resultOmitted: `over ${MAX_RESULT_BYTES} bytes of JSON` },
      { rule: 'Fn', status: 'ok', resultOmitted: 'not JSON: function' },
      { rule: 'Cycle', status: 'ok', resultOmitted: expect.stringMatching(/^not JSON: .*circular/i) },
    ]);
  });

  it('reports a thrown value that is not an Error', async () => {
    const local = subscribers({ A: () => Promise.reject('nope') });
    local.deliver(event, ['A']);
    await local.settled();
    expect(local.invocations[0]).toMatchObject({ status: 'error', error: 'threw "nope"' });
  });

  it('records the invocation even when onInvocation throws', async () => {
    const local = subscribers({ A: () => 'a' }, { onInvocation: () => { throw new Error('printer broke'); } });
    local.deliver(event, ['A']);
    await local.settled();
    expect(local.invocations).toHaveLength(1);
  });

  it('gives a context whose remaining time runs down from the timeout', async () => {
    let remaining = -1;
    const local = subscribers({ A: (_event, context) => void (remaining = context.getRemainingTimeInMillis()) }, { timeoutMs: 5000 });
    local.deliver(event, ['A']);
    await local.settled();
    expect(remaining).toBeGreaterThan(4000);
    expect(remaining).toBeLessThanOrEqual(5000);
  });

  it('finds the handlers that no rule names', () => {
    const handlers = new Map<string, LocalSubscriber>([['A', () => 1], ['Orphan', () => 1]]);
    expect(subscribersWithoutRule(handlers, parseLocalRules({ A: { source: ['x'] } }))).toEqual(['Orphan']);
  });
});

describe('humanInvocationLine', () => {
  it('shows what the handler returned', () => {
    const line = humanInvocationLine({
      rule: 'PolicyFailed',
      eventId: 'e1',
      detailType: 'jamf.ComputerPolicyFinished',
      requestId: 'r',
      startedAt: new Date().toISOString(),
      durationMs: 1,
      status: 'ok',
      result: { serialNumber: 'C02XK1JQJGH5', jssID: 7 },
    });
    expect(line).toMatch(/subscriber ok {5}PolicyFailed +jamf\.ComputerPolicyFinished +1 ms {2}result=\{"serialNumber":"C02XK1JQJGH5","jssID":7\} {2}id=e1\n$/);
  });

  it('is one line with the rule, the event, the time taken and the error', () => {
    const invocation: LocalInvocation = {
      rule: 'Throws',
      eventId: published.EventId,
      detailType: 'jamf.ComputerAdded',
      requestId: 'r',
      startedAt: new Date(2026, 0, 14, 9, 12, 37).toISOString(),
      durationMs: 3.4,
      status: 'error',
      error: 'TypeError: boom\n    at Throws (subscribers.ts:2:30)',
    };
    expect(humanInvocationLine(invocation)).toMatch(
      /^09:12:37 {2}subscriber error {2}Throws +jamf\.ComputerAdded +3 ms {2}TypeError: boom at Throws \(subscribers\.ts:2:30\) {2}id=6f1c2b8e-0000-4000-8000-000000000001\n$/,
    );
  });
});
