import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
  type EventPattern,
} from '../../../lambda/local/event-pattern';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'event-patterns');

interface DocsCase {
  readonly name: string;
  readonly page: string;
  readonly from: 'example' | 'variant';
  readonly pattern?: unknown;
  /** The pattern as text, where JSON.parse itself is part of the case (a key given twice). */
  readonly patternText?: string;
  readonly event: unknown;
  readonly expected: boolean;
}

interface DocsInvalid {
  readonly name: string;
  readonly page: string;
  readonly pattern: unknown;
  readonly reason: string;
  readonly path?: string;
}

/** The event-ruler test whose behaviour a case mirrors, named by reference only. */
interface RulerSource {
  readonly file: string;
  readonly test: string;
}

/** A case written for this project; `expected` was confirmed by running event-ruler. */
interface RulerCase {
  readonly name: string;
  readonly pattern: unknown;
  readonly event: unknown;
  /** `invalid` where EventBridge documents less than event-ruler accepts (see `note`). */
  readonly expected: boolean | 'invalid';
  readonly source: RulerSource;
  readonly note?: string;
}

interface RulerValidation {
  readonly pattern: unknown;
  readonly valid: boolean;
  readonly source: RulerSource;
  readonly note?: string;
}

const docs = JSON.parse(readFileSync(join(FIXTURES, 'aws-docs.json'), 'utf8')) as {
  matches: DocsCase[];
  invalid: DocsInvalid[];
};
const ruler = JSON.parse(readFileSync(join(FIXTURES, 'event-ruler.json'), 'utf8')) as {
  matches: RulerCase[];
  validation: RulerValidation[];
};

const where = (source: RulerSource) => `${source.file.split('/').at(-1)} ${source.test}`;

/** The error parseEventPattern throws, or undefined. */
function parseError(json: unknown): InvalidEventPatternError | undefined {
  try {
    parseEventPattern(json);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error;
    throw error;
  }
}

describe('matchesEventPattern', () => {
  describe("against the examples of AWS's event-pattern documentation", () => {
    it.each(docs.matches.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      // Prepare
      const pattern = parseEventPattern(c.patternText === undefined ? c.pattern : JSON.parse(c.patternText));

      // Act
      const matched = matchesEventPattern(pattern, c.event);

      // Assess
      expect(matched).toBe(c.expected);
    });
  });

  describe('against our cases mirroring the tests of aws/event-ruler, the matcher EventBridge is built on', () => {
    const cases = ruler.matches.map((c) => [`${c.name} (${where(c.source)})`, c] as const);

    it.each(cases.filter(([, c]) => c.expected !== 'invalid'))('%s', (_name, c) => {
      expect(matchesEventPattern(parseEventPattern(c.pattern), c.event)).toBe(c.expected);
    });

    it.each(cases.filter(([, c]) => c.expected === 'invalid'))('refuses, as EventBridge documents: %s', (_name, c) => {
      expect(parseError(c.pattern)).toBeInstanceOf(InvalidEventPatternError);
    });

    it('mirrors matching and non-matching behaviours of many of its tests', () => {
      const tests = new Set(ruler.matches.map((c) => `${c.source.file}#${c.source.test}`));
      expect(tests.size).toBeGreaterThanOrEqual(120);
      expect(ruler.matches.filter((c) => c.expected === true).length).toBeGreaterThanOrEqual(280);
      expect(ruler.matches.filter((c) => c.expected === false).length).toBeGreaterThanOrEqual(220);
      expect(ruler.validation.length).toBeGreaterThanOrEqual(150);
    });
  });

  describe('where event-ruler answers otherwise, EventBridge documentation decides', () => {
    // Found by comparing both on random patterns: event-ruler's byte machine loses a value
    // of a list that mixes anything-but (equals-ignore-case) with a wildcard; a list is an OR.
    it('matches when one value of the list matches on its own', () => {
      const pattern = parseEventPattern({ a: [{ wildcard: '*y' }, { 'anything-but': { 'equals-ignore-case': 'x' } }] });
      expect(matchesEventPattern(pattern, { a: 'abc' })).toBe(true);
      expect(matchesEventPattern(pattern, { a: 'X' })).toBe(false);
    });
  });

  describe('reads the event as event-ruler does', () => {
    it('matches a field whose array holds the value, nested arrays included', () => {
      const pattern = parseEventPattern({ detail: { tags: ['b'] } });
      expect(matchesEventPattern(pattern, { detail: { tags: [['a'], ['b', 'c']] } })).toBe(true);
      expect(matchesEventPattern(pattern, { detail: { tags: [] } })).toBe(false);
    });

    it('takes the fields of one pattern from the same element of an array', () => {
      const pattern = parseEventPattern({ detail: { event: { volumes: { name: ['Data'], encrypted: [true] } } } });
      const event = {
        detail: {
          event: {
            volumes: [
              { name: 'Data', encrypted: false },
              { name: 'Macintosh HD', encrypted: true },
            ],
          },
        },
      };
      expect(matchesEventPattern(pattern, event)).toBe(false);
      expect(matchesEventPattern(parseEventPattern({ detail: { event: { volumes: { name: ['Data'], encrypted: [false] } } } }), event)).toBe(true);
    });

    it("lets a plain value in an array go with any element's fields, as event-ruler does", () => {
      const pattern = parseEventPattern({ b: [5], 'b.c': [1] });
      expect(matchesEventPattern(pattern, { b: [{ c: 1 }, 5] })).toBe(true);
      // An element that is itself an array is an element like an object.
      expect(matchesEventPattern(pattern, { b: [{ c: 1 }, [5]] })).toBe(false);
    });

    it('keeps array consistency across the branches of an $or', () => {
      const pattern = parseEventPattern({ $or: [{ d: { a: [1] } }, { d: { b: [2] } }], d: { c: [3] } });
      expect(matchesEventPattern(pattern, { d: [{ a: 1 }, { c: 3 }] })).toBe(false);
      expect(matchesEventPattern(pattern, { d: [{ a: 1, c: 3 }] })).toBe(true);
    });

    it('treats exists: false as no leaf of that name, whatever its parent holds', () => {
      const pattern = parseEventPattern({ detail: { count: [{ exists: false }] } });
      expect(matchesEventPattern(pattern, { detail: {} })).toBe(true);
      expect(matchesEventPattern(pattern, { detail: 5 })).toBe(true);
      expect(matchesEventPattern(pattern, { detail: { count: { nested: 1 } } })).toBe(true);
      expect(matchesEventPattern(pattern, { detail: { count: null } })).toBe(false);
    });

    it('compares numbers as numbers, and never with strings', () => {
      expect(matchesEventPattern(parseEventPattern({ ramMB: [16384] }), { ramMB: 1.6384e4 })).toBe(true);
      expect(matchesEventPattern(parseEventPattern({ ramMB: [16384] }), { ramMB: '16384' })).toBe(false);
      expect(matchesEventPattern(parseEventPattern({ ramMB: ['16384'] }), { ramMB: 16384 })).toBe(false);
    });

    it('lets anything-but match a value of another type', () => {
      const pattern = parseEventPattern({ s: [{ 'anything-but': 'x' }] });
      expect([5, true, null, 'y', 'x'].map((s) => matchesEventPattern(pattern, { s }))).toEqual([true, true, true, true, false]);
    });

    it('matches one IP address in any of its spellings', () => {
      expect(matchesEventPattern(parseEventPattern({ ipAddress: ['2001:db8::5'] }), { ipAddress: '2001:DB8:0:0:0:0:0:5' })).toBe(true);
      expect(matchesEventPattern(parseEventPattern({ ipAddress: [{ cidr: '172.16.0.0/12' }] }), { ipAddress: '::ffff:ac10:101' })).toBe(true);
    });

    it('folds case per character of the pattern, as event-ruler does', () => {
      expect(matchesEventPattern(parseEventPattern({ s: [{ 'equals-ignore-case': 'ß' }] }), { s: 'SS' })).toBe(true);
      expect(matchesEventPattern(parseEventPattern({ s: [{ 'equals-ignore-case': 'SS' }] }), { s: 'ß' })).toBe(false);
    });

    it('never matches something that is not a JSON object', () => {
      const pattern = parseEventPattern({ source: [{ exists: false }] });
      expect([null, 'event', 5, [{}]].map((event) => matchesEventPattern(pattern, event))).toEqual([false, false, false, false]);
    });

    it('checks a pattern it was handed without parseEventPattern', () => {
      const pattern = { detail: { event: { trigger: 'LOGIN' } } } as unknown as EventPattern;
      expect(() => matchesEventPattern(pattern, { detail: { event: { trigger: 'LOGIN' } } })).toThrow(InvalidEventPatternError);
    });
  });
});

describe('parseEventPattern', () => {
  describe("refuses what AWS's documentation refuses", () => {
    it.each(docs.invalid.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const error = parseError(c.pattern);
      expect(error).toBeInstanceOf(InvalidEventPatternError);
      expect(error!.message).toContain(c.reason);
      if (c.path) expect(error!.path).toBe(c.path);
    });
  });

  describe("accepts and refuses as aws/event-ruler's rule compiler does, on our own patterns", () => {
    it.each(ruler.validation.map((c) => [`${c.valid ? 'accepts' : 'refuses'} ${JSON.stringify(c.pattern)} (${where(c.source)})`, c] as const))(
      '%s',
      (_name, c) => {
        const error = parseError(c.pattern);
        if (c.valid) expect(error).toBeUndefined();
        else expect(error).toBeInstanceOf(InvalidEventPatternError);
      },
    );
  });

  describe('when the pattern is invalid', () => {
    it('throws an InvalidEventPatternError that names the place, in one line', () => {
      const error = parseError({ detail: { event: { osVersion: [{ prefix: { 'equals-ignore-case': 14 } }] } } });
      expect(error).toMatchObject({
        name: 'InvalidEventPatternError',
        path: 'detail.event.osVersion[0].prefix.equals-ignore-case',
        message: 'invalid event pattern at detail.event.osVersion[0].prefix.equals-ignore-case: equals-ignore-case must be a string, not number 14',
      });
      expect(error!.message).not.toContain('\n');
    });

    it.each([
      ['not an object', [], '(root)', 'must be a JSON object'],
      ['an empty pattern', {}, '(root)', 'empty objects'],
      ['an empty value list', { source: [] }, 'source', 'empty arrays'],
      ['a list inside a value list', { source: [['jamf.pro']] }, 'source[0]', 'not an array'],
      ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }, 'source[0]', 'exactly one key'],
      ['event-ruler\'s "exactly"', { source: [{ exactly: 'jamf.pro' }] }, 'source[0].exactly', 'no "exactly" operator'],
      ['an operator as a field inside $or', { $or: [{ prefix: ['a'] }, { b: [1] }] }, '$or[0].prefix', 'cannot be a field name inside $or'],
      ['an IPv4 CIDR of one address', { ip: [{ cidr: '192.0.2.10/32' }] }, 'ip[0].cidr', 'below 32'],
      ['a bad escape in a wildcard', { f: [{ wildcard: 'a\\b' }] }, 'f[0].wildcard', 'only \\* and \\\\'],
      ['an empty anything-but prefix', { f: [{ 'anything-but': { prefix: '' } }] }, 'f[0].anything-but.prefix', 'must not be empty'],
      ['a field name with a space', { detail: { 'serial number': 'x' } }, 'detail["serial number"]', 'array of values'],
    ])('refuses %s', (_what, json, path, reason) => {
      const error = parseError(json);
      expect(error?.path).toBe(path);
      expect(error?.message).toContain(reason);
    });
  });

  it('gives back the same object, typed', () => {
    const json: unknown = { source: ['jamf.pro'] };
    expect(parseEventPattern(json)).toBe(json);
  });
});
