/**
 * Subscribers (`LOCAL_SUBSCRIBERS`): a module whose exports, named after rules, are invoked
 * with each event their rule matches, as EventBridge invokes a Lambda target: asynchronously,
 * after PutEvents has answered, each with its own copy of the event and a Lambda-like context.
 * A handler that throws, rejects or runs past its time is reported, never fatal. The last
 * `maxInvocations` outcomes are kept for `GET /_local/invocations`.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { keepLast } from './event-bus';
import { LOCAL_ACCOUNT, type DeliveredEvent, type LocalRules } from './rules';

/** A rule's target: a Lambda handler, called with the event and a context. */
export type LocalSubscriber = (event: DeliveredEvent, context: Context) => unknown;

/** How long a subscriber may run before it is reported as timed out (it is not stopped). */
export const DEFAULT_SUBSCRIBER_TIMEOUT_MS = 60_000;

/** The largest returned value kept, as JSON. */
export const MAX_RESULT_BYTES = 64 * 1024;

/** One invocation of a subscriber, as `GET /_local/invocations` lists it. */
export interface LocalInvocation {
  readonly rule: string;
  readonly eventId: string;
  readonly detailType: string;
  /** The context's awsRequestId. */
  readonly requestId: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly status: 'ok' | 'error';
  /** What was thrown or rejected, as `Name: message`, or that the time ran out. */
  readonly error?: string;
  /** What the handler returned, when it returned something that JSON can carry. */
  readonly result?: unknown;
  /** Why a returned value is not in `result`. */
  readonly resultOmitted?: string;
}

export interface LocalSubscribersOptions {
  /** The region in the context's function ARN. */
  readonly region: string;
  /** Invocations kept; the oldest are dropped. */
  readonly maxInvocations: number;
  /** @default DEFAULT_SUBSCRIBER_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Called once per finished invocation, e.g. to print it. */
  readonly onInvocation?: (invocation: LocalInvocation) => void;
}

/** LOCAL_SUBSCRIBERS cannot be loaded. */
export class InvalidSubscribersError extends Error {
  override readonly name = 'InvalidSubscribersError';
}

/**
 * Loads the subscriber module (TypeScript or JavaScript: `npm start` runs under tsx) and gives
 * its exported functions by name. A CommonJS module's `module.exports` counts as its exports.
 *
 * @throws InvalidSubscribersError naming the variable, the file and what went wrong.
 */
export async function loadSubscribers(path: string, variable = 'LOCAL_SUBSCRIBERS'): Promise<Map<string, LocalSubscriber>> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    // One line: a compiler's error spans several.
    throw new InvalidSubscribersError(`${variable}: cannot load ${path}: ${errorText(error).replace(/\s*\n\s*/g, ' ')}`, { cause: error });
  }
  const handlers = new Map<string, LocalSubscriber>();
  const add = (exports: Readonly<Record<string, unknown>>) => {
    for (const [name, value] of Object.entries(exports)) {
      if (name !== 'default' && typeof value === 'function' && !handlers.has(name)) handlers.set(name, value as LocalSubscriber);
    }
  };
  add(namespace);
  const fallback = namespace.default;
  if (typeof fallback === 'object' && fallback !== null) add(fallback as Record<string, unknown>);
  return handlers;
}

/** The handlers no rule names: they would never be invoked, which is worth a warning at start. */
export function subscribersWithoutRule(handlers: ReadonlyMap<string, LocalSubscriber>, rules: LocalRules): string[] {
  return [...handlers.keys()].filter((name) => !rules.has(name));
}

/** `Name: message` for an Error, the value itself for anything else that was thrown. */
function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `threw ${typeof error === 'string' ? JSON.stringify(error) : String(error)}`;
}

/** The returned value as JSON keeps it, or why it is left out. */
function recordedResult(value: unknown): Pick<LocalInvocation, 'result' | 'resultOmitted'> {
  if (value === undefined) return {};
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    return { resultOmitted: `not JSON: ${(error as Error).message}` };
  }
  if (text === undefined) return { resultOmitted: `not JSON: ${typeof value}` };
  if (Buffer.byteLength(text) > MAX_RESULT_BYTES) return { resultOmitted: `over ${MAX_RESULT_BYTES} bytes of JSON` };
  return { result: JSON.parse(text) as unknown };
}

export class LocalSubscribers {
  /** Finished invocations, oldest first. */
  readonly invocations: LocalInvocation[] = [];
  /** Invocations dropped, oldest first, to keep at most `maxInvocations`. */
  dropped = 0;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly handlers: ReadonlyMap<string, LocalSubscriber>,
    private readonly options: LocalSubscribersOptions,
  ) {}

  /** Whether any rule has a handler: without one there is nothing to deliver. */
  get empty(): boolean {
    return this.handlers.size === 0;
  }

  /**
   * Invokes the handler of each matched rule that has one, after the current turn of the
   * event loop: PutEvents answers first, as it does in AWS.
   */
  deliver(event: DeliveredEvent, rules: readonly string[]): void {
    for (const rule of rules) {
      const handler = this.handlers.get(rule);
      if (!handler) continue;
      // Each target gets its own copy, so that one cannot change what another (or /_local/events) sees.
      const copy = structuredClone(event);
      const run = new Promise<void>((done) => setImmediate(done))
        .then(() => this.invoke(rule, handler, copy))
        .finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  /** Resolves once every invocation started so far has finished (for close, and tests). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async invoke(rule: string, handler: LocalSubscriber, event: DeliveredEvent): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_SUBSCRIBER_TIMEOUT_MS;
    const startedAt = new Date();
    const started = performance.now();
    const requestId = randomUUID();
    const context = lambdaContext(rule, this.options.region, requestId, startedAt.getTime() + timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SubscriberTimeout(timeoutMs)), timeoutMs);
    });
    let outcome: Pick<LocalInvocation, 'status' | 'error' | 'result' | 'resultOmitted'>;
    try {
      // Through a promise, so that a handler that throws at once is reported like one that rejects.
      const value = await Promise.race([Promise.resolve().then(() => handler(event, context)), timedOut]);
      outcome = { status: 'ok', ...recordedResult(value) };
    } catch (error) {
      outcome = { status: 'error', error: error instanceof SubscriberTimeout ? error.message : errorText(error) };
    } finally {
      clearTimeout(timer);
    }
    const invocation: LocalInvocation = {
      rule,
      eventId: event.id,
      detailType: event['detail-type'],
      requestId,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...outcome,
    };
    this.invocations.push(invocation);
    keepLast(this.invocations, this.options.maxInvocations, (n) => (this.dropped += n));
    try {
      this.options.onInvocation?.(invocation);
    } catch {
      // a printer that fails must not take the invocation's record with it
    }
  }
}

class SubscriberTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`Task timed out after ${timeoutMs / 1000} seconds (still running: a local subscriber is not stopped)`);
  }
}

/** What a Lambda handler reads from its context; the function is named after the rule. */
function lambdaContext(rule: string, region: string, requestId: string, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: rule,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${rule}`,
    memoryLimitInMB: '128',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${rule}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // The callback-era methods Context still declares; an async handler returns instead.
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
