/**
 * Smart-group membership changes of a fleet, generated (not multi-megabyte
 * files in git): the same options give the same bytes, in JSON and in XML,
 * and the two decode to the same event.
 *
 * The default is the change the issue is about: 20,000 devices (15,000 added,
 * 5,000 removed), each with the display fields Jamf sends for a device of the
 * group (name, id, serial number, user), about 2 MB of JSON.
 */

export type SmartGroupKind = 'computer' | 'mobileDevice' | 'user';

export interface SmartGroupChangeOptions {
  /** Which of the three events. @default 'computer' */
  readonly kind?: SmartGroupKind;
  /** Devices (or users) added and removed together. @default 20000 */
  readonly members?: number;
  /** The share of them removed rather than added. @default 0.25 */
  readonly removedShare?: number;
  /**
   * `latin1`: display names in accented Latin letters, for a body sent as
   * ISO-8859-1 (a Java client's default): each such letter is one byte in the
   * body and two in the event, which then outgrows the body. @default 'ascii'
   */
  readonly text?: 'ascii' | 'latin1';
}

export interface SmartGroupChange {
  readonly eventName: 'SmartGroupComputerMembershipChange' | 'SmartGroupMobileDeviceMembershipChange' | 'SmartGroupUserMembershipChange';
  /** The group's id and name, which every part of the change must carry. */
  readonly group: { readonly jssid: number; readonly name: string };
  /** The lists of the event as Jamf sent them: what the parts must join back into. */
  readonly lists: Readonly<Record<string, readonly unknown[]>>;
  /** The body as JSON: UTF-8, or Latin-1 for `text: 'latin1'` (see `contentType`). */
  readonly json: Buffer;
  readonly xml: Buffer;
  readonly contentType: { readonly json: string; readonly xml: string };
}

const EVENT_NAMES = {
  computer: 'SmartGroupComputerMembershipChange',
  mobileDevice: 'SmartGroupMobileDeviceMembershipChange',
  user: 'SmartGroupUserMembershipChange',
} as const;

const LATIN1_WORDS = ['Àéèêëïîôöûüç', 'ÅÆØåæøßÄÖÜ', 'ÉÈÊÀÂÎÔÛÇÑ', 'áíóúñüöäëï'];

/** A device's display fields, from its position alone. */
function device(kind: 'computer' | 'mobileDevice', id: number, latin1: boolean): Record<string, string | number> {
  const serial = `C02${id.toString(36).toUpperCase().padStart(9, '0')}`;
  const word = (n: number) => LATIN1_WORDS[n % LATIN1_WORDS.length]!;
  const name = latin1 ? `${word(id)} ${word(id >> 2)} ${word(id >> 4)} ${word(id >> 6)} ${id}` : `${kind === 'computer' ? 'MacBook' : 'iPad'}-${id}`;
  const user = latin1 ? `${word(id >> 1)}${word(id >> 3)}${id}` : `user${id}`;
  return { deviceName: name, jssID: id, serialNumber: serial, username: user };
}

function jsonBody(eventName: string, event: Record<string, unknown>): string {
  return JSON.stringify({ webhook: { id: 30, name: 'Fleet compliance', webhookEvent: eventName, eventTimestamp: 1781119613092 }, event });
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Jamf's XML: a repeated element per list item, an empty one for an empty list. */
function xmlBody(eventName: string, event: Record<string, unknown>, encoding: string): string {
  const out: string[] = [
    `<?xml version="1.0" encoding="${encoding}"?>`,
    '<JSSEvent><webhook><id>30</id><name>Fleet compliance</name>',
    `<webhookEvent>${eventName}</webhookEvent><eventTimestamp>1781119613092</eventTimestamp></webhook><event>`,
  ];
  for (const [key, value] of Object.entries(event)) {
    if (!Array.isArray(value)) {
      out.push(`<${key}>${escapeXml(String(value))}</${key}>`);
    } else if (value.length === 0) {
      out.push(`<${key}/>`);
    } else {
      for (const item of value) {
        const inner =
          typeof item === 'object' && item !== null
            ? Object.entries(item as Record<string, unknown>).map(([field, v]) => `<${field}>${escapeXml(String(v))}</${field}>`).join('')
            : escapeXml(String(item));
        out.push(`<${key}>${inner}</${key}>`);
      }
    }
  }
  out.push('</event></JSSEvent>');
  return out.join('');
}

/** A smart-group membership change of `members` devices or users, in JSON and XML. */
export function smartGroupChange(options: SmartGroupChangeOptions = {}): SmartGroupChange {
  const kind = options.kind ?? 'computer';
  const members = options.members ?? 20_000;
  const removed = Math.round(members * (options.removedShare ?? 0.25));
  const added = members - removed;
  const latin1 = options.text === 'latin1';
  const addedIds = Array.from({ length: added }, (_, i) => 100_000 + i);
  const removedIds = Array.from({ length: removed }, (_, i) => 200_000 + i);
  const group = { jssid: 64, name: latin1 ? 'Conformité - Sécurité' : 'Compliance - macOS current' };
  let lists: Record<string, readonly unknown[]>;
  let scalars: Record<string, unknown>;
  if (kind === 'user') {
    lists = { groupAddedUserIds: addedIds, groupRemovedUserIds: removedIds };
    scalars = { ...group, smartGroup: true };
  } else {
    lists = {
      groupAddedDevices: addedIds.map((id) => device(kind, id, latin1)),
      groupAddedDevicesIds: addedIds,
      groupRemovedDevices: removedIds.map((id) => device(kind, id, latin1)),
      groupRemovedDevicesIds: removedIds,
    };
    scalars = { computer: kind === 'computer', ...group, smartGroup: true };
  }
  const eventName = EVENT_NAMES[kind];
  const event = { ...scalars, ...lists };
  const encoding = latin1 ? 'ISO-8859-1' : 'UTF-8';
  const bytes = (text: string) => Buffer.from(text, latin1 ? 'latin1' : 'utf8');
  return {
    eventName,
    group,
    lists,
    json: bytes(jsonBody(eventName, event)),
    xml: bytes(xmlBody(eventName, event, encoding)),
    contentType: latin1
      ? { json: 'application/json; charset=ISO-8859-1', xml: 'text/xml; charset=ISO-8859-1' }
      : { json: 'application/json', xml: 'text/xml' },
  };
}
