/**
 * What the tests that run `npm start` as a child process share: an environment
 * without the local runtime's variables of the caller's shell, and waiting on a
 * child with a deadline.
 */
import type { ChildProcess } from 'node:child_process';

/** The local runtime's variables, cleared so that a developer's shell cannot change what a test sees. */
const LOCAL_VARIABLES = [
  'JAMF_WEBHOOK_AUTH',
  'JAMF_INSTANCES',
  'LOG_FORMAT',
  'SCEP_UPSTREAM_URL',
  'EVENT_SOURCE',
  'LOCAL_FAULTS',
  'LOCAL_AWS_PORT',
  'LOCAL_MAX_EVENTS',
  'AWS_ENDPOINT_URL',
  'LOCAL_RULES',
  'LOCAL_SUBSCRIBERS',
  'SECRET_TTL_SECONDS',
];

/** The environment for `npm start` on a free port, keeping its runtime file in `localDir`. */
export function npmStartEnv(localDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', JAMF_EVENTBRIDGE_LOCAL_DIR: localDir };
  for (const name of LOCAL_VARIABLES) delete env[name];
  return env;
}

/** Resolves with the child's exit code once it has exited (at once if it has). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
