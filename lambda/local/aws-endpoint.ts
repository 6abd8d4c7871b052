/**
 * A loopback HTTP endpoint that speaks the AWS JSON protocol (1.0 and 1.1):
 * `POST /` with `X-Amz-Target: <Service>.<Operation>` and a JSON body. The
 * real SDK clients reach it through their endpoint settings
 * (`AWS_ENDPOINT_URL_EVENTBRIDGE`, `AWS_ENDPOINT_URL_SQS`, ...). Signatures are
 * not checked: it serves this machine only.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An AWS error as the protocol returns it: `__type` names the exception. */
export class AwsServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export type Operation = (input: Record<string, unknown>) => unknown | Promise<unknown>;

/** Operations by `X-Amz-Target`, e.g. `AWSEvents.PutEvents`. */
export type Operations = Readonly<Record<string, Operation>>;

const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new AwsServiceError('RequestEntityTooLarge', 'request too large', 413);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
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
  close(): Promise<void>;
}

/** Starts the endpoint on 127.0.0.1 (`port` 0 picks a free one). */
export async function startAwsEndpoint(operations: Operations, port = 0): Promise<AwsEndpoint> {
  const server = createServer((request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const contentType = String(request.headers['content-type'] ?? 'application/x-amz-json-1.1');
    const reply = (status: number, payload: unknown) => {
      const body = JSON.stringify(payload);
      response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      response.end(body);
    };
    (async () => {
      const operation = operations[target];
      if (request.method !== 'POST' || !operation) {
        throw new AwsServiceError('UnknownOperationException', `unsupported operation "${target}"`);
      }
      reply(200, (await operation(await readJson(request))) ?? {});
    })().catch((error: unknown) => {
      const e = error instanceof AwsServiceError ? error : new AwsServiceError('InternalFailure', String(error), 500);
      reply(e.statusCode, { __type: e.type, message: e.message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    server,
    // The SDK clients keep their connections alive: close them too, or close() waits for their timeout.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
