/**
 * What a run prints and what it records are one thing: each figure shown in
 * the table is recorded under the key results.json gives it, with its aim
 * (results.ts) printed beside it. Adding a figure is one `show` call.
 */
import { AIMS } from './results';

export class Report {
  private readonly values = new Map<string, number>();

  heading(text: string): void {
    process.stdout.write(`\n${text}\n`);
  }

  /** A line of the table, not recorded (a text figure, or a pair of recorded ones). */
  line(label: string, value: string, aim = ''): void {
    process.stdout.write(`  ${label.padEnd(46)} ${value.padStart(12)}${aim ? `   ${aim}` : ''}\n`);
  }

  note(text: string): void {
    process.stdout.write(`  ${text}\n`);
  }

  /** Records a figure without printing it (per-event details, parts of a combined line). */
  record(key: string, value: number): number {
    if (this.values.has(key)) throw new Error(`figure ${key} recorded twice`);
    this.values.set(key, value);
    return value;
  }

  /** Records a figure and prints it, with its aim when it has one and whether this run met it. */
  show(key: string, label: string, value: number, format: (value: number) => string, extra = ''): number {
    this.record(key, value);
    const aim = AIMS[key];
    const verdict = aim ? `${aim.text}${value <= aim.max ? '' : ' (missed)'}` : '';
    this.line(label, format(value), [verdict, extra].filter(Boolean).join('   '));
    return value;
  }

  /** A figure recorded earlier in the run, for figures computed from others (the cost per million, say). */
  value(key: string): number {
    const value = this.values.get(key);
    if (value === undefined) throw new Error(`no figure ${key} was recorded before it was needed`);
    return value;
  }

  figures(): ReadonlyMap<string, number> {
    return this.values;
  }
}
