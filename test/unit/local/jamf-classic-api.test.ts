/**
 * The Jamf Pro Classic API stand-in, spoken to as a raw HTTP client would: what it refuses and
 * how, in Jamf's shapes.
 */
import { parseWebhookXml, webhookXml } from '../../../lambda/jamf/webhook-xml';
import { startJamf, type StartedJamf } from '../../support/jamf';

let jamf: StartedJamf;
let token: string;

beforeEach(async () => {
  jamf = await startJamf();
  const response = await fetch(`${jamf.url}/api/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: jamf.api.clientId, client_secret: jamf.api.clientSecret, grant_type: 'client_credentials' }),
  });
  const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
  expect(body).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number) });
  token = body.access_token;
});
afterEach(() => jamf.close());

const call = (method: string, path: string, body?: string, bearer: string | null = token) =>
  fetch(`${jamf.url}/JSSResource/webhooks${path}`, {
    method,
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), 'content-type': 'application/xml' },
    ...(body === undefined ? {} : { body }),
  });

describe('the Jamf Pro Classic API stand-in', () => {
  it('requires a bearer token', async () => {
    const response = await call('GET', '', undefined, null);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('creates with 201, reads back the password blank, and updates only what a PUT sends', async () => {
    const created = await call('POST', '/id/0', webhookXml({ name: 'n', event: 'ComputerAdded', authentication_type: 'BASIC', username: 'u', password: 'p-secret', url: 'https://a.test/' }));
    expect(created.status).toBe(201);
    const { id } = parseWebhookXml(await created.text());

    expect((await call('PUT', `/id/${id}`, webhookXml({ url: 'https://b.test/' }))).status).toBe(201);

    const read = parseWebhookXml(await (await call('GET', `/id/${id}`)).text());
    expect(read).toMatchObject({ name: 'n', url: 'https://b.test/', username: 'u', password: '', authentication_type: 'BASIC' });
    expect(jamf.api.webhooks()[0]!.password).toBe('p-secret');
  });

  it.each([
    ['an unknown event', { name: 'n', event: 'ComputerExploded' }, 'Error: Problem with event'],
    ['a SmartGroup event without a smart group', { name: 'n', event: 'SmartGroupComputerMembershipChange' }, 'Error: Smart group ID is required for this event'],
    ['no name', { event: 'ComputerAdded' }, 'Error: Name is required'],
  ])('refuses %s with a 409 status page', async (_what, fields, reason) => {
    const response = await call('POST', '/id/0', webhookXml(fields));
    expect(response.status).toBe(409);
    expect(await response.text()).toContain(`<p>${reason}</p>`);
  });

  it('refuses a duplicate name with 409 Error: Duplicate name', async () => {
    await call('POST', '/id/0', webhookXml({ name: 'n', event: 'ComputerAdded' }));
    const response = await call('POST', '/id/0', webhookXml({ name: 'n', event: 'JSSStartup' }));
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('<p>Error: Duplicate name</p>');
  });

  it('stores a value outside its lists as the default, silently', async () => {
    const created = await call('POST', '/id/0', webhookXml({ name: 'n', event: 'ComputerAdded', content_type: 'text/plain', authentication_type: 'KERBEROS', connection_timeout: 0, read_timeout: 30 }));
    expect(created.status).toBe(201);
    expect(jamf.api.webhooks()[0]).toMatchObject({ content_type: 'text/xml', authentication_type: 'NONE', connection_timeout: 5, read_timeout: 2 });
  });

  it('refuses an expired token', async () => {
    jamf.api.expireTokens();
    expect((await call('GET', '')).status).toBe(401);
  });
});
