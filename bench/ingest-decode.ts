/**
 * Ingest's decode against what it is built on and against a peer, per fixture
 * event and format, in this one process: "ours" is `decodeWebhook` plus the
 * PutEvents entry (its JSON `Detail` included), "bare" the parse alone
 * (`JSON.parse`, or a default-options `XMLParser` built once), "peer" the
 * 20-line function of peer.ts, and "floor" the peer plus the delivery block
 * every entry of ours carries (peer.ts's `floorEntry`). Each ratio is the median over events of the
 * per-event ratio of medians over rounds.
 *
 * Synchronous calls in a plain loop: an `await` per call would add the same
 * microtask cost to each side and pull every ratio towards 1.
 */
import { XMLParser } from 'fast-xml-parser';
import { decodeWebhook } from '../lambda/decode/decode';
import { toPutEventsEntry } from '../lambda/publish/entry';
import { fixture, fixtureNames } from './events';
import { floorEntry, peerEntry, peerJson, peerXml } from './peer';
import { median } from './stats';

const TARGET = { eventBusName: 'bench', eventSource: 'jamf.pro' };
const CONTENT_TYPE = { json: 'application/json', xml: 'text/xml' } as const;
const CONTENDERS = ['ours', 'bare', 'peer', 'floor'] as const;
type Contender = (typeof CONTENDERS)[number];

export interface EventComparison {
  readonly event: string;
  /** Microseconds per call, median of rounds. */
  readonly oursUs: number;
  readonly bareUs: number;
  readonly peerUs: number;
  readonly floorUs: number;
  /** ours / bare. */
  readonly ratio: number;
  /** ours / peer. */
  readonly vsPeer: number;
  /** floor / bare: what the contract alone costs over the parse. */
  readonly floorRatio: number;
}

export interface FormatComparison {
  readonly format: 'json' | 'xml';
  readonly events: readonly EventComparison[];
  /** Medians over events. */
  readonly ratio: number;
  readonly vsPeer: number;
  readonly floorRatio: number;
  readonly oursUs: number;
  readonly bareUs: number;
  readonly peerUs: number;
  readonly floorUs: number;
}

export interface DecodeOptions {
  readonly rounds: number;
  /** About how long one batch of "ours" takes; the other two run the same number of calls. */
  readonly batchMs: number;
  /** Time spent on each event and contender before measuring (the JIT's warm-up). */
  readonly warmMs: number;
}

type Call = () => number;

/** The contenders for one body. Each returns a number derived from its result, so no work can be dropped as dead. */
function contenders(body: Buffer, format: 'json' | 'xml', parser: XMLParser): Record<Contender, Call> {
  const text = () => body.toString('utf8');
  const parse = format === 'json' ? peerJson : peerXml(parser);
  return {
    ours: () => toPutEventsEntry(decodeWebhook(body, CONTENT_TYPE[format]), TARGET, new Date()).Detail!.length,
    bare: () => (format === 'json' ? JSON.parse(text()) : parser.parse(text())) === null ? 0 : 1,
    peer: () => peerEntry(body, parse, TARGET).Detail!.length,
    floor: () => floorEntry(body, parse, TARGET, new Date()).Detail!.length,
  };
}

/** Microseconds per call over `count` calls, and the sink. */
function timeBatch(call: Call, count: number): [number, number] {
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) sink += call();
  return [Number(process.hrtime.bigint() - started) / 1e3 / count, sink];
}

/** Runs `call` for about `ms` milliseconds; gives microseconds per call. */
function runFor(call: Call, ms: number): number {
  let calls = 0;
  const started = process.hrtime.bigint();
  let elapsedUs = 0;
  do {
    call();
    calls++;
    elapsedUs = Number(process.hrtime.bigint() - started) / 1e3;
  } while (elapsedUs < ms * 1000);
  return elapsedUs / calls;
}

/** Checks the two entry builders agree on what they built before anything is timed. */
function checkEntries(event: string, body: Buffer, format: 'json' | 'xml', parser: XMLParser): void {
  const ours = toPutEventsEntry(decodeWebhook(body, CONTENT_TYPE[format]), TARGET, new Date());
  const peer = peerEntry(body, format === 'json' ? peerJson : peerXml(parser), TARGET);
  if (ours.DetailType !== peer.DetailType || ours.DetailType !== `jamf.${event}`) {
    throw new Error(`${event}.${format}: ours built ${ours.DetailType}, the peer ${peer.DetailType}`);
  }
}

export function compareDecode(format: 'json' | 'xml', options: DecodeOptions): FormatComparison {
  const parser = new XMLParser();
  const events = fixtureNames().map((event) => {
    const body = fixture(event, format);
    checkEntries(event, body, format, parser);
    return { event, calls: contenders(body, format, parser) };
  });
  // Warm every contender on every event first: the JIT then sees all the shapes it will see.
  const batches = events.map(({ calls }) => {
    const oursUs = runFor(calls.ours, options.warmMs);
    runFor(calls.bare, options.warmMs);
    runFor(calls.peer, options.warmMs);
    runFor(calls.floor, options.warmMs);
    return Math.max(1, Math.round((options.batchMs * 1000) / oursUs));
  });
  const samples = events.map(() => ({ ours: [] as number[], bare: [] as number[], peer: [] as number[], floor: [] as number[] }));
  let sink = 0;
  for (let round = 0; round < options.rounds; round++) {
    events.forEach(({ calls }, index) => {
      // Interleaved, and in a rotating order, so that drift and order effects hit all of them alike.
      for (let k = 0; k < CONTENDERS.length; k++) {
        const contender = CONTENDERS[(round + k) % CONTENDERS.length]!;
        const [us, result] = timeBatch(calls[contender], batches[index]!);
        samples[index]![contender].push(us);
        sink += result;
      }
    });
  }
  if (sink <= 0) throw new Error('the decode contenders produced nothing');
  const compared = events.map(({ event }, index): EventComparison => {
    const oursUs = median(samples[index]!.ours);
    const bareUs = median(samples[index]!.bare);
    const peerUs = median(samples[index]!.peer);
    const floorUs = median(samples[index]!.floor);
    return { event, oursUs, bareUs, peerUs, floorUs, ratio: oursUs / bareUs, vsPeer: oursUs / peerUs, floorRatio: floorUs / bareUs };
  });
  return {
    format,
    events: compared,
    ratio: median(compared.map((e) => e.ratio)),
    vsPeer: median(compared.map((e) => e.vsPeer)),
    floorRatio: median(compared.map((e) => e.floorRatio)),
    oursUs: median(compared.map((e) => e.oursUs)),
    bareUs: median(compared.map((e) => e.bareUs)),
    peerUs: median(compared.map((e) => e.peerUs)),
    floorUs: median(compared.map((e) => e.floorUs)),
  };
}
