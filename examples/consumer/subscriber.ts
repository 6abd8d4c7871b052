/**
 * A subscriber to Jamf events: one handler per rule recipe (../recipes.ts), each
 * named after its rule, so that this module is at once
 *
 * - the code of the Lambda function that stack.ts subscribes to the bus
 *   (handler `index.PolicyFailed`), and
 * - the local runtime's LOCAL_SUBSCRIBERS module, which calls the handler named
 *   after each rule of LOCAL_RULES (../local-rules.json) that an event matches.
 *
 * Every handler is typed with the catalogue's types, so `detail.event.successful`
 * is a boolean and a misspelt field does not compile. Each writes one structured
 * log line and returns a summary (which the local runtime prints). The lines name
 * computers by serial number and Jamf id, not by who uses them.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type { Computer, JamfEventBody, JamfEventName, JamfEventOf } from '../../lambda/events';
import type { CanonicalDetail } from '../../lambda/decode/canonical';
import type { COMPUTER_EVENTS } from '../recipes';

/**
 * The event a subscriber receives for the Jamf events named `TName`: the
 * EventBridge envelope with the published detail. A union for several names,
 * told apart by `detail-type`.
 */
export type JamfEvent<TName extends JamfEventName> = JamfEventOf<TName>;

/** Any event from Jamf Pro, including one the catalogue does not know (its body passed through). */
export type AnyJamfEvent = EventBridgeEvent<`jamf.${string}`, CanonicalDetail>;

type Level = 'INFO' | 'WARN';

/** One JSON line on stdout: Lambda keeps it as is, and CloudWatch Logs Insights reads its fields. */
function log(level: Level, message: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`);
}

/** What the handlers return about a computer: enough to find it in Jamf Pro. */
export interface ComputerSummary {
  readonly serialNumber: string | null;
  readonly jssID: number | null;
}

/**
 * The computer an event is about. Current servers nest it under `computer`
 * (ComputerCheckIn, ComputerPolicyFinished, ComputerPatchPolicyCompleted), older
 * ones sent its fields at the top of `event`, as ComputerAdded always does.
 */
function computerOf(body: JamfEventBody<(typeof COMPUTER_EVENTS)[number]>): Computer {
  const nested = 'computer' in body ? body.computer : undefined;
  return isRecord(nested) ? nested : body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function summary(computer: Computer): ComputerSummary {
  return { serialNumber: computer.serialNumber ?? null, jssID: computer.jssID ?? null };
}

/** Rule `AllJamfEvents`: notes every event, known or not, with the id its copies share. */
export async function AllJamfEvents(event: AnyJamfEvent): Promise<{ detailType: string; deliveryId: string | null }> {
  const result = { detailType: event['detail-type'], deliveryId: event.detail.delivery?.id ?? null };
  log('INFO', 'Jamf event', result);
  return result;
}

/** Rule `ComputerAdded`. */
export async function ComputerAdded(event: JamfEvent<'ComputerAdded'>): Promise<ComputerSummary & { building: string | null }> {
  const result = { ...summary(event.detail.event), building: event.detail.event.building ?? null };
  log('INFO', 'Computer added', result);
  return result;
}

/** What the `PolicyFailed` handler reports. */
export interface PolicyFailure extends ComputerSummary {
  readonly policyId: number | null;
  /** When the policy finished, as Jamf Pro reported it. */
  readonly time: string;
  /** The same for every copy of this webhook: what to de-duplicate alerts on. */
  readonly deliveryId: string;
}

/** Rule `PolicyFailed`: a warning line per failed policy, to alarm on with a metric filter. */
export async function PolicyFailed(event: JamfEvent<'ComputerPolicyFinished'>): Promise<PolicyFailure> {
  const { detail } = event;
  const result: PolicyFailure = {
    policyId: detail.event.policyId ?? null,
    ...summary(computerOf(detail.event)),
    time: event.time,
    deliveryId: detail.delivery.id,
  };
  log('WARN', 'Policy failed', { ...result });
  return result;
}

/** The ids of a list; an empty XML element in it decodes to `null`. */
function ids(list: readonly (number | null | undefined)[] | null | undefined): number[] {
  return (list ?? []).filter((id): id is number => typeof id === 'number');
}

/** Rule `SmartGroupChange`: how many computers joined and left the group. */
export async function SmartGroupChange(
  event: JamfEvent<'SmartGroupComputerMembershipChange'>,
): Promise<{ group: string | null; added: readonly number[]; removed: readonly number[] }> {
  const body = event.detail.event;
  const result = { group: body.name ?? null, added: ids(body.groupAddedDevicesIds), removed: ids(body.groupRemovedDevicesIds) };
  log('INFO', 'Smart group membership changed', { group: result.group, added: result.added.length, removed: result.removed.length });
  return result;
}

/** Rule `MobileDeviceEnrolments`: one rule for both events, told apart by detail-type. */
export async function MobileDeviceEnrolments(
  event: JamfEvent<'MobileDeviceEnrolled' | 'MobileDeviceUnEnrolled'>,
): Promise<{ change: 'enrolled' | 'unenrolled'; serialNumber: string | null; jssID: number | null }> {
  const change = event['detail-type'] === 'jamf.MobileDeviceEnrolled' ? 'enrolled' : 'unenrolled';
  const result = { change, serialNumber: event.detail.event.serialNumber ?? null, jssID: event.detail.event.jssID ?? null } as const;
  log('INFO', `Mobile device ${change}`, result);
  return result;
}

/** Rule `HeadquartersComputers`: which computer of the building sent what. */
export async function HeadquartersComputers(
  event: JamfEvent<(typeof COMPUTER_EVENTS)[number]>,
): Promise<ComputerSummary & { event: string; building: string | null }> {
  const computer = computerOf(event.detail.event);
  const result = { event: event.detail.webhook.webhookEvent, ...summary(computer), building: computer.building ?? null };
  log('INFO', 'Headquarters computer event', result);
  return result;
}
