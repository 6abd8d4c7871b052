/**
 * The SCEPChallenge event, in a module of its own so the SCEP function can
 * decode it without loading the rest of the catalogue.
 */
import * as v from 'valibot';
import { entity, integer, list, text } from './fields';

/**
 * `targetUser.password` is deliberately not part of the schema: it is removed
 * right after decoding (see `lambda/shared/redact.ts`), so consumers never see it.
 */
export const ScepTargetUserSchema = v.looseObject({
  dn: text(),
  username: text(),
  uid: text(),
  room: text(),
  uuid: text(),
  buildingID: integer(),
  phone: text(),
  departmentID: integer(),
  position: text(),
  email: text(),
  realname: text(),
});

export const ScepTargetDeviceSchema = v.looseObject({
  osBuild: text(),
  bluetoothMacAddress: text(),
  room: text(),
  deviceName: text(),
  udid: text(),
  serialNumber: text(),
  product: text(),
  icciID: text(),
  modelDisplay: text(),
  version: text(),
  imei: text(),
  userDirectoryID: text(),
  osVersion: text(),
  model: text(),
  wifiMacAddress: text(),
});

export const SCEPChallengeSchema = v.looseObject({
  targetUser: entity(ScepTargetUserSchema.entries),
  /** An object on current servers; some older payloads carry only a kind such as `"computer"`. */
  targetDevice: v.nullish(v.union([entity(ScepTargetDeviceSchema.entries), text()])),
  scepServerUrl: text(),
  payloadIdentifier: text(),
  payloadTypes: list(text()),
});
export type SCEPChallenge = v.InferOutput<typeof SCEPChallengeSchema>;

/**
 * How the SCEP function issued the challenge: present only on the
 * `jamf.SCEPChallenge` events it publishes (not on those from `/webhooks`).
 * It names the challenge without containing it.
 */
export const ChallengeIssuanceSchema = v.object({
  /** `signed` by this service, or fetched from the configured `upstream` issuer. */
  issuer: v.picklist(['signed', 'upstream']),
  /** Names a signed challenge in the verifier's logs and the used-challenge table. */
  challengeId: v.optional(v.string()),
  /** When a signed challenge stops being accepted (ISO 8601). */
  expiresAt: v.optional(v.string()),
});
export type ChallengeIssuance = v.InferOutput<typeof ChallengeIssuanceSchema>;
