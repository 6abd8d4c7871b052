import * as v from 'valibot';
// Imported by the name subscribers use (jest maps it to the source, as tsconfig's paths do for tsc).
import { isJamfEvent, JamfEventValidationError, parseJamfEvent } from 'jamf-eventbridge/events';
import { canonicalForm } from '../../../lambda/events/canonical';
import { EVENT_NAMES, type JamfEventName } from '../../../lambda/events/catalogue';
import { publishedExample } from '../../../scripts/published-example';
import { fixtureNames, ROOT, type FixtureFormat } from '../../support/fixtures';

type Published = Record<string, any>;

/** A fixture as a subscriber receives it (decoded, published, delivered); a fresh copy each call. */
const published = (name: string, format: FixtureFormat = 'json'): Published => publishedExample(ROOT, name, format);

const EVERY_FIXTURE = fixtureNames().flatMap((name) => (['json', 'xml'] as const).map((format) => [name, format] as const));

describe('isJamfEvent and parseJamfEvent', () => {
  describe('on every fixture, decoded from JSON and from XML and published', () => {
    it.each(EVERY_FIXTURE)('%s (%s) is a known event, and that event', (name, format) => {
      // Prepare
      const event = published(name, format);
      // Act / Assess
      expect(isJamfEvent(event)).toBe(true);
      expect(isJamfEvent(event, name as JamfEventName)).toBe(true);
      expect(parseJamfEvent(event)).toEqual(event);
      expect(parseJamfEvent(event, name as JamfEventName)['detail-type']).toBe(`jamf.${name}`);
    });

    it('covers every event of the catalogue', () => {
      expect(fixtureNames()).toEqual([...EVENT_NAMES].sort());
    });
  });

  describe('when the event is checked against another name', () => {
    it('is not that event', () => {
      const event = published('ComputerAdded');
      expect(isJamfEvent(event, 'ComputerInventoryCompleted')).toBe(false);
      expect(() => parseJamfEvent(event, 'ComputerInventoryCompleted')).toThrow(
        expect.objectContaining({ name: 'JamfEventValidationError', detailType: 'jamf.ComputerInventoryCompleted' }),
      );
    });
  });

  describe('when the SCEP service published the challenge event', () => {
    it.each([
      [{ issuer: 'signed', challengeId: '0123456789abcdef01234567', expiresAt: '2026-06-03T09:14:27.736Z' }],
      [{ issuer: 'upstream' }],
    ])('accepts its issuance %j', (issuance) => {
      const event = publishedExample(ROOT, 'SCEPChallenge', 'json', { issuance: issuance as never });
      expect(isJamfEvent(event, 'SCEPChallenge')).toBe(true);
      expect(parseJamfEvent(event, 'SCEPChallenge').detail.issuance).toEqual(issuance);
    });

    it('refuses an issuer it does not know', () => {
      const event = publishedExample(ROOT, 'SCEPChallenge', 'json', { issuance: { issuer: 'stolen' } as never });
      expect(isJamfEvent(event)).toBe(false);
    });
  });

  describe('when the event has fields the catalogue does not know', () => {
    it('keeps them, as they were published', () => {
      // Prepare
      const event = published('ComputerAdded');
      event.detail.event.reportedIpV4Address = '192.0.2.41';
      event.detail.webhook.tenant = 'eu';
      event['replay-name'] = 'after-the-outage';
      // Act
      const parsed = parseJamfEvent(event, 'ComputerAdded');
      // Assess
      expect(parsed).toEqual(event);
      expect('reportedIpV4Address' in parsed.detail.event && parsed.detail.event.reportedIpV4Address).toBe('192.0.2.41');
    });
  });

  describe('when the event is broken', () => {
    const broken: ReadonlyArray<[string, (event: Published) => void, string]> = [
      ['a jssID as text, which the published form never has', (e) => (e.detail.event.jssID = '1322'), 'detail.event.jssID'],
      ['a serial number as a number', (e) => (e.detail.event.serialNumber = 1322), 'detail.event.serialNumber'],
      ['no detail-type', (e) => delete e['detail-type'], 'detail-type'],
      ['the detail-type of an event the catalogue does not know', (e) => (e['detail-type'] = 'jamf.ComputerExploded'), 'detail-type'],
      ['a webhookEvent other than its detail-type', (e) => (e.detail.webhook.webhookEvent = 'ComputerCheckIn'), 'detail.webhook.webhookEvent'],
      ['no delivery block', (e) => delete e.detail.delivery, 'detail.delivery'],
      ['a delivery id that is not 32 hex characters', (e) => (e.detail.delivery.id = 'not-an-id'), 'detail.delivery.id'],
      ['a time that is not ISO 8601', (e) => (e.time = 'yesterday'), 'time'],
      ['resources that are not a list', (e) => (e.resources = 'arn:aws:x'), 'resources'],
    ];

    it.each(broken)('refuses %s, naming where', (_, breakIt, path) => {
      // Prepare
      const event = published('ComputerAdded');
      breakIt(event);
      // Act
      let error: unknown;
      try {
        parseJamfEvent(event);
      } catch (thrown) {
        error = thrown;
      }
      // Assess
      expect(isJamfEvent(event)).toBe(false);
      expect(error).toBeInstanceOf(JamfEventValidationError);
      const { name, message, issues } = error as JamfEventValidationError;
      expect(name).toBe('JamfEventValidationError');
      expect(message).toMatch(/^Not a known Jamf event: /);
      expect(issues.map((issue) => issue.path)).toContain(path);
    });

    it.each([null, 'jamf.ComputerAdded', [], 42])('refuses %j, which is no event at all', (value) => {
      expect(isJamfEvent(value)).toBe(false);
      expect(() => parseJamfEvent(value)).toThrow(JamfEventValidationError);
    });

    it('lists at most five issues in its message, and all of them in issues', () => {
      const event = published('ComputerAdded');
      for (const field of ['jssID', 'model', 'osBuild', 'osVersion', 'phone', 'room', 'udid']) event.detail.event[field] = [];
      let error: JamfEventValidationError | undefined;
      try {
        parseJamfEvent(event, 'ComputerAdded');
      } catch (thrown) {
        error = thrown as JamfEventValidationError;
      }
      expect(error?.issues).toHaveLength(7);
      expect(error?.message).toMatch(/^Not a jamf\.ComputerAdded event: .*; and 2 more$/);
    });
  });

  describe('when called from JavaScript with a name it does not know', () => {
    it('says so instead of crashing in valibot', () => {
      expect(() => isJamfEvent(published('ComputerAdded'), 'ComputerExploded' as JamfEventName)).toThrow(
        new TypeError('Unknown Jamf event name: ComputerExploded'),
      );
    });
  });
});

describe('canonicalForm', () => {
  it('refuses a schema that transforms without a plan, instead of guessing its output', () => {
    expect(() => canonicalForm(v.pipe(v.string(), v.transform(Number)))).toThrow(/transform that is not a planned field/);
  });

  it('keeps a schema that only checks', () => {
    const schema = v.pipe(v.string(), v.regex(/^a/));
    expect(canonicalForm(schema)).toBe(schema);
  });
});
