/**
 * The event catalogue: every Jamf webhook event we know, by the name Jamf sends
 * in `webhook.webhookEvent`. This table is the single place a new event is added.
 */
import type * as v from 'valibot';
import * as s from './schemas';

export { detailTypeOf } from '../contract/events';

export const EVENT_SCHEMAS = {
  ComputerAdded: s.ComputerAddedSchema,
  ComputerCheckIn: s.ComputerCheckInSchema,
  ComputerInventoryCompleted: s.ComputerInventoryCompletedSchema,
  ComputerPatchPolicyCompleted: s.ComputerPatchPolicyCompletedSchema,
  ComputerPolicyFinished: s.ComputerPolicyFinishedSchema,
  ComputerPushCapabilityChanged: s.ComputerPushCapabilityChangedSchema,
  DeviceAddedToDEP: s.DeviceAddedToDEPSchema,
  DeviceRateLimited: s.DeviceRateLimitedSchema,
  JSSShutdown: s.JSSShutdownSchema,
  JSSStartup: s.JSSStartupSchema,
  MobileDeviceCheckIn: s.MobileDeviceCheckInSchema,
  MobileDeviceCommandCompleted: s.MobileDeviceCommandCompletedSchema,
  MobileDeviceEnrolled: s.MobileDeviceEnrolledSchema,
  MobileDeviceInventoryCompleted: s.MobileDeviceInventoryCompletedSchema,
  MobileDevicePushSent: s.MobileDevicePushSentSchema,
  MobileDeviceUnEnrolled: s.MobileDeviceUnEnrolledSchema,
  PatchSoftwareTitleUpdated: s.PatchSoftwareTitleUpdatedSchema,
  PushSent: s.PushSentSchema,
  RestAPIOperation: s.RestAPIOperationSchema,
  SCEPChallenge: s.SCEPChallengeSchema,
  SmartGroupComputerMembershipChange: s.SmartGroupComputerMembershipChangeSchema,
  SmartGroupMobileDeviceMembershipChange: s.SmartGroupMobileDeviceMembershipChangeSchema,
  SmartGroupUserMembershipChange: s.SmartGroupUserMembershipChangeSchema,
} as const;

/** The canonical name of a known event, as Jamf sends it. */
export type JamfEventName = keyof typeof EVENT_SCHEMAS;

/** The decoded `event` object of a known event. */
export type JamfEventBody<TName extends JamfEventName> = v.InferOutput<(typeof EVENT_SCHEMAS)[TName]>;

/** The EventBridge `detail` of a known event: `{ webhook, event }` in canonical form. */
export type JamfEventDetail<TName extends JamfEventName> = {
  webhook: s.Webhook & { webhookEvent: TName };
  event: JamfEventBody<TName>;
};

export const EVENT_NAMES = Object.keys(EVENT_SCHEMAS) as JamfEventName[];

/**
 * Jamf's documentation and some tools spell names differently from what Jamf
 * sends (`MobileDeviceUnenrolled`, `ComputerCheckin`); they differ only in
 * case, so known names are matched case-insensitively.
 */
const BY_FOLDED_NAME = new Map<string, JamfEventName>(EVENT_NAMES.map((name) => [name.toLowerCase(), name]));

/** The canonical name of a known event, whatever its casing; `undefined` for an unknown one. */
export function canonicalEventName(name: string): JamfEventName | undefined {
  return BY_FOLDED_NAME.get(name.toLowerCase());
}
