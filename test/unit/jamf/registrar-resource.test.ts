/**
 * The registrar's custom resource handler against the Classic API stand-in over real loopback
 * HTTP, with Secrets Manager stubbed: what each CloudFormation request does in Jamf Pro, and that
 * a failure's message says why without a secret.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  handler,
  InvalidRegistrarRequestError,
  physicalIdOf,
  WebhookRegistrationError,
  type RegistrarProperties,
} from '../../../lambda/jamf-registrar/handler';
import { ClassicApiClient } from '../../../lambda/jamf/classic-api';
import { DEFAULT_EVENTS, WEBHOOK_NAME_PREFIX } from '../../../lambda/jamf/registrar';
import { rejection, startJamf, type StartedJamf } from '../../support/jamf';

const API_CLIENT_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:jamf-api-AbCdEf';
const WEBHOOK_AUTH_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:jamf-webhook-GhIjKl';
const WEBHOOK_PASSWORD = 'resource-test-webhook-password-1';

const secrets = mockClient(SecretsManagerClient);
let jamf: StartedJamf;

beforeEach(async () => {
  jamf = await startJamf();
  secrets.reset();
  secrets.on(GetSecretValueCommand, { SecretId: API_CLIENT_ARN }).resolves({
    SecretString: JSON.stringify({ clientId: jamf.api.clientId, clientSecret: jamf.api.clientSecret }),
  });
  secrets.on(GetSecretValueCommand, { SecretId: WEBHOOK_AUTH_ARN }).resolves({
    SecretString: JSON.stringify({ username: 'jamf', password: WEBHOOK_PASSWORD }),
  });
});
afterEach(async () => {
  jest.restoreAllMocks();
  await jamf.close();
});
afterAll(() => secrets.restore());

/** The properties the construct gives the resource, with the stand-in's URL. */
function properties(overrides: Partial<RegistrarProperties> = {}): RegistrarProperties {
  return {
    JamfUrl: jamf.url,
    ApiClientSecretArn: API_CLIENT_ARN,
    WebhookAuthSecretArn: WEBHOOK_AUTH_ARN,
    WebhookUrl: 'https://hooks.example.test/v1/webhooks',
    ScepUrl: 'https://hooks.example.test/v1/scep-challenge',
    Events: [...DEFAULT_EVENTS],
    Format: 'json',
    Auth: 'basic',
    SmartGroups: [],
    ...overrides,
  };
}

/** A request as the Provider framework passes it on (the fields this handler does not read included). */
function request(type: 'Create' | 'Update' | 'Delete', props: RegistrarProperties, physicalId?: string) {
  return {
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:framework-onEvent',
    ResponseURL: 'https://cloudformation-custom-resource-response.example.test/',
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/JamfEventBridge/1',
    RequestId: 'request-1',
    LogicalResourceId: 'JamfWebhooks',
    ResourceType: 'Custom::JamfWebhooks',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:framework-onEvent', ...props },
    ...(physicalId === undefined ? {} : { PhysicalResourceId: physicalId }),
  };
}

const names = () => jamf.api.webhooks().map((w) => w.name).sort();
const registered = (events: readonly string[]) => events.map((e) => `${WEBHOOK_NAME_PREFIX}${e}`).sort();

describe('the webhook registrar custom resource', () => {
  describe('on Create', () => {
    it('registers every event asked for and answers with a physical id per Jamf Pro URL', async () => {
      const response = await handler(request('Create', properties()));

      expect(names()).toEqual(registered(DEFAULT_EVENTS));
      expect(response).toEqual({
        PhysicalResourceId: `jamf-webhooks:${jamf.url}`,
        Data: { Created: DEFAULT_EVENTS.length, Updated: 0, Deleted: 0, Unchanged: 0 },
      });
      expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId).sort()).toEqual(
        [API_CLIENT_ARN, WEBHOOK_AUTH_ARN].sort(),
      );
    });

    it('gives Jamf Pro the webhook password from the credentials secret', async () => {
      await handler(request('Create', properties({ Events: ['ComputerAdded'] })));

      expect(jamf.api.webhooks()[0]).toMatchObject({ authentication_type: 'BASIC', username: 'jamf', password: WEBHOOK_PASSWORD });
    });
  });

  describe('on Update', () => {
    it('deletes the webhooks of the events no longer asked for', async () => {
      await handler(request('Create', properties()));
      const physicalId = physicalIdOf(jamf.url);

      const response = await handler(request('Update', properties({ Events: ['ComputerAdded', 'JSSStartup'] }), physicalId));

      expect(names()).toEqual(registered(['ComputerAdded', 'JSSStartup']));
      expect(response.PhysicalResourceId).toBe(physicalId);
      expect(response.Data).toEqual({ Created: 0, Updated: 0, Deleted: DEFAULT_EVENTS.length - 2, Unchanged: 2 });
    });

    it('writes nothing when nothing changed', async () => {
      await handler(request('Create', properties({ Events: ['ComputerAdded', 'JSSStartup'] })));
      const before = JSON.stringify(jamf.api.webhooks());

      const response = await handler(request('Update', properties({ Events: ['ComputerAdded', 'JSSStartup'] }), physicalIdOf(jamf.url)));

      expect(response.Data).toEqual({ Created: 0, Updated: 0, Deleted: 0, Unchanged: 2 });
      expect(JSON.stringify(jamf.api.webhooks())).toBe(before);
    });

    it('registers the smart group webhooks and the format asked for', async () => {
      await handler(
        request('Create', properties({ Events: ['ComputerAdded'], Format: 'xml', SmartGroups: ['SmartGroupComputerMembershipChange:12'] })),
      );

      expect(names()).toEqual(registered(['ComputerAdded', 'SmartGroupComputerMembershipChange 12']));
      expect(jamf.api.webhooks().find((w) => w.event === 'ComputerAdded')).toMatchObject({ content_type: 'text/xml' });
      expect(jamf.api.webhooks().find((w) => w.event === 'SmartGroupComputerMembershipChange')).toMatchObject({ smart_group_id: 12 });
    });
  });

  describe('on Delete', () => {
    it('removes every webhook it registered and nothing else', async () => {
      jamf.api.add({ name: 'Someone else\'s webhook', event: 'ComputerAdded' });
      await handler(request('Create', properties()));

      const response = await handler(request('Delete', properties(), physicalIdOf(jamf.url)));

      expect(names()).toEqual(['Someone else\'s webhook']);
      expect(response.Data.Deleted).toBe(DEFAULT_EVENTS.length);
    });
  });

  describe('when it cannot do what is asked', () => {
    it('fails with Jamf Pro\'s refusal, and no secret in the message', async () => {
      secrets.on(GetSecretValueCommand, { SecretId: API_CLIENT_ARN }).resolves({
        SecretString: JSON.stringify({ clientId: jamf.api.clientId, clientSecret: 'not-the-client-secret-1' }),
      });

      const error = await rejection(handler(request('Create', properties())));

      expect(error).toBeInstanceOf(WebhookRegistrationError);
      expect(error.message).toBe('JamfAuthenticationError: Jamf Pro refused the API client id or secret (401 from /api/oauth/token)');
      expect(error.message).not.toContain('not-the-client-secret-1');
      expect(names()).toEqual([]);
    });

    it('fails with each change Jamf Pro refused and its reason, after making the others', async () => {
      // Someone registers JSSStartup between the registrar's read and its create: Jamf refuses the duplicate.
      jamf.api.add({ name: `${WEBHOOK_NAME_PREFIX}JSSStartup`, event: 'JSSStartup' });
      jest.spyOn(ClassicApiClient.prototype, 'listWebhooks').mockResolvedValueOnce([]);

      const error = await rejection(handler(request('Create', properties({ Events: ['ComputerAdded', 'JSSStartup'] }))));

      expect(error).toBeInstanceOf(WebhookRegistrationError);
      expect(error.message).toMatch(/^Jamf Pro refused 1 of 2 webhook changes: create jamf-eventbridge: JSSStartup: .*409 Error: Duplicate name$/);
      expect(error.message).not.toContain(WEBHOOK_PASSWORD);
      expect(error.message).not.toContain(jamf.api.clientSecret);
      expect(names()).toEqual(registered(['ComputerAdded', 'JSSStartup']));
    });

    it('fails when the API client secret is not the JSON it should be, without its text', async () => {
      secrets.on(GetSecretValueCommand, { SecretId: API_CLIENT_ARN }).resolves({ SecretString: '{"clientId":"x","secret":"leaked-value-1"}' });

      const error = await rejection(handler(request('Create', properties())));

      expect(error.message).toMatch(/^InvalidSecretError: the Jamf Pro API client secret is invalid/);
      expect(error.message).not.toContain('leaked-value-1');
    });

    it('refuses a request without the properties it needs, naming them', async () => {
      const { JamfUrl: _dropped, ...rest } = properties();

      const error = await rejection(handler({ ...request('Create', properties()), ResourceProperties: rest }));

      expect(error).toBeInstanceOf(InvalidRegistrarRequestError);
      expect(error.message).toMatch(/JamfUrl/);
    });
  });
});
