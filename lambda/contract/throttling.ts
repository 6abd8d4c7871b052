/**
 * How many requests the front door takes before it answers 429, and the fleet
 * model those defaults come from (docs/operations.md, "Sizing for a fleet").
 * Jamf Pro does not resend a webhook, so a request refused here is lost before
 * any of our code sees it: the defaults must carry a large fleet's busiest minute.
 */

/** The fleet the defaults are sized for, and the assumptions about what it sends. */
export interface FleetModel {
  /** Managed devices. */
  readonly devices: number;
  /** Seconds between two recurring check-ins of one computer (Jamf Pro's default: 15 minutes). */
  readonly checkInIntervalSeconds: number;
  /**
   * Webhooks one device causes at its first check-in of the day: ComputerCheckIn, the daily
   * inventory's ComputerInventoryCompleted, and a ComputerPolicyFinished per policy that runs.
   */
  readonly webhooksPerCheckIn: number;
  /** The busiest second's rate over the average of the check-in round: devices wake together at the start of the day. */
  readonly burstFactor: number;
  /** The ingest function's p99 duration in seconds, a cold start's share included. */
  readonly p99DurationSeconds: number;
}

/**
 * 50,000 computers at the start of a working day: each sends a check-in, an
 * inventory and two policy results within one 15-minute check-in round, and the
 * busiest second carries twice the round's average.
 */
export const FLEET_MODEL: FleetModel = {
  devices: 50_000,
  checkInIntervalSeconds: 15 * 60,
  webhooksPerCheckIn: 4,
  burstFactor: 2,
  p99DurationSeconds: 0.3,
};

/** Peak requests per second: devices × webhooks per check-in ÷ check-in interval × burst factor. */
export function peakRequestsPerSecond(model: FleetModel): number {
  return (model.devices * model.webhooksPerCheckIn * model.burstFactor) / model.checkInIntervalSeconds;
}

/** Lambda instances busy at once at `requestsPerSecond`: the rate × the p99 duration (Little's law). */
export function concurrencyAt(requestsPerSecond: number, model: FleetModel): number {
  return Math.ceil(requestsPerSecond * model.p99DurationSeconds);
}

/** The API stage's steady rate unless set otherwise: {@link FLEET_MODEL}'s peak (444/s), rounded up to the hundred. */
export const DEFAULT_THROTTLING_RATE_LIMIT = 500;

/**
 * The API stage's burst unless set otherwise: one second at the rate. A burst
 * that arrives at once needs as many Lambda instances at once; 500 leaves half
 * of an account's default 1,000 to everything else in it.
 */
export const DEFAULT_THROTTLING_BURST_LIMIT = 500;

/** What API Gateway answers a throttled request, with status 429 (REST and HTTP APIs alike). */
export const THROTTLED_BODY = { message: 'Too Many Requests' } as const;
