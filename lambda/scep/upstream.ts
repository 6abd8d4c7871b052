/**
 * The upstream issuer: the Jamf request is forwarded, as sent, to another
 * challenge service (a commercial CA's Jamf endpoint, say), and its answer's
 * body is the challenge. The call has a hard timeout well under Jamf's 2 s.
 */
import * as v from 'valibot';
import { within } from '../shared/deadline';
import { BadGatewayError, GatewayTimeoutError } from '../shared/errors';
import { parseSecretDocument } from '../secrets/document';
import type { UpstreamConfig } from './config';
import type { Issuer } from './issuers';

/** `{"username": "...", "password": "..."}`: Basic credentials for the upstream issuer. */
export const UpstreamCredentialsSchema = v.strictObject({
  username: v.pipe(v.string(), v.minLength(1)),
  password: v.pipe(v.string(), v.minLength(1)),
});
export type UpstreamCredentials = v.InferOutput<typeof UpstreamCredentialsSchema>;

/** A challenge that long is not a challenge; it will not fit a profile either. */
export const MAX_UPSTREAM_CHALLENGE_BYTES = 4096;

export function parseUpstreamCredentials(text: string): UpstreamCredentials {
  return parseSecretDocument(text, UpstreamCredentialsSchema, 'the upstream credentials document');
}

export interface UpstreamRequest {
  readonly body: Uint8Array;
  readonly contentType: string | undefined;
}

/** Asks the upstream for a challenge; throws a 502 or 504 `WebhookError` when it does not give one. */
export async function requestUpstreamChallenge(
  upstream: UpstreamConfig,
  credentials: UpstreamCredentials | undefined,
  request: UpstreamRequest,
  /** What is left of `upstream.timeoutMs`. */
  remainingMs: number = upstream.timeoutMs,
): Promise<string> {
  const headers: Record<string, string> = { 'content-type': request.contentType ?? 'application/json' };
  if (credentials) {
    headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }
  const signal = AbortSignal.timeout(remainingMs);
  let status: number;
  let body: string;
  try {
    // The deadline covers the body as well as the headers; redirects would leak the credentials elsewhere.
    const response = await fetch(upstream.url, { method: 'POST', headers, body: request.body, signal, redirect: 'error' });
    status = response.status;
    body = await response.text();
  } catch (error) {
    if (signal.aborted) throw timedOut(upstream, error);
    throw new BadGatewayError('UpstreamUnreachable', 'The upstream issuer could not be reached', { cause: error });
  }
  if (status < 200 || status > 299) {
    throw new BadGatewayError('UpstreamFailed', `The upstream issuer answered HTTP ${status}`);
  }
  if (body.trim() === '' || Buffer.byteLength(body) > MAX_UPSTREAM_CHALLENGE_BYTES) {
    throw new BadGatewayError('UpstreamFailed', 'The upstream issuer answered without a usable challenge');
  }
  return body;
}

/**
 * Forwards the request upstream, authenticated with `credentials` when given.
 * The timeout counts from the start: reading the credentials (on a cold start,
 * or every few minutes) is part of it.
 */
export function upstreamIssuer(
  upstream: UpstreamConfig,
  credentials: (() => Promise<UpstreamCredentials>) | undefined,
): Issuer {
  return async ({ body, contentType }) => {
    const started = Date.now();
    let basic: UpstreamCredentials | undefined;
    if (credentials) {
      basic = await within(credentials(), upstream.timeoutMs);
      if (!basic) throw timedOut(upstream);
    }
    const remainingMs = upstream.timeoutMs - (Date.now() - started);
    if (remainingMs <= 0) throw timedOut(upstream);
    return {
      challenge: await requestUpstreamChallenge(upstream, basic, { body, contentType }, remainingMs),
      issuance: { issuer: 'upstream' },
    };
  };
}

function timedOut(upstream: UpstreamConfig, cause?: unknown): GatewayTimeoutError {
  return new GatewayTimeoutError('UpstreamTimeout', `The upstream issuer did not answer within ${upstream.timeoutMs} ms`, {
    cause,
  });
}
