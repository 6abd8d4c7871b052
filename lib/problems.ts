/**
 * How the constructs report properties that cannot work: every problem at
 * once, each saying what to change, in one typed error.
 */

/** Properties of a construct that cannot work together or at all. */
export class InvalidPropsError extends Error {
  override readonly name = 'InvalidPropsError';

  constructor(
    /** The construct whose properties these are, e.g. `JamfEventBridge`. */
    readonly construct: string,
    /** What is wrong, one sentence each, naming the property. */
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${construct} properties:\n- ${problems.join('\n- ')}`);
  }
}

/** Throws an {@link InvalidPropsError} when there is any problem. */
export function throwIfProblems(construct: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new InvalidPropsError(construct, problems);
}
