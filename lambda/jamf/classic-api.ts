/**
 * A small client of Jamf Pro's Classic API webhooks resource, authenticated as an API client
 * (OAuth client credentials). Every call has a deadline; no error message carries a secret or
 * a response body, except the one line of Jamf's HTML status page that says what it refused.
 *
 * @see https://developer.jamf.com/jamf-pro/docs/client-credentials
 * @see https://developer.jamf.com/jamf-pro/reference/findwebhooks
 */
import * as v from 'valibot';
import { parseWebhookListXml, parseWebhookXml, webhookXml, type Webhook, type WebhookFields, type WebhookList } from './webhook-xml';

/** Base class of every failure talking to Jamf Pro. */
export class JamfApiError extends Error {
  constructor(
    message: string,
    /** The HTTP status Jamf answered, when it answered. */
    readonly status?: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Jamf refused the API client's id or secret, or the token (401), or its privileges (403). */
export class JamfAuthenticationError extends JamfApiError {}

/** No answer: the host is unknown, refused the connection, or did not answer within the deadline. */
export class JamfUnreachableError extends JamfApiError {}

/** Jamf refused what was written (409), with the reason its status page gives, e.g. `Error: Duplicate name`. */
export class JamfConflictError extends JamfApiError {}

/** Jamf answered something this client cannot read. */
export class JamfResponseError extends JamfApiError {}

export interface ClassicApiOptions {
  /** The Jamf Pro URL, e.g. `https://example.jamfcloud.com` (a path is kept: the local stand-in lives under one). */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Deadline of each HTTP call. @default 10000 */
  readonly timeoutMs?: number;
  /** The clock, for tests of token expiry. @default Date.now */
  readonly now?: () => number;
}

const TokenSchema = v.object({
  access_token: v.pipe(v.string(), v.minLength(1)),
  expires_in: v.pipe(v.number(), v.minValue(0)),
});

/** A token is renewed this long before Jamf says it expires, so it cannot expire in flight. */
const TOKEN_MARGIN_MS = 30_000;

/** The text of Jamf's HTML status page that says why: `Error: Duplicate name`; else the status line. */
export function statusPageReason(body: string): string | undefined {
  const paragraphs = [...body.matchAll(/<p[^>]*>([\s\S]*?)<\/p>/gi)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());
  const reason = paragraphs.find((p) => /^Error\b/i.test(p)) ?? paragraphs.find((p) => p !== '');
  return reason ? reason.replace(/\s+/g, ' ').slice(0, 200) : undefined;
}

export class ClassicApiClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private token: { readonly value: string; readonly expiresAt: number } | undefined;
  /** Writes made (POST, PUT, DELETE), so a caller can tell that a run changed nothing. */
  writes = 0;

  constructor(private readonly options: ClassicApiOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new JamfApiError(`the Jamf Pro URL is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new JamfApiError('the Jamf Pro URL must be http(s)');
    this.base = url.href.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async listWebhooks(): Promise<WebhookList['webhook']> {
    const xml = await this.call('GET', '/JSSResource/webhooks');
    return parseOrThrow(() => parseWebhookListXml(xml)).webhook;
  }

  async getWebhook(id: number): Promise<Webhook> {
    const xml = await this.call('GET', `/JSSResource/webhooks/id/${id}`);
    return parseOrThrow(() => parseWebhookXml(xml));
  }

  /** Creates a webhook and answers its id (Jamf answers 201 with `<webhook><id>`). */
  async createWebhook(fields: WebhookFields): Promise<number> {
    const xml = await this.call('POST', '/JSSResource/webhooks/id/0', webhookXml(fields));
    return parseOrThrow(() => parseWebhookXml(xml)).id;
  }

  /** Changes the fields given, and only those (the Classic API's PUT is a partial update). */
  async updateWebhook(id: number, fields: WebhookFields): Promise<void> {
    await this.call('PUT', `/JSSResource/webhooks/id/${id}`, webhookXml(fields));
  }

  async deleteWebhook(id: number): Promise<void> {
    await this.call('DELETE', `/JSSResource/webhooks/id/${id}`);
  }

  /** One Classic API call with a bearer token; a 401 renews the token once (it may have been revoked). */
  private async call(method: string, path: string, body?: string): Promise<string> {
    if (method !== 'GET') this.writes += 1;
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.bearer();
      const response = await this.send(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/xml',
          ...(body === undefined ? {} : { 'content-type': 'application/xml' }),
        },
        ...(body === undefined ? {} : { body }),
      });
      const text = await this.read(response);
      if (response.status === 401 && attempt === 0) {
        this.token = undefined;
        continue;
      }
      if (response.ok) return text;
      const reason = statusPageReason(text);
      const what = `${method} ${path}: ${response.status}${reason ? ` ${reason}` : ''}`;
      if (response.status === 401 || response.status === 403) {
        throw new JamfAuthenticationError(`Jamf Pro refused the API client: ${what}` + (response.status === 403 ? ' (does its role have the Webhooks privileges?)' : ''), response.status);
      }
      if (response.status === 409) throw new JamfConflictError(`Jamf Pro refused ${what}`, 409);
      throw new JamfApiError(`Jamf Pro answered ${what}`, response.status);
    }
  }

  private async bearer(): Promise<string> {
    if (this.token && this.now() < this.token.expiresAt - TOKEN_MARGIN_MS) return this.token.value;
    const response = await this.send(`${this.base}/api/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
        grant_type: 'client_credentials',
      }).toString(),
    });
    const text = await this.read(response);
    if (response.status === 400 || response.status === 401) {
      throw new JamfAuthenticationError(`Jamf Pro refused the API client id or secret (${response.status} from /api/oauth/token)`, response.status);
    }
    if (!response.ok) throw new JamfApiError(`Jamf Pro answered ${response.status} to /api/oauth/token`, response.status);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new JamfResponseError('the token response of /api/oauth/token is not JSON');
    }
    const result = v.safeParse(TokenSchema, json);
    if (!result.success) throw new JamfResponseError('the token response of /api/oauth/token has no access_token and expires_in');
    this.token = { value: result.output.access_token, expiresAt: this.now() + result.output.expires_in * 1000 };
    return this.token.value;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const { pathname } = new URL(url);
    try {
      return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      // undici puts the reason in `cause`: a system error, or several (one per address tried).
      const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
      const code = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message;
      const why =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
          ? `no answer within ${this.timeoutMs} ms`
          : (code ?? (error instanceof Error ? error.message : String(error)));
      throw new JamfUnreachableError(`Jamf Pro is unreachable at ${new URL(url).origin}${pathname}: ${why}`, undefined, { cause: error });
    }
  }

  /** The body, within the same deadline as the call. */
  private async read(response: Response): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw new JamfUnreachableError(`Jamf Pro stopped answering: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
    }
  }
}

/** An answer that is not the XML expected becomes a JamfResponseError. */
function parseOrThrow<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof JamfApiError) throw error;
    throw new JamfResponseError(`Jamf Pro's answer is not a webhook document: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
  }
}
