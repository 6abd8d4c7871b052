/**
 * Signed SCEP challenges: self-contained tokens that only the holder of the
 * signing key can make, so issuing one needs no network call and the verifier
 * needs no record of what was issued (only of what was used).
 *
 * A token is 46 bytes, written in 62 characters of `A-Z a-z 0-9 - .` (base64
 * with `-` and `.` for its two symbols, unpadded). Every one of them is a
 * PrintableString character, so the token survives as a PKCS#9
 * challengePassword in any encoding a SCEP client picks.
 *
 * | bytes | field                                                        |
 * |-------|--------------------------------------------------------------|
 * | 0     | format version (1)                                           |
 * | 1-5   | expiry, seconds since the epoch (40 bits, unsigned)          |
 * | 6-17  | random nonce; its hex is the challenge id                    |
 * | 18-23 | SHA-256 tag of the profile's `payloadIdentifier`             |
 * | 24-29 | SHA-256 tag of the device (UDID, else serial number)         |
 * | 30-45 | HMAC-SHA256 of bytes 0-29 under the signing key, truncated   |
 *
 * The tags bind a challenge to the profile and device it was issued for: they
 * are covered by the MAC, so they cannot be changed, and a verifier can check
 * the device tag against the names in the certificate request.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CHALLENGE_VERSION = 1;
export const CHALLENGE_LENGTH = 62;
const SIGNED_BYTES = 30;
const MAC_BYTES = 16;
const TOKEN_BYTES = SIGNED_BYTES + MAC_BYTES;
const TAG_BYTES = 6;
const NONCE_BYTES = 12;
const TOKEN_PATTERN = /^[A-Za-z0-9.-]{62}$/;

/** What a challenge is bound to. */
export interface ChallengeBinding {
  /** The configuration profile's payload identifier. */
  readonly payloadIdentifier: string;
  /** The device's UDID, or its serial number when Jamf sent no UDID; empty when Jamf sent neither. */
  readonly deviceId: string;
}

export interface IssuedChallenge {
  /** The token: the HTTP body Jamf Pro puts in the profile. A secret: never log or publish it. */
  readonly challenge: string;
  /** Hex of the nonce: names the challenge in logs, events and the used-challenge table. */
  readonly challengeId: string;
  /** Expiry, seconds since the epoch. */
  readonly expiresAt: number;
}

export type ChallengeCheck =
  | {
      readonly valid: true;
      readonly challengeId: string;
      readonly expiresAt: number;
      /** Hex of the device tag, to compare with `deviceTag(name)`. */
      readonly deviceTag: string;
    }
  | { readonly valid: false; readonly reason: 'Malformed' | 'BadSignature' | 'Expired' };

function tag(domain: string, value: string): Buffer {
  return createHash('sha256').update(`${domain}\0${value}`, 'utf8').digest().subarray(0, TAG_BYTES);
}

/** The tag of a device name as a certificate request would carry it (case-insensitive, trimmed). */
export function deviceTag(name: string): string {
  return tag('device', name.trim().toUpperCase()).toString('hex');
}

function mac(key: Uint8Array, signed: Uint8Array): Buffer {
  return createHmac('sha256', key).update(signed).digest().subarray(0, MAC_BYTES);
}

function encode(bytes: Buffer): string {
  return bytes.toString('base64url').replace(/_/g, '.');
}

function decode(token: string): Buffer {
  return Buffer.from(token.replace(/\./g, '_'), 'base64url');
}

/**
 * Issues a challenge valid for `ttlSeconds` from `now` (milliseconds), signed
 * with `key`.
 */
export function issueChallenge(
  key: Uint8Array,
  binding: ChallengeBinding,
  ttlSeconds: number,
  now: number = Date.now(),
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): IssuedChallenge {
  const expiresAt = Math.floor(now / 1000) + ttlSeconds;
  const token = Buffer.alloc(TOKEN_BYTES);
  token[0] = CHALLENGE_VERSION;
  token.writeUIntBE(expiresAt, 1, 5);
  token.set(nonce.subarray(0, NONCE_BYTES), 6);
  token.set(tag('payload', binding.payloadIdentifier), 18);
  token.set(tag('device', binding.deviceId.trim().toUpperCase()), 24);
  token.set(mac(key, token.subarray(0, SIGNED_BYTES)), SIGNED_BYTES);
  return { challenge: encode(token), challengeId: token.subarray(6, 18).toString('hex'), expiresAt };
}

/**
 * Checks a challenge against every key that may have signed it (the current
 * one and those being rotated out). Each MAC is compared in constant time, and
 * every key is tried, so the time taken says nothing about which came close.
 */
export function verifyChallenge(challenge: string, keys: readonly Uint8Array[], now: number = Date.now()): ChallengeCheck {
  if (!TOKEN_PATTERN.test(challenge)) return { valid: false, reason: 'Malformed' };
  const token = decode(challenge);
  // 62 characters carry 2 bits more than 46 bytes: only the canonical spelling is accepted, so one token has one form.
  if (token.length !== TOKEN_BYTES || token[0] !== CHALLENGE_VERSION || encode(token) !== challenge) {
    return { valid: false, reason: 'Malformed' };
  }
  const signed = token.subarray(0, SIGNED_BYTES);
  const given = token.subarray(SIGNED_BYTES);
  let matched = false;
  for (const key of keys) matched = timingSafeEqual(mac(key, signed), given) || matched;
  if (!matched) return { valid: false, reason: 'BadSignature' };
  const expiresAt = token.readUIntBE(1, 5);
  if (expiresAt * 1000 <= now) return { valid: false, reason: 'Expired' };
  return {
    valid: true,
    challengeId: token.subarray(6, 18).toString('hex'),
    expiresAt,
    deviceTag: token.subarray(24, 30).toString('hex'),
  };
}
