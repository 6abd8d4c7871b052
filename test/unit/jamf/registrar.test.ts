/**
 * The registrar against the Classic API stand-in over real loopback HTTP: what it creates,
 * that a second run writes nothing, what it updates, deletes and never touches.
 */
import {
  ClassicApiClient,
  JamfAuthenticationError,
  JamfConflictError,
  JamfUnreachableError,
} from '../../../lambda/jamf/classic-api';
import {
  applyPlan,
  DEFAULT_EVENTS,
  desiredWebhooks,
  planWebhooks,
  RegistrarConfigurationError,
  removeWebhooks,
  syncWebhooks,
  WEBHOOK_NAME_PREFIX,
  type RegistrarOptions,
} from '../../../lambda/jamf/registrar';
import { rejection, startJamf, type StartedJamf } from '../../support/jamf';

const PASSWORD = 'registrar-test-password-1';
const OPTIONS: RegistrarOptions = {
  webhookUrl: 'https://hooks.example.test/v1/webhooks',
  scepUrl: 'https://hooks.example.test/v1/scep-challenge',
  format: 'json',
  auth: 'basic',
  credentials: { basic: [{ username: 'jamf', password: PASSWORD }] },
};

let jamf: StartedJamf;
let client: ClassicApiClient;

beforeEach(async () => {
  jamf = await startJamf();
  client = new ClassicApiClient({ url: jamf.url, clientId: jamf.api.clientId, clientSecret: jamf.api.clientSecret, timeoutMs: 5000 });
});
afterEach(() => jamf.close());

const names = () => jamf.api.webhooks().map((w) => w.name).sort();

describe('the registrar', () => {
  describe('on a Jamf Pro without its webhooks', () => {
    it('creates one webhook per default event, SCEPChallenge at the SCEP URL as JSON', async () => {
      const applied = await syncWebhooks(client, OPTIONS);

      expect(applied.every((a) => a.change.action === 'create' && !a.error)).toBe(true);
      expect(names()).toEqual(DEFAULT_EVENTS.map((e) => `${WEBHOOK_NAME_PREFIX}${e}`).sort());
      const scep = jamf.api.webhooks().find((w) => w.event === 'SCEPChallenge')!;
      expect(scep).toMatchObject({ url: OPTIONS.scepUrl, content_type: 'application/json', read_timeout: 2 });
      const added = jamf.api.webhooks().find((w) => w.event === 'ComputerAdded')!;
      expect(added).toMatchObject({ url: OPTIONS.webhookUrl, authentication_type: 'BASIC', username: 'jamf', password: PASSWORD, connection_timeout: 5, read_timeout: 5, enabled: true });
    });

    it('registers no SmartGroup event unless a smart group is named', async () => {
      await syncWebhooks(client, OPTIONS);
      expect(names().some((n) => n.includes('SmartGroup'))).toBe(false);
    });
  });

  describe('run twice', () => {
    it('writes nothing the second time', async () => {
      await syncWebhooks(client, OPTIONS);
      const writes = client.writes;

      const second = await syncWebhooks(client, OPTIONS);

      expect(client.writes).toBe(writes);
      expect(second.every((a) => a.change.action === 'unchanged')).toBe(true);
    });
  });

  describe('when a webhook drifted', () => {
    it('updates it, names the drifted fields, and re-sends the credential', async () => {
      await syncWebhooks(client, OPTIONS);
      const id = jamf.api.webhooks().find((w) => w.event === 'ComputerCheckIn')!.id;
      await client.updateWebhook(id, { url: 'https://elsewhere.test/', enabled: false, password: 'stale' });

      const plan = await planWebhooks(client, desiredWebhooks(OPTIONS));
      const update = plan.changes.filter((c) => c.action === 'update');
      expect(update).toHaveLength(1);
      expect(update[0]).toMatchObject({ id, drifted: [{ field: 'enabled', wanted: 'true', found: 'false' }, { field: 'url', wanted: OPTIONS.webhookUrl, found: 'https://elsewhere.test/' }] });

      await applyPlan(client, plan);
      expect(jamf.api.webhooks().find((w) => w.id === id)).toMatchObject({ url: OPTIONS.webhookUrl, enabled: true, password: PASSWORD });
    });

    it('does not re-send a credential it cannot see drift in, unless asked to rotate', async () => {
      await syncWebhooks(client, OPTIONS);
      const id = jamf.api.webhooks().find((w) => w.event === 'ComputerAdded')!.id;
      await client.updateWebhook(id, { password: 'changed-in-jamf' });

      await syncWebhooks(client, OPTIONS);
      expect(jamf.api.webhooks().find((w) => w.id === id)!.password).toBe('changed-in-jamf');

      const rotated = await syncWebhooks(client, OPTIONS, { rotate: true });
      expect(rotated.every((a) => a.change.action === 'update')).toBe(true);
      expect(jamf.api.webhooks().find((w) => w.id === id)!.password).toBe(PASSWORD);
    });
  });

  describe('when events are no longer chosen', () => {
    it('deletes their webhooks and keeps the others', async () => {
      await syncWebhooks(client, OPTIONS);

      const applied = await syncWebhooks(client, { ...OPTIONS, events: ['ComputerAdded', 'JSSStartup'] });

      expect(applied.filter((a) => a.change.action === 'delete')).toHaveLength(DEFAULT_EVENTS.length - 2);
      expect(names()).toEqual([`${WEBHOOK_NAME_PREFIX}ComputerAdded`, `${WEBHOOK_NAME_PREFIX}JSSStartup`]);
    });
  });

  describe('with webhooks someone else made', () => {
    it('never changes or deletes one without its prefix, even for an event it registers', async () => {
      const foreign = jamf.api.add({ name: 'Slack relay', event: 'ComputerAdded', url: 'https://slack.test/', enabled: 'true' });

      await syncWebhooks(client, OPTIONS);
      await removeWebhooks(client);

      expect(jamf.api.webhooks()).toEqual([expect.objectContaining({ id: foreign, name: 'Slack relay', url: 'https://slack.test/' })]);
    });
  });

  describe('smart groups', () => {
    it('registers a SmartGroup event once per smart group, with its id', async () => {
      await syncWebhooks(client, {
        ...OPTIONS,
        events: ['ComputerAdded'],
        smartGroups: [
          { event: 'SmartGroupComputerMembershipChange', id: 12 },
          { event: 'SmartGroupComputerMembershipChange', id: 14 },
        ],
      });

      expect(jamf.api.webhooks().filter((w) => w.smart_group_id > 0).map((w) => [w.name, w.smart_group_id])).toEqual([
        [`${WEBHOOK_NAME_PREFIX}SmartGroupComputerMembershipChange 12`, 12],
        [`${WEBHOOK_NAME_PREFIX}SmartGroupComputerMembershipChange 14`, 14],
      ]);
    });

    it('refuses a SmartGroup event asked for without a smart group', () => {
      expect(() => desiredWebhooks({ ...OPTIONS, events: ['SmartGroupUserMembershipChange'] })).toThrow(
        new RegistrarConfigurationError('SmartGroupUserMembershipChange needs a smart group id: Jamf Pro sends it only for a named smart group'),
      );
    });

    it('is refused by Jamf without a smart group id, and the refusal says why', async () => {
      await expect(client.createWebhook({ name: 'x', event: 'SmartGroupUserMembershipChange' })).rejects.toThrow(/409 Error: Smart group ID is required/);
    });
  });

  describe('when Jamf stores a value other than the one written', () => {
    it('reports the field it silently changed', async () => {
      const desired = desiredWebhooks({ ...OPTIONS, events: ['ComputerAdded'] }).map((d) => ({ ...d, fields: { ...d.fields, read_timeout: 9 } }));

      const applied = await applyPlan(client, await planWebhooks(client, desired));

      expect(applied[0]!.silentlyChanged).toEqual([{ field: 'read_timeout', wanted: '9', found: '2' }]);
    });
  });

  describe('when a name is taken between the plan and the create', () => {
    it('reports a JamfConflictError with Jamf\'s reason and goes on with the rest', async () => {
      const plan = await planWebhooks(client, desiredWebhooks({ ...OPTIONS, events: ['ComputerAdded', 'JSSStartup'] }));
      jamf.api.add({ name: `${WEBHOOK_NAME_PREFIX}ComputerAdded`, event: 'ComputerAdded' });

      const applied = await applyPlan(client, plan);

      const failed = applied.find((a) => a.change.name.endsWith('ComputerAdded'))!;
      expect(failed.error).toBeInstanceOf(JamfConflictError);
      expect(failed.error!.message).toMatch(/409 Error: Duplicate name$/);
      expect(applied.find((a) => a.change.name.endsWith('JSSStartup'))!.error).toBeUndefined();
    });
  });

  describe('the API client', () => {
    it('renews an expired token and carries on', async () => {
      await client.listWebhooks();
      jamf.api.expireTokens();

      await client.listWebhooks();

      expect(jamf.api.tokensIssued).toBe(2);
    });

    it('renews a token before Jamf says it expires', async () => {
      let now = 0;
      const clocked = new ClassicApiClient({ url: jamf.url, clientId: jamf.api.clientId, clientSecret: jamf.api.clientSecret, now: () => now });
      await clocked.listWebhooks();
      now += 59_000;
      await clocked.listWebhooks();
      expect(jamf.api.tokensIssued).toBe(2);
    });

    it('says the id or secret was refused, without either', async () => {
      const wrong = new ClassicApiClient({ url: jamf.url, clientId: jamf.api.clientId, clientSecret: 'not-the-secret-xyz' });
      const error = await rejection(wrong.listWebhooks());
      expect(error).toBeInstanceOf(JamfAuthenticationError);
      expect(error.message).toBe('Jamf Pro refused the API client id or secret (401 from /api/oauth/token)');
      expect(error.message).not.toContain(jamf.api.clientId);
    });

    it('says Jamf is unreachable, within its deadline', async () => {
      await jamf.close();
      const error = await rejection(client.listWebhooks());
      expect(error).toBeInstanceOf(JamfUnreachableError);
      expect(error.message).toMatch(/unreachable at http:\/\/127\.0\.0\.1:\d+\/jamf\/api\/oauth\/token: ECONNREFUSED/);
      jamf = await startJamf();
    });
  });

  describe('its options', () => {
    it('refuses an auth kind the credentials document has no credential of', () => {
      expect(() => desiredWebhooks({ ...OPTIONS, auth: 'hmac' })).toThrow(RegistrarConfigurationError);
    });

    it('sends the header credential as Jamf\'s header JSON, and the hmac secret as the password', async () => {
      await syncWebhooks(client, { ...OPTIONS, events: ['ComputerAdded'], auth: 'header', credentials: { headers: [{ name: 'X-Api-Key', value: 'header-secret-1' }] } });
      expect(jamf.api.webhooks()[0]).toMatchObject({ authentication_type: 'HEADER', header: '{"X-Api-Key":"header-secret-1"}' });

      await syncWebhooks(client, {
        ...OPTIONS,
        events: ['ComputerAdded'],
        auth: 'hmac',
        credentials: { hmac: [{ header: 'X-Jamf-Signature', algorithm: 'sha256', encoding: 'hex', prefix: '', secret: 'a-hash-secret-of-16+' }] },
      });
      expect(jamf.api.webhooks()[0]).toMatchObject({ authentication_type: 'HASH_SIGNATURE', password: 'a-hash-secret-of-16+' });
    });
  });
});
