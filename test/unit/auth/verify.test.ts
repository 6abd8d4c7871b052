import { createHmac } from 'node:crypto';
import { parseCredentialsDocument } from '../../../lambda/auth/credentials';
import { createVerifier } from '../../../lambda/auth/verify';
import type { WebhookRequest } from '../../../lambda/shared/request';
import { UnauthorizedError } from '../../../lambda/shared/errors';
import { basicAuth } from '../../support/requests';
import { TEST_SECRETS } from '../../support/secrets';

const body = Buffer.from('{"webhook":{"webhookEvent":"ComputerAdded"},"event":{}}');
const request = (headers: Record<string, string>): WebhookRequest => ({ headers, body });
const sign = (algorithm: 'sha256' | 'sha512', encoding: 'hex' | 'base64', data: Uint8Array = body) =>
  createHmac(algorithm, TEST_SECRETS.hmacSecret).update(data).digest(encoding);

describe('createVerifier', () => {
  it('allows anything only when "none" is chosen explicitly', () => {
    expect(() => createVerifier({ none: true }).verify(request({}))).not.toThrow();
  });

  it('rejects everything when the document lists no credential', () => {
    const verifier = createVerifier({});
    expect(verifier.acceptsAnything).toBe(false);
    expect(() => verifier.verify(request({ authorization: basicAuth('a', 'b') }))).toThrow(
      'No credentials are configured, so every request is rejected',
    );
  });

  describe('with Basic credentials', () => {
    const verifier = createVerifier({
      basic: [
        { username: 'jamf', password: TEST_SECRETS.basicPassword },
        { username: 'jamf', password: 'the-next-password' },
      ],
    });

    it('accepts each listed credential, so a rotation has no downtime', () => {
      expect(() => verifier.verify(request({ authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) }))).not.toThrow();
      expect(() => verifier.verify(request({ authorization: basicAuth('jamf', 'the-next-password') }))).not.toThrow();
    });

    it.each([
      ['a wrong password', { authorization: basicAuth('jamf', 'wrong') }],
      ['a wrong user', { authorization: basicAuth('other', TEST_SECRETS.basicPassword) }],
      ['a prefix of the password', { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword.slice(0, 5)) }],
      ['no header', {}],
      ['another scheme', { authorization: `Bearer ${TEST_SECRETS.basicPassword}` }],
    ])('rejects %s with 401 and a Basic challenge', (_what, headers) => {
      expect(() => verifier.verify(request(headers))).toThrow(
        expect.objectContaining({ statusCode: 401, challenge: expect.stringMatching(/^Basic realm=/) }),
      );
    });

    it('accepts the top-level username and password of a generated secret', () => {
      const generated = createVerifier(parseCredentialsDocument(`{"username":"jamf","password":"${TEST_SECRETS.basicPassword}"}`));
      expect(() => generated.verify(request({ authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) }))).not.toThrow();
    });
  });

  describe('with header credentials', () => {
    const verifier = createVerifier({ headers: [{ name: 'X-Api-Key', value: TEST_SECRETS.headerValue }] });

    it('accepts the header whatever the case of its name', () => {
      expect(() => verifier.verify(request({ 'x-api-key': TEST_SECRETS.headerValue }))).not.toThrow();
    });

    it('rejects a wrong value without a Basic challenge', () => {
      expect(() => verifier.verify(request({ 'x-api-key': 'nope' }))).toThrow(
        expect.objectContaining({ statusCode: 401, challenge: undefined }),
      );
    });
  });

  describe('with header credentials written as Jamf Pro writes them, one object of name to value', () => {
    const verifier = createVerifier(
      parseCredentialsDocument(JSON.stringify({ headers: { 'X-Api-Key': TEST_SECRETS.headerValue, Authorization: 'Bearer tsecret-second' } })),
    );

    it('accepts each header whatever the case of its name', () => {
      expect(() => verifier.verify(request({ 'x-api-key': TEST_SECRETS.headerValue }))).not.toThrow();
      expect(() => verifier.verify(request({ authorization: 'Bearer tsecret-second' }))).not.toThrow();
    });

    it('rejects a wrong value, and a right value under another header', () => {
      expect(() => verifier.verify(request({ 'x-api-key': 'nope' }))).toThrow(UnauthorizedError);
      expect(() => verifier.verify(request({ 'x-other': TEST_SECRETS.headerValue }))).toThrow(UnauthorizedError);
    });

    it('reads into the same list as the list form, so both verify alike', () => {
      const fromObject = parseCredentialsDocument(JSON.stringify({ headers: { 'X-Api-Key': TEST_SECRETS.headerValue } }));
      const fromList = parseCredentialsDocument(JSON.stringify({ headers: [{ name: 'X-Api-Key', value: TEST_SECRETS.headerValue }] }));
      expect(fromObject).toEqual(fromList);
      expect(fromObject.headers).toEqual([{ name: 'X-Api-Key', value: TEST_SECRETS.headerValue }]);
    });
  });

  describe('with an HMAC signature', () => {
    it.each([
      ['sha256', 'hex', '', ''],
      ['sha256', 'hex', 'sha256=', 'sha256='],
      ['sha256', 'hex', 'sha256=', ''],
      ['sha512', 'base64', '', ''],
      ['sha512', 'base64', 'sha512=', 'sha512='],
    ] as const)('accepts %s %s signatures (prefix configured %j, sent %j)', (algorithm, encoding, prefix, sent) => {
      const verifier = createVerifier({
        hmac: [{ header: 'X-Jamf-Signature', algorithm, encoding, prefix, secret: TEST_SECRETS.hmacSecret }],
      });
      const signature = `${sent}${sign(algorithm, encoding)}`;
      expect(() => verifier.verify(request({ 'x-jamf-signature': signature }))).not.toThrow();
    });

    const verifier = createVerifier({
      hmac: [{ header: 'X-Jamf-Signature', algorithm: 'sha256', encoding: 'hex', prefix: '', secret: TEST_SECRETS.hmacSecret }],
    });

    it('rejects a signature over other bytes', () => {
      const other = sign('sha256', 'hex', Buffer.from(`${body.toString()} `));
      expect(() => verifier.verify(request({ 'x-jamf-signature': other }))).toThrow(UnauthorizedError);
    });

    it('rejects a missing, truncated or garbage signature', () => {
      for (const value of [undefined, sign('sha256', 'hex').slice(0, 10), 'zz', '']) {
        const headers: Record<string, string> = value === undefined ? {} : { 'x-jamf-signature': value };
        expect(() => verifier.verify(request(headers))).toThrow(UnauthorizedError);
      }
    });
  });

  it('accepts any credential of a document that combines forms', () => {
    const verifier = createVerifier({
      basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }],
      headers: [{ name: 'X-Api-Key', value: TEST_SECRETS.headerValue }],
    });
    expect(() => verifier.verify(request({ 'x-api-key': TEST_SECRETS.headerValue }))).not.toThrow();
    expect(() => verifier.verify(request({ authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) }))).not.toThrow();
  });
});

describe('parseCredentialsDocument', () => {
  it.each([
    ['not JSON', '{basic:', 'not valid JSON'],
    ['a misspelt key', '{"basics":[]}', 'basics'],
    ['a short HMAC secret', '{"hmac":[{"header":"X-Sig","algorithm":"sha256","secret":"short"}]}', 'at least 16'],
    ['an unknown algorithm', `{"hmac":[{"header":"X-Sig","algorithm":"md5","secret":"${'x'.repeat(16)}"}]}`, 'sha256 or sha512'],
    ['none set to false', '{"none":false}', 'none must be true'],
    ['a username without a password', '{"username":"jamf"}', 'both username and password'],
    ['an empty headers object', '{"headers":{}}', 'headers: headers must name at least one header'],
    ['a headers object with an empty value', '{"headers":{"X-Api-Key":""}}', 'headers.X-Api-Key: headers value must not be empty'],
    ['a headers object with a bad name', '{"headers":{"X Api Key":"v"}}', 'headers: a key: headers names must be HTTP header names'],
    ['a headers list entry without a value', '{"headers":[{"name":"X-Api-Key"}]}', 'headers.0.value: missing'],
    ['a list instead of an object', '[]', 'must be a JSON object, not a list'],
  ])('rejects %s, saying what is wrong', (_what, text, message) => {
    expect(() => parseCredentialsDocument(text)).toThrow(message);
  });

  it('never echoes a secret value in its error', () => {
    const text = `{"basic":[{"username":"jamf","password":"${TEST_SECRETS.basicPassword}","extra":1}]}`;
    expect(() => parseCredentialsDocument(text)).toThrow(expect.not.objectContaining({ message: expect.stringContaining(TEST_SECRETS.basicPassword) }));
  });

  // Each document is wrong in a way that puts a secret where valibot's default message would quote it.
  it.each([
    ['a string where the basic list belongs', { basic: 'tsecret-leak-Basic1' }, 'tsecret-leak-Basic1'],
    ['a string where a basic entry belongs', { basic: ['tsecret-leak-Entry2'] }, 'tsecret-leak-Entry2'],
    ['a string where the headers belong', { headers: 'tsecret-leak-Headers3' }, 'tsecret-leak-Headers3'],
    ['a string as the whole document', 'tsecret-leak-Root4', 'tsecret-leak-Root4'],
    ['a list of strings as the whole document', ['tsecret-leak-List5'], 'tsecret-leak-List5'],
    ['a secret pasted as a header name', { headers: { 'Bearer tsecret-leak-Name6': 'x' } }, 'tsecret-leak-Name6'],
    ['a number where the header value belongs', { headers: { 'X-Api-Key': 7_357_357_357 } }, '7357357357'],
    ['a short HMAC secret', { hmac: [{ header: 'X-Sig', algorithm: 'sha256', secret: 'tsecret-Short7' }] }, 'tsecret-Short7'],
    ['a secret where the algorithm belongs', { hmac: [{ header: 'X-Sig', algorithm: 'tsecret-leak-Alg8', secret: 'x'.repeat(16) }] }, 'tsecret-leak-Alg8'],
    ['a secret where none belongs', { none: 'tsecret-leak-None9' }, 'tsecret-leak-None9'],
    ['a secret as the top-level password with no username', { password: 'tsecret-leak-Top10' }, 'tsecret-leak-Top10'],
    ['a secret where the HMAC prefix belongs, as a number', { hmac: [{ header: 'X-Sig', algorithm: 'sha256', secret: 'x'.repeat(16), prefix: 424242424242 }] }, '424242424242'],
  ])('rejects %s without quoting it', (_what, document, secret) => {
    let message = '';
    try {
      parseCredentialsDocument(JSON.stringify(document));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^the credentials document /);
    expect(message).not.toContain(secret);
  });

  it('reads an empty document as one that rejects everything', () => {
    expect(createVerifier(parseCredentialsDocument('')).acceptsAnything).toBe(false);
  });
});
