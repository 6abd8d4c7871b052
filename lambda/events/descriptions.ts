/**
 * When Jamf Pro sends each event, in one sentence, in our words after Jamf's
 * webhook reference. The events reference in docs/events.md, the JSON
 * Schemas and the schema registry take them from here.
 *
 * A module apart from the catalogue: the handlers load the catalogue, and
 * have no use for these sentences.
 *
 * @see https://developer.jamf.com/developer-guide/docs/webhooks
 */
import type { JamfEventName } from './catalogue';

export const EVENT_DESCRIPTIONS = {
  ComputerAdded:
    'A computer is enrolled into Jamf Pro for the first time (not when a computer that already has an inventory record is re-enrolled).',
  ComputerCheckIn:
    'A managed computer checks in for tasks: at startup, login, logout, a network state change, the end of enrollment, or the recurring check-in.',
  ComputerInventoryCompleted: 'A managed computer submits inventory.',
  ComputerPatchPolicyCompleted: 'A computer completes a patch policy.',
  ComputerPolicyFinished: 'A managed computer runs a policy, whether it succeeded or failed.',
  ComputerPushCapabilityChanged:
    "A computer's MDM capability (whether it can receive push notifications) changes.",
  DeviceAddedToDEP:
    "Jamf Pro learns of a new device assigned to an Automated Device Enrollment (DEP) instance; `assetTag` is Apple's, not the inventory Asset Tag.",
  DeviceRateLimited: 'Offered by Jamf Pro but not documented by Jamf: its body is passed through as sent.',
  JSSShutdown: 'The Jamf Pro server stops: its Tomcat service, or one instance of Jamf Pro.',
  JSSStartup: 'The Jamf Pro server starts: its Tomcat service, or one instance of Jamf Pro.',
  MobileDeviceCheckIn:
    'A managed mobile device receives the first communication of an MDM command, before the command is issued or completed.',
  MobileDeviceCommandCompleted:
    'Jamf Pro receives the acknowledgement of a command from a mobile device, whether the command succeeded or failed.',
  MobileDeviceEnrolled: 'A mobile device is enrolled or re-enrolled into Jamf Pro.',
  MobileDeviceInventoryCompleted: 'A mobile device completes the Update Inventory MDM command (Jamf Pro 10.47.0 and later).',
  MobileDevicePushSent:
    'Jamf Pro sends a push command to a mobile device: when it is sent, not when the device completes it.',
  MobileDeviceUnEnrolled:
    'The MDM profile is removed from a mobile device by hand, or Jamf Pro sends it the Unmanage Device command.',
  PatchSoftwareTitleUpdated:
    'A patch management software title that Jamf Pro has added is updated (titles not added to Jamf Pro send nothing).',
  PushSent:
    'Jamf Pro sends a remote command to a computer or a mobile device; nothing says which, and their IDs overlap.',
  RestAPIOperation:
    'An authorized request to a supported Classic API resource succeeds (unauthorized and failed requests, and unknown resources, send nothing).',
  SCEPChallenge:
    'Jamf Pro assembles a SCEP payload that uses the dynamic challenge type (Jamf Pro 10.32.0 and later); the SCEP service publishes it with `issuance`.',
  SmartGroupComputerMembershipChange: 'Computers join or leave a smart computer group.',
  SmartGroupMobileDeviceMembershipChange:
    'Mobile devices join or leave a smart mobile device group; since Jamf Pro 10.6, `groupAddedDevices` and `groupRemovedDevices` list their fields if the webhook is set up so in the Classic API.',
  SmartGroupUserMembershipChange: 'Users join or leave a smart user group.',
} as const satisfies { readonly [TName in JamfEventName]: string };
