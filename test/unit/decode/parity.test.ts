import { decodeWebhook } from '../../../lambda/decode/decode';
import { CONTENT_TYPES, fixtureBytes, fixtureNames, FIXTURE_SCEP_PASSWORD } from '../../support/fixtures';

const names = fixtureNames();

describe('decodeWebhook', () => {
  describe.each(names)('for %s', (name) => {
    const json = decodeWebhook(fixtureBytes(name, 'json'), CONTENT_TYPES.json);
    const xml = decodeWebhook(fixtureBytes(name, 'xml'), CONTENT_TYPES.xml);

    it('reads the canonical event name from both forms', () => {
      expect(json.eventName).toBe(name);
      expect(xml.eventName).toBe(name);
    });

    it('gives the XML form the identical detail as the JSON form, byte for byte', () => {
      expect(JSON.stringify(xml.detail)).toBe(JSON.stringify(json.detail));
    });

    it('keeps every documented JSON value of the fixture as sent', () => {
      const sent = JSON.parse(fixtureBytes(name, 'json').toString('utf8'));
      const { password: _password, ...targetUser } = sent.event.targetUser ?? {};
      if (sent.event.targetUser) sent.event.targetUser = targetUser;
      expect(json.detail).toEqual(sent);
    });
  });

  it('never keeps the SCEP user password', () => {
    for (const format of ['json', 'xml'] as const) {
      const decoded = decodeWebhook(fixtureBytes('SCEPChallenge', format), CONTENT_TYPES[format]);
      expect(JSON.stringify(decoded.detail)).not.toContain(FIXTURE_SCEP_PASSWORD);
      expect(decoded.detail.event.targetUser).not.toHaveProperty('password');
    }
  });
});
