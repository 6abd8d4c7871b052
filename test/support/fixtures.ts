import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const EVENTS_DIR = join(ROOT, 'events');
/**
 * Real payloads from public repositories: an extra check where they are present,
 * beside the repo (../shared) as CI lays it out, or wherever JAMF_PUBLIC_SAMPLES_DIR
 * points. A clone without them runs every other test.
 */
export const PUBLIC_SAMPLES_DIR = process.env.JAMF_PUBLIC_SAMPLES_DIR || join(ROOT, '..', 'shared', 'samples', 'public');

export type FixtureFormat = 'json' | 'xml';

export const CONTENT_TYPES: Record<FixtureFormat, string> = {
  json: 'application/json',
  xml: 'text/xml',
};

/** Names of the events that have fixtures, from events/json. */
export function fixtureNames(): string[] {
  return readdirSync(join(EVENTS_DIR, 'json'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

export function fixtureBytes(name: string, format: FixtureFormat): Buffer {
  return readFileSync(join(EVENTS_DIR, format, `${name}.${format}`));
}

export function fixtureText(name: string, format: FixtureFormat): string {
  return fixtureBytes(name, format).toString('utf8');
}

/** A JSON fixture as an object, to mutate (it is a fresh copy each call). */
export function fixtureJson(name: string): Record<string, any> {
  return JSON.parse(fixtureText(name, 'json'));
}

/** Whether the public samples are there to test with. */
export function havePublicSamples(): boolean {
  return existsSync(PUBLIC_SAMPLES_DIR);
}

/** Why the public samples are not tested, in one line; undefined when they are. */
export function publicSamplesSkipReason(): string | undefined {
  const shown = process.env.JAMF_PUBLIC_SAMPLES_DIR ? PUBLIC_SAMPLES_DIR : relative(ROOT, PUBLIC_SAMPLES_DIR);
  if (!havePublicSamples()) {
    return `public samples: skipped, ${shown} is not there (CI lays it out; JAMF_PUBLIC_SAMPLES_DIR points elsewhere)`;
  }
  if (publicSampleFiles().length === 0) return `public samples: skipped, ${shown} has no .json or .xml file`;
  return undefined;
}

/** The public sample files; none when the directory is not there. */
export function publicSampleFiles(): string[] {
  if (!havePublicSamples()) return [];
  return readdirSync(PUBLIC_SAMPLES_DIR)
    .filter((f) => f.endsWith('.json') || f.endsWith('.xml'))
    .sort();
}

/** The password every SCEPChallenge fixture carries; it must never be published or logged. */
export const FIXTURE_SCEP_PASSWORD = 'fixture-scep-password-7Qx9';
