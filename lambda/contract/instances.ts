/**
 * Several Jamf Pro instances in one deployment (production and sandbox, or one
 * per subsidiary): besides the default instance at `/webhooks`, each named
 * instance has its own routes (`/webhooks/<name>`, `/scep-challenge/<name>`),
 * credentials and, optionally, event source, and every event it sends names it
 * in `detail.delivery.instance`. What the constructs, the functions and the
 * local runtime must agree on: the names, the routes, and the variable that
 * tells the functions each instance's credentials and source.
 */
import { SCEP_CHALLENGE_PATH, SCEP_VERIFY_PATH, WEBHOOKS_PATH } from './routes';

/**
 * Most named instances one deployment has. Each adds its credentials secret's ARN to the
 * functions' environment (`WEBHOOK_INSTANCES`), and Lambda allows 4 KB of environment in all.
 */
export const MAX_JAMF_INSTANCES = 10;

/** An instance name: 1 to 32 lower-case letters and digits, with single dashes between them. A path segment as it is. */
export const INSTANCE_NAME_PATTERN = /^(?=.{1,32}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Names whose routes are already another's: `verify` would be `/scep-challenge/verify`, step-ca's
 * route; `webhooks` and `scep-challenge` would end `/webhooks/webhooks` and
 * `/webhooks/scep-challenge`, which the routes are told apart by, as the default instance's.
 */
export const RESERVED_INSTANCE_NAMES: readonly string[] = ['verify', WEBHOOKS_PATH, SCEP_CHALLENGE_PATH];

/** The route of an instance's webhooks, below the stage: `webhooks/<name>`. */
export function instanceWebhooksPath(name: string): string {
  return `${WEBHOOKS_PATH}/${name}`;
}

/** The route of an instance's SCEPChallenge webhook, below the stage: `scep-challenge/<name>`. */
export function instanceScepChallengePath(name: string): string {
  return `${SCEP_CHALLENGE_PATH}/${name}`;
}

/**
 * The part of construct and output IDs that names an instance: `sandbox-eu` is `SandboxEu`
 * (output `InstanceSandboxEuWebhookUrl`). Derived from the name alone, so it never changes.
 */
export function instanceIdPart(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** What is wrong with a list of instance names, each problem saying what to change; empty when nothing is. */
export function instanceNameProblems(names: readonly string[], what = 'jamfInstances'): string[] {
  const problems: string[] = [];
  if (names.length > MAX_JAMF_INSTANCES) {
    problems.push(`${what} lists ${names.length}; at most ${MAX_JAMF_INSTANCES} fit in the functions' environment.`);
  }
  const seen = new Map<string, string>();
  for (const name of names) {
    if (!INSTANCE_NAME_PATTERN.test(name)) {
      problems.push(
        `${what}: "${name}" is not an instance name: use 1 to 32 lower-case letters and digits, with single dashes between them (e.g. "sandbox", "eu-2"); it becomes the path /webhooks/<name>.`,
      );
      continue;
    }
    if (RESERVED_INSTANCE_NAMES.includes(name)) {
      problems.push(
        `${what}: "${name}" cannot name an instance: ${name === 'verify' ? `/scep-challenge/${name} is step-ca's route` : `/webhooks/${name} would be read as the default instance's route`}. Choose another name.`,
      );
      continue;
    }
    const id = instanceIdPart(name);
    const earlier = seen.get(id);
    if (earlier === name) problems.push(`${what} names "${name}" twice: each instance needs a name of its own.`);
    else if (earlier !== undefined) {
      problems.push(`${what}: "${earlier}" and "${name}" would have the same output names (Instance${id}...): rename one.`);
    }
    seen.set(id, name);
  }
  return problems;
}

/** Which function serves a route, and for which instance (`undefined`: the default instance). */
export type InstanceRoute =
  | { readonly kind: 'webhooks' | 'scep-challenge'; readonly instance: string | undefined }
  | { readonly kind: 'scep-verify' };

const WEBHOOKS_SUFFIX = `/${WEBHOOKS_PATH}`;
const SCEP_CHALLENGE_SUFFIX = `/${SCEP_CHALLENGE_PATH}`;
const SCEP_VERIFY_SUFFIX = `/${SCEP_VERIFY_PATH}`;

/**
 * The route a request came by, from the path the function sees (`/webhooks/sandbox`, or with
 * the stage in front of it: see `requestRoute`); undefined for any other path. The name is
 * returned as it is: whether it is an instance is the caller's question.
 */
export function instanceRoute(path: string): InstanceRoute | undefined {
  if (path.endsWith(SCEP_VERIFY_SUFFIX)) return { kind: 'scep-verify' };
  if (path.endsWith(WEBHOOKS_SUFFIX)) return { kind: 'webhooks', instance: undefined };
  if (path.endsWith(SCEP_CHALLENGE_SUFFIX)) return { kind: 'scep-challenge', instance: undefined };
  const slash = path.lastIndexOf('/');
  const parent = path.slice(0, slash);
  const name = path.slice(slash + 1);
  if (name === '') return undefined;
  if (parent.endsWith(WEBHOOKS_SUFFIX)) return { kind: 'webhooks', instance: name };
  if (parent.endsWith(SCEP_CHALLENGE_SUFFIX)) return { kind: 'scep-challenge', instance: name };
  return undefined;
}

/**
 * One named instance, as the functions get it (`WEBHOOK_INSTANCES`, a JSON object of these by
 * name): where its credentials document is, and its event source when it is not the stack's.
 */
export interface InstanceTarget {
  /** Secrets Manager id (ARN or name) of the instance's webhook credentials document. */
  readonly webhookAuthSecretId: string;
  /** `Source` of its events. @default - the function's `EVENT_SOURCE` */
  readonly eventSource?: string;
}
