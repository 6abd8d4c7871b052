import { canonicalEventName, detailTypeOf, EVENT_NAMES, EVENT_SCHEMAS } from '../../../lambda/events';
import { fixtureNames } from '../../support/fixtures';

describe('the event catalogue', () => {
  it('knows the 22 documented events and DeviceRateLimited', () => {
    expect(EVENT_NAMES).toHaveLength(23);
    expect(EVENT_NAMES).toContain('DeviceRateLimited');
    expect(EVENT_NAMES).toContain('MobileDeviceUnEnrolled');
  });

  it('has a JSON and an XML fixture for every event, and no fixture for an event it does not know', () => {
    expect(fixtureNames()).toEqual([...EVENT_NAMES].sort());
  });

  describe('when a name is spelled differently from what Jamf sends', () => {
    it.each([
      ['MobileDeviceUnenrolled', 'MobileDeviceUnEnrolled'],
      ['ComputerCheckin', 'ComputerCheckIn'],
      ['computeradded', 'ComputerAdded'],
      ['SCEPCHALLENGE', 'SCEPChallenge'],
    ])('maps %s to %s', (sent, canonical) => {
      expect(canonicalEventName(sent)).toBe(canonical);
    });

    it('returns undefined for a name it does not know', () => {
      expect(canonicalEventName('ComputerExploded')).toBeUndefined();
    });
  });

  it('names the detail-type jamf.<Name>', () => {
    expect(detailTypeOf('ComputerAdded')).toBe('jamf.ComputerAdded');
  });

  it('maps every name to a schema object', () => {
    for (const name of EVENT_NAMES) expect(EVENT_SCHEMAS[name]).toHaveProperty('kind', 'schema');
  });
});
