/**
 * A stand-in for the part of Jamf Pro the registrar talks to, served by the local runtime
 * under `/_local/jamf`: the OAuth client-credentials token (`/api/oauth/token`) and the Classic
 * API's webhooks resource (`/JSSResource/webhooks…`), in XML as Jamf speaks it, with the checks
 * Jamf makes that the registrar has to live with:
 *
 * - a bearer token is required, and expires (`expires_in`); a wrong client id or secret is a 401;
 * - an unknown event, a SmartGroup event without `smart_group_id`, a missing or duplicate name
 *   are refused with a 409 HTML status page (`Error: Duplicate name`);
 * - a value outside an allowed list (content type, authentication type, a timeout outside
 *   1–5 s) is stored as the default, silently, so that a client must read back what it wrote;
 * - the password reads back blank; PUT changes only the fields it sends; POST and PUT answer 201.
 *
 * It keeps state in memory, for one run.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENT_NAMES } from '../events/catalogue';
import { isSmartGroupEvent } from '../jamf/registrar';
import {
  InvalidWebhookXmlError,
  parseWebhookFieldsXml,
  WEBHOOK_AUTHENTICATION_TYPES,
  WEBHOOK_CONTENT_TYPES,
  webhookListXml,
  webhookXml,
} from '../jamf/webhook-xml';
import { readBody } from './http-adapter';

export interface LocalJamfOptions {
  /** @default generated */
  readonly clientId?: string;
  /** @default generated */
  readonly clientSecret?: string;
  /** Lifetime of a token, in seconds. @default 60 */
  readonly tokenLifetimeSeconds?: number;
}

/** A webhook as the stand-in stores it. */
export interface LocalJamfWebhook {
  id: number;
  name: string;
  enabled: boolean;
  url: string;
  content_type: string;
  event: string;
  connection_timeout: number;
  read_timeout: number;
  authentication_type: string;
  username: string;
  /** Kept, never read back, as Jamf keeps it. */
  password: string;
  header: string;
  smart_group_id: number;
}

/** Jamf Pro's defaults for a value it does not take. */
const DEFAULTS = { content_type: 'text/xml', authentication_type: 'NONE', connection_timeout: 5, read_timeout: 2 } as const;
const MAX_TIMEOUT_SECONDS = 5;
const KNOWN_EVENTS = new Set<string>(EVENT_NAMES);

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Jamf's status page: HTML, the reason in a paragraph. */
function statusPage(response: ServerResponse, status: number, title: string, reason: string): void {
  const body =
    `<html>\n<head>\n   <title>Status page</title>\n</head>\n<body style="font-family: sans-serif;">\n` +
    `<p style="font-size: 1.2em;font-weight: bold;margin: 1em 0px;">${title}</p>\n<p>${reason}</p>\n` +
    `<p>You can get technical details <a href="http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.10">here</a>.<br>\n` +
    `Please continue your visit at our <a href="/">home page</a>.\n</p>\n</body>\n</html>\n`;
  response.writeHead(status, { 'content-type': 'text/html;charset=UTF-8' }).end(body);
}

function xml(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/xml;charset=UTF-8' }).end(body);
}

function wholeSecondsOr(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number(value.trim());
  return Number.isInteger(n) && n >= 1 && n <= MAX_TIMEOUT_SECONDS ? n : fallback;
}

export class LocalJamfClassicApi {
  readonly clientId: string;
  readonly clientSecret: string;
  private readonly tokenLifetimeSeconds: number;
  private readonly tokens = new Map<string, number>();
  private readonly stored = new Map<number, LocalJamfWebhook>();
  private nextId = 1;
  /** Tokens issued so far. */
  tokensIssued = 0;

  constructor(options: LocalJamfOptions = {}) {
    this.clientId = options.clientId ?? randomBytes(16).toString('hex');
    this.clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 60;
  }

  /** The webhooks, in id order, with what Jamf would never show (the password). */
  webhooks(): LocalJamfWebhook[] {
    return [...this.stored.values()].map((w) => ({ ...w }));
  }

  /** Makes every token issued so far expire, as time would. */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** Adds a webhook as someone in Jamf Pro's web interface would; answers its id. */
  add(fields: Readonly<Record<string, string>>): number {
    return this.write(undefined, fields).id;
  }

  /** Serves a request whose path is `subpath` under the stand-in's base. */
  async handle(request: IncomingMessage, response: ServerResponse, subpath: string): Promise<void> {
    const method = request.method ?? 'GET';
    if (subpath === '/api/oauth/token') {
      if (method !== 'POST') return statusPage(response, 405, 'Method Not Allowed', 'Method Not Allowed');
      return this.token(request, response);
    }
    const match = /^\/JSSResource\/webhooks(?:\/id\/(\d+))?\/?$/.exec(subpath);
    if (!match) return statusPage(response, 404, 'Not Found', 'The server has not found anything matching the request URI');
    if (!this.authorised(request)) return statusPage(response, 401, 'Unauthorized', 'The request requires user authentication');
    const id = match[1] === undefined ? undefined : Number(match[1]);
    try {
      if (id === undefined) {
        if (method !== 'GET') throw new Refusal(405, 'The method specified is not allowed for this resource');
        return xml(response, 200, webhookListXml(this.webhooks()));
      }
      const found = this.stored.get(id);
      switch (method) {
        case 'GET':
          if (!found) throw new Refusal(404, 'The server has not found anything matching the request URI');
          return xml(response, 200, webhookXml({ ...found, password: '' }, '<enable_display_fields_for_group_object>false</enable_display_fields_for_group_object><display_fields><size>0</size></display_fields>'));
        case 'POST': {
          // Jamf creates with id 0 and assigns the id; another id in the path is taken as 0 too.
          const created = this.write(undefined, await this.fields(request));
          return xml(response, 201, webhookXml({ id: created.id }));
        }
        case 'PUT': {
          if (!found) throw new Refusal(404, 'The server has not found anything matching the request URI');
          this.write(found, await this.fields(request));
          return xml(response, 201, webhookXml({ id }));
        }
        case 'DELETE':
          if (!found) throw new Refusal(404, 'The server has not found anything matching the request URI');
          this.stored.delete(id);
          return xml(response, 200, webhookXml({ id }));
        default:
          throw new Refusal(405, 'The method specified is not allowed for this resource');
      }
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      const titles: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict' };
      return statusPage(response, error.status, titles[error.status] ?? 'Error', error.message);
    }
  }

  private async token(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(request, 16 * 1024)).toString('utf8'));
    const json = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
    if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) return json(401, { error: 'invalid_client' });
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, Date.now() + this.tokenLifetimeSeconds * 1000);
    this.tokensIssued += 1;
    return json(200, { access_token: token, scope: 'api-role:local', token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds - 1 });
  }

  private authorised(request: IncomingMessage): boolean {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    const expiresAt = match ? this.tokens.get(match[1]!) : undefined;
    if (expiresAt === undefined) return false;
    if (Date.now() >= expiresAt) {
      this.tokens.delete(match![1]!);
      return false;
    }
    return true;
  }

  private async fields(request: IncomingMessage): Promise<Record<string, string>> {
    try {
      return parseWebhookFieldsXml((await readBody(request, 1024 * 1024)).toString('utf8'));
    } catch (error) {
      if (error instanceof InvalidWebhookXmlError) throw new Refusal(400, 'Error in XML file');
      throw error;
    }
  }

  /** Creates (`existing` undefined) or partially updates a webhook, validating as Jamf does. */
  private write(existing: LocalJamfWebhook | undefined, fields: Readonly<Record<string, string>>): LocalJamfWebhook {
    const base: LocalJamfWebhook = existing ?? {
      id: 0, name: '', enabled: false, url: '', content_type: DEFAULTS.content_type, event: '',
      connection_timeout: DEFAULTS.connection_timeout, read_timeout: DEFAULTS.read_timeout,
      authentication_type: DEFAULTS.authentication_type, username: '', password: '', header: '', smart_group_id: -1,
    };
    const next: LocalJamfWebhook = { ...base };
    if (fields.name !== undefined) next.name = fields.name;
    if (fields.enabled !== undefined) next.enabled = fields.enabled.trim() === 'true';
    if (fields.url !== undefined) next.url = fields.url;
    if (fields.event !== undefined) next.event = fields.event;
    if (fields.content_type !== undefined) {
      next.content_type = (WEBHOOK_CONTENT_TYPES as readonly string[]).includes(fields.content_type) ? fields.content_type : DEFAULTS.content_type;
    }
    if (fields.authentication_type !== undefined) {
      const type = fields.authentication_type.toUpperCase();
      next.authentication_type = (WEBHOOK_AUTHENTICATION_TYPES as readonly string[]).includes(type) ? type : DEFAULTS.authentication_type;
    }
    if (fields.connection_timeout !== undefined) next.connection_timeout = wholeSecondsOr(fields.connection_timeout, DEFAULTS.connection_timeout);
    if (fields.read_timeout !== undefined) next.read_timeout = wholeSecondsOr(fields.read_timeout, DEFAULTS.read_timeout);
    if (fields.username !== undefined) next.username = fields.username;
    if (fields.password !== undefined) next.password = fields.password;
    if (fields.header !== undefined) next.header = fields.header;
    if (fields.smart_group_id !== undefined) {
      const id = Number(fields.smart_group_id.trim());
      next.smart_group_id = Number.isInteger(id) && id > 0 ? id : -1;
    }

    if (next.name.trim() === '') throw new Refusal(409, 'Error: Name is required');
    if (!KNOWN_EVENTS.has(next.event)) throw new Refusal(409, 'Error: Problem with event');
    if (isSmartGroupEvent(next.event) && next.smart_group_id < 1) throw new Refusal(409, 'Error: Smart group ID is required for this event');
    for (const other of this.stored.values()) {
      if (other.id !== next.id && other.name === next.name) throw new Refusal(409, 'Error: Duplicate name');
    }
    if (next.authentication_type === 'HEADER' && next.header !== '') {
      try {
        const parsed: unknown = JSON.parse(next.header);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      } catch {
        throw new Refusal(409, 'Error: Header must be a JSON object');
      }
    }
    if (existing === undefined) next.id = this.nextId++;
    this.stored.set(next.id, next);
    return next;
  }
}
