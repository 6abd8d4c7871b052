/**
 * The named Jamf Pro instances a function serves (`WEBHOOK_INSTANCES`, set from the
 * `jamfInstances` setting), read once at load, and the target of a request's instance.
 * Written by hand, not with the event schemas' valibot: the ingest function reads this at
 * init, which loads no validation library (see lambda/ingest/handler.ts).
 */
import { INGEST_ENV, INSTANCE_NAME_PATTERN, type InstanceTarget } from '../contract';
import { ConfigurationError, type Env, optionalEnv } from './env';
import { NotFoundError } from './errors';

export type { InstanceTarget } from '../contract';

/** The instances by name; empty when the variable is unset (the default instance only). */
export type Instances = ReadonlyMap<string, InstanceTarget>;

export const NO_INSTANCES: Instances = new Map();

/** Reads `WEBHOOK_INSTANCES`; throws a ConfigurationError naming it when it is not what the constructs write. */
export function readInstances(env: Env): Instances {
  const name = INGEST_ENV.instances;
  const text = optionalEnv(env, name);
  if (text === undefined) return NO_INSTANCES;
  const fail = (why: string): never => {
    throw new ConfigurationError(`Environment variable ${name} ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('must be a JSON object of instances by name');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('must be a JSON object of instances by name');
  const instances = new Map<string, InstanceTarget>();
  for (const [instance, value] of Object.entries(parsed)) {
    if (!INSTANCE_NAME_PATTERN.test(instance)) fail(`names "${instance}", which is not an instance name`);
    const { webhookAuthSecretId, eventSource } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    if (typeof webhookAuthSecretId !== 'string' || webhookAuthSecretId === '') fail(`gives instance "${instance}" no webhookAuthSecretId`);
    if (eventSource !== undefined && (typeof eventSource !== 'string' || eventSource === '')) fail(`gives instance "${instance}" an eventSource that is not text`);
    instances.set(instance, {
      webhookAuthSecretId: webhookAuthSecretId as string,
      ...(typeof eventSource === 'string' ? { eventSource } : {}),
    });
  }
  return instances;
}

/** Where a request's events go: the stack's source, or its instance's, and the instance's name for `delivery.instance`. */
export interface RequestTarget {
  readonly eventSource: string;
  /** Absent for the default instance. */
  readonly instance?: string;
}

/**
 * The target of a request that came for `instance` (undefined: the default instance). An
 * instance this function does not serve is a 404, as API Gateway answers for a route it lacks:
 * the local runtime and a path parameter would otherwise let any name through.
 */
export function requestTarget(instances: Instances, defaultSource: string, instance: string | undefined): RequestTarget {
  if (instance === undefined) return { eventSource: defaultSource };
  const target = instances.get(instance);
  if (target === undefined) {
    // The name comes from the path: echoed only when it is a name at all.
    const named = INSTANCE_NAME_PATTERN.test(instance) ? ` "${instance}"` : '';
    throw new NotFoundError('NoSuchInstance', `No Jamf Pro instance${named} is served here`);
  }
  return { eventSource: target.eventSource ?? defaultSource, instance };
}
