import { LocalThrottle } from '../../../lambda/local/throttle';

describe('LocalThrottle', () => {
  /** A throttle on a clock the test moves. */
  function throttle(rateLimit: number, burstLimit: number) {
    let nowMs = 1000;
    const bucket = new LocalThrottle({ rateLimit, burstLimit, now: () => nowMs });
    return { bucket, advance: (ms: number) => (nowMs += ms), takeN: (n: number) => Array.from({ length: n }, () => bucket.take()) };
  }

  it('starts full: a whole burst passes, the next request does not', () => {
    const { bucket, takeN } = throttle(10, 5);
    expect(takeN(6)).toEqual([true, true, true, true, true, false]);
    expect(bucket.report()).toEqual({ rateLimit: 10, burstLimit: 5, throttled: 1 });
  });

  it('refills at the rate, in fractions of a token, up to the burst', () => {
    const { takeN, advance } = throttle(10, 5);
    takeN(5);
    advance(50); // half a token
    expect(takeN(1)).toEqual([false]);
    advance(50); // the other half
    expect(takeN(2)).toEqual([true, false]);
    advance(10_000);
    expect(takeN(6).filter(Boolean)).toHaveLength(5);
  });

  it('passes the rate and no more when requests come faster for a long time', () => {
    const { takeN, advance } = throttle(100, 100);
    let passed = 0;
    // 10 seconds at 1,000 requests per second (one per ms): the burst plus 100 per second.
    for (let ms = 0; ms < 10_000; ms += 1) {
      advance(1);
      passed += takeN(1).filter(Boolean).length;
    }
    expect(passed).toBeGreaterThanOrEqual(100 + 1000 - 1);
    expect(passed).toBeLessThanOrEqual(100 + 1000 + 1);
  });

  it.each([
    [{ rateLimit: 0, burstLimit: 1 }, /rateLimit must be a number of requests per second above 0, got 0/],
    [{ rateLimit: 1, burstLimit: 1.5 }, /burstLimit must be a whole number of requests above 0, got 1.5/],
  ])('refuses %j', (options, message) => {
    expect(() => new LocalThrottle(options)).toThrow(message);
  });
});
