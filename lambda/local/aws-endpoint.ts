/**
 * A loopback HTTP endpoint that speaks the AWS JSON protocol (1.0 and 1.1):
 * `POST /` with `X-Amz-Target: <Service>.<Operation>` and a JSON body; and,
 * given buckets, S3's REST protocol, path-style: `PUT|GET|HEAD /{bucket}/{key}`
 * (./buckets.ts). The real SDK clients reach it through their endpoint settings
 * (`AWS_ENDPOINT_URL_EVENTBRIDGE`, `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_S3`
 * with `forcePathStyle`, ...). Signatures are not checked: it serves this machine only.
 *
 * It can inject faults (./faults.ts): errors, throttling, partial PutEvents
 * failures, connection resets before or after applying a call, and delays.
 */
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBody, RequestTooLargeError } from './http-adapter';
import { type FaultDecision, FaultInjector, type FaultService, serviceOfTarget } from './faults';
import { type LocalBuckets, S3ServiceError, s3RequestOf, writeS3Error } from './buckets';

/** An AWS error as the protocol returns it: `__type` names the exception. */
export class AwsServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
    /** SQS's JSON protocol also names the error in its query protocol form: `x-amzn-query-error: <code>;<Sender|Receiver>`. */
    readonly queryError?: string,
  ) {
    super(message);
    this.name = type;
  }
}

/** What the endpoint tells an operation about the call, beside its input. */
export interface OperationContext {
  /** A `partial` fault (PutEvents): which entries fail, with which code; those are not applied. */
  readonly failEntry?: FaultDecision['failEntry'];
}

export type Operation = (input: Record<string, unknown>, context: OperationContext) => unknown | Promise<unknown>;

/** Operations by `X-Amz-Target`, e.g. `AWSEvents.PutEvents`. */
export type Operations = Readonly<Record<string, Operation>>;

const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** The largest object PutObject takes: a whole record of the largest body, with room to spare. */
const MAX_OBJECT_BYTES = 64 * 1024 * 1024;

/**
 * The errors the `error500` and `throttle` faults answer, per service: the
 * types each service returns, which the SDK's retry strategy recognises (any
 * 500; the throttling names in @smithy's THROTTLING_ERROR_CODES).
 */
export const FAULT_ERRORS: Readonly<Record<FaultService, { error500: AwsServiceError; throttle: AwsServiceError }>> = {
  eventbridge: {
    error500: new AwsServiceError('InternalException', 'injected fault: internal error', 500),
    throttle: new AwsServiceError('ThrottlingException', 'injected fault: rate exceeded', 400),
  },
  sqs: {
    error500: new AwsServiceError('InternalError', 'injected fault: internal error', 500, 'InternalError;Receiver'),
    throttle: new AwsServiceError('RequestThrottled', 'injected fault: request throttled', 400, 'RequestThrottled;Sender'),
  },
  secretsmanager: {
    error500: new AwsServiceError('InternalServiceError', 'injected fault: internal error', 500),
    throttle: new AwsServiceError('ThrottlingException', 'injected fault: rate exceeded', 400),
  },
  dynamodb: {
    error500: new AwsServiceError('InternalServerError', 'injected fault: internal error', 500),
    throttle: new AwsServiceError('ThrottlingException', 'injected fault: rate of requests exceeds the allowed throughput', 400),
  },
  // Written as S3's XML <Error> document (see handleS3).
  s3: {
    error500: new AwsServiceError('InternalError', 'injected fault: internal error', 500),
    throttle: new AwsServiceError('SlowDown', 'injected fault: please reduce your request rate', 503),
  },
};

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let body: Buffer;
  try {
    body = await readBody(request, MAX_REQUEST_BYTES);
  } catch (error) {
    if (error instanceof RequestTooLargeError) throw new AwsServiceError('RequestEntityTooLarge', 'request too large', 413);
    throw error;
  }
  const text = body.toString('utf8');
  if (text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new AwsServiceError('SerializationException', 'request body is not a JSON object');
}

export interface AwsEndpoint {
  readonly url: string;
  readonly server: Server;
  readonly faults: FaultInjector;
  close(): Promise<void>;
}

export interface AwsEndpointOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** The faults to inject. @default none */
  readonly faults?: FaultInjector;
  /** The buckets S3's REST calls reach. @default none: such a call is an unknown operation */
  readonly buckets?: LocalBuckets;
}

/** Starts the endpoint on 127.0.0.1. */
export async function startAwsEndpoint(operations: Operations, options: AwsEndpointOptions = {}): Promise<AwsEndpoint> {
  const faults = options.faults ?? new FaultInjector();
  // Aborted by close(), so that a delayed answer does not hold the server open.
  const closing = new AbortController();
  // Every delayed answer waits on this one signal, many at once under load; each removes its listener when it is done.
  setMaxListeners(0, closing.signal);
  const server = createServer((request, response) => {
    const s3 = options.buckets && request.headers['x-amz-target'] === undefined ? s3RequestOf(request.method, request.url) : undefined;
    if (s3 !== undefined) return handleS3(options.buckets!, s3, request, response, faults, closing.signal);
    const target = String(request.headers['x-amz-target'] ?? '');
    const contentType = String(request.headers['content-type'] ?? 'application/x-amz-json-1.1');
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      if (response.destroyed || response.headersSent) return;
      const body = JSON.stringify(payload);
      response.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      response.end(body);
    };
    (async () => {
      const operation = operations[target];
      if (request.method !== 'POST' || !operation) {
        throw new AwsServiceError('UnknownOperationException', `unsupported operation "${target}"`);
      }
      const input = await readJson(request);
      const decision = faults.decide(target);
      await answer(decision, response, closing.signal, {
        apply: async () => (await operation(input, decision.failEntry ? { failEntry: decision.failEntry } : {})) ?? {},
        reply: (payload) => reply(200, payload),
        service: serviceOfTarget(target),
      });
    })().catch((error: unknown) => {
      if (closing.signal.aborted) return response.destroy();
      const e = error instanceof AwsServiceError ? error : new AwsServiceError('InternalFailure', String(error), 500);
      const headers: Record<string, string> = e.queryError ? { 'x-amzn-query-error': e.queryError } : {};
      // A body over the limit may not have been read to its end: the connection cannot carry another request.
      if (e.statusCode === 413) {
        headers.connection = 'close';
        response.once('finish', () => response.socket?.destroySoon());
      }
      reply(e.statusCode, { __type: e.type, message: e.message }, headers);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    server,
    faults,
    // The SDK clients keep their connections alive: close them too, or close() waits for their timeout.
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One S3 REST call: its body read, its fault decided, applied to the buckets, answered as S3 does. */
function handleS3(
  buckets: LocalBuckets,
  s3: NonNullable<ReturnType<typeof s3RequestOf>>,
  request: IncomingMessage,
  response: ServerResponse,
  faults: FaultInjector,
  closing: AbortSignal,
): void {
  const head = s3.operation === 'S3.HeadObject';
  (async () => {
    let body: Buffer = Buffer.alloc(0);
    if (s3.operation === 'S3.PutObject') {
      try {
        body = await readBody(request, MAX_OBJECT_BYTES);
      } catch (error) {
        if (error instanceof RequestTooLargeError) throw new S3ServiceError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400);
        throw error;
      }
    }
    const decision = faults.decide(s3.operation);
    let write: ((response: ServerResponse) => void) | undefined;
    await answer(decision, response, closing, {
      apply: async () => (write = buckets.apply(s3, body, request.headers['content-type'])),
      reply: () => write?.(response),
      service: 's3',
    });
  })().catch((error: unknown) => {
    if (closing.aborted) return response.destroy();
    const e =
      error instanceof S3ServiceError
        ? error
        : error instanceof AwsServiceError
          ? new S3ServiceError(error.type, error.message, error.statusCode)
          : new S3ServiceError('InternalError', String(error), 500);
    writeS3Error(response, e, head);
  });
}

interface Call {
  readonly service: FaultService | undefined;
  apply(): Promise<unknown>;
  reply(payload: unknown): void;
}

/**
 * Applies the call and answers it, or not, as the fault decision says. A delay
 * comes before the answer or the reset, after the call is applied (a caller
 * that gives up meanwhile cannot know it landed); a fault that is not applied
 * is answered after the delay too.
 */
async function answer(decision: FaultDecision, response: ServerResponse, closing: AbortSignal, call: Call): Promise<void> {
  const wait = async () => {
    if (decision.delayMs) await sleep(decision.delayMs, undefined, { signal: closing });
  };
  const reset = () => void response.socket?.destroy();
  switch (decision.kind) {
    case 'resetBefore':
      await wait();
      return reset();
    case 'error500':
    case 'throttle':
      await wait();
      throw FAULT_ERRORS[call.service!][decision.kind];
    case 'resetAfter': {
      await call.apply();
      await wait();
      return reset();
    }
    default: {
      // No fault, or `partial`: the operation applies the entries that do not fail.
      const payload = await call.apply();
      await wait();
      return call.reply(payload);
    }
  }
}
