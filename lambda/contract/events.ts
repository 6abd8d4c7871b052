/** What every published event has in common: its source and the shape of its detail-type. */

/** `Source` of every published event unless the `eventSource` setting says otherwise. */
export const DEFAULT_EVENT_SOURCE = 'jamf.pro';

/** Detail-types of published events all start with this (`jamf.ComputerAdded`). */
export const DETAIL_TYPE_PREFIX = 'jamf.';

/** The EventBridge detail-type of an event: `jamf.<Name>`. */
export function detailTypeOf(name: string): `jamf.${string}` {
  return `${DETAIL_TYPE_PREFIX}${name}` as `jamf.${string}`;
}
