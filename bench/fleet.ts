/**
 * The fleet-sized webhook of issue 14: a smart-group change of 20,000 devices
 * with their display fields (test/support/smart-group-change.ts), decoded and
 * turned into the PutEvents entries of its parts, against the bare parse of
 * the same body (`JSON.parse`, or a default-options `XMLParser`): the time, in
 * this process, and the rise of the resident set at its highest, each in a
 * fresh process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { decodeWebhook } from '../lambda/decode/decode';
import { toPutEventsEntries } from '../lambda/publish/entry';
import { packRequests } from '../lambda/publish/publisher';
import { entrySize } from '../lambda/publish/size';
import { smartGroupChange } from '../test/support/smart-group-change';
import { benchResult, runChild } from './cold';
import type { CpuShare } from './cpu-share';
import { median } from './stats';

export interface FleetFormat {
  readonly bodyBytes: number;
  readonly parts: number;
  readonly requests: number;
  /** Milliseconds, median of rounds. */
  readonly oursMs: number;
  readonly bareMs: number;
  /** How far the resident set rose above its level before the work, at its highest. */
  readonly oursPeakBytes: number;
  readonly barePeakBytes: number;
}

function timeMs(work: () => unknown, rounds: number): number {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

async function peakBytes(contender: 'ours' | 'bare', file: string): Promise<number> {
  const { stdout } = await runChild(['--expose-gc', require.resolve('tsx/cli'), join(__dirname, 'fleet-child.ts'), contender, file], {});
  return benchResult<{ peakBytes: number }>(stdout).peakBytes;
}

/** The 20,000-device change in both formats: time over `rounds` rounds, peak memory of `memoryRuns` processes each (median). */
export async function fleetChange(rounds: number, memoryRuns: number): Promise<Record<'json' | 'xml', FleetFormat>> {
  const change = smartGroupChange();
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  const parser = new XMLParser();
  const target = { eventBusName: 'bench', eventSource: 'jamf.pro' };
  try {
    const result = {} as Record<'json' | 'xml', FleetFormat>;
    for (const format of ['json', 'xml'] as const) {
      const body = change[format];
      const file = join(dir, `change.${format}`);
      writeFileSync(file, body);
      const ours = () => toPutEventsEntries(decodeWebhook(body, change.contentType[format]), target, new Date());
      const bare = () => (format === 'json' ? JSON.parse(body.toString('utf8')) : parser.parse(body.toString('utf8')));
      const entries = ours();
      ours();
      bare();
      const oursPeaks: number[] = [];
      const barePeaks: number[] = [];
      for (let run = 0; run < memoryRuns; run++) {
        oursPeaks.push(await peakBytes('ours', file));
        barePeaks.push(await peakBytes('bare', file));
      }
      result[format] = {
        bodyBytes: body.byteLength,
        parts: entries.length,
        requests: packRequests(entries.map(entrySize)).length,
        oursMs: timeMs(ours, rounds),
        bareMs: timeMs(bare, rounds),
        oursPeakBytes: median(oursPeaks),
        barePeakBytes: median(barePeaks),
      };
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The whole request at a CPU share: see bench/fleet-handler-child.ts. */
export interface FleetRequest {
  /** The change's first request, after a small webhook of each format has loaded the modules. */
  readonly firstMs: number;
  /** 200, or 503 when it could not publish in time (the webhook is dead-lettered). */
  readonly firstStatus: number;
  /** The next one, the same body. */
  readonly laterMs: number;
  readonly laterStatus: number;
  readonly peakBytes: number;
}

/** The ingest handler taking the change in each format, in a fresh process inside `share` (a full core without one). */
export async function fleetRequests(share?: CpuShare): Promise<Record<'json' | 'xml', FleetRequest>> {
  const change = smartGroupChange();
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-request-'));
  try {
    const result = {} as Record<'json' | 'xml', FleetRequest>;
    for (const format of ['json', 'xml'] as const) {
      const file = join(dir, `change.${format}`);
      writeFileSync(file, change[format]);
      const { stdout } = await runChild([require.resolve('tsx/cli'), join(__dirname, 'fleet-handler-child.ts'), file], {}, share);
      result[format] = benchResult<FleetRequest>(stdout);
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
