/**
 * Rotating the webhook credential without a gap. Jamf Pro sends one credential per webhook and
 * the functions accept every credential the document lists, so the order is what keeps every
 * webhook accepted:
 *
 * 1. add a new credential of the kind the webhooks use, first in its list (the registrar hands
 *    Jamf Pro the first one), keeping the old one;
 * 2. wait until every function instance has read the document again (their secret cache TTL);
 * 3. send the new credential to every webhook the registrar owns (a partial PUT of the
 *    credential fields only: nothing else of the webhook changes);
 * 4. wait until a webhook Jamf sent with the old credential just before its update has arrived;
 * 5. retire the old credential.
 *
 * If Jamf Pro refuses an update, the rotation stops before step 5: both credentials stay valid,
 * so still nothing is refused, and the error says what is left to do.
 *
 * The document is changed as JSON, keeping its other entries as they are; the forms that hold one
 * credential (the top-level `username`/`password`, `headers` as an object) become lists where a
 * second credential of the kind has to sit beside the first.
 */
import { randomBytes } from 'node:crypto';
import { parseCredentialsDocument } from '../auth/credentials';
import type { ClassicApiClient } from './classic-api';
import { AUTH_OF_TYPE, credentialUpdate, currentCredential, firstAuthKind, type Credential, type WebhookAuth } from './credential';
import { isOwned, RegistrarConfigurationError, WEBHOOK_TIMEOUTS } from './registrar';

/** Where the credentials document lives (the stack's secret; locally, npm start's). */
export interface CredentialsStore {
  read(): Promise<string>;
  write(document: string): Promise<void>;
}

type RawDocument = Record<string, unknown>;

/** A new secret value: 256 random bits, in characters every Jamf Pro field and HTTP header takes. */
export function generateSecretValue(): string {
  return randomBytes(32).toString('base64url');
}

/** `credential` with a new secret value: the same username, header name or signature settings. */
export function renewed(credential: Credential, value: string): Credential {
  switch (credential.auth) {
    case 'basic':
      return { ...credential, password: value };
    case 'header':
      return { ...credential, value };
    case 'hmac':
      return { ...credential, secret: value };
  }
}

function entryOf(credential: Credential): Record<string, string> {
  const { auth: _auth, ...entry } = credential;
  return entry as Record<string, string>;
}

function listOf(raw: RawDocument, key: string): Record<string, unknown>[] {
  const value = raw[key];
  if (Array.isArray(value)) return value as Record<string, unknown>[];
  // `headers` as Jamf Pro's object of name to value.
  if (key === 'headers' && value !== null && typeof value === 'object') return Object.entries(value).map(([name, v]) => ({ name, value: v }));
  return [];
}

const LIST_KEY: Readonly<Record<WebhookAuth, string>> = { basic: 'basic', header: 'headers', hmac: 'hmac' };

/** The document with `credential` first in its kind's list, and everything else kept. */
export function withCredentialAdded(raw: RawDocument, credential: Credential): RawDocument {
  const key = LIST_KEY[credential.auth];
  return { ...raw, [key]: [entryOf(credential), ...listOf(raw, key)] };
}

function sameCredential(entry: Record<string, unknown>, credential: Credential): boolean {
  switch (credential.auth) {
    case 'basic':
      return entry.username === credential.username && entry.password === credential.password;
    case 'header':
      return typeof entry.name === 'string' && entry.name.toLowerCase() === credential.name.toLowerCase() && entry.value === credential.value;
    case 'hmac':
      return entry.header === credential.header && entry.secret === credential.secret;
  }
}

/** The document without `credential` (wherever it sits, the top-level Basic form included). */
export function withCredentialRetired(raw: RawDocument, credential: Credential): RawDocument {
  const key = LIST_KEY[credential.auth];
  const document: RawDocument = { ...raw };
  if (key in raw) {
    const kept = listOf(raw, key).filter((entry) => !sameCredential(entry, credential));
    if (kept.length > 0) document[key] = kept;
    else delete document[key];
  }
  if (credential.auth === 'basic' && sameCredential(raw, credential)) {
    delete document.username;
    delete document.password;
  }
  return document;
}

/** How a rotation is going, step by step: for a person watching the CLI. No value is ever in it. */
export type RotationStep =
  | { readonly step: 'added'; readonly auth: WebhookAuth; readonly webhooks: readonly string[] }
  | { readonly step: 'waiting'; readonly ms: number; readonly why: 'functions' | 'in-flight' }
  | { readonly step: 'updated'; readonly name: string; readonly id: number }
  | { readonly step: 'retired'; readonly auth: WebhookAuth };

export interface RotationOptions {
  readonly client: ClassicApiClient;
  readonly store: CredentialsStore;
  /** The kind to rotate. @default the kind the registrar's webhooks use */
  readonly auth?: WebhookAuth;
  /** How long the functions use the document before reading it again: their secret TTL, plus a margin. */
  readonly functionsWaitMs: number;
  /** How long a webhook Jamf sent just before its update may take to arrive. @default Jamf's connection and read timeouts */
  readonly inFlightWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly generate?: () => string;
  readonly onStep?: (step: RotationStep) => void;
}

export interface RotationResult {
  readonly auth: WebhookAuth;
  /** The webhooks that now send the new credential. */
  readonly updated: readonly string[];
  /** Webhooks the registrar owns that use another kind of authentication, left as they were. */
  readonly otherKind: readonly string[];
}

/** Jamf Pro refused an update: both credentials stay in the document, so nothing is refused. */
export class RotationIncompleteError extends Error {
  override readonly name = 'RotationIncompleteError';
  constructor(readonly failed: readonly { readonly name: string; readonly error: Error }[]) {
    super(
      `${failed.length} webhook(s) could not be updated (${failed.map((f) => `${f.name}: ${f.error.message}`).join('; ')}). ` +
        'The new credential and the old one both stay in the credentials document, so no webhook is refused. ' +
        'Once the cause is fixed, run `npm run jamf -- sync --rotate` to send the new credential (the first of its kind) to every webhook, ' +
        'then remove the old one from the document.',
    );
  }
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs the five steps above. Throws before step 1, writing nothing, when there is nothing to
 * rotate, or when a webhook it cannot update (one not created by sync, sending to this stack
 * with that kind of credential) would be refused once the old credential is retired.
 */
export async function rotateWebhookCredential(options: RotationOptions): Promise<RotationResult> {
  const { client, store, onStep = () => undefined } = options;
  const sleep = options.sleep ?? sleepFor;
  type Found = { readonly id: number; readonly name: string; readonly type: string; readonly url: string };
  const owned: Found[] = [];
  const others: Found[] = [];
  for (const { id, name } of await client.listWebhooks()) {
    const webhook = await client.getWebhook(id);
    (isOwned(name) ? owned : others).push({ id, name, type: webhook.authentication_type ?? '', url: webhook.url ?? '' });
  }
  const kinds = new Set(owned.map((w) => AUTH_OF_TYPE[w.type]).filter((kind) => kind !== undefined));

  const text = await store.read();
  const document = parseCredentialsDocument(text);
  if (options.auth === undefined && kinds.size > 1) {
    throw new RegistrarConfigurationError(`the webhooks use ${[...kinds].join(' and ')} authentication: choose which to rotate with --auth`);
  }
  // Without webhooks to go by, the kind the registrar would hand Jamf Pro.
  const auth = options.auth ?? [...kinds][0] ?? firstAuthKind(document);
  if (auth === undefined) throw new RegistrarConfigurationError('the credentials document has no basic, headers or hmac credential to rotate');
  const old = currentCredential(document, auth);
  if (!old) throw new RegistrarConfigurationError(`the credentials document has no ${auth} credential to rotate`);
  const targets = owned.filter((w) => AUTH_OF_TYPE[w.type] === auth);
  // The old credential is retired at the end: a webhook this cannot update must not depend on it.
  if (targets.length === 0) {
    throw new RegistrarConfigurationError(
      `no webhook registered by npm run jamf -- sync uses ${auth} authentication, so there is nothing to hand a new credential to; ` +
        'webhooks set up by hand are rotated by hand (docs/jamf-pro.md#authentication)',
    );
  }
  const urls = new Set(owned.map((w) => w.url));
  const byHand = others.filter((w) => urls.has(w.url) && AUTH_OF_TYPE[w.type] === auth);
  if (byHand.length > 0) {
    throw new RegistrarConfigurationError(
      `${byHand.map((w) => w.name).join(', ')} ${byHand.length === 1 ? 'sends' : 'send'} webhooks to this stack but ${byHand.length === 1 ? 'was' : 'were'} not created by sync, ` +
        'so rotate could not update them and would refuse them once it retires the old credential: ' +
        'register those events with sync and delete the hand-made webhooks, or rotate by hand',
    );
  }
  const fresh = renewed(old, (options.generate ?? generateSecretValue)());

  await store.write(serialise(withCredentialAdded(JSON.parse(text) as RawDocument, fresh)));
  onStep({ step: 'added', auth, webhooks: targets.map((w) => w.name) });
  onStep({ step: 'waiting', ms: options.functionsWaitMs, why: 'functions' });
  await sleep(options.functionsWaitMs);

  const failed: { name: string; error: Error }[] = [];
  for (const { id, name } of targets) {
    try {
      await client.updateWebhook(id, credentialUpdate(fresh));
      onStep({ step: 'updated', name, id });
    } catch (error) {
      failed.push({ name, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  if (failed.length > 0) throw new RotationIncompleteError(failed);

  const inFlightMs = options.inFlightWaitMs ?? (WEBHOOK_TIMEOUTS.connection + WEBHOOK_TIMEOUTS.read) * 1000;
  onStep({ step: 'waiting', ms: inFlightMs, why: 'in-flight' });
  await sleep(inFlightMs);
  // Read again: the document may have been edited meanwhile, and only the old credential goes.
  await store.write(serialise(withCredentialRetired(JSON.parse(await store.read()) as RawDocument, old)));
  onStep({ step: 'retired', auth });
  return { auth, updated: targets.map((w) => w.name), otherKind: owned.filter((w) => AUTH_OF_TYPE[w.type] !== auth).map((w) => w.name) };
}

/** The document as text, after checking it is one the functions accept: never write one they would refuse. */
function serialise(raw: RawDocument): string {
  const text = JSON.stringify(raw);
  parseCredentialsDocument(text);
  return text;
}
