import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeEvent, readEnvelope, type DecodedWebhook } from '../../../lambda/decode/canonical';
import { compiledDetail, compileSchema, REJECTED } from '../../../lambda/decode/compiled';
import { decodeTree } from '../../../lambda/decode/decode';
import { parseXml } from '../../../lambda/decode/xml';
import { canonicalJson } from '../../../lambda/publish/delivery';
import { toPutEventsEntry } from '../../../lambda/publish/entry';
import { canonicalEventName, EVENT_NAMES, EVENT_SCHEMAS } from '../../../lambda/events/catalogue';
import { UnknownEventSchema } from '../../../lambda/events/schemas';
import { SCEPChallengeSchema } from '../../../lambda/events/scep';
import { fixtureJson, fixtureNames, fixtureText, havePublicSamples, PUBLIC_SAMPLES_DIR, publicSampleFiles } from '../../support/fixtures';

/** The decode as it was before the compiled path: valibot's envelope and event schemas, then removeSecrets. */
function valibotDecode(tree: unknown): DecodedWebhook {
  const envelope = readEnvelope(tree);
  const known = canonicalEventName(envelope.webhook.webhookEvent);
  return known
    ? decodeEvent(envelope, { eventName: known, schema: EVENT_SCHEMAS[known], known: true, format: 'json', encoding: 'utf-8' })
    : decodeEvent(envelope, { eventName: envelope.webhook.webhookEvent, schema: UnknownEventSchema, known: false, format: 'json', encoding: 'utf-8' });
}

function schemaFor(sentName: string) {
  const known = canonicalEventName(sentName);
  return known ? { eventName: known, schema: EVENT_SCHEMAS[known], known: true } : { eventName: sentName, schema: UnknownEventSchema, known: false };
}

/** The published Detail of a decoded webhook, received at a fixed time. */
function publishedDetail(decoded: DecodedWebhook): string | undefined {
  return toPutEventsEntry(decoded, { eventBusName: 'b', eventSource: 's' }, new Date(0)).Detail;
}

/** Either path's answer, comparable: the detail as JSON text (key order included) and as published, or the error. */
function outcome(decode: () => DecodedWebhook): unknown {
  try {
    const decoded = decode();
    return { eventName: decoded.eventName, known: decoded.known, detail: JSON.stringify(decoded.detail), published: publishedDetail(decoded) };
  } catch (error) {
    const { name, message, code, issues, eventName } = error as Record<string, unknown>;
    return { name, message, code, issues, eventName };
  }
}

/** Both paths on separate copies of the tree (each removes secrets in place). */
function compare(json: string): void {
  expect(outcome(() => decodeTree(JSON.parse(json), 'json'))).toEqual(outcome(() => valibotDecode(JSON.parse(json))));
}

describe('the compiled decode', () => {
  it('compiles every schema of the catalogue', () => {
    for (const name of EVENT_NAMES) expect(compileSchema(EVENT_SCHEMAS[name])).toBeDefined();
    expect(compileSchema(UnknownEventSchema)).toBeDefined();
    expect(compileSchema(SCEPChallengeSchema)).toBeDefined();
  });

  describe.each(fixtureNames())('for %s', (name) => {
    it.each(['json', 'xml'] as const)('decodes the %s fixture itself, to what valibot gives, byte for byte', (format) => {
      const text = fixtureText(name, format);
      const tree = () => (format === 'json' ? JSON.parse(text) : parseXml(text));
      const fast = compiledDetail(tree(), schemaFor);
      expect(fast).not.toBe(REJECTED);
      if (fast === REJECTED) return;
      const slow = valibotDecode(tree());
      expect(JSON.stringify(fast.detail)).toBe(JSON.stringify(slow.detail));
      // Built in canonical order: its JSON is the text the delivery id is hashed from.
      expect(JSON.stringify(fast.detail)).toBe(canonicalJson(fast.detail));
      expect(publishedDetail({ ...slow, detail: fast.detail })).toBe(publishedDetail(slow));
      expect(fast.detail).toEqual(slow.detail);
      expect(fast.eventName).toBe(slow.eventName);
      expect(fast.known).toBe(slow.known);
    });
  });

  // (valibot itself fails then: it finds the field among every schema's entries.)
  it('still checks and copies the other keys when Object.prototype holds a documented field', () => {
    const body = fixtureJson('ComputerCheckIn');
    delete body.event.computer.building;
    body.event.computer.extra = 'kept';
    const prototype = Object.prototype as Record<string, unknown>;
    prototype.building = 'inherited';
    try {
      const fast = outcome(() => decodeTree(JSON.parse(JSON.stringify(body)), 'json')) as { detail: string };
      expect(JSON.parse(fast.detail).event.computer.extra).toBe('kept');
    } finally {
      delete prototype.building;
    }
  });

  // An extra where ../shared is laid out; the global setup says once when it is not.
  if (havePublicSamples()) {
    it.each(publicSampleFiles().filter((f) => f.endsWith('.json')))('decodes the public sample %s as valibot does', (file) => {
      compare(readFileSync(join(PUBLIC_SAMPLES_DIR, file), 'utf8'));
    });
  }

  /** Values Jamf's fields meet or could: each form the converters take or refuse. */
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    leaf: fc.oneof(
      fc.constantFrom('', ' ', '0042', '-7', '+3', '1E5', '9007199254740993', 'true', 'FALSE', ' true ', 'x', 'null', '12.5'),
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    ),
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('leaf'), tie('array'), tie('object')),
    array: fc.array(tie('node'), { maxLength: 3 }),
    object: fc.dictionary(
      fc.oneof(fc.constantFrom('password', 'Secret', 'passwd', 'challenge', 'scepChallenge', 'jssID', 'computer', 'deviceName', 'x', '1', '__proto__', 'constructor'), fc.string({ maxLength: 6 })),
      tie('node'),
      { maxKeys: 4 },
    ),
  })).node as fc.Arbitrary<unknown>;

  /** A path into a fixture, as a list of keys, and the value put there. */
  function mutate(tree: unknown, path: readonly string[], replacement: unknown): string {
    let json = JSON.stringify(tree);
    const copy = JSON.parse(json) as Record<string, unknown>;
    let node: Record<string, unknown> = copy;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next === null || typeof next !== 'object') break;
      node = next as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    // JSON.parse keeps "__proto__" as an own key; assignment would not.
    Object.defineProperty(node, last, { value: replacement, enumerable: true, configurable: true, writable: true });
    json = JSON.stringify(copy);
    return json;
  }

  const keysOf = (tree: unknown, prefix: string[] = []): string[][] =>
    tree !== null && typeof tree === 'object'
      ? Object.entries(tree).flatMap(([key, child]) => [[...prefix, key], ...keysOf(child, [...prefix, key])])
      : [];

  it('agrees with valibot, output or error, when any field of any fixture holds anything', () => {
    const cases = fixtureNames().flatMap((name) => {
      const tree = fixtureJson(name);
      return [...keysOf(tree), ['event', 'added'], ['webhook', 'password'], ['extra'], ['event', 'computer', 'new']].map((path) => ({ tree, path }));
    });
    fc.assert(
      fc.property(fc.constantFrom(...cases), value, ({ tree, path }, replacement) => {
        compare(mutate(tree, path, replacement));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with valibot on envelopes of any shape', () => {
    const name = fc.oneof(fc.constantFrom(...EVENT_NAMES, 'computercheckin', 'SomethingNew', 'bad name', ''), fc.string({ maxLength: 5 }));
    fc.assert(
      fc.property(value, value, name, value, (webhook, event, webhookEvent, id) => {
        compare(JSON.stringify({ webhook, event }));
        compare(JSON.stringify({ webhook: { id, webhookEvent }, event }));
        compare(JSON.stringify({ webhook: { webhookEvent, password: 'x' }, event, other: webhook }));
      }),
      { numRuns: 1500 },
    );
  });

  it('agrees with valibot on trees nested around the depth limit', () => {
    for (const depth of [28, 29, 30, 31, 32, 33]) {
      let nested: unknown = 'x';
      for (let i = 0; i < depth; i++) nested = { a: nested };
      for (const at of [['event', 'deep'], ['event', 'computer', 'deep'], ['webhook', 'deep'], ['other'], ['event', 'computer']]) {
        compare(mutate(fixtureJson('ComputerCheckIn'), at, nested));
        compare(mutate(fixtureJson('SmartGroupComputerMembershipChange'), ['event', 'groupAddedDevices'], [nested]));
      }
    }
  });
});
