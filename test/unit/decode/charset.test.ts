import fc from 'fast-check';
import { decodeBodyText, declaredCharset, decodeWindows1252, xmlDeclaredEncoding } from '../../../lambda/decode/charset';
import { MalformedBodyError, UnsupportedMediaTypeError } from '../../../lambda/shared/errors';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('decodeBodyText', () => {
  describe('when the Content-Type declares a charset', () => {
    it.each(['ISO-8859-1', 'iso-8859-1', 'latin1', '"ISO-8859-1"'])('reads Latin-1 declared as %s', (charset) => {
      const decoded = decodeBodyText(latin1('{"name":"Café"}'), `application/json; charset=${charset}`);
      expect(decoded).toEqual({ text: '{"name":"Café"}', encoding: 'windows-1252' });
    });

    it('reads a UTF-8 body under a stale ISO-8859-1 label as the UTF-8 it is', () => {
      expect(decodeBodyText(Buffer.from('{"name":"Café"}', 'utf8'), 'application/json; charset=ISO-8859-1')).toEqual({
        text: '{"name":"Café"}',
        encoding: 'utf-8',
      });
    });

    it('reads windows-1252, whose euro sign Latin-1 does not have', () => {
      const body = Buffer.from([...Buffer.from('{"price":"'), 0x80, ...Buffer.from('5"}')]);
      expect(decodeBodyText(body, 'application/json; charset=windows-1252').text).toBe('{"price":"€5"}');
    });

    it('reads bytes that claim UTF-8 and are not as windows-1252, as a Java client may send them', () => {
      expect(decodeBodyText(latin1('{"name":"Café"}'), 'application/json; charset=UTF-8')).toEqual({
        text: '{"name":"Café"}',
        encoding: 'windows-1252',
      });
    });

    it('refuses bytes that are not valid in another declared charset, with a 400', () => {
      expect(() => decodeBodyText(Buffer.from([0x7b, 0x00, 0x7d]), 'application/json; charset=utf-16le')).toThrow(
        expect.objectContaining({ code: 'InvalidEncoding', statusCode: 400 }),
      );
    });

    it('refuses a charset it cannot decode, with a 415', () => {
      expect(() => decodeBodyText(Buffer.from('{}'), 'application/json; charset=x-klingon')).toThrow(UnsupportedMediaTypeError);
    });

    it('takes the Content-Type over the XML declaration, as RFC 7303 says', () => {
      const body = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>Café</a>', 'utf8');
      expect(decodeBodyText(body, 'text/xml; charset=utf-8')).toEqual({ text: '<?xml version="1.0" encoding="ISO-8859-1"?><a>Café</a>', encoding: 'utf-8' });
    });
  });

  describe('when only the XML declaration names the encoding', () => {
    it('reads the body in it', () => {
      const decoded = decodeBodyText(latin1("<?xml version='1.0' encoding='ISO-8859-1'?><a>Café</a>"), 'text/xml');
      expect(decoded).toEqual({ text: "<?xml version='1.0' encoding='ISO-8859-1'?><a>Café</a>", encoding: 'windows-1252' });
    });
  });

  describe('when nothing declares an encoding', () => {
    it('reads UTF-8', () => {
      expect(decodeBodyText(Buffer.from('{"name":"Café"}'), 'application/json')).toEqual({ text: '{"name":"Café"}', encoding: 'utf-8' });
    });

    it('drops a UTF-8 byte-order mark', () => {
      expect(decodeBodyText(Buffer.from('\uFEFF{"a":1}'), undefined).text).toBe('{"a":1}');
    });

    it('reads bytes that are not UTF-8 as windows-1252 instead of refusing them', () => {
      expect(decodeBodyText(latin1('<a>Café</a>'), 'text/xml')).toEqual({ text: '<a>Café</a>', encoding: 'windows-1252' });
    });
  });

  it.each([
    ['empty', ''],
    ['blank', ' \n\t '],
  ])('refuses an %s body with a 400', (_what, text) => {
    expect(() => decodeBodyText(Buffer.from(text), 'application/json')).toThrow(MalformedBodyError);
  });
});

describe('declaredCharset', () => {
  it.each([
    ['application/json; charset=UTF-8', 'utf-8'],
    ['text/xml;charset="iso-8859-1"', 'iso-8859-1'],
    ['text/xml', undefined],
    [undefined, undefined],
  ])('reads %s as %s', (contentType, charset) => {
    expect(declaredCharset(contentType)).toBe(charset);
  });
});

describe('xmlDeclaredEncoding', () => {
  it('reads the encoding of a declaration at the start, and nothing elsewhere', () => {
    expect(xmlDeclaredEncoding(Buffer.from('<?xml version="1.0" encoding="windows-1252"?><a/>'))).toBe('windows-1252');
    expect(xmlDeclaredEncoding(Buffer.from('<a encoding="latin1"/>'))).toBeUndefined();
    expect(xmlDeclaredEncoding(Buffer.from('{"encoding":"latin1"}'))).toBeUndefined();
  });
});

describe('decodeWindows1252', () => {
  it('maps 0x80-0x9F as windows-1252 does and every other byte to its own code point', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = decodeWindows1252(bytes);
    expect(text).toHaveLength(256);
    expect([...text.slice(0x80, 0x8a)].join('')).toBe('€\u0081‚ƒ„…†‡ˆ‰');
    expect(text.charCodeAt(0x9f)).toBe(0x178);
    expect(text.slice(0xa0)).toBe(Buffer.from(bytes.subarray(0xa0)).toString('latin1'));
    expect(text.slice(0, 0x80)).toBe(Buffer.from(bytes.subarray(0, 0x80)).toString('latin1'));
  });
});

describe('decodeBodyText on arbitrary bytes', () => {
  /** What it gave when each body was read with a fatal TextDecoder. */
  function reference(body: Uint8Array): { text: string; encoding: string } | undefined {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
    } catch {
      return undefined;
    }
  }

  it('reads valid UTF-8 (with or without a byte-order mark) exactly as a fatal TextDecoder does, and anything else as windows-1252', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 20 }).map((text) => new Uint8Array(Buffer.from(text, 'utf8'))),
      fc.string({ unit: 'binary', maxLength: 20 }).map((text) => new Uint8Array(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]))),
      fc.constantFrom(new Uint8Array([0xed, 0xa0, 0x80]), new Uint8Array([0xc0, 0xaf]), new Uint8Array([0xf4, 0x90, 0x80, 0x80]), new Uint8Array([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x41])),
    );
    fc.assert(
      fc.property(bytes, fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'text/xml; charset=ISO-8859-1'), (body, type) => {
        // Sliced out of a larger buffer, as a body may be.
        const padded = new Uint8Array(body.length + 4);
        padded.set(body, 2);
        const view = padded.subarray(2, 2 + body.length);
        const expected = reference(body);
        let actual: unknown;
        try {
          actual = decodeBodyText(view, type);
        } catch (error) {
          actual = (error as { code?: string }).code;
        }
        if (expected === undefined) {
          if (typeof actual === 'object') expect((actual as { encoding: string }).encoding).not.toBe('utf-8');
        } else if (expected.text.trim() === '') {
          expect(actual).toBe('EmptyBody');
        } else {
          expect(actual).toEqual(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
