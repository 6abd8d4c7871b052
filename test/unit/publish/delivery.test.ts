import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { decodeWebhook } from '../../../lambda/decode/decode';
import { assertSafeStructure, inCanonicalOrder } from '../../../lambda/decode/structure';
import { canonicalJson, deliveryOf, isoTime } from '../../../lambda/publish/delivery';
import { CONTENT_TYPES, fixtureBytes, fixtureJson, fixtureNames } from '../../support/fixtures';

const receivedAt = new Date('2026-11-27T10:00:00.000Z');
const later = new Date('2026-11-27T10:00:05.000Z');
const decode = (body: string | Buffer, type = 'application/json') => decodeWebhook(Buffer.from(body), type).detail;

describe('deliveryOf', () => {
  it.each(fixtureNames())('gives %s the same id from JSON and from XML', (name) => {
    const json = decodeWebhook(fixtureBytes(name, 'json'), CONTENT_TYPES.json).detail;
    const xml = decodeWebhook(fixtureBytes(name, 'xml'), CONTENT_TYPES.xml).detail;
    expect(deliveryOf(xml, later, 'utf-8').id).toBe(deliveryOf(json, receivedAt, 'utf-8').id);
  });

  it('is 32 lowercase hex characters, and says when the webhook arrived', () => {
    expect(deliveryOf(decode(fixtureBytes('ComputerAdded', 'json')), receivedAt, 'utf-8')).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      receivedAt: '2026-11-27T10:00:00.000Z',
      encoding: 'utf-8',
    });
  });

  it('is the same on every copy of a webhook with a timestamp, whenever it arrives', () => {
    const detail = decode(fixtureBytes('ComputerCheckIn', 'json'));
    expect(deliveryOf(detail, later, 'utf-8').id).toBe(deliveryOf(detail, receivedAt, 'utf-8').id);
  });

  it('does not depend on the order fields arrive in', () => {
    const event = fixtureJson('ComputerAdded');
    const reordered = { event: Object.fromEntries(Object.entries(event.event).reverse()), webhook: event.webhook };
    expect(deliveryOf(decode(JSON.stringify(reordered)), receivedAt, 'utf-8').id).toBe(deliveryOf(decode(JSON.stringify(event)), receivedAt, 'utf-8').id);
  });

  it('tells two webhooks apart that differ only in their timestamp', () => {
    const first = fixtureJson('ComputerCheckIn');
    const second = structuredClone(first);
    second.webhook.eventTimestamp += 1;
    expect(deliveryOf(decode(JSON.stringify(second)), receivedAt, 'utf-8').id).not.toBe(deliveryOf(decode(JSON.stringify(first)), receivedAt, 'utf-8').id);
  });

  it('tells two identical timestamp-less webhooks apart by when they arrived', () => {
    const body = JSON.stringify({ webhook: { id: 1, name: 'n', webhookEvent: 'JSSStartup' }, event: {} });
    expect(deliveryOf(decode(body), later, 'utf-8').id).not.toBe(deliveryOf(decode(body), receivedAt, 'utf-8').id);
    expect(deliveryOf(decode(body), receivedAt, 'utf-8').id).toBe(deliveryOf(decode(body), new Date(receivedAt), 'utf-8').id);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps arrays in order', () => {
    expect(canonicalJson({ b: [{ y: 1, x: 2 }, 3], a: null, c: undefined })).toBe('{"a":null,"b":[{"x":2,"y":1},3]}');
  });

  /** The first implementation, kept as the reference the delivery ids were defined by. */
  function reference(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
    if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const fields = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`);
      return `{${fields.join(',')}}`;
    }
    return JSON.stringify(value) ?? 'null';
  }

  it('gives what the reference implementation gives, for any JSON-like tree', () => {
    const key = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('a', 'b', 'A', '10', '9', '_', 'é', '\u{1F600}'));
    const leaf = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('node'), { maxLength: 5 }),
      object: fc.dictionary(key, tie('node'), { maxKeys: 6 }),
    })).node;
    fc.assert(fc.property(tree, (value) => canonicalJson(value) === reference(value)), { numRuns: 2000 });
    // The same trees with their keys sorted, as the decoder builds them: what `JSON.stringify` writes, where it is used.
    // (`inCanonicalOrder` is for trees the decoder accepts: no `__proto__` key, for one.)
    const safe = (value: unknown) => {
      try {
        assertSafeStructure(value);
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(fc.property(tree, (value) => !safe(value) || canonicalJson(inCanonicalOrder(value)) === reference(value)), { numRuns: 2000 });
  });

  it('writes what the reference writes for the trees JSON.stringify would write otherwise', () => {
    const odd: unknown[] = [
      { a: new Date(0) }, { a: () => 1 }, { a: Symbol('s') }, { a: [1, , 2] }, [undefined, () => 1], { a: new String('x') },
      Object.assign(Object.create(null) as object, { a: 1, b: { c: 2 } }), { a: { toJSON: () => 'x' } }, { '9': 1, '10': 2 }, { a: undefined, b: 1 },
    ];
    for (const value of odd) expect(canonicalJson(value)).toBe(reference(value));
  });

  it('gives the reference ids for every fixture, both forms', () => {
    for (const name of fixtureNames()) {
      for (const format of ['json', 'xml'] as const) {
        const detail = decodeWebhook(fixtureBytes(name, format), CONTENT_TYPES[format]).detail;
        const id = createHash('sha256').update(reference(detail)).update(`\n${receivedAt.getTime()}`).digest('hex').slice(0, 32);
        const expected = typeof detail.webhook.eventTimestamp === 'number' ? createHash('sha256').update(reference(detail)).digest('hex').slice(0, 32) : id;
        expect(deliveryOf(detail, receivedAt, 'utf-8').id).toBe(expected);
      }
    }
  });
});

describe('isoTime', () => {
  it('is toISOString, for any time', () => {
    const edges = [0, 1, 951782400000, 951868800000, 4107542399999, 253402300799999, 253402300800000, -1, -62198755200000, 8.64e15, -8.64e15, NaN];
    for (const time of edges) {
      const date = new Date(time);
      if (Number.isNaN(date.getTime())) expect(() => isoTime(date)).toThrow(RangeError);
      else expect(isoTime(date)).toBe(date.toISOString());
    }
    fc.assert(fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (time) => isoTime(new Date(time)) === new Date(time).toISOString()), { numRuns: 5000 });
    fc.assert(fc.property(fc.integer({ min: 0, max: 253402300799999 }), (time) => isoTime(new Date(time)) === new Date(time).toISOString()), { numRuns: 5000 });
  });
});
