/**
 * One measurement of bench/fleet.ts's memory figures, in a process of its own
 * (so one contender's garbage is not another's peak): reads the body from
 * a file, settles, then does the work once and prints how far the resident
 * set rose above where it stood before, at its highest.
 *
 * Run as `node --expose-gc <tsx/cli> bench/fleet-child.ts <contender> <file>`.
 */
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { decodeWebhook } from '../lambda/decode/decode';
import { toPutEventsEntries } from '../lambda/publish/entry';

const [contender, file] = process.argv.slice(2) as [string, string];
const body = readFileSync(file);
const contentType = file.endsWith('.xml') ? 'text/xml' : 'application/json';
const work: Record<string, () => unknown> = {
  bare: () => (contentType === 'text/xml' ? new XMLParser().parse(body.toString('utf8')) : JSON.parse(body.toString('utf8'))),
  ours: () => toPutEventsEntries(decodeWebhook(body, contentType), { eventBusName: 'bench', eventSource: 'jamf.pro' }, new Date()),
};
const gc = (globalThis as { gc?: () => void }).gc;
// Everything loaded and compiled, and its garbage gone, before the baseline.
work[contender]!();
gc?.();
gc?.();
const before = process.memoryUsage().rss;
const peakBefore = process.resourceUsage().maxRSS * 1024;
const kept = work[contender]!();
const peak = process.resourceUsage().maxRSS * 1024;
// maxRSS only rises: a peak of the warm-up above the baseline would hide this one's, so it is said.
process.stdout.write(`\nBENCH_RESULT ${JSON.stringify({ peakBytes: peak - before, hidden: peak === peakBefore, kept: kept !== undefined })}`);
