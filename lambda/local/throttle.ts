/**
 * API Gateway's stage throttling in the local runtime: a token bucket of
 * `burstLimit` tokens, refilled at `rateLimit` per second and full at start;
 * each request to a route takes one, and a request that finds none is answered
 * 429 before any handler runs, as a deployed stage answers it. With the same
 * settings (`throttlingRateLimit`, `throttlingBurstLimit`), `npm start` refuses
 * what a deployment would, so a load that loses webhooks is seen before it is deployed.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */

export interface LocalThrottleOptions {
  /** Tokens added per second (`throttlingRateLimit`). */
  readonly rateLimit: number;
  /** The bucket's size (`throttlingBurstLimit`). */
  readonly burstLimit: number;
  /** Milliseconds from any fixed point; for tests. @default performance.now */
  readonly now?: () => number;
}

/** What the throttle has done, as `GET /_local/throttle` shows it. */
export interface LocalThrottleReport {
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** Requests answered 429 since start. */
  readonly throttled: number;
}

export class LocalThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
  private readonly now: () => number;
  private tokens: number;
  private refilledAt: number;
  private throttledCount = 0;

  constructor(options: LocalThrottleOptions) {
    if (!(options.rateLimit > 0 && Number.isFinite(options.rateLimit))) {
      throw new Error(`the throttle's rateLimit must be a number of requests per second above 0, got ${options.rateLimit}`);
    }
    if (!(Number.isInteger(options.burstLimit) && options.burstLimit > 0)) {
      throw new Error(`the throttle's burstLimit must be a whole number of requests above 0, got ${options.burstLimit}`);
    }
    this.rateLimit = options.rateLimit;
    this.burstLimit = options.burstLimit;
    this.now = options.now ?? (() => performance.now());
    this.tokens = options.burstLimit;
    this.refilledAt = this.now();
  }

  /** Takes a token for one request: false when there is none, and the request is to be answered 429. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burstLimit, this.tokens + ((now - this.refilledAt) / 1000) * this.rateLimit);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.throttledCount += 1;
    return false;
  }

  report(): LocalThrottleReport {
    return { rateLimit: this.rateLimit, burstLimit: this.burstLimit, throttled: this.throttledCount };
  }
}
