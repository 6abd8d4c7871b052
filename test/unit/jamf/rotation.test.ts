/**
 * The credential rotation against the Classic API stand-in over loopback HTTP, on a virtual
 * clock: after every step, every credential a webhook may still be sending with is accepted by
 * every version of the document a function instance may still be using. And the document
 * changes it makes, for each form the document can take.
 */
import { parseCredentialsDocument } from '../../../lambda/auth/credentials';
import { ClassicApiClient, JamfConflictError } from '../../../lambda/jamf/classic-api';
import type { WebhookFields } from '../../../lambda/jamf/webhook-xml';
import { syncWebhooks, type RegistrarOptions } from '../../../lambda/jamf/registrar';
import {
  rotateWebhookCredential,
  RotationIncompleteError,
  withCredentialAdded,
  withCredentialRetired,
  type CredentialsStore,
  type RotationStep,
} from '../../../lambda/jamf/rotation';
import { createVerifier } from '../../../lambda/auth/verify';
import { rejection, startJamf, type StartedJamf } from '../../support/jamf';
import { basicAuth } from '../../support/requests';
import { createHmac } from 'node:crypto';

const TTL_MS = 300_000;
const IN_FLIGHT_MS = 10_000;

let jamf: StartedJamf;
let client: ClassicApiClient;
beforeEach(async () => {
  jamf = await startJamf();
  client = new ClassicApiClient({ url: jamf.url, clientId: jamf.api.clientId, clientSecret: jamf.api.clientSecret, timeoutMs: 5000 });
});
afterEach(() => jamf.close());

/**
 * The world a rotation runs in, on a virtual clock: the document's versions with the time each
 * was written, and the credential each webhook had from which time on.
 */
class World {
  now = 0;
  readonly versions: { at: number; text: string }[] = [];
  readonly sent = new Map<number, { at: number; request: (body: string) => Record<string, string> }[]>();
  readonly problems: string[] = [];

  constructor(text: string) {
    this.versions.push({ at: 0, text });
  }

  readonly store: CredentialsStore = {
    read: async () => this.versions.at(-1)!.text,
    write: async (text) => {
      this.versions.push({ at: this.now, text });
      this.check('after a document write');
    },
  };

  readonly sleep = async (ms: number) => {
    // Check along the way: a version ages out of the functions' caches while we wait.
    for (let step = 0; step < 10; step += 1) {
      this.now += ms / 10;
      this.check(`while waiting ${ms} ms`);
    }
  };

  /** What the stand-in's webhooks now send, recorded as of now. */
  recordWebhooks(): void {
    for (const webhook of jamf.api.webhooks()) {
      const history = this.sent.get(webhook.id) ?? [];
      const request = requestOf(webhook);
      const last = history.at(-1);
      if (!last || JSON.stringify(last.request('x')) !== JSON.stringify(request('x'))) history.push({ at: this.now, request });
      this.sent.set(webhook.id, history);
    }
  }

  /**
   * Every version a function may hold now (the newest, and any replaced less than a TTL ago)
   * accepts every credential a webhook may have in flight (its current one, and any replaced
   * less than the in-flight time ago).
   */
  check(when: string): void {
    this.recordWebhooks();
    const live = this.versions.filter((_version, i) => i === this.versions.length - 1 || this.versions[i + 1]!.at > this.now - TTL_MS);
    for (const [id, history] of this.sent) {
      const inFlight = history.filter((_sent, i) => i === history.length - 1 || history[i + 1]!.at > this.now - IN_FLIGHT_MS);
      for (const version of live) {
        const verifier = createVerifier(parseCredentialsDocument(version.text));
        for (const { request } of inFlight) {
          const body = '{"webhook":{}}';
          try {
            verifier.verify({ headers: request(body), body: Buffer.from(body) } as never);
          } catch {
            this.problems.push(`${when} at ${this.now} ms: webhook ${id} refused by the version written at ${version.at} ms`);
          }
        }
      }
    }
  }
}

/** The headers a stand-in webhook sends with a body. */
function requestOf(webhook: ReturnType<StartedJamf['api']['webhooks']>[number]): (body: string) => Record<string, string> {
  switch (webhook.authentication_type) {
    case 'BASIC':
      return () => ({ authorization: basicAuth(webhook.username, webhook.password) });
    case 'HEADER': {
      const headers = JSON.parse(webhook.header) as Record<string, string>;
      return () => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    }
    default:
      return (body) => ({ 'x-jamf-signature': createHmac('sha256', webhook.password).update(body).digest('hex') });
  }
}

const SYNC: Omit<RegistrarOptions, 'auth' | 'credentials'> = {
  webhookUrl: 'https://hooks.example.test/v1/webhooks',
  events: ['ComputerAdded', 'ComputerCheckIn', 'MobileDeviceEnrolled'],
};

async function rotateIn(world: World, extra: Partial<Parameters<typeof rotateWebhookCredential>[0]> = {}) {
  const steps: RotationStep[] = [];
  let value = 0;
  const result = await rotateWebhookCredential({
    client,
    store: world.store,
    functionsWaitMs: TTL_MS + 2000,
    inFlightWaitMs: IN_FLIGHT_MS,
    sleep: world.sleep,
    generate: () => `new-secret-value-${(value += 1)}-0123456789`,
    onStep: (step) => {
      steps.push(step);
      world.check(`after step ${step.step}`);
    },
    ...extra,
  });
  return { result, steps };
}

const HMAC = { header: 'X-Jamf-Signature', algorithm: 'sha256', encoding: 'hex', prefix: '', secret: 'old-hmac-secret-0123456789' };

describe.each([
  ['basic, as a list', 'basic' as const, { basic: [{ username: 'jamf', password: 'old-password-1' }] }],
  ['basic, as the stack generates it', 'basic' as const, { username: 'jamf', password: 'old-password-1' }],
  ['header, as Jamf Pro writes it', 'header' as const, { headers: { 'X-Api-Key': 'old-header-value-1' } }],
  ['header, as a list', 'header' as const, { headers: [{ name: 'X-Api-Key', value: 'old-header-value-1' }] }],
  ['hmac', 'hmac' as const, { hmac: [HMAC] }],
])('rotating %s', (_title, auth, document) => {
  it('never leaves a webhook refused, and ends with the new credential only', async () => {
    const credentials = parseCredentialsDocument(JSON.stringify(document));
    await syncWebhooks(client, { ...SYNC, auth, credentials });
    const world = new World(JSON.stringify(document));
    world.check('before');

    const { result, steps } = await rotateIn(world);

    expect(world.problems).toEqual([]);
    expect(steps.map((s) => s.step)).toEqual(['added', 'waiting', 'updated', 'updated', 'updated', 'waiting', 'retired']);
    expect(result).toEqual({ auth, updated: expect.arrayContaining(['jamf-eventbridge: ComputerAdded']), otherKind: [] });
    // Jamf Pro got the new credential, and the document kept nothing of the old one.
    const final = world.versions.at(-1)!.text;
    expect(final).not.toMatch(/old-/);
    expect(final).toContain('new-secret-value-1');
    for (const webhook of jamf.api.webhooks()) expect(`${webhook.password}${webhook.header}`).toContain('new-secret-value-1');
    // Three writes: the document as it was, with both, with the new one.
    expect(world.versions).toHaveLength(3);
    expect(world.versions[1]!.text).toMatch(/old-/);
  });
});

describe('a rotation', () => {
  it('changes only the credential fields of a webhook', async () => {
    const credentials = { basic: [{ username: 'jamf', password: 'old-password-1' }] };
    await syncWebhooks(client, { ...SYNC, auth: 'basic', credentials, format: 'xml' });
    const before = jamf.api.webhooks().map(({ password: _p, ...rest }) => rest);
    await rotateIn(new World(JSON.stringify(credentials)));
    expect(jamf.api.webhooks().map(({ password: _p, ...rest }) => rest)).toEqual(before);
  });

  it('keeps both credentials when Jamf Pro refuses an update, and says what is left to do', async () => {
    const credentials = { basic: [{ username: 'jamf', password: 'old-password-1' }] };
    await syncWebhooks(client, { ...SYNC, auth: 'basic', credentials });
    const refused = jamf.api.webhooks()[1]!.id;
    const failing = new (class extends ClassicApiClient {
      override async updateWebhook(id: number, fields: WebhookFields): Promise<void> {
        if (id === refused) throw new JamfConflictError('409 Error: Duplicate name', 409);
        return super.updateWebhook(id, fields);
      }
    })({ url: jamf.url, clientId: jamf.api.clientId, clientSecret: jamf.api.clientSecret, timeoutMs: 5000 });
    const world = new World(JSON.stringify(credentials));
    client = failing;

    const error = await rejection(rotateIn(world));

    expect(error).toBeInstanceOf(RotationIncompleteError);
    expect(error.message).toMatch(/1 webhook\(s\) could not be updated .*Duplicate name.*sync --rotate/);
    expect(error.message).not.toMatch(/password-1|new-secret/);
    expect(world.problems).toEqual([]);
    const final = parseCredentialsDocument(world.versions.at(-1)!.text);
    expect(final.basic!.map((b) => b.password)).toEqual(['new-secret-value-1-0123456789', 'old-password-1']);
    // Time passes with both in the document: still nothing refused.
    await world.sleep(TTL_MS * 2);
    expect(world.problems).toEqual([]);
  });

  it('rotates the kind the webhooks use, leaving the document\'s other credentials alone', async () => {
    const document = { basic: [{ username: 'jamf', password: 'old-password-1' }], headers: { 'X-Api-Key': 'kept-header-value' }, hmac: [HMAC] };
    await syncWebhooks(client, { ...SYNC, auth: 'header', credentials: parseCredentialsDocument(JSON.stringify(document)) });
    const world = new World(JSON.stringify(document));
    const { result } = await rotateIn(world);
    expect(result.auth).toBe('header');
    const final = parseCredentialsDocument(world.versions.at(-1)!.text);
    expect(final.basic).toEqual(document.basic);
    expect(final.hmac).toEqual([HMAC]);
    expect(final.headers).toEqual([{ name: 'X-Api-Key', value: 'new-secret-value-1-0123456789' }]);
  });

  it('leaves webhooks it does not own, and its own of another kind, as they are', async () => {
    const document = { basic: [{ username: 'jamf', password: 'old-password-1' }], hmac: [HMAC] };
    const credentials = parseCredentialsDocument(JSON.stringify(document));
    await syncWebhooks(client, { ...SYNC, auth: 'basic', credentials });
    jamf.api.add({ name: 'Someone else\'s', event: 'ComputerAdded', url: 'https://elsewhere.example.test', authentication_type: 'BASIC', username: 'jamf', password: 'old-password-1' });
    // One of its own switched to hash signatures by hand.
    const switched = jamf.api.webhooks().find((w) => w.event === 'ComputerCheckIn')!;
    await client.updateWebhook(switched.id, { authentication_type: 'HASH_SIGNATURE', password: HMAC.secret });

    const { result } = await rotateIn(new World(JSON.stringify(document)), { auth: 'basic' });

    expect(result.updated).toHaveLength(2);
    expect(result.otherKind).toEqual(['jamf-eventbridge: ComputerCheckIn']);
    expect(jamf.api.webhooks().find((w) => w.name === 'Someone else\'s')!.password).toBe('old-password-1');
    expect(jamf.api.webhooks().find((w) => w.id === switched.id)!.password).toBe(HMAC.secret);
  });

  it('asks which kind when its webhooks use two, and writes nothing', async () => {
    const document = { basic: [{ username: 'jamf', password: 'old-password-1' }], hmac: [HMAC] };
    await syncWebhooks(client, { ...SYNC, auth: 'basic', credentials: parseCredentialsDocument(JSON.stringify(document)) });
    const switched = jamf.api.webhooks()[0]!;
    await client.updateWebhook(switched.id, { authentication_type: 'HASH_SIGNATURE', password: HMAC.secret });
    const world = new World(JSON.stringify(document));
    await expect(rotateIn(world)).rejects.toThrow(/basic and hmac authentication: choose which to rotate with --auth|hmac and basic authentication/);
    expect(world.versions).toHaveLength(1);
  });

  it('refuses a kind the document has none of, and writes nothing', async () => {
    const world = new World(JSON.stringify({ hmac: [HMAC] }));
    await expect(rotateIn(world, { auth: 'basic' })).rejects.toThrow('the credentials document has no basic credential to rotate');
    expect(world.versions).toHaveLength(1);
  });

  it('refuses, writing nothing, when no webhook it registered uses the kind', async () => {
    const world = new World(JSON.stringify({ basic: [{ username: 'jamf', password: 'old-password-1' }] }));
    await expect(rotateIn(world)).rejects.toThrow(/no webhook registered by npm run jamf -- sync uses basic authentication/);
    expect(world.versions).toHaveLength(1);
  });

  it('refuses, writing nothing, when a webhook made by hand sends to the stack with that credential', async () => {
    const credentials = { basic: [{ username: 'jamf', password: 'old-password-1' }] };
    await syncWebhooks(client, { ...SYNC, auth: 'basic', credentials });
    jamf.api.add({ name: 'Made by hand', event: 'ComputerInventoryCompleted', url: SYNC.webhookUrl, authentication_type: 'BASIC', username: 'jamf', password: 'old-password-1' });
    const world = new World(JSON.stringify(credentials));
    const error = await rejection(rotateIn(world));
    expect(error.message).toMatch(/^Made by hand sends webhooks to this stack but was not created by sync/);
    expect(error.message).not.toContain('old-password-1');
    expect(world.versions).toHaveLength(1);
    expect(jamf.api.webhooks().every((w) => w.password === 'old-password-1')).toBe(true);
  });
});

describe('the document changes', () => {
  const fresh = { auth: 'basic' as const, username: 'jamf', password: 'new-password-2' };
  const old = { auth: 'basic' as const, username: 'jamf', password: 'old-password-1' };

  it('puts the new credential first and keeps the rest', () => {
    expect(withCredentialAdded({ basic: [{ username: 'other', password: 'other-password' }], none: true }, fresh)).toEqual({
      basic: [{ username: 'jamf', password: 'new-password-2' }, { username: 'other', password: 'other-password' }],
      none: true,
    });
  });

  it('retires the top-level Basic form by removing it', () => {
    const added = withCredentialAdded({ username: 'jamf', password: 'old-password-1' }, fresh);
    expect(withCredentialRetired(added, old)).toEqual({ basic: [{ username: 'jamf', password: 'new-password-2' }] });
  });

  it('retires only the credential it replaced, even when the document was edited meanwhile', () => {
    const edited = { basic: [{ username: 'jamf', password: 'new-password-2' }, { username: 'jamf', password: 'old-password-1' }, { username: 'added', password: 'by-hand-meanwhile' }] };
    expect(withCredentialRetired(edited, old)).toEqual({ basic: [{ username: 'jamf', password: 'new-password-2' }, { username: 'added', password: 'by-hand-meanwhile' }] });
  });

  it('matches a header name case-insensitively, as the functions do', () => {
    const document = { headers: { 'x-api-key': 'old-value' } };
    expect(withCredentialRetired(document, { auth: 'header', name: 'X-Api-Key', value: 'old-value' })).toEqual({});
  });
});
