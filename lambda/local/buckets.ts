/**
 * A local S3 store: PutObject, GetObject and HeadObject as S3's REST protocol
 * defines them, path-style (`PUT|GET|HEAD /{bucket}/{key}`), enough for the
 * oversize bucket (claim checks, dead letters too large for SQS) and a
 * subscriber's `fetchOversize`. Errors are S3's XML documents, which the SDK
 * reads. Keeps the last `maxObjects` objects (the oldest are dropped, and counted).
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { DEFAULT_MAX_EVENTS } from './event-bus';

/** An object as the store keeps it. */
export interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: Date;
}

/** An S3 error: its code, HTTP status and message, written as S3's `<Error>` document. */
export class S3ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = code;
  }
}

/** What one S3 REST request asks for, once its path is read. */
export interface S3Request {
  /** `S3.PutObject`, `S3.GetObject`, `S3.HeadObject`: the name faults are decided by. */
  readonly operation: 'S3.PutObject' | 'S3.GetObject' | 'S3.HeadObject';
  readonly bucket: string;
  readonly key: string;
}

/** The operation of a path-style request, or undefined when it is not one this store serves. */
export function s3RequestOf(method: string | undefined, url: string | undefined): S3Request | undefined {
  const path = new URL(url ?? '/', 'http://localhost').pathname;
  const slash = path.indexOf('/', 1);
  if (slash < 0) return undefined;
  const bucket = decodeURIComponent(path.slice(1, slash));
  const key = decodeURIComponent(path.slice(slash + 1));
  if (bucket === '' || key === '') return undefined;
  const operation = method === 'PUT' ? 'S3.PutObject' : method === 'GET' ? 'S3.GetObject' : method === 'HEAD' ? 'S3.HeadObject' : undefined;
  return operation ? { operation, bucket, key } : undefined;
}

const xmlEscape = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Writes `error` as S3 does (no body for a HEAD request). */
export function writeS3Error(response: ServerResponse, error: S3ServiceError, head: boolean): void {
  if (response.headersSent || response.destroyed) return;
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error>`;
  response.writeHead(error.statusCode, { 'content-type': 'application/xml', 'content-length': head ? 0 : Buffer.byteLength(body) });
  response.end(head ? undefined : body);
}

export class LocalBuckets {
  /** Objects by bucket, then key, in the order they were written. */
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private count = 0;
  /** Objects dropped, oldest first, to keep at most `maxObjects`. */
  dropped = 0;

  constructor(
    bucketNames: readonly string[],
    private readonly maxObjects = DEFAULT_MAX_EVENTS,
  ) {
    for (const name of bucketNames) this.buckets.set(name, new Map());
  }

  /** The object at `key`, if there is one. */
  get(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  /** Every key of `bucket`, oldest first. */
  keys(bucket: string): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])];
  }

  put(bucket: string, key: string, body: Buffer, contentType = 'binary/octet-stream'): StoredObject {
    const objects = this.bucket(bucket);
    const object: StoredObject = { body, contentType, etag: `"${createHash('md5').update(body).digest('hex')}"`, lastModified: new Date() };
    if (!objects.delete(key)) this.count += 1;
    objects.set(key, object);
    while (this.count > this.maxObjects) this.dropOldest();
    return object;
  }

  /**
   * Serves one request whose body was read (`body`, empty for GET and HEAD), or
   * throws an S3ServiceError. `apply` is what the endpoint's fault injection
   * calls (before or after a reset, as the fault says); it answers through `reply`.
   */
  apply(request: S3Request, body: Buffer, contentType: string | undefined): (response: ServerResponse) => void {
    if (request.operation === 'S3.PutObject') {
      const stored = this.put(request.bucket, request.key, body, contentType);
      return (response) => {
        response.writeHead(200, { etag: stored.etag, 'content-length': 0 });
        response.end();
      };
    }
    const object = this.bucket(request.bucket).get(request.key);
    if (object === undefined) throw new S3ServiceError('NoSuchKey', 'The specified key does not exist.', 404);
    const head = request.operation === 'S3.HeadObject';
    return (response) => {
      response.writeHead(200, {
        'content-type': object.contentType,
        'content-length': object.body.byteLength,
        etag: object.etag,
        'last-modified': object.lastModified.toUTCString(),
      });
      response.end(head ? undefined : object.body);
    };
  }

  private bucket(name: string): Map<string, StoredObject> {
    const objects = this.buckets.get(name);
    if (objects === undefined) throw new S3ServiceError('NoSuchBucket', 'The specified bucket does not exist', 404);
    return objects;
  }

  private dropOldest(): void {
    // The oldest write of any bucket: each bucket's Map is in write order, and there are one or two.
    let oldest: { objects: Map<string, StoredObject>; key: string; at: number } | undefined;
    for (const objects of this.buckets.values()) {
      const first = objects.entries().next();
      if (first.done) continue;
      const [key, object] = first.value;
      if (oldest === undefined || object.lastModified.getTime() < oldest.at) oldest = { objects, key, at: object.lastModified.getTime() };
    }
    if (oldest === undefined) return;
    oldest.objects.delete(oldest.key);
    this.count -= 1;
    this.dropped += 1;
  }
}
