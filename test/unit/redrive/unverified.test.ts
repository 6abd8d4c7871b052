import { presentedCredentials } from '../../../lambda/auth/verify';
import { deadLetterMessage } from '../../../lambda/publish/dead-letters';
import { readDeadLetterRecord } from '../../../lambda/redrive/redrive';
import { instanceUnverifiedChecker, unverifiedChecker } from '../../../lambda/redrive/unverified';
import type { SecretVersion } from '../../../lambda/secrets/secrets-manager';
import { MAX_ENTRY_BYTES } from '../../../lambda/contract';
import { fixtureBytes } from '../../support/fixtures';
import { basicAuth } from '../../support/requests';

const target = { eventBusName: 'bus', eventSource: 'jamf.pro' };
const doc = (password: string) => JSON.stringify({ basic: [{ username: 'jamf', password }] });
const rotatedAt = new Date('2026-11-27T12:00:00.000Z');

/** The letter of a request that presented `password` and arrived at `receivedAt`, unverified. */
function letter(password: string, receivedAt: Date, instance?: string) {
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
    ...(instance === undefined ? {} : { instance }),
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

  it('passes a smart-group change that cannot be split into parts, for the claim check to publish as a stub', async () => {
    // One device over the entry limit: no part could hold it.
    const device = { deviceName: 'd'.repeat(MAX_ENTRY_BYTES), jssID: 1, serialNumber: 'C02000000001', username: 'u' };
    const body = Buffer.from(
      JSON.stringify({ webhook: { webhookEvent: 'SmartGroupComputerMembershipChange' }, event: { jssid: 64, name: 'Compliance', groupAddedDevices: [device], groupAddedDevicesIds: [1] } }),
    );
    // The whole record, as the oversize bucket keeps it (its queue message leaves the body out).
    const headers = { authorization: basicAuth('jamf', 'pw'), 'content-type': 'application/json' };
    const record = { ...letter('pw', new Date()), unverified: { credentials: presentedCredentials({ headers, body }), bodyBase64: body.toString('base64') } };
    const check = await unverifiedChecker(async () => [{ text: doc('pw') }], target)(record);
    expect(check).toMatchObject({ outcome: 'verified', entries: [{ DetailType: 'jamf.SmartGroupComputerMembershipChange' }] });
  });

  it('leaves a letter unchecked when the credentials cannot be read', async () => {
    const down = unverifiedChecker(() => Promise.reject(new Error('outage')), target);
    expect(await down(letter('new-password-after-rotation', new Date()))).toEqual({ outcome: 'unchecked' });
  });
});

describe('instanceUnverifiedChecker', () => {
  const check = instanceUnverifiedChecker((instance) => {
    if (instance === undefined) return { readDocuments: async () => [{ text: doc('default-password') }], target };
    if (instance === 'sandbox') {
      return {
        readDocuments: async () => [{ text: doc('sandbox-password') }],
        target: { eventBusName: 'bus', eventSource: 'jamf.sandbox', instance },
      };
    }
    return undefined;
  });
  const now = new Date('2026-11-27T13:00:00Z');

  it("checks a named instance's letter with its credentials, and publishes it with its source and name", async () => {
    const checked = await check(letter('sandbox-password', now, 'sandbox'));

    expect(checked).toMatchObject({ outcome: 'verified', entries: [{ Source: 'jamf.sandbox' }] });
    expect(checked.outcome === 'verified' && JSON.parse(checked.entries[0]!.Detail!).delivery.instance).toBe('sandbox');
  });

  it("rejects another instance's credentials, the default one's too", async () => {
    expect(await check(letter('default-password', now, 'sandbox'))).toEqual({ outcome: 'rejected' });
    expect(await check(letter('sandbox-password', now))).toEqual({ outcome: 'rejected' });
  });

  it('checks a letter without an instance as the default one', async () => {
    const checked = await check(letter('default-password', now));

    expect(checked).toMatchObject({ outcome: 'verified', entries: [{ Source: 'jamf.pro' }] });
    expect(checked.outcome === 'verified' && JSON.parse(checked.entries[0]!.Detail!).delivery).not.toHaveProperty('instance');
  });

  it('leaves the letter of an instance no longer served for a person', async () => {
    expect(await check(letter('sandbox-password', now, 'removed'))).toEqual({ outcome: 'unchecked' });
  });

  it('keeps the instance in the letter', () => {
    expect(letter('x', now, 'sandbox').instance).toBe('sandbox');
    expect(letter('x', now)).not.toHaveProperty('instance');
  });
});
