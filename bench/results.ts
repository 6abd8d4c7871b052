/**
 * bench/results.json: every figure of a run under a dotted key, written as
 * nested objects (`decode.json.ratio` is `results.decode.json.ratio`), with
 * the machine it ran on and the aims of issue 11. Pure, apart from the write,
 * so the shape is unit-tested without measuring anything.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Figures a run must produce: the README and later issues quote them by these keys. */
export const REQUIRED_FIGURES = [
  'decode.json.ratio',
  'decode.xml.ratio_vs_default',
  'decode.json.vs_peer',
  'decode.xml.vs_peer',
  'init.ingest.ratio',
  'init.scep.ratio',
  'bundle.scep.init_bytes',
  'bundle.ingest.init_bytes',
  'ingest.warm.p50_ms',
  'ingest.cpu_ms_per_request',
  'cost.per_million_usd',
] as const;

/** The aims of issue 11 (upper bounds). The bench prints them beside the figures; it never fails on them. */
export const AIMS: Readonly<Record<string, { readonly max: number; readonly text: string }>> = {
  'decode.json.ratio': { max: 2.0, text: 'aim <= 2.0x' },
  'decode.xml.ratio_vs_default': { max: 1.0, text: 'aim <= 1.0x' },
  'decode.json.vs_peer': { max: 1.5, text: 'aim <= 1.5x' },
  'decode.xml.vs_peer': { max: 0.9, text: 'aim <= 0.9x' },
  'init.ingest.ratio': { max: 1.1, text: 'aim <= 1.1x' },
  'bundle.scep.init_bytes': { max: 25 * 1024, text: 'aim <= 25 KB' },
  'scep.cold.init_ms': { max: 20, text: 'aim < 20 ms' },
  'scep.own_work.issue_json.p99_ms': { max: 2, text: 'aim p99 < 2 ms' },
  'cost.per_million_usd': { max: 2.5, text: 'aim <= $2.50' },
};

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  /** ISO 8601. */
  readonly date: string;
  readonly quick: boolean;
}

export interface NestedFigures {
  [key: string]: number | NestedFigures;
}

export interface Results {
  /** Not a figure: the key is reserved for it. */
  readonly machine: Machine;
  /** Each aim (`max`) with whether this run met it (`met`, 1 or 0), for the README. */
  readonly aims: NestedFigures;
  /** The figures' top-level groups (`decode`, `init`, `bundle`, ...). */
  readonly [group: string]: Machine | NestedFigures | number;
}

/** `{ 'a.b': 1, 'a.c': 2 }` -> `{ a: { b: 1, c: 2 } }`. Throws on a key that is both a figure and a group. */
export function nestFigures(figures: Iterable<readonly [string, number]>): NestedFigures {
  const root: NestedFigures = {};
  for (const [key, value] of figures) {
    const parts = key.split('.');
    if (parts.some((part) => part === '')) throw new Error(`figure key "${key}" has an empty part`);
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part] ?? (node[part] = {});
      if (typeof next === 'number') throw new Error(`figure key "${key}" is under the figure "${part}"`);
      node = next;
    }
    const leaf = parts[parts.length - 1]!;
    if (Object.hasOwn(node, leaf)) throw new Error(`figure key "${key}" is given twice, or is also a group`);
    node[leaf] = value;
  }
  return root;
}

/**
 * The results document. Throws when a required figure is missing or not a
 * finite number: a run that wrote a partial file would be quoted as if whole.
 */
export function buildResults(machine: Machine, figures: ReadonlyMap<string, number>): Results {
  for (const key of REQUIRED_FIGURES) {
    const value = figures.get(key);
    if (value === undefined || !Number.isFinite(value)) throw new Error(`the run produced no figure for ${key} (got ${value})`);
  }
  for (const key of figures.keys()) {
    if (key === 'machine' || key.startsWith('machine.') || key === 'aims' || key.startsWith('aims.')) {
      throw new Error(`figure key "${key}" is reserved`);
    }
  }
  const aims = nestFigures(
    Object.entries(AIMS)
      .filter(([key]) => figures.has(key))
      .flatMap(([key, { max }]) => [
        [`${key}.max`, max],
        [`${key}.met`, figures.get(key)! <= max ? 1 : 0],
      ]),
  );
  // `machine` and `aims` first: what a reader checks before the figures.
  return { machine, aims, ...nestFigures(figures) };
}

/** Full runs are committed (the README quotes them); `--quick` runs (CI) go to a git-ignored file. */
export function resultsPath(quick: boolean): string {
  return join(__dirname, quick ? 'results.quick.json' : 'results.json');
}

export function writeResults(path: string, results: Results): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

/** The committed full run's figures (bench/results.json under `root`), as the generated pages read them. */
export function readResults(root: string): unknown {
  return JSON.parse(readFileSync(join(root, 'bench', 'results.json'), 'utf8')) as unknown;
}
