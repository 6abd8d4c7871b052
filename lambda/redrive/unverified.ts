/**
 * Letters of requests whose credentials could not be checked when they came
 * (a cold instance during a Secrets Manager outage): a redrive checks them
 * against the credentials document of that time (the current version, or the
 * one before it, for a rotation since), decodes what passes and publishes it as
 * it would have been published, and drops what does not pass. Nothing
 * unverified is ever published.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { parseCredentialsDocument } from '../auth/credentials';
import { createVerifier } from '../auth/verify';
import { decodeWebhook } from '../decode/decode';
import type { DeadLetterRecord } from '../publish/dead-letters';
import type { SecretVersion } from '../secrets/secrets-manager';
import { type EntryTarget, toPutEventsEntries } from '../publish/entry';

/** What became of an unverified letter. */
export type UnverifiedCheck =
  /** Its credentials pass: these are its event's entries (one, or its parts). */
  | { readonly outcome: 'verified'; readonly entries: readonly PutEventsRequestEntry[] }
  /** Its credentials do not pass: drop it. */
  | { readonly outcome: 'rejected' }
  /** It passes, but is not something that can be published (bad input): leave it for a person. */
  | { readonly outcome: 'badInput' }
  /** It cannot be checked now (the credentials cannot be read), or never (its body was not kept): leave it. */
  | { readonly outcome: 'unchecked' };

/**
 * A checker for unverified letters. `readDocuments` gives the credentials
 * document's current version and, if there is one, the version before it. A
 * letter is checked against the current one, and against the previous one only
 * if it came before the current one was made: a credential rotated out (say,
 * because it leaked) does not pass for a request that came after.
 */
export function unverifiedChecker(
  readDocuments: () => Promise<readonly SecretVersion[]>,
  target: EntryTarget,
): (record: DeadLetterRecord) => Promise<UnverifiedCheck> {
  return instanceUnverifiedChecker((instance) => (instance === undefined ? { readDocuments, target } : undefined));
}

/** Where a letter's credentials are checked and its event goes: its instance's document and target. */
export interface UnverifiedSource {
  /** The instance's credentials document: the current version and, if there is one, the one before it. */
  readonly readDocuments: () => Promise<readonly SecretVersion[]>;
  /** Its bus and source, and for a named instance its name (`delivery.instance`). */
  readonly target: EntryTarget;
}

/**
 * {@link unverifiedChecker} for a stack with named Jamf Pro instances: a letter is checked
 * against the credentials of the instance it came for (`record.instance`; none: the default
 * instance), never another's, and published with that instance's source and name. A letter of
 * an instance `sourceOf` does not know (removed since) is left for a person.
 */
export function instanceUnverifiedChecker(
  sourceOf: (instance: string | undefined) => UnverifiedSource | undefined,
): (record: DeadLetterRecord) => Promise<UnverifiedCheck> {
  return async (record) => {
    const unverified = record.unverified;
    if (unverified?.bodyBase64 === undefined) return { outcome: 'unchecked' };
    const source = sourceOf(record.instance);
    if (source === undefined) return { outcome: 'unchecked' };
    const { readDocuments, target } = source;
    let documents: readonly SecretVersion[];
    try {
      documents = await readDocuments();
    } catch {
      return { outcome: 'unchecked' };
    }
    const receivedAt = Date.parse(record.receivedAt);
    const current = documents[0]?.createdAt?.getTime();
    const inForce = documents.filter((_document, i) => i === 0 || current === undefined || receivedAt < current);
    // Each version on its own: a broken one must not block the check against the other.
    const verifiers = inForce.flatMap(({ text }) => {
      try {
        return [createVerifier(parseCredentialsDocument(text))];
      } catch {
        return [];
      }
    });
    if (verifiers.length === 0) return { outcome: 'unchecked' };
    const body = Buffer.from(unverified.bodyBase64, 'base64');
    if (!verifiers.some((verifier) => verifier.acceptsAnything && verifier.accepts(unverified.credentials, body))) {
      // A signature can only be checked over the exact body: when only its masked text was kept, a
      // letter that came with one is left for a person rather than dropped. (Every header shaped like
      // a signature is recorded, so one without any presented none.)
      const signatureUnprovable = unverified.bodyMasked === true && Object.keys(unverified.credentials.signatures).length > 0;
      return verifiers.some((verifier) => verifier.checksSignatures) && signatureUnprovable ? { outcome: 'unchecked' } : { outcome: 'rejected' };
    }
    try {
      const decoded = decodeWebhook(body, record.contentType ?? undefined);
      // An entry over the limit (an event that could not be split into parts) goes out as a stub,
      // through the redrive's claim check.
      return { outcome: 'verified', entries: toPutEventsEntries(decoded, target, new Date(record.receivedAt)) };
    } catch {
      return { outcome: 'badInput' };
    }
  };
}
