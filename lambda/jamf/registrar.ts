/**
 * The webhook registrar: makes Jamf Pro's webhooks match what this stack receives, one webhook
 * per event, through the Classic API. It plans (create, update with the drifted fields, delete,
 * unchanged), then applies the plan and reads back what it wrote.
 *
 * What it owns is named: every webhook it creates is called `jamf-eventbridge: <Event>` (and the
 * smart group id for the SmartGroup events). It never reads as its own, changes or deletes a
 * webhook without that prefix.
 *
 * The password rule: Jamf Pro reads a webhook's password back blank (and a header's value is a
 * credential too), so drift of the credential cannot be seen. The registrar sends the credential
 * when it creates a webhook, when another field drifted (its PUT carries every field it sets), and
 * when told to (`rotate`), never otherwise, and never the blank it read.
 *
 * No CLI code here: bin/jamf.ts and, later, a CloudFormation custom resource both call it.
 */
import type { CredentialsDocument } from '../auth/credentials';
import { EVENT_NAMES, type JamfEventName } from '../events/catalogue';
import type { ClassicApiClient } from './classic-api';
import { credentialUpdate, currentCredential, type WebhookAuth } from './credential';
import type { Webhook, WebhookFields } from './webhook-xml';

/** What every webhook the registrar owns is called: `jamf-eventbridge: ComputerAdded`. */
export const WEBHOOK_NAME_PREFIX = 'jamf-eventbridge: ';

export const SMART_GROUP_EVENTS = [
  'SmartGroupComputerMembershipChange',
  'SmartGroupMobileDeviceMembershipChange',
  'SmartGroupUserMembershipChange',
] as const satisfies readonly JamfEventName[];
export type SmartGroupEvent = (typeof SMART_GROUP_EVENTS)[number];

export function isSmartGroupEvent(name: string): name is SmartGroupEvent {
  return (SMART_GROUP_EVENTS as readonly string[]).includes(name);
}

/**
 * The events registered by default: every known one but the SmartGroup ones, which need a smart
 * group each ({@link RegistrarOptions.smartGroups}). SCEPChallenge goes to the SCEP URL.
 */
export const DEFAULT_EVENTS: readonly JamfEventName[] = EVENT_NAMES.filter((name) => !isSmartGroupEvent(name));

/**
 * Timeouts, in Jamf's whole seconds. Jamf Pro's webhook settings offer 1 to 5 seconds for both;
 * the ingest function answers within 1.8 s (its publish budget), so the longest read timeout
 * Jamf allows only gives a cold start room and never makes Jamf wait on a function that has
 * given up. SCEPChallenge keeps Jamf's documented 2 s read timeout: a profile is being built
 * while Jamf waits, and the SCEP function is budgeted for it (docs/scep.md).
 */
export const WEBHOOK_TIMEOUTS = {
  connection: 5,
  read: 5,
  scepRead: 2,
} as const;

export type WebhookFormat = 'json' | 'xml';
export type { WebhookAuth } from './credential';

export interface RegistrarOptions {
  /** The stack's webhook URL (`WebhookUrl`), where every event but SCEPChallenge goes. */
  readonly webhookUrl: string;
  /** The SCEP challenge URL; without it SCEPChallenge is not registered. */
  readonly scepUrl?: string;
  /** The events to register. @default DEFAULT_EVENTS */
  readonly events?: readonly JamfEventName[];
  /** SmartGroup events to register, one webhook per event and smart group id. @default none */
  readonly smartGroups?: readonly { readonly event: SmartGroupEvent; readonly id: number }[];
  /** The body Jamf sends. SCEPChallenge is always JSON. @default 'json' */
  readonly format?: WebhookFormat;
  /** How Jamf authenticates, with the first credential of that kind in `credentials`. */
  readonly auth: WebhookAuth;
  /** The credentials document the functions check (JAMF_WEBHOOK_AUTH, or the stack's secret). */
  readonly credentials: CredentialsDocument;
}

/** The credential the registrar's auth choice needs is not in the document. */
export class RegistrarConfigurationError extends Error {
  override readonly name = 'RegistrarConfigurationError';
}

/** A webhook as the registrar wants it: the fields it compares, and the credential it sends. */
export interface DesiredWebhook {
  readonly name: string;
  readonly fields: Required<Pick<WebhookFields, 'name' | 'enabled' | 'url' | 'content_type' | 'event' | 'connection_timeout' | 'read_timeout' | 'authentication_type' | 'username'>> &
    Pick<WebhookFields, 'smart_group_id'>;
  /** Sent, never compared: Jamf reads it back blank. */
  readonly credential: Pick<WebhookFields, 'password' | 'header'>;
}

/** A field whose value in Jamf is not the one wanted. */
export interface FieldDrift {
  readonly field: string;
  readonly wanted: string;
  readonly found: string;
}

export type PlannedChange =
  | { readonly action: 'create'; readonly name: string; readonly desired: DesiredWebhook }
  | { readonly action: 'update'; readonly name: string; readonly id: number; readonly desired: DesiredWebhook; readonly drifted: readonly FieldDrift[]; readonly rotate: boolean }
  | { readonly action: 'delete'; readonly name: string; readonly id: number }
  | { readonly action: 'unchanged'; readonly name: string; readonly id: number };

export interface Plan {
  readonly changes: readonly PlannedChange[];
}

export interface AppliedChange {
  readonly change: PlannedChange;
  /** The error Jamf's answer became, when the change failed; the other changes still ran. */
  readonly error?: Error;
  /** Fields Jamf stored differently from what was written (a value outside its list becomes its default). */
  readonly silentlyChanged: readonly FieldDrift[];
}

/** The first credential of the chosen kind, as Jamf's fields. */
function credentialFields(options: RegistrarOptions): { username: string; authentication_type: string; credential: DesiredWebhook['credential'] } {
  const credential = currentCredential(options.credentials, options.auth);
  if (!credential) {
    throw new RegistrarConfigurationError(`auth ${options.auth}: the credentials document has no ${options.auth === 'header' ? 'headers' : options.auth} credential`);
  }
  const { authentication_type = '', username = '', password, header } = credentialUpdate(credential);
  return { username, authentication_type, credential: { ...(password === undefined ? {} : { password }), ...(header === undefined ? {} : { header }) } };
}

/** The webhooks the options ask for, by name. */
export function desiredWebhooks(options: RegistrarOptions): DesiredWebhook[] {
  const { username, authentication_type, credential } = credentialFields(options);
  const contentType = options.format === 'xml' ? 'text/xml' : 'application/json';
  const chosen = options.events ?? DEFAULT_EVENTS;
  // A SmartGroup event means nothing without a group: asking for one without naming a group is a mistake.
  for (const event of chosen.filter(isSmartGroupEvent)) {
    if (!options.smartGroups?.some((group) => group.event === event)) {
      throw new RegistrarConfigurationError(`${event} needs a smart group id: Jamf Pro sends it only for a named smart group`);
    }
  }
  const events = chosen.filter((event) => !isSmartGroupEvent(event));
  const desired: DesiredWebhook[] = [];
  const add = (event: JamfEventName, url: string, extra: { smart_group_id?: number; name?: string } = {}) => {
    const scep = event === 'SCEPChallenge';
    const name = `${WEBHOOK_NAME_PREFIX}${extra.name ?? event}`;
    desired.push({
      name,
      fields: {
        name,
        enabled: true,
        url,
        // Jamf sends SCEPChallenge as JSON; the SCEP function answers JSON requests.
        content_type: scep ? 'application/json' : contentType,
        event,
        connection_timeout: WEBHOOK_TIMEOUTS.connection,
        read_timeout: scep ? WEBHOOK_TIMEOUTS.scepRead : WEBHOOK_TIMEOUTS.read,
        authentication_type,
        username,
        ...(extra.smart_group_id === undefined ? {} : { smart_group_id: extra.smart_group_id }),
      },
      credential,
    });
  };
  for (const event of events) {
    if (event === 'SCEPChallenge') {
      if (options.scepUrl) add(event, options.scepUrl);
      continue;
    }
    add(event, options.webhookUrl);
  }
  for (const { event, id } of options.smartGroups ?? []) {
    if (!Number.isInteger(id) || id < 1) throw new RegistrarConfigurationError(`smart group id must be a whole number from 1, got ${id}`);
    add(event, options.webhookUrl, { smart_group_id: id, name: `${event} ${id}` });
  }
  const names = new Set<string>();
  for (const { name } of desired) {
    if (names.has(name)) throw new RegistrarConfigurationError(`${name} is asked for twice`);
    names.add(name);
  }
  return desired;
}

/** The compared fields whose value in `found` differs from `desired`. */
export function driftOf(desired: DesiredWebhook, found: Webhook): FieldDrift[] {
  const drift: FieldDrift[] = [];
  for (const [field, wanted] of Object.entries(desired.fields)) {
    if (wanted === undefined) continue;
    const value = (found as Record<string, unknown>)[field];
    // The username means something only with Basic authentication; Jamf may keep an old one.
    if (field === 'username' && desired.fields.authentication_type !== 'BASIC') continue;
    if (String(value ?? '') !== String(wanted)) drift.push({ field, wanted: String(wanted), found: String(value ?? '') });
  }
  return drift;
}

/** Whether a webhook's name says the registrar owns it. */
export function isOwned(name: string): boolean {
  return name.startsWith(WEBHOOK_NAME_PREFIX);
}

/**
 * What `apply` would do: reads Jamf's webhooks (each owned one in full) and compares. With
 * `rotate`, every owned webhook that stays is updated, so that it gets the credential.
 */
export async function planWebhooks(client: ClassicApiClient, desired: readonly DesiredWebhook[], options: { readonly rotate?: boolean } = {}): Promise<Plan> {
  const owned = (await client.listWebhooks()).filter((w) => isOwned(w.name));
  const byName = new Map(desired.map((d) => [d.name, d]));
  const changes: PlannedChange[] = [];
  const seen = new Set<string>();
  for (const { id, name } of owned) {
    const wanted = byName.get(name);
    if (!wanted || seen.has(name)) {
      // Not asked for any more (or a second webhook of one name, which Jamf should not allow).
      changes.push({ action: 'delete', name, id });
      continue;
    }
    seen.add(name);
    const drifted = driftOf(wanted, await client.getWebhook(id));
    if (drifted.length > 0 || options.rotate) changes.push({ action: 'update', name, id, desired: wanted, drifted, rotate: options.rotate === true });
    else changes.push({ action: 'unchanged', name, id });
  }
  for (const wanted of desired) if (!seen.has(wanted.name)) changes.push({ action: 'create', name: wanted.name, desired: wanted });
  const order = { delete: 0, update: 1, create: 2, unchanged: 3 } as const;
  changes.sort((a, b) => order[a.action] - order[b.action] || a.name.localeCompare(b.name));
  return { changes };
}

/**
 * Applies a plan, one change at a time; a change that fails is reported with its error and
 * the others still run. After each create and update it reads the webhook back and reports the
 * fields Jamf stored otherwise.
 */
export async function applyPlan(client: ClassicApiClient, plan: Plan): Promise<AppliedChange[]> {
  const applied: AppliedChange[] = [];
  for (const change of plan.changes) {
    try {
      switch (change.action) {
        case 'unchanged':
          applied.push({ change, silentlyChanged: [] });
          break;
        case 'delete':
          await client.deleteWebhook(change.id);
          applied.push({ change, silentlyChanged: [] });
          break;
        case 'create': {
          const id = await client.createWebhook({ ...change.desired.fields, ...change.desired.credential });
          applied.push({ change, silentlyChanged: driftOf(change.desired, await client.getWebhook(id)) });
          break;
        }
        case 'update':
          await client.updateWebhook(change.id, { ...change.desired.fields, ...change.desired.credential });
          applied.push({ change, silentlyChanged: driftOf(change.desired, await client.getWebhook(change.id)) });
          break;
      }
    } catch (error) {
      applied.push({ change, error: error instanceof Error ? error : new Error(String(error)), silentlyChanged: [] });
    }
  }
  return applied;
}

/** Plans and applies in one call: what `sync` does, and what a custom resource would. */
export async function syncWebhooks(client: ClassicApiClient, options: RegistrarOptions, sync: { readonly rotate?: boolean } = {}): Promise<AppliedChange[]> {
  return applyPlan(client, await planWebhooks(client, desiredWebhooks(options), sync));
}

/** Deletes every webhook the registrar owns, and nothing else. */
export async function removeWebhooks(client: ClassicApiClient): Promise<AppliedChange[]> {
  return applyPlan(client, await planWebhooks(client, []));
}
