/**
 * The oversize bucket as a redrive uses it: an entry over the entry limit goes
 * out as a stub, its whole detail stored first (the claim check), and a letter
 * that was too large for SQS is read whole from where it points. One wiring for
 * the redrive function and `npm run redrive`.
 */
import { withClaimCheck } from '../publish/oversize';
import { getOversizeObject, type OversizeStore } from '../publish/oversize-store';
import type { RedriveDependencies } from './redrive';

/** Time for one read of a whole record from the oversize bucket, or one write of an event's (with retries). */
export const OVERSIZE_BUDGET_MS = 10_000;

/**
 * `publish` with the claim check in front, and the read of stored letters, for the bucket
 * `store`; without one, `publish` as it is and stored letters read as they are (cut).
 */
export function oversizeRedrive(
  publish: RedriveDependencies['publish'],
  store: OversizeStore | undefined,
): Pick<RedriveDependencies, 'publish' | 'readStored'> {
  if (store === undefined) return { publish };
  return {
    publish: withClaimCheck(publish, store, OVERSIZE_BUDGET_MS),
    // The letter names the bucket it was kept in; the client is this one's.
    readStored: (stored) => getOversizeObject({ ...store, bucket: stored.bucket }, stored.key, OVERSIZE_BUDGET_MS),
  };
}
