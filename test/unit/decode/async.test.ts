import { decodeWebhook } from '../../../lambda/decode/decode';
import { decodeWebhookAsync } from '../../../lambda/decode/decode-async';
import { CONTENT_TYPES, fixtureBytes, fixtureNames } from '../../support/fixtures';

describe('decodeWebhookAsync', () => {
  it.each(fixtureNames().flatMap((name) => (['json', 'xml'] as const).map((format) => [name, format] as const)))(
    'decodes %s (%s) exactly as decodeWebhook does',
    async (name, format) => {
      const body = fixtureBytes(name, format);
      const decoded = await decodeWebhookAsync(body, CONTENT_TYPES[format]);
      expect(decoded).toEqual(decodeWebhook(body, CONTENT_TYPES[format]));
      expect(JSON.stringify(decoded.detail)).toBe(JSON.stringify(decodeWebhook(body, CONTENT_TYPES[format]).detail));
    },
  );

  it.each([
    ['truncated XML', '<JSSEvent><webhook><id>1</id>', 'text/xml'],
    ['malformed JSON', '{"webhook":', 'application/json'],
    ['not a webhook', '<JSSEvent><a>1</a></JSSEvent>', 'text/xml'],
  ])('rejects %s with the error decodeWebhook throws', async (_case, body, type) => {
    let expected: unknown;
    try {
      decodeWebhook(Buffer.from(body), type);
    } catch (error) {
      expected = error;
    }
    expect(expected).toBeDefined();
    await expect(decodeWebhookAsync(Buffer.from(body), type)).rejects.toEqual(expected);
  });
});
