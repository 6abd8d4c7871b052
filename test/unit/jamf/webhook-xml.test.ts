/**
 * The webhook XML against documents written by hand in the Classic API's shape
 * (test/fixtures/jamf/): a list, a list of one, one webhook, a 409 status page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { statusPageReason } from '../../../lambda/jamf/classic-api';
import { InvalidWebhookXmlError, parseWebhookFieldsXml, parseWebhookListXml, parseWebhookXml, webhookXml } from '../../../lambda/jamf/webhook-xml';
import { ROOT } from '../../support/fixtures';

const fixture = (name: string) => readFileSync(join(ROOT, 'test', 'fixtures', 'jamf', name), 'utf8');

describe('webhook XML', () => {
  describe('the list', () => {
    it('reads each id and name, entities decoded', () => {
      expect(parseWebhookListXml(fixture('webhooks.xml'))).toEqual({
        size: 2,
        webhook: [
          { id: 3, name: 'jamf-eventbridge: ComputerAdded' },
          { id: 7, name: 'Slack & Teams relay' },
        ],
      });
    });

    it('is a list with one webhook too, and a name stays text', () => {
      expect(parseWebhookListXml(fixture('webhooks-one.xml')).webhook).toEqual([{ id: 12, name: '0123' }]);
    });

    it('is empty when Jamf has none', () => {
      expect(parseWebhookListXml('<?xml version="1.0" encoding="UTF-8"?><webhooks><size>0</size></webhooks>').webhook).toEqual([]);
    });
  });

  describe('one webhook', () => {
    it('reads the fields the registrar compares, typed', () => {
      const webhook = parseWebhookXml(fixture('webhook.xml'));
      expect(webhook).toMatchObject({
        id: 3,
        enabled: true,
        content_type: 'application/json',
        event: 'ComputerAdded',
        connection_timeout: 5,
        read_timeout: 5,
        authentication_type: 'BASIC',
        username: 'jamf',
        password: '',
        smart_group_id: -1,
      });
    });

    it('writes what it reads, escaped', () => {
      const written = webhookXml({ name: 'a & <b>', enabled: true, header: { 'X-Api-Key': 'v"1' }, smart_group_id: 4 });
      expect(written).toContain('<name>a &amp; &lt;b&gt;</name>');
      expect(parseWebhookFieldsXml(written)).toEqual({ name: 'a & <b>', enabled: 'true', header: '{"X-Api-Key":"v\\"1"}', smart_group_id: '4' });
    });

    it('refuses a DOCTYPE, so no entity can be declared', () => {
      const xml = '<?xml version="1.0"?><!DOCTYPE webhook [<!ENTITY x "y">]><webhook><id>1</id></webhook>';
      expect(() => parseWebhookXml(xml)).toThrow(InvalidWebhookXmlError);
    });

    it('refuses another root, and says which it expected', () => {
      expect(() => parseWebhookXml(fixture('webhooks.xml'))).toThrow('expected a <webhook> root element');
    });
  });

  describe('a refusal', () => {
    it("is read from Jamf's HTML status page", () => {
      expect(statusPageReason(fixture('duplicate-name.html'))).toBe('Error: Duplicate name');
    });
  });
});
