import localRules from '../../examples/local-rules.json';
import * as subscriber from '../../examples/consumer/subscriber';
import { RECIPE_NAMES } from '../../examples/recipes';
import { fixtureJson, fixtureNames } from '../support/fixtures';
import { fixtureEnvelope, typedEnvelope, typedEnvelopeOf } from '../support/envelopes';

const FORMATS = ['json', 'xml'] as const;

/** The JSON lines the handlers wrote to stdout while `act` ran. */
async function linesWrittenBy<T>(act: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(chunk.toString());
    return true;
  });
  try {
    const result = await act();
    return { result, lines: written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
  } finally {
    spy.mockRestore();
  }
}

describe('the example subscriber', () => {
  it('has a handler for every recipe, named after its rule, as LOCAL_SUBSCRIBERS needs', () => {
    const handlers = subscriber as unknown as Record<string, unknown>;
    for (const name of [...RECIPE_NAMES, ...Object.keys(localRules)]) expect(typeof handlers[name]).toBe('function');
  });

  describe('PolicyFailed', () => {
    it.each(FORMATS)('reports the policy and the computer of a failed policy sent as %s, in one warning line', async (format) => {
      // Prepare
      const event = typedEnvelope('ComputerPolicyFinished', format);

      // Act
      const { result, lines } = await linesWrittenBy(() => subscriber.PolicyFailed(event));

      // Assess
      expect(result).toEqual({
        policyId: 58,
        serialNumber: 'G9N2KX4LQT',
        jssID: 415,
        time: '2026-02-18T06:15:22Z',
        deliveryId: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(lines).toEqual([{ level: 'WARN', message: 'Policy failed', ...result }]);
    });

    it('gives the JSON and the XML form of one webhook the same delivery id, to de-duplicate on', async () => {
      const [json, xml] = await Promise.all(FORMATS.map((format) => linesWrittenBy(() => subscriber.PolicyFailed(typedEnvelope('ComputerPolicyFinished', format)))));
      expect(json!.result.deliveryId).toBe(xml!.result.deliveryId);
    });

    it("reads the computer's fields at the top of event, where older servers sent them", async () => {
      const body = fixtureJson('ComputerPolicyFinished');
      const { computer, ...rest } = body.event;
      body.event = { ...rest, ...computer };
      const { result } = await linesWrittenBy(() => subscriber.PolicyFailed(typedEnvelopeOf('ComputerPolicyFinished', body)));
      expect(result).toMatchObject({ policyId: 58, serialNumber: 'G9N2KX4LQT', jssID: 415 });
    });
  });

  it('ComputerAdded names the computer and its building', async () => {
    const { result } = await linesWrittenBy(() => subscriber.ComputerAdded(typedEnvelope('ComputerAdded', 'xml')));
    expect(result).toEqual({ serialNumber: 'L9XK2W7QHV', jssID: 1322, building: 'Cambridge Lab' });
  });

  it.each(FORMATS)('SmartGroupChange lists the computers that joined and left the group (%s)', async (format) => {
    const { result, lines } = await linesWrittenBy(() => subscriber.SmartGroupChange(typedEnvelope('SmartGroupComputerMembershipChange', format)));
    expect(result).toEqual({ group: 'macOS Sequoia - Not on Latest', added: [1107, 1322, 1418], removed: [847] });
    expect(lines).toEqual([{ level: 'INFO', message: 'Smart group membership changed', group: 'macOS Sequoia - Not on Latest', added: 3, removed: 1 }]);
  });

  it('MobileDeviceEnrolments tells an enrolment from an unenrolment by detail-type', async () => {
    const enrolled = await linesWrittenBy(() => subscriber.MobileDeviceEnrolments(typedEnvelope('MobileDeviceEnrolled', 'json')));
    const unenrolled = await linesWrittenBy(() => subscriber.MobileDeviceEnrolments(typedEnvelope('MobileDeviceUnEnrolled', 'xml')));
    expect(enrolled.result).toEqual({ change: 'enrolled', serialNumber: 'HN7Q2K9XWL', jssID: 342 });
    expect(unenrolled.result).toEqual({ change: 'unenrolled', serialNumber: 'C8QL4XW7N2K1', jssID: 289 });
  });

  it('HeadquartersComputers finds the building at the top of event and under event.computer', async () => {
    const flat = await linesWrittenBy(() => subscriber.HeadquartersComputers(typedEnvelope('ComputerInventoryCompleted', 'json')));
    const nested = await linesWrittenBy(() => subscriber.HeadquartersComputers(typedEnvelope('ComputerCheckIn', 'xml')));
    expect(flat.result).toMatchObject({ event: 'ComputerInventoryCompleted', building: 'Headquarters' });
    expect(nested.result).toEqual({ event: 'ComputerCheckIn', serialNumber: 'C02X1234JHD5', jssID: 847, building: 'Headquarters' });
  });

  it('AllJamfEvents notes every event, with its delivery id', async () => {
    for (const name of fixtureNames()) {
      const { result } = await linesWrittenBy(() => subscriber.AllJamfEvents(fixtureEnvelope(name, 'json')));
      expect(result).toEqual({ detailType: `jamf.${name}`, deliveryId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    }
  });
});
