/**
 * Oversize webhooks, made at test time (no multi-megabyte files in git): an
 * inventory event with huge extension attributes, and an event the catalogue
 * does not know, each a given number of bytes or more as JSON.
 */
import { fixtureJson } from './fixtures';

/** Extension attributes enough to make the body at least `minBytes`, deterministic for one size. */
function extensionAttributes(minBytes: number): Array<{ id: number; name: string; type: string; value: string }> {
  const attributes: Array<{ id: number; name: string; type: string; value: string }> = [];
  let bytes = 0;
  for (let id = 1; bytes < minBytes; id += 1) {
    // Script output as Jamf keeps it: long, with quotes and a newline, a little non-ASCII.
    const value = `Result ${id}: "ok" – ${'installed-package.pkg '.repeat(40)}\nchecked`;
    const attribute = { id, name: `EA ${id} Installed Packages`, type: 'String', value };
    attributes.push(attribute);
    bytes += Buffer.byteLength(JSON.stringify(attribute)) + 1;
  }
  return attributes;
}

/** A ComputerInventoryCompleted webhook of at least `minBytes` as JSON: the fixture, with `extensionAttributes`. */
export function oversizeInventoryWebhook(minBytes: number): Record<string, any> {
  const webhook = fixtureJson('ComputerInventoryCompleted');
  webhook.event.extensionAttributes = extensionAttributes(minBytes);
  return webhook;
}

/** A webhook of an event the catalogue does not know (`FleetReportGenerated`), of at least `minBytes` as JSON. */
export function oversizeUnknownWebhook(minBytes: number): Record<string, any> {
  const rows: Array<{ serialNumber: string; compliant: boolean; note: string }> = [];
  let bytes = 0;
  for (let i = 0; bytes < minBytes; i += 1) {
    const row = { serialNumber: `C02${String(i).padStart(8, '0')}`, compliant: i % 3 !== 0, note: 'x'.repeat(200) };
    rows.push(row);
    bytes += Buffer.byteLength(JSON.stringify(row)) + 1;
  }
  return {
    webhook: { id: 77, name: 'Fleet report', webhookEvent: 'FleetReportGenerated', eventTimestamp: 1770128870336 },
    event: { reportId: 'r-2026-02', reportName: 'Nightly compliance', rowCount: rows.length, generatedBy: { username: 'ops', id: 4 }, rows },
  };
}
