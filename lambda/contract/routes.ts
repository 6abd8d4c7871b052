/**
 * The API's routes, the same in AWS (under the stage) and in the local runtime
 * (at the root). A function tells the SCEP routes apart by `event.resource`.
 */

/** Name of the API stage: the first path segment of the deployed URLs. */
export const STAGE_NAME = 'v1';

/** Jamf Pro's webhooks. */
export const WEBHOOKS_PATH = 'webhooks';

/** Jamf Pro's SCEPChallenge webhook: answered with a challenge. */
export const SCEP_CHALLENGE_PATH = 'scep-challenge';

/**
 * Each named Jamf Pro instance (the `jamfInstances` setting) has `webhooks/<name>` and
 * `scep-challenge/<name>` beside these, served by the same functions: see ./instances.ts.
 */

/** step-ca's SCEPCHALLENGE webhook: checks a challenge. */
export const SCEP_VERIFY_PATH = 'scep-challenge/verify';
