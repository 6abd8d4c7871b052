import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTENT_TYPES, fixtureBytes, FIXTURE_SCEP_PASSWORD } from '../support/fixtures';
import { post } from '../support/local-runtime';
import { capturedLogLines } from '../support/scan-logs';
import { basicAuth } from '../support/requests';
import { TEST_SECRETS } from '../support/secrets';
import { startLocalRuntime, type LocalRuntime } from '../../lambda/local/runtime';

const AUTH = { authorization: basicAuth('jamf', TEST_SECRETS.basicPassword) };
const UPSTREAM_PASSWORD = TEST_SECRETS.scepUpstreamPassword;
const UPSTREAM_CHALLENGE = 'UpstreamChallenge-4d1f9a';

/** What the fake commercial CA does with the next request. */
type Behaviour = 'answer' | 'fail' | 'empty' | 'hang';
let behaviour: Behaviour = 'answer';
const received: { headers: IncomingMessage['headers']; body: Buffer }[] = [];

let upstream: Server;
let stack: LocalRuntime;

beforeAll(async () => {
  upstream = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({ headers: request.headers, body: Buffer.concat(chunks) });
    if (request.headers.authorization !== basicAuth('scep-client', UPSTREAM_PASSWORD)) {
      response.writeHead(401).end();
      return;
    }
    if (behaviour === 'hang') return; // never answers; the local stack's timeout must
    if (behaviour === 'fail') {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end(behaviour === 'empty' ? '' : UPSTREAM_CHALLENGE);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  stack = await startLocalRuntime({
    port: 0,
    webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: TEST_SECRETS.basicPassword }] }),
    scepChallengeKey: TEST_SECRETS.scepChallengeKey,
    scepVerifySecret: TEST_SECRETS.scepVerifySecret,
    scepUpstream: { url: `http://127.0.0.1:${port}/jamf/challenge`, username: 'scep-client', password: UPSTREAM_PASSWORD, timeoutMs: 300 },
  });
});

afterAll(async () => {
  await stack.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const ask = (format: 'json' | 'xml' = 'json') =>
  post(stack.scepChallengeUrl, fixtureBytes('SCEPChallenge', format), { 'content-type': CONTENT_TYPES[format], ...AUTH });

describe('the SCEP challenge service with an upstream issuer', () => {
  beforeEach(() => {
    behaviour = 'answer';
    received.length = 0;
  });

  it("returns the upstream's challenge as the body, exactly", async () => {
    const response = await ask();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.body).toBe(UPSTREAM_CHALLENGE);
  });

  it("forwards Jamf's request unchanged, with the upstream's Basic credentials", async () => {
    await ask('xml');
    expect(received).toHaveLength(1);
    expect(received[0]!.body.equals(fixtureBytes('SCEPChallenge', 'xml'))).toBe(true);
    expect(received[0]!.headers['content-type']).toBe(CONTENT_TYPES.xml);
    expect(received[0]!.headers.authorization).toBe(basicAuth('scep-client', UPSTREAM_PASSWORD));
  });

  it('publishes the audit event with issuer "upstream" and without the challenge or the password', async () => {
    const before = stack.events().length;
    await ask();
    const [event] = stack.events().slice(before);
    expect(event).toMatchObject({ DetailType: 'jamf.SCEPChallenge', Detail: { issuance: { issuer: 'upstream' } } });
    const text = JSON.stringify(event);
    expect(text).not.toContain(UPSTREAM_CHALLENGE);
    expect(text).not.toContain(FIXTURE_SCEP_PASSWORD);
  });

  it('answers 502 when the upstream fails, and dead-letters the request with the reason', async () => {
    behaviour = 'fail';
    const response = await ask();
    expect(response).toMatchObject({ status: 502, body: { error: 'UpstreamFailed', deadLettered: true } });
    expect(stack.deadLetters().at(-1)).toMatchObject({ reason: { code: 'UpstreamFailed', statusCode: 502 } });
  });

  it('answers 502 when the upstream gives an empty body: an empty challenge is no challenge', async () => {
    behaviour = 'empty';
    expect(await ask()).toMatchObject({ status: 502, body: { error: 'UpstreamFailed' } });
  });

  it('answers 504 when the upstream does not answer within its timeout, and keeps serving', async () => {
    behaviour = 'hang';
    expect(await ask()).toMatchObject({ status: 504, body: { error: 'UpstreamTimeout', deadLettered: true } });
    behaviour = 'answer';
    expect(await ask()).toMatchObject({ status: 200, body: UPSTREAM_CHALLENGE });
  });

  it('never logs or stores the upstream password or the challenge', async () => {
    await ask();
    const logs = capturedLogLines().join('\n');
    const stored = JSON.stringify([stack.events(), stack.deadLetters()]);
    for (const secret of [UPSTREAM_PASSWORD, UPSTREAM_CHALLENGE, FIXTURE_SCEP_PASSWORD]) {
      expect(logs).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    expect(await ask()).toMatchObject({ status: 502, body: { error: 'UpstreamUnreachable' } });
    upstream.listen(0, '127.0.0.1'); // so that afterAll can close it again
  });
});
