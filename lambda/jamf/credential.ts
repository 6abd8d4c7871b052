/**
 * The webhook credential as the registrar and a rotation see it: which credential of the
 * document Jamf Pro is handed (the first of its kind), and the webhook fields that carry it.
 */
import type { CredentialsDocument } from '../auth/credentials';
import type { WebhookFields } from './webhook-xml';

export type WebhookAuth = 'basic' | 'header' | 'hmac';

/** A webhook's `authentication_type` as the kind of credential it sends. */
export const AUTH_OF_TYPE: Readonly<Record<string, WebhookAuth>> = { BASIC: 'basic', HEADER: 'header', HASH_SIGNATURE: 'hmac' };

/** One credential of a kind, as the document holds it. */
export type Credential =
  | { readonly auth: 'basic'; readonly username: string; readonly password: string }
  | { readonly auth: 'header'; readonly name: string; readonly value: string }
  | {
      readonly auth: 'hmac';
      readonly header: string;
      readonly algorithm: string;
      readonly encoding?: string;
      readonly prefix?: string;
      readonly secret: string;
    };

/** The credential the registrar hands Jamf Pro for `auth`: the first of its kind. */
export function currentCredential(document: CredentialsDocument, auth: WebhookAuth): Credential | undefined {
  switch (auth) {
    case 'basic': {
      const basic = document.basic?.[0] ?? (document.username && document.password ? { username: document.username, password: document.password } : undefined);
      return basic && { auth, username: basic.username, password: basic.password };
    }
    case 'header': {
      const header = document.headers?.[0];
      return header && { auth, name: header.name, value: header.value };
    }
    case 'hmac': {
      const hmac = document.hmac?.[0];
      return hmac && { auth, ...hmac };
    }
  }
}

/** The fields of a partial PUT that hands a webhook `credential`, and nothing else. */
export function credentialUpdate(credential: Credential): WebhookFields {
  switch (credential.auth) {
    case 'basic':
      return { authentication_type: 'BASIC', username: credential.username, password: credential.password };
    case 'header':
      return { authentication_type: 'HEADER', header: { [credential.name]: credential.value } };
    case 'hmac':
      return { authentication_type: 'HASH_SIGNATURE', password: credential.secret };
  }
}

/** The first kind of credential the document has, in the order Jamf Pro's form lists them. */
export function firstAuthKind(document: CredentialsDocument): WebhookAuth | undefined {
  if (document.basic?.length || document.username) return 'basic';
  if (document.headers?.length) return 'header';
  if (document.hmac?.length) return 'hmac';
  return undefined;
}
