/**
 * Rules and subscribers in the local runtime, over real HTTP on loopback: what matched each
 * event (`MatchedRules` in /_local/events), what the subscribers got and did
 * (/_local/invocations), and that a failing or slow subscriber changes nothing for Jamf.
 */
import type { Context } from 'aws-lambda';
import type { DeliveredEvent } from '../../lambda/local/rules';
import type { LocalInvocation } from '../../lambda/local/subscribers';
import { CONTENT_TYPES, fixtureBytes } from '../support/fixtures';
import { getJson, post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';

const AUTH = { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };

/** What each subscriber was handed, in order. */
const received: { rule: string; event: DeliveredEvent; context: Context }[] = [];
/** Holds the slow subscriber until the test has seen the webhook's answer. */
let releaseSlow: () => void = () => {};
const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));
const printed: LocalInvocation[] = [];

const stack = useLocalRuntime({
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
  rules: {
    Computers: { source: ['jamf.pro'], 'detail-type': [{ prefix: 'jamf.Computer' }] },
    MacOS15: { detail: { event: { osVersion: [{ prefix: '15.' }], ipAddress: [{ cidr: '198.51.100.0/24' }] } } },
    Throws: { 'detail-type': ['jamf.ComputerAdded'] },
    Rejects: { 'detail-type': ['jamf.ComputerAdded'] },
    NotJson: { 'detail-type': ['jamf.ComputerAdded'] },
    Slow: { 'detail-type': ['jamf.ComputerCheckIn'] },
    Hangs: { 'detail-type': ['jamf.JSSShutdown'] },
    NoSubscriber: { 'detail-type': ['jamf.MobileDeviceCheckIn'] },
  },
  subscribers: {
    Computers: async (event, context) => {
      received.push({ rule: 'Computers', event, context });
      return { serialNumber: (event.detail as { event: { serialNumber: string } }).event.serialNumber, remainingMs: context.getRemainingTimeInMillis() };
    },
    MacOS15: (event, context) => {
      received.push({ rule: 'MacOS15', event, context });
    },
    Throws: () => {
      throw new TypeError('boom');
    },
    Rejects: async () => Promise.reject(new Error('no luck')),
    NotJson: () => ({ count: BigInt(1) }),
    Slow: async (event, context) => {
      await slowReleased;
      received.push({ rule: 'Slow', event, context });
      return 'done';
    },
    Hangs: () => new Promise(() => {}),
  },
  subscriberTimeoutMs: 1500,
  onInvocation: (invocation) => printed.push(invocation),
});

async function send(name: string): Promise<string> {
  const response = await post(stack().webhookUrl, fixtureBytes(name, 'json'), { 'content-type': CONTENT_TYPES.json, ...AUTH });
  expect(response.status).toBe(200);
  return response.body.eventId as string;
}

/** The invocations of one event, once `count` of them have finished (polled over HTTP). */
async function invocationsOf(eventId: string, count: number): Promise<LocalInvocation[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const all = (await getJson(`${stack().url}/_local/invocations`)) as LocalInvocation[];
    const mine = all.filter((invocation) => invocation.eventId === eventId);
    if (mine.length >= count || Date.now() > deadline) return mine;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function eventOf(detailType: string) {
  const events = await getJson(`${stack().url}/_local/events`);
  return events.filter((event: { DetailType: string }) => event.DetailType === detailType).at(-1);
}

describe('rules and subscribers in the local runtime', () => {
  describe('when an event matches rules', () => {
    let eventId = '';
    beforeAll(async () => {
      eventId = await send('ComputerAdded');
      await stack().subscribersSettled();
    });

    it('lists the rules it matched, in the rules order, in /_local/events', async () => {
      expect((await eventOf('jamf.ComputerAdded')).MatchedRules).toEqual(['Computers', 'MacOS15', 'Throws', 'Rejects', 'NotJson']);
    });

    it('keeps the fields /_local/events had', async () => {
      const event = await eventOf('jamf.ComputerAdded');
      expect(Object.keys(event)).toEqual(['EventBusName', 'Source', 'DetailType', 'Time', 'Detail', 'MatchedRules']);
    });

    it('invokes each subscriber with the event as EventBridge delivers it to a target', async () => {
      const published = await eventOf('jamf.ComputerAdded');
      const computers = received.find((r) => r.rule === 'Computers' && r.event.id === eventId)!;
      expect(computers.event).toEqual({
        version: '0',
        id: eventId,
        'detail-type': 'jamf.ComputerAdded',
        source: 'jamf.pro',
        account: '000000000000',
        time: published.Time.replace(/\.\d+Z$/, 'Z'),
        region: 'us-east-1',
        resources: [],
        detail: published.Detail,
      });
      expect(computers.event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(computers.context).toMatchObject({
        functionName: 'Computers',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Computers',
      });
    });

    it('gives each subscriber its own copy of the event', () => {
      const copies = received.filter((r) => r.event.id === eventId);
      expect(copies.map((r) => r.rule)).toEqual(['Computers', 'MacOS15']);
      expect(copies[0]!.event).not.toBe(copies[1]!.event);
      expect(copies[0]!.event).toEqual(copies[1]!.event);
    });

    it('records what each subscriber returned or threw at /_local/invocations', async () => {
      const invocations = await invocationsOf(eventId, 5);
      const byRule = Object.fromEntries(invocations.map((invocation) => [invocation.rule, invocation]));
      expect(byRule.Computers).toMatchObject({ status: 'ok', detailType: 'jamf.ComputerAdded', result: { serialNumber: 'L9XK2W7QHV' } });
      expect(byRule.Computers!.durationMs).toBeGreaterThanOrEqual(0);
      expect(byRule.MacOS15).toMatchObject({ status: 'ok' });
      expect(byRule.MacOS15).not.toHaveProperty('result');
      expect(byRule.Throws).toMatchObject({ status: 'error', error: 'TypeError: boom' });
      expect(byRule.Rejects).toMatchObject({ status: 'error', error: 'Error: no luck' });
      expect(byRule.NotJson).toMatchObject({ status: 'ok', resultOmitted: expect.stringMatching(/^not JSON: .*BigInt/) });
      // The rule without a handler is matched, not invoked.
      expect(invocations.map((invocation) => invocation.rule).sort()).toEqual(['Computers', 'MacOS15', 'NotJson', 'Rejects', 'Throws']);
    });

    it('reports each invocation once to onInvocation (npm start prints it)', () => {
      expect(printed.filter((invocation) => invocation.eventId === eventId)).toHaveLength(5);
    });

    it('keeps answering after a subscriber threw', async () => {
      expect((await fetch(`${stack().url}/healthz`)).status).toBe(200);
      expect(await send('ComputerAdded')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('when an event matches no rule', () => {
    it('lists MatchedRules: [] and invokes nobody', async () => {
      const eventId = await send('JSSStartup');
      expect((await eventOf('jamf.JSSStartup')).MatchedRules).toEqual([]);
      await stack().subscribersSettled();
      expect(await invocationsOf(eventId, 0)).toEqual([]);
    });
  });

  describe('when the rule it matches has no subscriber', () => {
    it('lists the rule and invokes nobody', async () => {
      const eventId = await send('MobileDeviceCheckIn');
      expect((await eventOf('jamf.MobileDeviceCheckIn')).MatchedRules).toEqual(['NoSubscriber']);
      await stack().subscribersSettled();
      expect(await invocationsOf(eventId, 0)).toEqual([]);
    });
  });

  describe('when a subscriber is slow', () => {
    it('answers the webhook without waiting for it', async () => {
      const eventId = await send('ComputerCheckIn');
      // The webhook has its 200 while Slow still waits for the test.
      expect(await invocationsOf(eventId, 1).then((all) => all.filter((i) => i.rule === 'Slow'))).toEqual([]);
      releaseSlow();
      const [slow] = (await invocationsOf(eventId, 2)).filter((i) => i.rule === 'Slow');
      expect(slow).toMatchObject({ status: 'ok', result: 'done' });
    });

    it('reports one that never settles as timed out', async () => {
      const eventId = await send('JSSShutdown');
      const [hangs] = (await invocationsOf(eventId, 1)).filter((i) => i.rule === 'Hangs');
      expect(hangs).toMatchObject({ status: 'error', error: expect.stringMatching(/^Task timed out after 1\.5 seconds/) });
    });
  });

  it('says how many invocations were dropped', async () => {
    const response = await fetch(`${stack().url}/_local/invocations`);
    expect(response.headers.get('x-local-invocations-dropped')).toBe('0');
  });
});
