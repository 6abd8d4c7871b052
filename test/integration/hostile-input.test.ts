import { createHmac } from 'node:crypto';
import { DEFAULT_MAX_BODY_BYTES } from '../../lambda/contract';
import { fixtureBytes, fixtureText } from '../support/fixtures';
import { getJson, post, useLocalRuntime } from '../support/local-runtime';
import { basicAuth } from '../support/requests';
import { ALL_TEST_SECRETS, TEST_SECRETS } from '../support/secrets';

const stack = useLocalRuntime({
  webhookAuth: JSON.stringify({
    basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }],
    headers: [{ name: 'X-Api-Key', value: TEST_SECRETS.headerValue }],
    hmac: [{ header: 'X-Jamf-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=', secret: TEST_SECRETS.hmacSecret }],
  }),
});
const AUTH = { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };
const JSON_TYPE = { 'content-type': 'application/json' };
const XML_TYPE = { 'content-type': 'text/xml' };

const webhook = (name: string) => JSON.stringify({ webhook: { id: 1, name: 'h', webhookEvent: name }, event: {} });
const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><JSSEvent><webhook><webhookEvent>ComputerAdded</webhookEvent></webhook><event><room>&lol3;</room></event></JSSEvent>';
const EXTERNAL_ENTITY =
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><JSSEvent><webhook><webhookEvent>ComputerAdded</webhookEvent></webhook><event><room>&xxe;</room></event></JSSEvent>';

const hostile: Array<[string, string | Buffer, Record<string, string>, number, string]> = [
  ['XML with a billion-laughs DOCTYPE', BILLION_LAUGHS, XML_TYPE, 400, 'XmlDoctypeNotAllowed'],
  ['XML with an external entity', EXTERNAL_ENTITY, XML_TYPE, 400, 'XmlDoctypeNotAllowed'],
  ['unbalanced XML', '<JSSEvent><webhook></event></JSSEvent>', XML_TYPE, 400, 'MalformedXml'],
  ['truncated XML', fixtureText('ComputerAdded', 'xml').slice(0, 200), XML_TYPE, 400, 'MalformedXml'],
  ['JSON with trailing garbage', `${webhook('ComputerAdded')}}{`, JSON_TYPE, 400, 'MalformedJson'],
  ['a body over the limit', Buffer.alloc(DEFAULT_MAX_BODY_BYTES + 1, 0x20), JSON_TYPE, 413, 'BodyTooLarge'],
  ['JSON nested 100,000 deep', '['.repeat(100_000) + ']'.repeat(100_000), JSON_TYPE, 400, 'TooDeep'],
  ['objects nested 100,000 deep', '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), JSON_TYPE, 400, 'TooDeep'],
  ['XML nested 30,000 deep', `<JSSEvent>${'<a>'.repeat(30_000)}${'</a>'.repeat(30_000)}</JSSEvent>`, XML_TYPE, 400, 'TooDeep'],
  ['a __proto__ key in JSON', '{"webhook":{"webhookEvent":"ComputerAdded"},"event":{"__proto__":{"polluted":true}}}', JSON_TYPE, 400, 'ForbiddenKey'],
  ['a constructor key in JSON', '{"webhook":{"webhookEvent":"ComputerAdded"},"event":{"constructor":{"prototype":{"polluted":true}}}}', JSON_TYPE, 400, 'ForbiddenKey'],
  ['a __proto__ element in XML', '<JSSEvent><webhook><webhookEvent>ComputerAdded</webhookEvent></webhook><event><__proto__><polluted>1</polluted></__proto__></event></JSSEvent>', XML_TYPE, 400, 'ForbiddenKey'],
  ['a constructor element in XML', '<JSSEvent><webhook><webhookEvent>ComputerAdded</webhookEvent></webhook><event><constructor><polluted>1</polluted></constructor></event></JSSEvent>', XML_TYPE, 400, 'ForbiddenKey'],
  ['a webhookEvent with spaces', webhook('Computer Added'), JSON_TYPE, 422, 'NotAJamfWebhook'],
  ['a webhookEvent with dots', webhook('jamf.ComputerAdded'), JSON_TYPE, 422, 'NotAJamfWebhook'],
  ['a webhookEvent with slashes', webhook('../../etc/passwd'), JSON_TYPE, 422, 'NotAJamfWebhook'],
  ['a webhookEvent of 1,000 characters', webhook('A'.repeat(1000)), JSON_TYPE, 422, 'NotAJamfWebhook'],
  ['valid JSON that is an array', '[{"webhook":{}}]', JSON_TYPE, 422, 'NotAJamfWebhook'],
  ['valid JSON that is a string', '"ComputerAdded"', JSON_TYPE, 422, 'NotAJamfWebhook'],
  ['valid JSON that is null', 'null', JSON_TYPE, 422, 'NotAJamfWebhook'],
  ['a body that is neither JSON nor XML', 'webhookEvent=ComputerAdded', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'UnsupportedMediaType'],
  ['an empty body', '', JSON_TYPE, 400, 'EmptyBody'],
  ['bytes that are not UTF-8, in malformed JSON', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), { 'content-type': 'application/json; charset=utf-8' }, 400, 'MalformedJson'],
  ['bytes that are not the UTF-16 declared', Buffer.from([0x7b, 0x00, 0x7d]), { 'content-type': 'application/json; charset=utf-16le' }, 400, 'InvalidEncoding'],
  ['a charset nobody can decode', webhook('ComputerAdded'), { 'content-type': 'application/json; charset=x-unknown' }, 415, 'UnsupportedCharset'],
];

describe('hostile input to the local runtime', () => {
  describe.each(hostile)('%s', (_what, body, headers, status, code) => {
    it(`gets ${status} ${code}, a JSON reason, publishes nothing, and the server keeps serving`, async () => {
      const before = stack().events().length;
      const response = await post(stack().webhookUrl, body, { ...headers, ...AUTH });
      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({ error: code, message: expect.any(String) });
      expect(stack().events()).toHaveLength(before);
      const next = await post(stack().webhookUrl, fixtureBytes('JSSStartup', 'json'), { ...JSON_TYPE, ...AUTH });
      expect(next.status).toBe(200);
    });
  });

  it('leaves Object.prototype clean', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  describe('when the Content-Type is wrong or missing but the body is valid', () => {
    it.each([
      ['JSON sent as text/plain', fixtureBytes('ComputerAdded', 'json'), { 'content-type': 'text/plain' }],
      ['XML sent as application/json', fixtureBytes('ComputerAdded', 'xml'), JSON_TYPE],
      ['JSON with no Content-Type', fixtureBytes('ComputerAdded', 'json'), {}],
      ['XML with no Content-Type', fixtureBytes('ComputerAdded', 'xml'), {}],
    ])('accepts %s by sniffing', async (_what, body, headers) => {
      expect((await post(stack().webhookUrl, body, { ...headers, ...AUTH })).status).toBe(200);
    });
  });

  describe('authentication', () => {
    const body = fixtureBytes('ComputerAdded', 'json');
    const signature = createHmac('sha256', TEST_SECRETS.hmacSecret).update(body).digest('hex');

    it.each([
      ['a Basic credential', AUTH],
      ['a header credential', { 'X-Api-Key': TEST_SECRETS.headerValue }],
      ['an HMAC signature over the exact bytes', { 'X-Jamf-Signature': `sha256=${signature}` }],
    ])('accepts %s', async (_what, headers) => {
      expect((await post(stack().webhookUrl, body, { ...JSON_TYPE, ...headers })).status).toBe(200);
    });

    it.each([
      ['no credentials', {}],
      ['a wrong password', { authorization: basicAuth('jamf', 'wrong') }],
      ['a wrong header value', { 'X-Api-Key': 'wrong' }],
      ['a signature of other bytes', { 'X-Jamf-Signature': `sha256=${'0'.repeat(64)}` }],
    ])('rejects %s with 401 and neither publishes nor dead-letters', async (_what, headers) => {
      const events = stack().events().length;
      const letters = stack().deadLetters().length;
      const response = await post(stack().webhookUrl, body, { ...JSON_TYPE, ...headers });
      expect(response.status).toBe(401);
      expect(stack().events()).toHaveLength(events);
      expect(stack().deadLetters()).toHaveLength(letters);
    });
  });

  it('keeps every rejected authenticated request in the dead-letter store with its reason', async () => {
    const letters = await getJson(`${stack().url}/_local/dead-letters`);
    const codes = new Set(letters.map((l: { reason: { code: string } }) => l.reason.code));
    for (const [, , , , code] of hostile) expect(codes).toContain(code);
  });

  it('never lets a secret reach a published event or a dead letter', async () => {
    await post(stack().webhookUrl, fixtureBytes('SCEPChallenge', 'xml'), { ...XML_TYPE, ...AUTH });
    await post(stack().webhookUrl, fixtureText('SCEPChallenge', 'json').slice(0, -20), { ...JSON_TYPE, ...AUTH });
    const stored = JSON.stringify([stack().events(), stack().deadLetters()]);
    for (const secret of ALL_TEST_SECRETS) expect(stored).not.toContain(secret);
  });
});
