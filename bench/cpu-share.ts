/**
 * Lambda gives a function CPU in proportion to its memory: a full vCPU at
 * 1769 MB. To measure what a memory size means for a cold start, the bench runs
 * the process in a Linux control group whose CPU quota is that share of one
 * core. It needs a writable cgroup (root, v1 `cpu` or v2 `cpu.max`); where
 * there is none the measurement is skipped and the report says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Memory at which Lambda gives a function one full vCPU. */
export const FULL_VCPU_MEMORY_MB = 1769;
const PERIOD_US = 100_000;

/** A control group limited to the CPU share of `memoryMb`; `wrap` runs a command inside it. */
export interface CpuShare {
  readonly memoryMb: number;
  /** The share of one core, e.g. 0.29 at 512 MB. */
  readonly share: number;
  /** `[command, ...args]` as a command that first moves itself into the group. */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] };
  /** Removes the group, once no process is left in it. */
  remove(): void;
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** The group for `memoryMb`, or the reason there can be none on this machine. */
export function lambdaCpuShare(memoryMb: number): CpuShare | { readonly unavailable: string } {
  const share = Math.min(1, memoryMb / FULL_VCPU_MEMORY_MB);
  const quota = Math.round(PERIOD_US * share);
  const name = `jamf-eventbridge-bench-${memoryMb}`;
  let tasks: string;
  let dir: string;
  try {
    if (existsSync('/sys/fs/cgroup/cgroup.controllers')) {
      // cgroup v2: the group's cpu.max is "quota period".
      dir = join('/sys/fs/cgroup', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
      tasks = join(dir, 'cgroup.procs');
    } else if (existsSync('/sys/fs/cgroup/cpu/tasks')) {
      dir = join('/sys/fs/cgroup/cpu', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
      tasks = join(dir, 'tasks');
    } else {
      return { unavailable: 'no cgroup cpu controller on this machine' };
    }
  } catch (error) {
    return { unavailable: `cannot make a cgroup here (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); run the bench as root on Linux` };
  }
  const wrap = (command: string, args: readonly string[]) => ({
    command: '/bin/sh',
    args: ['-c', `echo $$ > ${quote(tasks)} && exec ${[command, ...args].map(quote).join(' ')}`],
  });
  // A group can be made and still refuse a process (a delegated cgroup v2 tree, say): try one first.
  const remove = () => {
    try {
      rmdirSync(dir);
    } catch {
      // A group still in use, or already gone: nothing to clean.
    }
  };
  const probe = wrap('/bin/true', []);
  if (spawnSync(probe.command, probe.args, { stdio: 'ignore' }).status !== 0) {
    remove();
    return { unavailable: 'this machine would not move a process into the cgroup' };
  }
  return { memoryMb, share, wrap, remove };
}
