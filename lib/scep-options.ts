/**
 * The options of the SCEP dynamic-challenge service, their defaults and the
 * checks on them. Part of the properties of `JamfEventBridge`.
 */
import { Duration } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  DEFAULT_SCEP_AUDIT_BUDGET_MS,
  DEFAULT_SCEP_CHALLENGE_TTL_SECONDS,
  DEFAULT_SCEP_UPSTREAM_TIMEOUT_MS,
  MAX_SCEP_BODY_BYTES_LIMIT,
  MAX_SCEP_AUDIT_BUDGET_MS,
  MAX_SCEP_CHALLENGE_TTL_SECONDS,
  MAX_SCEP_ISSUE_WAIT_MS,
  SCEP_AUDIT_OVERHEAD_MS,
} from '../lambda/contract';
import { isKnown } from './known';

export { DEFAULT_SCEP_MAX_BODY_BYTES } from '../lambda/contract';

/** How long a signed challenge is valid unless set otherwise: long enough to install the profile and enrol. */
export const DEFAULT_SCEP_CHALLENGE_TTL = Duration.seconds(DEFAULT_SCEP_CHALLENGE_TTL_SECONDS);
/** The longest challenge lifetime: the handler keeps used challenges (and the table its items) at most a week. */
export const MAX_SCEP_CHALLENGE_TTL = Duration.seconds(MAX_SCEP_CHALLENGE_TTL_SECONDS);
/** What the audit publish may add to a response unless set otherwise. */
export const DEFAULT_SCEP_AUDIT_BUDGET = Duration.millis(DEFAULT_SCEP_AUDIT_BUDGET_MS);
/** The longest audit budget: it must leave the answer well inside Jamf Pro's 2 s read timeout. */
export const MAX_SCEP_AUDIT_BUDGET = Duration.millis(MAX_SCEP_AUDIT_BUDGET_MS);
/** What a failed audit publish adds over its budget: the grace for a cold client and the wait for the dead-letter write. */
export const SCEP_AUDIT_OVERHEAD = Duration.millis(SCEP_AUDIT_OVERHEAD_MS);
/** The limit on a call to the upstream issuer unless set otherwise. */
export const DEFAULT_SCEP_UPSTREAM_TIMEOUT = Duration.millis(DEFAULT_SCEP_UPSTREAM_TIMEOUT_MS);
/**
 * The longest upstream timeout, under Jamf Pro's 2 s read timeout; also the
 * most the upstream call and the audit publish may take together.
 */
export const MAX_SCEP_UPSTREAM_TIMEOUT = Duration.millis(MAX_SCEP_ISSUE_WAIT_MS);
/** The largest SCEP body limit: what fails is dead-lettered, base64-encoded, in a 1 MiB message. */
export const MAX_SCEP_MAX_BODY_BYTES = MAX_SCEP_BODY_BYTES_LIMIT;

/** An issuer that hands out the challenges instead of this function signing them. */
export interface ScepUpstream {
  /**
   * The issuer's challenge URL. https only, and without credentials in it (use
   * `credentialsSecret`).
   * @example 'https://ca.example.com/scep/challenge'
   */
  readonly url: string;
  /**
   * A secret `{"username": "...", "password": "..."}` for Basic authentication
   * with the issuer; the function may read it.
   * @default - requests to the issuer carry no credentials
   */
  readonly credentialsSecret?: secretsmanager.ISecret;
  /**
   * Limit on one call to the issuer, connection included, in whole milliseconds;
   * at most 1800 ms, under Jamf Pro's 2 s read timeout, and at most 1550 ms
   * together with `scepAuditBudget` (a failed audit adds 250 ms more).
   * @default Duration.millis(1000)
   */
  readonly timeout?: Duration;
}

/**
 * How the SCEP dynamic-challenge service is set up; part of the properties of
 * `JamfEventBridge`, where `scepChallenge: false` leaves the service out.
 */
export interface ScepChallengeOptions {
  /**
   * An existing secret holding the challenge signing key, a JSON document
   * `{"key": "<random string>"}`, optionally with `"previousKeys": [...]` that
   * still verify challenges issued before a key change.
   * @default - a new secret with a generated 64-character key
   */
  readonly scepSigningKeySecret?: secretsmanager.ISecret;

  /**
   * An existing secret holding step-ca's webhook signing secret: the base64
   * value `step ca provisioner webhook add` prints, or `{"secrets": ["<base64>", ...]}`.
   * @default - a new secret with the placeholder `{"secrets":[]}` (no request verifies
   * until the value from step-ca is put in it)
   */
  readonly scepVerifySecret?: secretsmanager.ISecret;

  /**
   * How long a challenge is valid, in whole seconds, at most 7 days.
   * @default Duration.hours(1)
   */
  readonly scepChallengeTtl?: Duration;

  /**
   * How long publishing the `jamf.SCEPChallenge` audit event may add to a
   * response before the function dead-letters it instead; whole milliseconds,
   * at most 1500 ms.
   * @default Duration.millis(500)
   */
  readonly scepAuditBudget?: Duration;

  /**
   * Whether the verifier also requires the certificate request to name the
   * device the challenge was issued for.
   * @default false
   */
  readonly scepRequireDeviceMatch?: boolean;

  /**
   * Largest request body, in bytes, the SCEP function accepts (413 above); at
   * most 786432.
   * @default 65536
   */
  readonly scepMaxBodyBytes?: number;

  /**
   * An upstream issuer to get challenges from, instead of signing them here.
   * @default - the function signs challenges with the signing key
   */
  readonly scepUpstream?: ScepUpstream;

  /**
   * Instances of the SCEP function kept initialized, so that no request waits
   * for a cold start. When above 0, a version and an alias `live` are published
   * and both routes invoke the alias. Each instance is billed all the time.
   * @default 0 - none; a cold start answers in well under Jamf Pro's 2 s
   */
  readonly scepProvisionedConcurrency?: number;
}

/** The name of every SCEP option; the type makes sure none is missing. */
const SCEP_OPTIONS: { readonly [K in keyof Required<ScepChallengeOptions>]: true } = {
  scepSigningKeySecret: true,
  scepVerifySecret: true,
  scepChallengeTtl: true,
  scepAuditBudget: true,
  scepRequireDeviceMatch: true,
  scepMaxBodyBytes: true,
  scepUpstream: true,
  scepProvisionedConcurrency: true,
};

/** The names of the SCEP options, e.g. to reject them when the service is off. */
export const SCEP_OPTION_NAMES = Object.keys(SCEP_OPTIONS) as ReadonlyArray<keyof ScepChallengeOptions>;

/** What is wrong with the SCEP options, each with what to change; empty when nothing is. */
export function scepOptionProblems(options: ScepChallengeOptions): string[] {
  const problems: string[] = [];

  const ttl = options.scepChallengeTtl;
  if (ttl !== undefined && !ttl.isUnresolved()) {
    const seconds = ttl.toSeconds({ integral: false });
    const max = MAX_SCEP_CHALLENGE_TTL.toSeconds();
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > max) {
      problems.push(`scepChallengeTtl must be a whole number of seconds from 1 to ${max} (7 days), got ${seconds} s.`);
    }
  }

  const budget = options.scepAuditBudget;
  if (budget !== undefined && !budget.isUnresolved()) {
    const ms = budget.toMilliseconds({ integral: false });
    const max = MAX_SCEP_AUDIT_BUDGET.toMilliseconds();
    if (!Number.isInteger(ms) || ms < 1 || ms > max) {
      problems.push(
        `scepAuditBudget must be a whole number of milliseconds from 1 to ${max}, leaving the answer inside ` +
          `Jamf Pro's 2 s read timeout, got ${ms} ms.`,
      );
    }
  }

  const bytes = options.scepMaxBodyBytes;
  if (isKnown(bytes) && !(Number.isInteger(bytes) && bytes >= 1 && bytes <= MAX_SCEP_MAX_BODY_BYTES)) {
    problems.push(
      `scepMaxBodyBytes must be a whole number from 1 to ${MAX_SCEP_MAX_BODY_BYTES} (768 KiB, so that a request ` +
        `fits base64-encoded in a 1 MiB dead-letter message), got ${bytes}.`,
    );
  }

  const provisioned = options.scepProvisionedConcurrency;
  if (isKnown(provisioned) && !(Number.isInteger(provisioned) && provisioned >= 0)) {
    problems.push(`scepProvisionedConcurrency must be a whole number of instances, 0 for none, got ${provisioned}.`);
  }

  const upstream = options.scepUpstream;
  if (upstream !== undefined) {
    problems.push(...upstreamUrlProblems(upstream.url));
    if (upstream.timeout !== undefined && !upstream.timeout.isUnresolved()) {
      const ms = upstream.timeout.toMilliseconds({ integral: false });
      const max = MAX_SCEP_UPSTREAM_TIMEOUT.toMilliseconds();
      if (!Number.isInteger(ms) || ms < 1 || ms > max) {
        problems.push(
          `scepUpstream.timeout must be a whole number of milliseconds from 1 to ${max}, under Jamf Pro's 2 s ` +
            `read timeout, got ${ms} ms.`,
        );
      }
    }
    // The function waits for the issuer, then for the audit publish (its budget and, when it fails, the
    // overhead of giving up and dead-lettering): together they must leave Jamf time to read.
    const waits = [upstream.timeout ?? DEFAULT_SCEP_UPSTREAM_TIMEOUT, options.scepAuditBudget ?? DEFAULT_SCEP_AUDIT_BUDGET];
    if (waits.every((wait) => !wait.isUnresolved())) {
      const wait = waits.reduce((sum, each) => sum + each.toMilliseconds({ integral: false }), 0);
      const max = MAX_SCEP_UPSTREAM_TIMEOUT.toMilliseconds() - SCEP_AUDIT_OVERHEAD.toMilliseconds();
      if (wait > max) {
        problems.push(
          `scepUpstream.timeout plus scepAuditBudget must be at most ${max} ms, so that Jamf Pro's 2 s read ` +
            `timeout is never reached, got ${wait} ms: lower one of them.`,
        );
      }
    }
  }
  return problems;
}

function upstreamUrlProblems(value: string): string[] {
  // A value known only at deployment (a token) cannot be checked here; the function checks it at start-up.
  if (!isKnown(value)) return [];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`scepUpstream.url "${value}" is not a URL; give the issuer's challenge URL, e.g. "https://ca.example.com/challenge".`];
  }
  if (url.username !== '' || url.password !== '') {
    return [
      'scepUpstream.url carries credentials, which would end up in logs and the function configuration: ' +
        'remove them from the URL and put them in scepUpstream.credentialsSecret.',
    ];
  }
  if (url.protocol !== 'https:') {
    return [
      `scepUpstream.url "${value}" must use https: the challenge it returns is a credential and must not cross ` +
        'the network in clear text.',
    ];
  }
  return [];
}
