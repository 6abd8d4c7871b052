/**
 * The delivery id of every fixture, pinned: the id is derived from the
 * canonical event, and a subscriber deduplicating on it must see the same id
 * whatever the decoder or the Detail's serialisation does (here with the time
 * a timestamp-less event would mix in fixed at 0).
 */
import { decodeWebhook } from '../../../lambda/decode/decode';
import { toPutEventsEntry } from '../../../lambda/publish/entry';
import { CONTENT_TYPES, fixtureBytes, fixtureNames } from '../../support/fixtures';

const PINNED: Record<string, string> = 
{
  "ComputerAdded": "768ee2e7a5638839f55e1cc63b38a6c8",
  "ComputerCheckIn": "788191daaefe94c457271118ddbcedb7",
  "ComputerInventoryCompleted": "b3df086158c0bdeae2a12ad4ceb4bac7",
  "ComputerPatchPolicyCompleted": "f0f1d880f636fd49ea1d683f26553b7e",
  "ComputerPolicyFinished": "9bd370af7005b1785f1dbd5b07904c44",
  "ComputerPushCapabilityChanged": "8c09b72345afe033c34936a2ea972c41",
  "DeviceAddedToDEP": "8c0a29e65a209ed464d042d74028cf59",
  "DeviceRateLimited": "b442038e5c7e0c59e1db260f5d949979",
  "JSSShutdown": "1d521d520d3c74ef6f490e93c9339e6b",
  "JSSStartup": "2c52759fb1167c89829eff61633ab93b",
  "MobileDeviceCheckIn": "37a6edfe2980ba67ba136dca918c31b1",
  "MobileDeviceCommandCompleted": "7c15f76ba32e30abb66576d21f2e7b5d",
  "MobileDeviceEnrolled": "27f8cb5478e051826bae76d23c84b84a",
  "MobileDeviceInventoryCompleted": "548d8eb029b38fdbc14de8bd2fe62407",
  "MobileDevicePushSent": "f86662b1f7e4910aaf7e03f72f75db5c",
  "MobileDeviceUnEnrolled": "c1729c71b6830a7797012c36dbae369e",
  "PatchSoftwareTitleUpdated": "74f11312fc16e1d1d61cc688eb7c2cb9",
  "PushSent": "7ad0a3547c4a482deea331ba6c274304",
  "RestAPIOperation": "571e5cee6c5e542eba8fbc9a4c3c99b9",
  "SCEPChallenge": "7179c577ae372e7b24f8080a5a5aa7b2",
  "SmartGroupComputerMembershipChange": "6794e9f67773ff55245b5ee37171fa52",
  "SmartGroupMobileDeviceMembershipChange": "3ce0018f2cf43c9b2f407b96b8091c46",
  "SmartGroupUserMembershipChange": "267a8c9eb0d6a4eb207ffcc605470f31"
}
;

describe('the delivery id of each fixture', () => {
  it('covers every fixture', () => {
    expect(Object.keys(PINNED).sort()).toEqual(fixtureNames());
  });

  it.each(fixtureNames().flatMap((name) => [[name, 'json'], [name, 'xml']] as const))('is pinned for %s (%s)', (name, format) => {
    const entry = toPutEventsEntry(decodeWebhook(fixtureBytes(name, format), CONTENT_TYPES[format]), { eventBusName: 'b', eventSource: 's' }, new Date(0));
    expect(JSON.parse(entry.Detail!).delivery.id).toBe(PINNED[name]);
  });
});
