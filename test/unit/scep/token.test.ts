import fc from 'fast-check';
import { CHALLENGE_LENGTH, deviceTag, issueChallenge, verifyChallenge } from '../../../lambda/scep/token';

const KEY = Buffer.from('unit-test-signing-key-0123456789abcdef');
const OLD_KEY = Buffer.from('unit-test-previous-key-0123456789abcdef');
const BINDING = { payloadIdentifier: 'C0FFEE00-1111-2222-3333-444455556666', deviceId: '00008130-0004218E3C42001E' };
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

describe('signed challenges', () => {
  it('are 62 characters of A-Z a-z 0-9 - . whatever the key, binding and time', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 64 }),
        fc.string(),
        fc.string(),
        fc.integer({ min: 1, max: 7 * 24 * 3600 }),
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (key, payloadIdentifier, deviceId, ttl, at) => {
          const { challenge } = issueChallenge(key, { payloadIdentifier, deviceId }, ttl, at.getTime());
          expect(challenge).toMatch(/^[A-Za-z0-9.-]+$/);
          expect(challenge).toHaveLength(CHALLENGE_LENGTH);
          expect(verifyChallenge(challenge, [key], at.getTime()).valid).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('carry their id, expiry and device tag', () => {
    const issued = issueChallenge(KEY, BINDING, 3600, NOW);
    const check = verifyChallenge(issued.challenge, [KEY], NOW);
    expect(check).toEqual({
      valid: true,
      challengeId: issued.challengeId,
      expiresAt: NOW / 1000 + 3600,
      deviceTag: deviceTag(BINDING.deviceId),
    });
    expect(issued.challengeId).toMatch(/^[0-9a-f]{24}$/);
  });

  it('are different every time, for the same request', () => {
    const challenges = new Set(Array.from({ length: 100 }, () => issueChallenge(KEY, BINDING, 3600, NOW).challenge));
    expect(challenges.size).toBe(100);
  });

  it('are refused once any single character is changed', () => {
    const { challenge } = issueChallenge(KEY, BINDING, 3600, NOW);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.';
    fc.assert(
      fc.property(fc.nat(CHALLENGE_LENGTH - 1), fc.nat(alphabet.length - 1), (index, letter) => {
        const replacement = alphabet[letter]!;
        fc.pre(replacement !== challenge[index]);
        const changed = challenge.slice(0, index) + replacement + challenge.slice(index + 1);
        expect(verifyChallenge(changed, [KEY], NOW).valid).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('are refused under another key, and accepted under a previous key kept for rotation', () => {
    const { challenge } = issueChallenge(OLD_KEY, BINDING, 3600, NOW);
    expect(verifyChallenge(challenge, [KEY], NOW)).toEqual({ valid: false, reason: 'BadSignature' });
    expect(verifyChallenge(challenge, [KEY, OLD_KEY], NOW).valid).toBe(true);
  });

  it('expire at their expiry, to the second', () => {
    const { challenge } = issueChallenge(KEY, BINDING, 60, NOW);
    expect(verifyChallenge(challenge, [KEY], NOW + 59_999).valid).toBe(true);
    expect(verifyChallenge(challenge, [KEY], NOW + 60_000)).toEqual({ valid: false, reason: 'Expired' });
  });

  it.each([
    ['empty', ''],
    ['too short', 'AQ'],
    ['too long', `${'A'.repeat(63)}`],
    ['outside the alphabet', `${'A'.repeat(61)}_`],
    ['of an unknown version', `Ag${'A'.repeat(60)}`],
  ])('are refused as malformed when %s', (_, challenge) => {
    expect(verifyChallenge(challenge, [KEY], NOW)).toEqual({ valid: false, reason: 'Malformed' });
  });
});

describe('deviceTag', () => {
  it('ignores case and surrounding space, as names in certificate requests vary', () => {
    expect(deviceTag(' 00008130-0004218e3c42001e ')).toBe(deviceTag(BINDING.deviceId));
    expect(deviceTag('M4QW9KX2TR')).not.toBe(deviceTag(BINDING.deviceId));
  });
});
