import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  concurrencyAt,
  DEFAULT_THROTTLING_BURST_LIMIT,
  DEFAULT_THROTTLING_RATE_LIMIT,
  FLEET_MODEL,
  peakRequestsPerSecond,
  SETTINGS,
} from '../../../lambda/contract';

const operations = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'operations.md'), 'utf8');

describe('the throttling defaults', () => {
  const peak = peakRequestsPerSecond(FLEET_MODEL);

  it("carry the fleet model's peak, rounded up to the hundred", () => {
    expect(peak).toBeCloseTo((50_000 * 4 * 2) / 900);
    expect(DEFAULT_THROTTLING_RATE_LIMIT).toBe(Math.ceil(peak / 100) * 100);
  });

  it("leave half of an account's default 1,000 Lambda instances to the rest when a whole burst arrives at once", () => {
    expect(DEFAULT_THROTTLING_BURST_LIMIT).toBeLessThanOrEqual(500);
    expect(concurrencyAt(DEFAULT_THROTTLING_RATE_LIMIT, FLEET_MODEL)).toBeLessThan(DEFAULT_THROTTLING_BURST_LIMIT);
  });

  it('are the defaults the settings reference gives', () => {
    expect(SETTINGS.throttlingRateLimit.default).toBe(`\`${DEFAULT_THROTTLING_RATE_LIMIT}\``);
    expect(SETTINGS.throttlingBurstLimit.default).toBe(`\`${DEFAULT_THROTTLING_BURST_LIMIT}\``);
  });

  it('are what docs/operations.md works out, with the same figures', () => {
    expect(operations).toContain(
      `= ${FLEET_MODEL.devices.toLocaleString('en-US')} × ${FLEET_MODEL.webhooksPerCheckIn} ÷ ${FLEET_MODEL.checkInIntervalSeconds} × ${FLEET_MODEL.burstFactor} = ${Math.round(peak)} requests/s`,
    );
    expect(operations).toContain(
      `= ${Math.round(peak)} × ${FLEET_MODEL.p99DurationSeconds}            = ${concurrencyAt(peak, FLEET_MODEL)} at the peak, ${concurrencyAt(DEFAULT_THROTTLING_RATE_LIMIT, FLEET_MODEL)} at the rate limit`,
    );
    expect(operations).toContain(`\`throttlingRateLimit\` **${DEFAULT_THROTTLING_RATE_LIMIT}**`);
    expect(operations).toContain(`\`throttlingBurstLimit\` **${DEFAULT_THROTTLING_BURST_LIMIT}**`);
  });
});
