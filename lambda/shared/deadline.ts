/**
 * The value of `promise`, or `undefined` once `ms` have passed; the promise
 * itself goes on. A rejection that comes after the time is up is dropped: nobody
 * waits for it any more, and unhandled it would end the process.
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The value of `promise`, or the error `late` makes once `ms` have passed (the promise goes on, unwatched). */
export async function withinOrThrow<T>(promise: Promise<T>, ms: number, late: () => Error): Promise<T> {
  const box = await within(promise.then((value) => ({ value })), ms);
  if (box === undefined) throw late();
  return box.value;
}

/**
 * The moment by which a request must be answered, and the time left until it.
 * Each AWS call of the request is given part of what is left, so that a
 * hanging service cannot hold the answer past Jamf's read timeout, nor a
 * function past its own timeout.
 */
export class Deadline {
  constructor(
    /** Epoch milliseconds. */
    readonly at: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A deadline `ms` after `start` (epoch ms). */
  static after(ms: number, start: number = Date.now(), now: () => number = Date.now): Deadline {
    return new Deadline(start + ms, now);
  }

  /** Milliseconds left, less `reserveMs` kept for what comes after; never below 0. */
  remaining(reserveMs = 0): number {
    return Math.max(0, this.at - reserveMs - this.now());
  }
}
