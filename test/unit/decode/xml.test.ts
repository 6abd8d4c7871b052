import fc from 'fast-check';
import { NOT_SIMPLE, parseAnyXml, parseSimpleXml, parseXml } from '../../../lambda/decode/xml';
import { fixtureNames, fixtureText } from '../../support/fixtures';

/** What a parse gives, comparable: the tree as JSON text (key order included), or the error. */
function outcome(parse: () => unknown): unknown {
  try {
    return { tree: JSON.stringify(parse()) };
  } catch (error) {
    const { name, message, code } = error as Record<string, unknown>;
    return { name, message, code };
  }
}

const expectSameAsFullParser = (text: string) => expect(outcome(() => parseXml(text))).toEqual(outcome(() => parseAnyXml(text)));

/** Mostly what the one-pass reader takes, sometimes what it leaves to the full parser. */
const mostly = <T,>(usual: readonly T[], odd: readonly T[]) =>
  fc.oneof({ arbitrary: fc.constantFrom(...usual), weight: 40 }, { arbitrary: fc.constantFrom(...odd), weight: 1 });

const NAMES = mostly(['a', 'b', 'c', 'webhook', 'event', 'x.y', '_z', 'A-b', 'isPrototypeOf', 'propertyIsEnumerable'], ['toString', '__proto__', 'constructor', 'ns:a', '1a', 'valueOf', 'hasOwnProperty', 'é']);
const TEXTS = mostly(['', ' ', 'x', ' x ', '0042', 'a&amp;b', '&lt;&gt;&quot;&apos;', '\r\nx\r\n', '\u00a0', '\u00a0x\u00a0', 'x>y', 'é', '\t\n'], ['&#38;', '&#x41;', '&nbsp;', '&euro;', 'a&b', '&amp', 'x\r\ny', 'x\ry', ']]>', 'a]]b', '<!-- c -->', '<![CDATA[x]]>']);
const GAPS = mostly(['', ' ', '\n  ', '\r\n', '\t'], ['\u00a0', 'junk', '\u2028', '<!-- c -->']);

interface Element {
  readonly name: string;
  readonly content: string | readonly Element[];
  readonly form: 'plain' | 'selfClosing' | 'spaced' | 'attribute';
}

const element: fc.Arbitrary<Element> = fc.letrec((tie) => ({
  element: fc.record({
    name: NAMES,
    content: fc.oneof({ depthSize: 'small' }, TEXTS, fc.array(tie('element') as fc.Arbitrary<Element>, { maxLength: 4 })),
    form: mostly(['plain', 'plain', 'selfClosing'] as const, ['spaced', 'attribute'] as const),
  }),
})).element as fc.Arbitrary<Element>;

function render(node: Element, gap: () => string): string {
  const open = node.form === 'spaced' ? `<${node.name} >` : node.form === 'attribute' ? `<${node.name} k="v">` : `<${node.name}>`;
  if (node.form === 'selfClosing') return `<${node.name}/>`;
  const inner = typeof node.content === 'string' ? node.content : node.content.map((child) => gap() + render(child, gap)).join('') + gap();
  return `${open}${inner}</${node.name}>`;
}

describe('parseXml', () => {
  it.each(fixtureNames())('reads the %s fixture in one pass, as the full parser does', (name) => {
    const text = fixtureText(name, 'xml');
    expect(parseSimpleXml(text)).not.toBe(NOT_SIMPLE);
    expect(JSON.stringify(parseXml(text))).toBe(JSON.stringify(parseAnyXml(text)));
  });

  it('gives what the full parser gives, tree or error, for XML-like documents of any shape', () => {
    let simple = 0;
    const document = fc.record({
      declaration: mostly(['', '<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0'?>", '<?xml version="1.0" standalone="yes" ?>'], ['<?xml version="1.1"?>', ' <?xml version="1.0"?>', '<?xml-stylesheet href="a"?>', '<!-- c -->', '<!DOCTYPE a>', '<?xml version="1.0" encoding="x y"?>']),
      root: element,
      extraRoot: fc.oneof({ arbitrary: fc.constant(null), weight: 8 }, { arbitrary: element, weight: 1 }),
      before: mostly(['', '\n', ' '], ['x', '\u00a0']),
      after: mostly(['', '\n', ' \r\n'], ['x', '<!-- c -->', '\u00a0']),
      gaps: fc.array(GAPS, { minLength: 1, maxLength: 8 }),
      cut: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fc.nat(), weight: 1 }),
    });
    fc.assert(
      fc.property(document, ({ declaration, root, extraRoot, before, after, gaps, cut }) => {
        let n = 0;
        const gap = () => gaps[n++ % gaps.length]!;
        let text = declaration + before + render(root, gap) + (extraRoot ? render(extraRoot, gap) : '') + after;
        if (cut !== null) text = text.slice(0, cut % (text.length + 1));
        if (parseSimpleXml(text) !== NOT_SIMPLE) simple++;
        expectSameAsFullParser(text);
      }),
      { numRuns: 6000 },
    );
    // The property must exercise the one-pass reader, not only the fallback.
    expect(simple).toBeGreaterThan(2000);
  });

  it('gives what the full parser gives for nesting around the limit', () => {
    for (let depth = 25; depth <= 36; depth++) {
      expectSameAsFullParser(`${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`);
      expectSameAsFullParser(`<r>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</r>`);
    }
  });

  it('gives what the full parser gives for every fixture cut short or with a byte changed', () => {
    for (const name of fixtureNames()) {
      const text = fixtureText(name, 'xml');
      for (let at = 0; at < text.length; at += 7) {
        expectSameAsFullParser(text.slice(0, at));
        expectSameAsFullParser(`${text.slice(0, at)}${text.slice(at + 1)}`);
        expectSameAsFullParser(`${text.slice(0, at)}<${text.slice(at)}`);
      }
    }
  });
});
