/**
 * `allowedSourceCidrs` enforced in the function. An HTTP API has no resource
 * policy, so the function checks the caller's address itself, before it reads
 * a credential or a byte of the body; behind a REST API the resource policy
 * has already refused everyone else, and the check is a second lock.
 *
 * The address is the one API Gateway accepted the connection from
 * (`requestContext`), never `X-Forwarded-For`, which the caller writes.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { INGEST_ENV } from '../contract/variables';
import { ConfigurationError, type Env } from './env';
import { ForbiddenError } from './errors';

/** The variable both functions read: the ranges, comma-separated; unset or empty allows every address. */
export const ALLOWED_SOURCE_CIDRS_ENV = INGEST_ENV.allowedSourceCidrs;

/** Checks an address against the allowed ranges; throws a 403 `SourceNotAllowed` outside them. */
export type SourceCheck = (sourceIp: string | undefined) => void;

/** Lets every address through: no allowlist is set. */
export const ANY_SOURCE: SourceCheck = () => undefined;

/** The ranges of `ALLOWED_SOURCE_CIDRS`, or undefined when it is unset or empty. Throws on a range that is not one. */
export function readAllowedSourceCidrs(env: Env): readonly string[] | undefined {
  const text = env[ALLOWED_SOURCE_CIDRS_ENV]?.trim();
  if (!text) return undefined;
  const cidrs = text.split(',').map((each) => each.trim()).filter((each) => each !== '');
  for (const cidr of cidrs) parseCidr(cidr);
  return cidrs.length === 0 ? undefined : cidrs;
}

/** The check for `cidrs`; {@link ANY_SOURCE} when there are none. */
export function sourceCheck(cidrs: readonly string[] | undefined): SourceCheck {
  if (cidrs === undefined || cidrs.length === 0) return ANY_SOURCE;
  const allowed = new BlockList();
  for (const cidr of cidrs) {
    const { address, prefix, family } = parseCidr(cidr);
    allowed.addSubnet(address, prefix, family);
  }
  return (sourceIp) => {
    if (sourceIp !== undefined && isAllowed(allowed, sourceIp)) return;
    throw new ForbiddenError(
      'SourceNotAllowed',
      sourceIp === undefined
        ? 'The request has no source address to check against allowedSourceCidrs'
        : `The source address ${sourceIp} is not in allowedSourceCidrs`,
    );
  };
}

function isAllowed(allowed: BlockList, ip: string): boolean {
  if (isIPv4(ip)) return allowed.check(ip, 'ipv4');
  if (!isIPv6(ip)) return false;
  // An IPv4 client on a dual-stack connection may appear as ::ffff:a.b.c.d.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return allowed.check(ip, 'ipv6') || (mapped?.[1] !== undefined && allowed.check(mapped[1], 'ipv4'));
}

function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  const address = match?.[1] ?? '';
  const prefix = Number(match?.[2]);
  if (isIPv4(address) && prefix <= 32) return { address, prefix, family: 'ipv4' };
  if (isIPv6(address) && prefix <= 128) return { address, prefix, family: 'ipv6' };
  throw new ConfigurationError(
    `Environment variable ${ALLOWED_SOURCE_CIDRS_ENV} has "${cidr}", which is not a CIDR range (e.g. 192.0.2.0/24)`,
  );
}
