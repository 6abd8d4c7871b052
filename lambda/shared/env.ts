/**
 * Reading a function's configuration from its environment, once at module
 * load. A missing or wrong variable is a `ConfigurationError` that names it.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** The variable's value, trimmed; `undefined` when unset or blank. */
export function optionalEnv(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

export function requiredEnv(env: Env, name: string): string {
  const value = optionalEnv(env, name);
  if (!value) throw new ConfigurationError(`Environment variable ${name} is required`);
  return value;
}

export function positiveIntegerEnv(env: Env, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = optionalEnv(env, name);
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new ConfigurationError(`Environment variable ${name} must be an integer from 1 to ${max}, got "${raw}"`);
  }
  return value;
}

/** Like positiveIntegerEnv, but 0 is allowed (it turns something off). */
export function wholeNumberEnv(env: Env, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = optionalEnv(env, name);
  if (raw === '0') return 0;
  return positiveIntegerEnv(env, name, fallback, max);
}

export function booleanEnv(env: Env, name: string): boolean {
  const raw = optionalEnv(env, name)?.toLowerCase();
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigurationError(`Environment variable ${name} must be true or false, got "${raw}"`);
}
