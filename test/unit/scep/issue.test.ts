import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { ServiceUnavailableError, UnauthorizedError } from '../../../lambda/shared/errors';
import type { DeadLetterInput } from '../../../lambda/publish/dead-letters';
import type { PublishResult } from '../../../lambda/publish/publisher';
import { readScepConfig } from '../../../lambda/scep/config';
import { createIssueHandler, type IssueDependencies } from '../../../lambda/scep/issue';
import { bindingOf, signedIssuer } from '../../../lambda/scep/issuers';
import { verifyChallenge } from '../../../lambda/scep/token';
import { fixtureBytes, FIXTURE_SCEP_PASSWORD } from '../../support/fixtures';
import { proxyEvent } from '../../support/requests';
import { FIXTURE_DEVICE } from '../../support/scep';
import { ownLogLines } from '../../support/capture-logs';
import { decodeScepChallenge } from '../../../lambda/scep/decode';

const KEY = Buffer.from('unit-test-signing-key-0123456789abcdef');
const ENV = { EVENT_BUS_NAME: 'bus', DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/000000000000/dlq', SCEP_AUDIT_BUDGET_MS: '300' };
const PUBLISHED: PublishResult = { ok: true, eventId: 'event-1', attempts: 1, ambiguous: false };

function setup(overrides: Partial<IssueDependencies> = {}) {
  const published: { entry: PutEventsRequestEntry; budgetMs: number }[] = [];
  const deadLetters: DeadLetterInput[] = [];
  const handler = createIssueHandler({
    config: readScepConfig(ENV),
    authenticate: async () => undefined,
    issue: signedIssuer(async () => ({ current: KEY, all: [KEY] }), 3600),
    publish: async (entry, budgetMs) => {
      published.push({ entry, budgetMs });
      return PUBLISHED;
    },
    deadLetter: async (input) => {
      deadLetters.push(input);
      return { stored: true };
    },
    ...overrides,
  });
  const send = (format: 'json' | 'xml' = 'json') => handler(proxyEvent(fixtureBytes('SCEPChallenge', format)));
  return { send, published, deadLetters };
}

const lastLine = () => JSON.parse(ownLogLines().at(-1)!) as Record<string, unknown>;

describe('the challenge issuer', () => {
  it('signs a challenge bound to the payload identifier and the UDID', async () => {
    const { send } = setup();
    const response = await send();
    const check = verifyChallenge(response.body, [KEY]);
    expect(check).toMatchObject({ valid: true });
    const decoded = await decodeScepChallenge(fixtureBytes('SCEPChallenge', 'json'), 'application/json');
    expect(bindingOf(decoded)).toEqual({ payloadIdentifier: FIXTURE_DEVICE.payloadIdentifier, deviceId: FIXTURE_DEVICE.udid });
  });

  it('binds to the serial number when Jamf sends no UDID, and to the profile alone when it sends no device', async () => {
    const body = JSON.parse(fixtureBytes('SCEPChallenge', 'json').toString());
    delete body.event.targetDevice.udid;
    const noUdid = await decodeScepChallenge(Buffer.from(JSON.stringify(body)), 'application/json');
    expect(bindingOf(noUdid).deviceId).toBe(FIXTURE_DEVICE.serialNumber);
    body.event.targetDevice = 'computer';
    const noDevice = await decodeScepChallenge(Buffer.from(JSON.stringify(body)), 'application/json');
    expect(bindingOf(noDevice)).toEqual({ payloadIdentifier: FIXTURE_DEVICE.payloadIdentifier, deviceId: '' });
  });

  it('gives the audit publish the configured budget', async () => {
    const { send, published } = setup();
    await send();
    expect(published).toHaveLength(1);
    expect(published[0]!.budgetMs).toBe(300);
    expect(published[0]!.entry.DetailType).toBe('jamf.SCEPChallenge');
  });

  describe('when the audit event cannot be published', () => {
    const failed: PublishResult = { ok: false, attempts: 3, errorCode: 'ThrottlingException', errorMessage: 'slow down', retryable: true, ambiguous: false };

    it('still answers the challenge, and keeps the request in the dead-letter store with the reason', async () => {
      const { send, deadLetters } = setup({ publish: async () => failed });
      const response = await send();
      expect(response.statusCode).toBe(200);
      expect(verifyChallenge(response.body, [KEY]).valid).toBe(true);
      expect(deadLetters).toHaveLength(1);
      expect(deadLetters[0]!.reason).toEqual({
        code: 'AuditPublishFailed',
        message: expect.stringMatching(/^The audit event of challenge [0-9a-f]{24} was not published after 3 attempt\(s\): ThrottlingException$/),
        statusCode: 200,
        attempts: 3,
        ambiguous: false,
      });
      expect(deadLetters[0]!.challengeId).toMatch(/^[0-9a-f]{24}$/);
      expect(lastLine()).toMatchObject({ outcome: 'issued', Issued: 1, AuditFailed: 1, DeadLettered: 1, deadLettered: true });
    });

    it.each([
      ['throws before PutEvents (the client could not load)', () => Promise.reject(new TypeError('chunk missing'))],
      ['never answers', () => new Promise<PublishResult>(() => undefined)],
    ])('still answers the challenge when the publish %s', async (_, publish) => {
      const { send, deadLetters } = setup({ publish });
      const response = await send();
      expect(response.statusCode).toBe(200);
      expect(verifyChallenge(response.body, [KEY]).valid).toBe(true);
      expect(deadLetters[0]!.reason.code).toBe('AuditPublishFailed');
    });

    it('does not wait past its deadline for a dead-letter store that never answers', async () => {
      const { send } = setup({ publish: async () => failed, deadLetter: () => new Promise(() => undefined) });
      const response = await send();
      expect(response.statusCode).toBe(200);
      expect(lastLine()).toMatchObject({ AuditFailed: 1, DeadLettered: 0, deadLetterError: 'StillWriting' });
    });
  });

  it('answers 503 in time, leaving the audit its budget, when the credentials read hangs', async () => {
    const { send } = setup({ authenticate: () => new Promise(() => undefined) });
    const started = Date.now();
    const response = await send();
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'NotInTime' });
    // 1800 ms to answer, less the 300 ms audit budget and its 250 ms overhead; a margin for a slow machine.
    expect(Date.now() - started).toBeLessThan(1250 + 1000);
  });

  it('answers 503 and dead-letters the request when the signing key cannot be read', async () => {
    const { send, deadLetters, published } = setup({
      issue: signedIssuer(async () => {
        throw new ServiceUnavailableError('SigningKeyUnavailable', 'The challenge signing key could not be read');
      }, 3600),
    });
    const response = await send();
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'SigningKeyUnavailable', deadLettered: true });
    expect(deadLetters[0]!.reason.code).toBe('SigningKeyUnavailable');
    expect(published).toHaveLength(0);
  });

  it('neither issues nor keeps anything for an unauthenticated request', async () => {
    const { send, deadLetters, published } = setup({
      authenticate: async () => {
        throw new UnauthorizedError('Missing or wrong credentials');
      },
    });
    expect((await send()).statusCode).toBe(401);
    expect(deadLetters).toHaveLength(0);
    expect(published).toHaveLength(0);
  });

  it('never puts the password or the challenge in the audit entry or the log line', async () => {
    const { send, published } = setup();
    const response = await send('xml');
    const entry = JSON.stringify(published[0]!.entry);
    const line = ownLogLines().at(-1)!;
    for (const secret of [response.body, FIXTURE_SCEP_PASSWORD]) {
      expect(entry).not.toContain(secret);
      expect(line).not.toContain(secret);
    }
  });
});
