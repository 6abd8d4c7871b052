import { presentedCredentials } from '../../../lambda/auth/verify';
import { deadLetterMessage } from '../../../lambda/publish/dead-letters';
import { readDeadLetterRecord } from '../../../lambda/redrive/redrive';
import { unverifiedChecker } from '../../../lambda/redrive/unverified';
import type { SecretVersion } from '../../../lambda/secrets/secrets-manager';
import { fixtureBytes } from '../../support/fixtures';
import { basicAuth } from '../../support/requests';

const target = { eventBusName: 'bus', eventSource: 'jamf.pro' };
const doc = (password: string) => JSON.stringify({ basic: [{ username: 'jamf', password }] });
const rotatedAt = new Date('2026-11-27T12:00:00.000Z');

/** The letter of a request that presented `password` and arrived at `receivedAt`, unverified. */
function letter(password: string, receivedAt: Date) {
  const body = fixtureBytes('ComputerAdded', 'json');
  const headers = { authorization: basicAuth('jamf', password), 'content-type': 'application/json' };
  const message = deadLetterMessage({
    reason: { code: 'CredentialsUnavailable', message: 'x', statusCode: 503 },
    requestId: 'r',
    receivedAt,
    contentType: 'application/json',
    eventName: undefined,
    body,
    unverified: presentedCredentials({ headers, body }),
  });
  return readDeadLetterRecord(message)!;
}

describe('unverifiedChecker', () => {
  const versions: SecretVersion[] = [
    { text: doc('new-password-after-rotation'), createdAt: rotatedAt },
    { text: doc('old-password-before-rotation') },
  ];
  const check = unverifiedChecker(async () => versions, target);

  it('lets a request with the current credentials pass, and decodes its event', async () => {
    expect(await check(letter('new-password-after-rotation', new Date('2026-11-27T13:00:00Z')))).toMatchObject({
      outcome: 'verified',
      entries: [{ DetailType: 'jamf.ComputerAdded', Source: 'jamf.pro' }],
    });
  });

  it('lets a request with the previous credentials pass when it came before the rotation', async () => {
    expect(await check(letter('old-password-before-rotation', new Date('2026-11-27T11:00:00Z')))).toMatchObject({ outcome: 'verified' });
  });

  it('rejects the previous credentials for a request that came after the rotation (they may have leaked)', async () => {
    expect(await check(letter('old-password-before-rotation', new Date('2026-11-27T13:00:00Z')))).toEqual({ outcome: 'rejected' });
  });

  it('rejects credentials that were never valid', async () => {
    expect(await check(letter('guessed', new Date('2026-11-27T11:00:00Z')))).toEqual({ outcome: 'rejected' });
  });

  it('checks against the version that parses when the other is broken', async () => {
    const broken = unverifiedChecker(async () => [{ text: '{"basic":"x"}', createdAt: rotatedAt }, { text: doc('old') }], target);
    expect(await broken(letter('old', new Date('2026-11-27T11:00:00Z')))).toMatchObject({ outcome: 'verified' });
  });

  it('leaves a letter unchecked when the credentials cannot be read', async () => {
    const down = unverifiedChecker(() => Promise.reject(new Error('outage')), target);
    expect(await down(letter('new-password-after-rotation', new Date()))).toEqual({ outcome: 'unchecked' });
  });
});
