/**
 * Faults the built-in AWS endpoint can inject, per service, so that the
 * handlers' retries, deadlines and dead letters can be seen working locally:
 * `LOCAL_FAULTS` for `npm start`, the `faults` option of `startLocalRuntime`,
 * `runtime.setFaults()` and `PUT /_local/faults` at run time.
 *
 * Each call draws from a seeded PRNG, so that a run with a given `seed` and
 * the same calls in the same order injects the same faults.
 */
import * as v from 'valibot';

const rate = (name: string) =>
  v.optional(
    v.pipe(
      v.number(`${name} must be a number from 0 to 1`),
      v.minValue(0, `${name} must be a number from 0 to 1`),
      v.maxValue(1, `${name} must be a number from 0 to 1`),
    ),
  );

const milliseconds = (name: string) =>
  v.pipe(
    v.number(`${name} must be a whole number of milliseconds from 0 to 600000`),
    v.integer(`${name} must be a whole number of milliseconds from 0 to 600000`),
    v.minValue(0, `${name} must be a whole number of milliseconds from 0 to 600000`),
    v.maxValue(600_000, `${name} must be a whole number of milliseconds from 0 to 600000`),
  );

export const DelayFaultSchema = v.pipe(
  v.strictObject({
    rate: v.pipe(
      v.number('delay.rate must be a number from 0 to 1'),
      v.minValue(0, 'delay.rate must be a number from 0 to 1'),
      v.maxValue(1, 'delay.rate must be a number from 0 to 1'),
    ),
    minMs: v.optional(milliseconds('delay.minMs'), 0),
    maxMs: milliseconds('delay.maxMs'),
  }),
  v.check((delay) => delay.minMs <= delay.maxMs, 'delay.minMs must not be over delay.maxMs'),
);

/** The faults every service can have. Rates are probabilities per call. */
const commonFaults = {
  /** HTTP 500 with the service's internal error; not applied. */
  error500: rate('error500'),
  /** HTTP 400 with the service's throttling error; not applied. */
  throttle: rate('throttle'),
  /** The connection is destroyed before the call is applied. */
  resetBefore: rate('resetBefore'),
  /** The call is applied, then the connection is destroyed without an answer. */
  resetAfter: rate('resetAfter'),
  /** The answer (or reset) waits a random time in [minMs, maxMs]. */
  delay: v.optional(DelayFaultSchema),
};

const exclusiveRatesAtMostOne = (faults: Readonly<Record<string, unknown>>) =>
  EXCLUSIVE_KINDS.reduce((sum, kind) => sum + (typeof faults[kind] === 'number' ? (faults[kind] as number) : 0), 0) <= 1;

const EXCLUSIVE_MESSAGE = 'error500, throttle, partial, resetBefore and resetAfter exclude each other: their rates must add up to at most 1';

export const ServiceFaultsSchema = v.pipe(v.strictObject(commonFaults), v.check((faults) => exclusiveRatesAtMostOne(faults), EXCLUSIVE_MESSAGE));

export const EventBridgeFaultsSchema = v.pipe(
  v.strictObject({
    ...commonFaults,
    /** PutEvents answers 200 with some entries failed (ThrottlingException or InternalFailure), those not applied. */
    partial: rate('partial'),
  }),
  v.check((faults) => exclusiveRatesAtMostOne(faults), EXCLUSIVE_MESSAGE),
);

export const FaultDocumentSchema = v.strictObject({
  eventbridge: v.optional(EventBridgeFaultsSchema),
  sqs: v.optional(ServiceFaultsSchema),
  secretsmanager: v.optional(ServiceFaultsSchema),
  dynamodb: v.optional(ServiceFaultsSchema),
  s3: v.optional(ServiceFaultsSchema),
  /** Seed of the PRNG that decides each call's faults. @default random */
  seed: v.optional(
    v.pipe(
      v.number('seed must be a whole number from 0 to 4294967295'),
      v.integer('seed must be a whole number from 0 to 4294967295'),
      v.minValue(0, 'seed must be a whole number from 0 to 4294967295'),
      v.maxValue(0xffffffff, 'seed must be a whole number from 0 to 4294967295'),
    ),
  ),
});

export type FaultDocument = v.InferOutput<typeof FaultDocumentSchema>;
export type ServiceFaults = v.InferOutput<typeof EventBridgeFaultsSchema>;
export type FaultService = 'eventbridge' | 'sqs' | 'secretsmanager' | 'dynamodb' | 's3';
export const FAULT_SERVICES: readonly FaultService[] = ['eventbridge', 'sqs', 'secretsmanager', 'dynamodb', 's3'];

/** The faults that decide what happens to a call; at most one per call. `delay` is drawn on its own. */
export const EXCLUSIVE_KINDS = ['error500', 'throttle', 'partial', 'resetBefore', 'resetAfter'] as const;
export type ExclusiveFaultKind = (typeof EXCLUSIVE_KINDS)[number];
export type FaultKind = ExclusiveFaultKind | 'delay';

export class InvalidFaultDocumentError extends Error {
  override readonly name = 'InvalidFaultDocumentError';
}

/** Parses the document (JSON text, or the value already parsed); the error names the key. */
export function parseFaultDocument(input: unknown, what = 'the fault document'): FaultDocument {
  let json = input;
  if (typeof input === 'string') {
    if (input.trim() === '') return {};
    try {
      json = JSON.parse(input);
    } catch {
      throw new InvalidFaultDocumentError(`${what} is not valid JSON`);
    }
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InvalidFaultDocumentError(`${what} must be a JSON object, e.g. {"eventbridge":{"error500":0.3},"seed":42}`);
  }
  const result = v.safeParse(FaultDocumentSchema, json);
  if (!result.success) {
    const paths = result.issues.map((issue) => v.getDotPath(issue) ?? '(root)');
    // A check on an object says less than an issue inside it: keep the inner one.
    const inner = result.issues.filter((_, i) => !paths.some((other) => other.startsWith(`${paths[i]}.`)));
    const problems = inner.map((issue) => {
      const path = v.getDotPath(issue) ?? '(root)';
      const message = issue.kind === 'schema' && issue.type === 'strict_object' && issue.expected === 'never'
        ? path.endsWith('.partial')
          ? 'unknown key (partial is for eventbridge only: PutEvents has entries)'
          : `unknown key (known: ${knownKeys(path)})`
        : issue.message;
      return `${path}: ${message}`;
    });
    throw new InvalidFaultDocumentError(`${what} is invalid: ${problems.join('; ')}`);
  }
  return result.output;
}

function knownKeys(path: string): string {
  const [service, sub] = path.split('.');
  if (sub === undefined) return [...FAULT_SERVICES, 'seed'].join(', ');
  if (service !== undefined && path.split('.').length > 2) return 'rate, minMs, maxMs';
  return [...EXCLUSIVE_KINDS.filter((kind) => kind !== 'partial' || service === 'eventbridge'), 'delay'].join(', ');
}

/** mulberry32: a small, fast, seedable PRNG; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the endpoint does to one call. */
export interface FaultDecision {
  readonly kind?: ExclusiveFaultKind;
  /** Milliseconds the answer (or the reset) waits. */
  readonly delayMs?: number;
  /** For `partial`: which entries fail, and with which error code. */
  readonly failEntry?: (index: number) => 'ThrottlingException' | 'InternalFailure' | undefined;
}

/** The service a call is for, from its `X-Amz-Target` (`S3.PutObject` for S3's REST calls, which have none). */
export function serviceOfTarget(target: string): FaultService | undefined {
  const prefix = target.split('.')[0];
  switch (prefix) {
    case 'AWSEvents':
      return 'eventbridge';
    case 'AmazonSQS':
      return 'sqs';
    case 'secretsmanager':
      return 'secretsmanager';
    case 'DynamoDB_20120810':
      return 'dynamodb';
    case 'S3':
      return 's3';
    default:
      return undefined;
  }
}

export type FaultCounts = Record<FaultService, Partial<Record<FaultKind, number>>>;

/** `GET /_local/faults`: the document in force and how many faults were injected so far. */
export interface FaultReport {
  readonly faults: FaultDocument;
  readonly injected: FaultCounts;
}

const emptyCounts = (): FaultCounts => ({ eventbridge: {}, sqs: {}, secretsmanager: {}, dynamodb: {}, s3: {} });

/** Decides each call's faults from the document, and counts them. */
export class FaultInjector {
  private document: FaultDocument = {};
  private random: () => number = Math.random;
  private counts: FaultCounts = emptyCounts();

  constructor(document: FaultDocument = {}) {
    this.set(document);
  }

  /** Replaces the document; the PRNG starts again from its seed (or a random one). Counts are kept. */
  set(document: FaultDocument): void {
    const seed = document.seed ?? Math.floor(Math.random() * 0x100000000);
    this.document = { ...document, seed };
    this.random = seededRandom(seed);
  }

  report(): FaultReport {
    return { faults: this.document, injected: structuredClone(this.counts) };
  }

  /** What to do to one call to `target` (e.g. `AWSEvents.PutEvents`); nothing for an unknown service. */
  decide(target: string): FaultDecision {
    const service = serviceOfTarget(target);
    const faults: ServiceFaults | undefined = service ? this.document[service] : undefined;
    if (!service || !faults) return {};
    // Always the same draws per call, whatever the rates, so one seed gives one sequence.
    const kindDraw = this.random();
    const delayDraw = this.random();
    const delayLength = this.random();
    let kind: ExclusiveFaultKind | undefined;
    let cumulative = 0;
    for (const candidate of EXCLUSIVE_KINDS) {
      if (candidate === 'partial' && target !== 'AWSEvents.PutEvents') continue;
      cumulative += faults[candidate] ?? 0;
      if (kindDraw < cumulative) {
        kind = candidate;
        break;
      }
    }
    const delay = faults.delay;
    const delayMs = delay && delayDraw < delay.rate ? delay.minMs + Math.floor(delayLength * (delay.maxMs - delay.minMs + 1)) : undefined;
    if (kind) this.count(service, kind);
    if (delayMs !== undefined) this.count(service, 'delay');
    const decision: FaultDecision = { ...(kind ? { kind } : {}), ...(delayMs !== undefined ? { delayMs } : {}) };
    if (kind !== 'partial') return decision;
    // Each entry fails with even odds, the first at least, with one of the two retryable codes.
    const random = this.random;
    const failEntry = (index: number) => {
      const fails = index === 0 || random() < 0.5;
      if (!fails) return undefined;
      return random() < 0.5 ? ('ThrottlingException' as const) : ('InternalFailure' as const);
    };
    return { ...decision, failEntry };
  }

  private count(service: FaultService, kind: FaultKind): void {
    this.counts[service][kind] = (this.counts[service][kind] ?? 0) + 1;
  }
}
