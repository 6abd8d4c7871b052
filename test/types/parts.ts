/** The joining snippet of docs/events.md ("Large smart-group changes, in parts") type-checks against the kit. */
import { joinParts, type JamfEventOf } from '../../lambda/events';

type Change = JamfEventOf<'SmartGroupComputerMembershipChange'>['detail'];
const waiting = new Map<string, Change[]>();
export function onPart(detail: Change): Change | undefined {
  const parts = [...(waiting.get(detail.delivery.id) ?? []), detail];
  const whole = joinParts(parts);
  if (whole === undefined) waiting.set(detail.delivery.id, parts);
  else waiting.delete(detail.delivery.id);
  return whole;
}
