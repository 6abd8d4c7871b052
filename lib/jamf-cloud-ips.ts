/**
 * Jamf Cloud's outbound addresses, read at synth time from a saved copy of the
 * list Jamf publishes (`public-ips.json`), so that an allowlist for a Jamf
 * Cloud instance need not be typed out by hand. Read from a file, never the
 * network: a synthesis gives the same template for the same inputs, and the
 * copy is refreshed (and reviewed) on purpose, as docs/jamf-pro.md describes.
 *
 * Jamf documents the list in its technical article "Permitting Inbound/Outbound
 * Traffic with Jamf Cloud".
 */
import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { resolve } from 'node:path';
import * as v from 'valibot';
import { describeIssuesWithoutValues } from '../lambda/shared/issues';
import { InvalidSettingError } from './settings';

/**
 * One range entry of the list. Loose objects: Jamf may add fields, which are no
 * concern of an allowlist. Only what selects and what is taken is required.
 */
export const JamfCloudIpEntrySchema = v.looseObject({
  service: v.nullish(v.string()),
  provider: v.nullish(v.string()),
  /** `inbound` (to Jamf) or `outbound` (from Jamf: webhooks come from these). */
  traffic: v.string(),
  region: v.nullish(v.string()),
  ip_prefixes: v.array(v.string()),
  fqdns: v.nullish(v.array(v.string())),
});

/** The list as Jamf publishes it. */
export const JamfCloudIpsSchema = v.looseObject({
  publish_date: v.string(),
  public_ips: v.array(JamfCloudIpEntrySchema),
});

export type JamfCloudIpEntry = v.InferOutput<typeof JamfCloudIpEntrySchema>;
export type JamfCloudIps = v.InferOutput<typeof JamfCloudIpsSchema>;

/** Whether `value` is an IPv4 or IPv6 range in address/prefix form. */
function isCidr(value: string): boolean {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (match === null) return false;
  const [, address = '', prefix = ''] = match;
  return (isIPv4(address) && Number(prefix) <= 32) || (isIPv6(address) && Number(prefix) <= 128);
}

const isOutbound = (entry: JamfCloudIpEntry) => entry.traffic.trim().toLowerCase() === 'outbound';

/**
 * The outbound prefixes of `regions` in the list, IPv4 and IPv6, each once, in
 * the list's order. Throws an {@link InvalidSettingError} naming the settings
 * when the list is not one or no prefix is in those regions.
 *
 * IPv6 ranges are kept: the allowlist takes them (the functions' check and the
 * REST API's policy both do), though both API types' endpoints take IPv4
 * connections only today, so they matter once an endpoint is dual-stack.
 */
export function jamfCloudOutboundCidrs(list: JamfCloudIps, regions: readonly string[]): string[] {
  const wanted = new Set(regions.map((region) => region.trim().toLowerCase()));
  const entries = list.public_ips.filter((entry) => isOutbound(entry) && wanted.has((entry.region ?? '').trim().toLowerCase()));
  const cidrs = [...new Set(entries.flatMap((entry) => entry.ip_prefixes.map((prefix) => prefix.trim())))];
  if (cidrs.length === 0) {
    const known = [...new Set(list.public_ips.filter(isOutbound).flatMap((entry) => (entry.region ? [entry.region] : [])))];
    throw new InvalidSettingError(
      `jamfCloudRegions ${regions.map((r) => `"${r}"`).join(', ')} match no outbound range in jamfCloudIpsFile: ` +
        (known.length > 0 ? `its regions are ${known.map((r) => `"${r}"`).join(', ')}.` : 'it has no outbound range at all.'),
    );
  }
  const invalid = cidrs.filter((cidr) => !isCidr(cidr));
  if (invalid.length > 0) {
    throw new InvalidSettingError(
      `jamfCloudIpsFile has outbound prefixes that are not CIDR ranges: ${invalid.map((c) => `"${c}"`).join(', ')}. ` +
        'Is it a copy of Jamf\'s public-ips.json?',
    );
  }
  return cidrs;
}

/** Reads and checks the saved list at `path` (relative to the working directory, where `cdk` runs). */
export function readJamfCloudIps(path: string): JamfCloudIps {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidSettingError(
      `jamfCloudIpsFile "${path}" cannot be read (${code ?? 'error'}): save Jamf's public-ips.json there, ` +
        'or give its path from the directory cdk runs in.',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidSettingError(`jamfCloudIpsFile "${path}" is not JSON: save Jamf's public-ips.json as it is downloaded.`);
  }
  const result = v.safeParse(JamfCloudIpsSchema, json);
  if (!result.success) {
    throw new InvalidSettingError(
      `jamfCloudIpsFile "${path}" is not in the form of Jamf's public-ips.json (publish_date, public_ips[] with traffic, ` +
        `region, ip_prefixes): ${describeIssuesWithoutValues(result.issues)}.`,
    );
  }
  return result.output;
}
