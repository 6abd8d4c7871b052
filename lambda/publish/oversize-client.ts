/**
 * The S3 client of the oversize bucket, as every function makes it. Takes the
 * SDK module, so that a handler loads it with `import()` only when the first
 * oversize event or dead letter needs it.
 */
import type * as S3 from '@aws-sdk/client-s3';
import { boundedRequests } from '../shared/aws-calls';

/** Whether the SDK is pointed at an endpoint of our choosing (the local runtime's), not S3's own. */
function customEndpoint(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
}

export function createOversizeClient(sdk: Pick<typeof S3, 'S3Client'>, env: Readonly<Record<string, string | undefined>> = process.env): S3.S3Client {
  return new sdk.S3Client({
    // The caller retries inside its own deadline; SDK retries would stack on top of it.
    maxAttempts: 1,
    // Path-style (`/{bucket}/{key}`) for an endpoint set by AWS_ENDPOINT_URL(_S3), as the local
    // one serves it; S3's own endpoint gets the virtual-hosted style it prefers.
    forcePathStyle: customEndpoint(env),
    // The body is JSON text written once and read whole: no checksum unless S3 requires one,
    // which saves a CRC over megabytes on a request path.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...boundedRequests(300, 3000),
  });
}
