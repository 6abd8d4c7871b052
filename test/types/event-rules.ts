/**
 * Compile-time checks of the typed rules: `tsc --noEmit` (part of `npm test`)
 * compiles this file, and each `@ts-expect-error` fails the build if the line
 * below it stops being an error. Nothing here runs.
 */
import type * as events from 'aws-cdk-lib/aws-events';
import type { DetailPattern, JamfEventPattern } from '../../lambda/events';
import type { IJamfEvents } from '../../lib/event-rules';
import { jamfEventPattern } from '../../lib/event-rules';
import type { JamfEventBridge } from '../../lib/jamf-eventbridge';

declare const jamf: JamfEventBridge;
declare const target: events.IRuleTarget;

/** Both the publishing construct and a consumer's view of the bus make typed rules. */
export const publisherMakesRules: IJamfEvents = jamf;

export function theIssueExample(): events.Rule {
  return jamf.onEvent('PolicyFailed', { detailType: 'ComputerPolicyFinished', detail: { event: { successful: [false] } }, target });
}

/** docs/deploy.md, "Several Jamf Pro instances": a rule on one instance, and one on the default instance. */
export function rulesOnInstances(): events.Rule[] {
  return [
    jamf.onEvent('EuComputers', { detailType: 'ComputerAdded', detail: { delivery: { instance: ['subsidiary-eu'] } }, target }),
    jamf.onEvent('DefaultOnly', { detailType: 'ComputerAdded', detail: { delivery: { instance: [{ exists: false }] } }, target }),
  ];
}

export function instanceOfTheWrongType(): void {
  // @ts-expect-error delivery.instance is text
  jamf.onEvent('I', { detailType: 'ComputerAdded', detail: { delivery: { instance: [3] } } });
}

export function misspeltNames(): void {
  // @ts-expect-error a detail type the catalogue does not have
  jamf.onEvent('A', { detailType: 'ComputerPolicyFinishd', target });
  // @ts-expect-error a misspelt detail type in a list
  jamf.onEvent('B', { detailType: ['MobileDeviceEnrolled', 'MobileDeviceUnenrolled'], target });
  // @ts-expect-error an empty list names no event
  jamf.onEvent('C', { detailType: [], target });
  // @ts-expect-error a misspelt field of the event
  jamf.onEvent('D', { detailType: 'ComputerAdded', detail: { event: { serialNumbr: ['C02X'] } } });
  // @ts-expect-error a misspelt field of a nested object
  jamf.onEvent('E', { detailType: 'ComputerCheckIn', detail: { event: { computer: { buildng: ['HQ'] } } } });
  // @ts-expect-error a misspelt part of the detail
  jamf.onEvent('F', { detailType: 'ComputerAdded', detail: { events: { building: ['HQ'] } } });
  // @ts-expect-error a misspelt field inside $or
  jamf.onEvent('G', { detailType: 'ComputerAdded', detail: { event: { $or: [{ building: ['HQ'] }, { departmnt: ['IT'] }] } } });
}

export function valuesOfTheWrongType(): void {
  // @ts-expect-error successful is a boolean
  jamf.onEvent('A', { detailType: 'ComputerPolicyFinished', detail: { event: { successful: ['no'] } } });
  // @ts-expect-error jssID is a number
  jamf.onEvent('B', { detailType: 'ComputerPolicyFinished', detail: { event: { jssID: ['12'] } } });
  // @ts-expect-error a leaf takes a list of matchers, not a bare value
  jamf.onEvent('C', { detailType: 'ComputerAdded', detail: { event: { building: 'HQ' } } });
  // @ts-expect-error prefix is a string operator
  jamf.onEvent('D', { detailType: 'ComputerAdded', detail: { event: { jssID: [{ prefix: '1' }] } } });
  // @ts-expect-error numeric is a number operator
  jamf.onEvent('E', { detailType: 'ComputerAdded', detail: { event: { building: [{ numeric: ['>', 1] }] } } });
  // @ts-expect-error cidr is for the fields that hold an IP address
  jamf.onEvent('F', { detailType: 'ComputerAdded', detail: { event: { deviceName: [{ cidr: '10.0.0.0/8' }] } } });
  // @ts-expect-error a range starts with its lower bound
  jamf.onEvent('G', { detailType: 'ComputerAdded', detail: { event: { jssID: [{ numeric: ['<', 10, '>', 1] }] } } });
  // @ts-expect-error an object field is matched through its fields; exists works on leaves only
  jamf.onEvent('H', { detailType: 'ComputerCheckIn', detail: { event: { computer: [{ exists: true }] } } });
  // @ts-expect-error the groups' device ids are numbers
  jamf.onEvent('I', { detailType: 'SmartGroupComputerMembershipChange', detail: { event: { groupAddedDevicesIds: ['1107'] } } });
  // @ts-expect-error anything-but of a number field takes numbers
  jamf.onEvent('J', { detailType: 'ComputerAdded', detail: { event: { jssID: [{ 'anything-but': ['1'] }] } } });
}

export function everyOperatorWhereItFits(): void {
  jamf.onEvent('Strings', {
    detailType: 'ComputerAdded',
    detail: {
      event: {
        building: ['Headquarters', { prefix: 'HQ' }, { prefix: { 'equals-ignore-case': 'hq' } }, { suffix: 'Lab' }],
        department: [{ 'equals-ignore-case': 'it' }, { wildcard: 'Eng*ing' }, { exists: true }, null, ''],
        room: [{ 'anything-but': ['Lobby', 'Store'] }, { 'anything-but': { prefix: 'B' } }, { 'anything-but': { wildcard: '*-0*' } }],
        ipAddress: [{ cidr: '198.51.100.0/24' }],
        reportedIpAddress: [{ cidr: '2001:db8::/32' }],
      },
    },
  });
  jamf.onEvent('Numbers', {
    detailType: 'SmartGroupComputerMembershipChange',
    detail: {
      event: {
        jssid: [64, { numeric: ['>=', 10, '<', 100] }, { 'anything-but': [1, 2] }],
        groupAddedDevicesIds: [{ numeric: ['=', 1107] }],
        groupAddedDevices: { serialNumber: [{ prefix: 'C02' }] },
        smartGroup: [true],
      },
      webhook: { eventTimestamp: [{ numeric: ['>', 0] }] },
      delivery: { encoding: [{ 'anything-but': 'utf-8' }] },
    },
  });
  // A field Jamf documents as a number that real servers send as text takes both kinds.
  jamf.onEvent('Both', { detailType: 'PushSent', detail: { event: { managementId: [42, { prefix: '7d9f' }] } } });
  // SCEPChallenge's targetDevice is an object or a kind: either pattern.
  jamf.onEvent('Object', { detailType: 'SCEPChallenge', detail: { event: { targetDevice: { serialNumber: [{ exists: true }] } } } });
  jamf.onEvent('Kind', { detailType: 'SCEPChallenge', detail: { event: { targetDevice: ['computer'] } } });
  jamf.onEvent('TopLevelOr', {
    detailType: 'ComputerPolicyFinished',
    detail: { $or: [{ event: { successful: [false] } }, { webhook: { name: [{ prefix: 'Critical' }] } }] },
  });
}

export function severalDetailTypes(): void {
  // Side by side: fields every listed event has (both mobile device events have serialNumber).
  jamf.onEvent('Enrolments', {
    detailType: ['MobileDeviceEnrolled', 'MobileDeviceUnEnrolled'],
    detail: { event: { serialNumber: [{ prefix: 'C8' }], jssID: [{ numeric: ['>', 0] }] } },
  });
  // @ts-expect-error side by side, a field one of the events lacks would drop that event from the rule
  jamf.onEvent('Mixed', { detailType: ['MobileDeviceEnrolled', 'ComputerPolicyFinished'], detail: { event: { successful: [false] } } });
  // Each $or branch may fit one of the events: flat building (ComputerAdded) or nested (ComputerCheckIn).
  jamf.onEvent('Building', {
    detailType: ['ComputerAdded', 'ComputerCheckIn', 'ComputerPatchPolicyCompleted'],
    detail: { event: { $or: [{ building: [{ prefix: 'HQ' }] }, { computer: { building: [{ prefix: 'HQ' }] } }] } },
  });
  jamf.onEvent('BadBranch', {
    detailType: ['ComputerAdded', 'ComputerCheckIn'],
    // @ts-expect-error a branch must fit at least one of the events
    detail: { event: { $or: [{ building: ['HQ'] }, { policyId: [3] }] } },
  });
  // Without detailType, every event: the webhook and delivery blocks are common to all.
  jamf.onEvent('Everything', { detail: { webhook: { webhookEvent: [{ prefix: 'Computer' }] } }, target });
  // @ts-expect-error no field of `event` is common to every event (DeviceRateLimited documents none)
  jamf.onEvent('EverythingInHq', { detail: { event: { building: ['HQ'] } } });
}

/** The JSON form is the same pattern: what `aws events put-rule` and LOCAL_RULES take. */
export const asJson: JamfEventPattern<'ComputerPolicyFinished'> = jamfEventPattern('jamf.pro', {
  detailType: 'ComputerPolicyFinished',
  detail: { event: { successful: [false] } },
});

export const onItsOwn: DetailPattern<'ComputerPolicyFinished'> = { event: { successful: [false], policyId: [58] } };
// @ts-expect-error a detail pattern alone is checked the same way
export const onItsOwnWrong: DetailPattern<'ComputerPolicyFinished'> = { event: { policyId: ['58'] } };

/** The SCEP service's audit events carry `issuance`, and a rule can match on it. */
export const scepIssuer: DetailPattern<'SCEPChallenge'> = { issuance: { issuer: ['upstream'] } };
// @ts-expect-error only SCEPChallenge events carry `issuance`
export const issuanceElsewhere: DetailPattern<'ComputerAdded'> = { issuance: { issuer: ['upstream'] } };
