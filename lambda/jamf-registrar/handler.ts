/**
 * The webhook registrar as a CloudFormation custom resource (lib/jamf-webhooks.ts), behind CDK's
 * `custom_resources.Provider`, which answers CloudFormation's response URL: this handler returns
 * the physical id, or throws and the deploy fails with the error's message.
 *
 * - Create, Update: reads the Jamf Pro API client and the webhook credentials document from
 *   Secrets Manager, then makes Jamf Pro's `jamf-eventbridge: ` webhooks match the properties
 *   (lambda/jamf/registrar.ts, as `npm run jamf -- sync` does).
 * - Delete: deletes every webhook the registrar owns in that Jamf Pro, and nothing else.
 *
 * The physical id is `jamf-webhooks:<Jamf URL>`: a new URL is a new resource, so CloudFormation
 * deletes the webhooks of the old Jamf Pro after the new one has them. No message this handler
 * throws carries a secret: the registrar's and the Classic API client's never do, and the values
 * read are scrubbed from the message anyway, since a deploy's reason is shown to anyone who can
 * read the stack's events.
 *
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.custom_resources-readme.html
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as v from 'valibot';
import { parseCredentialsDocument, type CredentialsDocument } from '../auth/credentials';
import { canonicalEventName, type JamfEventName } from '../events/catalogue';
import { ClassicApiClient } from '../jamf/classic-api';
import {
  isSmartGroupEvent,
  removeWebhooks,
  syncWebhooks,
  type AppliedChange,
  type SmartGroupEvent,
} from '../jamf/registrar';
import { parseSecretDocument } from '../secrets/document';
import { boundedCall, boundedRequests } from '../shared/aws-calls';
import { describeIssuesWithoutValues } from '../shared/issues';

/** The resource's properties, as CloudFormation sends them (every scalar a string). */
export const RegistrarPropertiesSchema = v.looseObject({
  JamfUrl: v.pipe(v.string(), v.url()),
  ApiClientSecretArn: v.pipe(v.string(), v.minLength(1)),
  WebhookAuthSecretArn: v.pipe(v.string(), v.minLength(1)),
  WebhookUrl: v.pipe(v.string(), v.url()),
  ScepUrl: v.optional(v.pipe(v.string(), v.url())),
  Events: v.array(v.string()),
  Format: v.picklist(['json', 'xml']),
  Auth: v.picklist(['basic', 'header', 'hmac']),
  /** `SmartGroupComputerMembershipChange:12`. */
  SmartGroups: v.optional(v.array(v.string()), []),
});
export type RegistrarProperties = v.InferOutput<typeof RegistrarPropertiesSchema>;

/** The part of the Provider framework's onEvent request this handler reads; the rest is kept. */
export const RegistrarEventSchema = v.variant('RequestType', [
  v.looseObject({ RequestType: v.literal('Create'), ResourceProperties: RegistrarPropertiesSchema }),
  v.looseObject({ RequestType: v.literal('Update'), PhysicalResourceId: v.string(), ResourceProperties: RegistrarPropertiesSchema }),
  v.looseObject({ RequestType: v.literal('Delete'), PhysicalResourceId: v.string(), ResourceProperties: RegistrarPropertiesSchema }),
]);
export type RegistrarEvent = v.InferOutput<typeof RegistrarEventSchema>;

/** The API client Jamf Pro issued (Settings > API roles and clients), as the secret holds it. */
export const ApiClientSecretSchema = v.object({
  clientId: v.pipe(v.string(), v.minLength(1)),
  clientSecret: v.pipe(v.string(), v.minLength(1)),
});
export type ApiClientSecret = v.InferOutput<typeof ApiClientSecretSchema>;

/** What the Provider framework sends back to CloudFormation; `Data` is readable with `Fn::GetAtt`. */
export interface RegistrarResponse {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Created: number; readonly Updated: number; readonly Deleted: number; readonly Unchanged: number };
}

/** The request is not one this resource can act on (a property missing or malformed). */
export class InvalidRegistrarRequestError extends Error {
  override readonly name = 'InvalidRegistrarRequestError';
}

/** Jamf Pro did not take every change; the message lists each failed change with Jamf's reason. */
export class WebhookRegistrationError extends Error {
  override readonly name = 'WebhookRegistrationError';
}

/** Deadline of each Secrets Manager call: nobody waits on a deploy by the millisecond, but no call may hang it. */
const SECRET_READ_TIMEOUT_MS = 10_000;
/** Deadline of each Classic API call. */
const JAMF_CALL_TIMEOUT_MS = 10_000;

let secretsManager: SecretsManagerClient | undefined;

/** Not the request-path client of lambda/secrets: a deploy can afford a slower answer and a retry more. */
function secretsClient(): SecretsManagerClient {
  return (secretsManager ??= new SecretsManagerClient({ maxAttempts: 3, ...boundedRequests(2000, 5000) }));
}

async function readSecret(secretId: string): Promise<string> {
  const response = await boundedCall(
    (abortSignal) => secretsClient().send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal }),
    SECRET_READ_TIMEOUT_MS,
  );
  return response.SecretString ?? (response.SecretBinary ? Buffer.from(response.SecretBinary).toString('utf8') : '');
}

/** `jamf-webhooks:https://example.jamfcloud.com`: one resource per Jamf Pro, whatever the trailing slashes. */
export function physicalIdOf(jamfUrl: string): string {
  return `jamf-webhooks:${jamfUrl.replace(/\/+$/, '')}`;
}

function parseEvents(names: readonly string[]): JamfEventName[] {
  return names.map((name) => {
    const event = canonicalEventName(name);
    if (event === undefined) throw new InvalidRegistrarRequestError(`Events: ${name} is not a Jamf Pro webhook event`);
    return event;
  });
}

function parseSmartGroups(values: readonly string[]): { event: SmartGroupEvent; id: number }[] {
  return values.map((value) => {
    const [named = '', idText = ''] = value.split(':', 2);
    const event = canonicalEventName(named);
    const id = Number(idText);
    if (event === undefined || !isSmartGroupEvent(event) || !Number.isInteger(id) || id < 1) {
      throw new InvalidRegistrarRequestError(`SmartGroups: ${value} is not <SmartGroupEvent>:<id>`);
    }
    return { event, id };
  });
}

/** Replaces every secret value in `text` by `***`, longest first so that no part of one is left. */
function scrub(text: string, secrets: readonly string[]): string {
  return [...secrets]
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length)
    .reduce((out, secret) => out.split(secret).join('***'), text);
}

/** The values of a credentials document, to scrub. */
function credentialValues(doc: CredentialsDocument): string[] {
  return [
    doc.password ?? '',
    ...(doc.basic ?? []).map((b) => b.password),
    ...(doc.headers ?? []).map((h) => h.value),
    ...(doc.hmac ?? []).map((h) => h.secret),
  ];
}

function counts(applied: readonly AppliedChange[]): RegistrarResponse['Data'] {
  const ok = applied.filter((a) => a.error === undefined);
  const of = (action: AppliedChange['change']['action']) => ok.filter((a) => a.change.action === action).length;
  return { Created: of('create'), Updated: of('update'), Deleted: of('delete'), Unchanged: of('unchanged') };
}

/** Throws with each failed change and Jamf's reason, when a change failed. */
function throwIfFailed(applied: readonly AppliedChange[], secrets: readonly string[]): void {
  const failed = applied.filter((a) => a.error !== undefined);
  if (failed.length === 0) return;
  const reasons = failed.map((a) => `${a.change.action} ${a.change.name}: ${a.error!.message}`).join('; ');
  throw new WebhookRegistrationError(scrub(`Jamf Pro refused ${failed.length} of ${applied.length} webhook changes: ${reasons}`, secrets));
}

/** The Provider framework's onEvent handler. */
export async function handler(input: unknown): Promise<RegistrarResponse> {
  const parsed = v.safeParse(RegistrarEventSchema, input);
  if (!parsed.success) throw new InvalidRegistrarRequestError(`the custom resource request is invalid: ${describeIssuesWithoutValues(parsed.issues)}`);
  const event = parsed.output;
  const props = event.ResourceProperties;
  const physicalId = physicalIdOf(props.JamfUrl);
  const secrets: string[] = [];
  try {
    const apiClient = parseSecretDocument(await readSecret(props.ApiClientSecretArn), ApiClientSecretSchema, 'the Jamf Pro API client secret');
    secrets.push(apiClient.clientId, apiClient.clientSecret);
    const client = new ClassicApiClient({ url: props.JamfUrl, ...apiClient, timeoutMs: JAMF_CALL_TIMEOUT_MS });

    if (event.RequestType === 'Delete') {
      // The id CloudFormation deletes: an old URL's after a replacement, so the old Jamf Pro's webhooks go.
      const applied = await removeWebhooks(client);
      throwIfFailed(applied, secrets);
      return { PhysicalResourceId: event.PhysicalResourceId, Data: counts(applied) };
    }

    const credentials = parseCredentialsDocument(await readSecret(props.WebhookAuthSecretArn));
    secrets.push(...credentialValues(credentials));
    const applied = await syncWebhooks(client, {
      webhookUrl: props.WebhookUrl,
      ...(props.ScepUrl === undefined ? {} : { scepUrl: props.ScepUrl }),
      events: parseEvents(props.Events),
      smartGroups: parseSmartGroups(props.SmartGroups),
      format: props.Format,
      auth: props.Auth,
      credentials,
    });
    throwIfFailed(applied, secrets);
    return { PhysicalResourceId: physicalId, Data: counts(applied) };
  } catch (error) {
    if (error instanceof WebhookRegistrationError) throw error;
    // The message only, with its name: enough for the deploy's reason, and scrubbed like the rest.
    const e = error instanceof Error ? error : new Error(String(error));
    throw new WebhookRegistrationError(scrub(`${e.name}: ${e.message}`, secrets), { cause: e });
  }
}
