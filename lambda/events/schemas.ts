/**
 * valibot schemas for the Jamf Pro webhook envelope and the body of every event
 * Jamf documents, with the TypeScript types inferred from them.
 *
 * Event objects are `looseObject`s on purpose: Jamf adds fields in new versions
 * (`managementId` in 11.4, `reportedIpV4Address`, ...), and a field we do not
 * know yet must reach the bus rather than be dropped. Known fields are coerced
 * to the type of Jamf's JSON documentation (see `fields.ts`); where the
 * reference's XML samples disagree (`userDirectoryID`, `targetUser.uid` as
 * integers) the JSON documentation wins.
 *
 * @see https://developer.jamf.com/developer-guide/docs/webhooks
 */
import * as v from 'valibot';
import { boolean, entity, integer, integerOrText, list, text } from './fields';

export * from './webhook';
export * from './scep';

/** Inventory fields of a computer, as sent by the computer events. */
export const computerEntries = {
  alternateMacAddress: text(),
  building: text(),
  department: text(),
  deviceName: text(),
  emailAddress: text(),
  ipAddress: text(),
  jssID: integer(),
  macAddress: text(),
  model: text(),
  osBuild: text(),
  osVersion: text(),
  phone: text(),
  position: text(),
  realName: text(),
  reportedIpAddress: text(),
  room: text(),
  serialNumber: text(),
  udid: text(),
  userDirectoryID: text(),
  username: text(),
  managementId: text(),
};

/** Inventory fields of a mobile device, as sent by the mobile device events. */
export const mobileDeviceEntries = {
  bluetoothMacAddress: text(),
  deviceName: text(),
  icciID: text(),
  imei: text(),
  ipAddress: text(),
  jssID: integer(),
  model: text(),
  modelDisplay: text(),
  osBuild: text(),
  osVersion: text(),
  product: text(),
  room: text(),
  serialNumber: text(),
  udid: text(),
  userDirectoryID: text(),
  username: text(),
  version: text(),
  wifiMacAddress: text(),
  managementId: text(),
};

export const ComputerSchema = v.looseObject(computerEntries);
export type Computer = v.InferOutput<typeof ComputerSchema>;

export const MobileDeviceSchema = v.looseObject(mobileDeviceEntries);
export type MobileDevice = v.InferOutput<typeof MobileDeviceSchema>;

export const ComputerAddedSchema = ComputerSchema;
export type ComputerAdded = v.InferOutput<typeof ComputerAddedSchema>;

/**
 * Servers before the nested shape sent the computer's fields at the top of
 * `event`; those fields are coerced there too so both shapes decode.
 */
export const ComputerCheckInSchema = v.looseObject({
  computer: entity(computerEntries),
  trigger: text(),
  ...computerEntries,
});
export type ComputerCheckIn = v.InferOutput<typeof ComputerCheckInSchema>;

export const ComputerInventoryCompletedSchema = ComputerSchema;
export type ComputerInventoryCompleted = v.InferOutput<typeof ComputerInventoryCompletedSchema>;

export const ComputerPatchPolicyCompletedSchema = v.looseObject({
  computer: entity(computerEntries),
  deployedVersion: text(),
  eventActions: entity({ action: list(text()) }),
  patchPolicyId: integer(),
  patchPolicyName: text(),
  softwareTitleId: integer(),
  successful: boolean(),
});
export type ComputerPatchPolicyCompleted = v.InferOutput<typeof ComputerPatchPolicyCompletedSchema>;

/** Like ComputerCheckIn, older servers sent the computer's fields flat. */
export const ComputerPolicyFinishedSchema = v.looseObject({
  computer: entity(computerEntries),
  policyId: integer(),
  successful: boolean(),
  ...computerEntries,
});
export type ComputerPolicyFinished = v.InferOutput<typeof ComputerPolicyFinishedSchema>;

export const ComputerPushCapabilityChangedSchema = ComputerSchema;
export type ComputerPushCapabilityChanged = v.InferOutput<typeof ComputerPushCapabilityChangedSchema>;

export const DeviceAddedToDEPSchema = v.looseObject({
  assetTag: text(),
  description: text(),
  deviceAssignedDate: integer(),
  deviceEnrollmentProgramInstanceId: integer(),
  model: text(),
  serialNumber: text(),
});
export type DeviceAddedToDEP = v.InferOutput<typeof DeviceAddedToDEPSchema>;

/** Jamf offers this event but does not document its body: any object is accepted and kept. */
export const DeviceRateLimitedSchema = v.looseObject({});
export type DeviceRateLimited = v.InferOutput<typeof DeviceRateLimitedSchema>;

const serverEntries = {
  hostAddress: text(),
  institution: text(),
  isClusterMaster: boolean(),
  jssUrl: text(),
  webApplicationPath: text(),
};

export const JSSShutdownSchema = v.looseObject(serverEntries);
export type JSSShutdown = v.InferOutput<typeof JSSShutdownSchema>;

export const JSSStartupSchema = v.looseObject(serverEntries);
export type JSSStartup = v.InferOutput<typeof JSSStartupSchema>;

export const MobileDeviceCheckInSchema = MobileDeviceSchema;
export type MobileDeviceCheckIn = v.InferOutput<typeof MobileDeviceCheckInSchema>;

export const MobileDeviceCommandCompletedSchema = MobileDeviceSchema;
export type MobileDeviceCommandCompleted = v.InferOutput<typeof MobileDeviceCommandCompletedSchema>;

export const MobileDeviceEnrolledSchema = MobileDeviceSchema;
export type MobileDeviceEnrolled = v.InferOutput<typeof MobileDeviceEnrolledSchema>;

export const MobileDeviceInventoryCompletedSchema = MobileDeviceSchema;
export type MobileDeviceInventoryCompleted = v.InferOutput<typeof MobileDeviceInventoryCompletedSchema>;

export const MobileDevicePushSentSchema = MobileDeviceSchema;
export type MobileDevicePushSent = v.InferOutput<typeof MobileDevicePushSentSchema>;

export const MobileDeviceUnEnrolledSchema = MobileDeviceSchema;
export type MobileDeviceUnEnrolled = v.InferOutput<typeof MobileDeviceUnEnrolledSchema>;

/** Newer servers send the `reportUrls` list, older ones a single `reportUrl`. */
export const PatchSoftwareTitleUpdatedSchema = v.looseObject({
  jssID: integer(),
  lastUpdate: integer(),
  latestVersion: text(),
  name: text(),
  reportUrls: list(text()),
  reportUrl: text(),
});
export type PatchSoftwareTitleUpdated = v.InferOutput<typeof PatchSoftwareTitleUpdatedSchema>;

/**
 * Documented with an integer `managementId` (newer) or `jssid` (older); real
 * servers send `managementId` as a UUID string, so both forms are accepted.
 */
export const PushSentSchema = v.looseObject({
  managementId: integerOrText(),
  type: text(),
  jssid: integer(),
  jssID: integer(),
});
export type PushSent = v.InferOutput<typeof PushSentSchema>;

export const RestAPIOperationSchema = v.looseObject({
  authorizedUsername: text(),
  objectID: integer(),
  objectName: text(),
  objectTypeName: text(),
  operationSuccessful: boolean(),
  restAPIOperationType: text(),
});
export type RestAPIOperation = v.InferOutput<typeof RestAPIOperationSchema>;

/** Smart computer and mobile device groups send the same shape; only the device fields differ. */
function deviceGroupMembershipChange<TEntries extends v.ObjectEntries>(deviceEntries: TEntries) {
  return v.looseObject({
    computer: boolean(),
    groupAddedDevices: list(entity(deviceEntries)),
    groupAddedDevicesIds: list(integer()),
    groupRemovedDevices: list(entity(deviceEntries)),
    groupRemovedDevicesIds: list(integer()),
    jssid: integer(),
    name: text(),
    smartGroup: boolean(),
  });
}

export const SmartGroupComputerMembershipChangeSchema = deviceGroupMembershipChange(computerEntries);
export type SmartGroupComputerMembershipChange = v.InferOutput<typeof SmartGroupComputerMembershipChangeSchema>;

export const SmartGroupMobileDeviceMembershipChangeSchema = deviceGroupMembershipChange(mobileDeviceEntries);
export type SmartGroupMobileDeviceMembershipChange = v.InferOutput<
  typeof SmartGroupMobileDeviceMembershipChangeSchema
>;

export const SmartGroupUserMembershipChangeSchema = v.looseObject({
  groupAddedUserIds: list(integer()),
  groupRemovedUserIds: list(integer()),
  jssid: integer(),
  name: text(),
  smartGroup: boolean(),
});
export type SmartGroupUserMembershipChange = v.InferOutput<typeof SmartGroupUserMembershipChangeSchema>;

/** The body of an event whose name we do not know: any object, passed through. */
export const UnknownEventSchema = v.looseObject({});
