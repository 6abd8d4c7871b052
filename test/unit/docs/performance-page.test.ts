import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performancePage } from '../../../scripts/performance-page';

const ROOT = join(__dirname, '..', '..', '..');
const committed = JSON.parse(readFileSync(join(ROOT, 'bench', 'results.json'), 'utf8')) as { load: Record<string, unknown> };

/** The page from the committed results with `load` changed as given, in a directory of its own. */
function pageWith(load: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'performance-page-'));
  try {
    mkdirSync(join(root, 'bench'));
    writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify({ ...committed, load }));
    return performancePage(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('the performance page', () => {
  it("shows the load run's 429 count through the throttle, with the limits it ran at", () => {
    const page = pageWith({
      ...committed.load,
      throttled: { rate_limit: 500, burst_limit: 500, requests: 5000, requests_per_second: 1234.5, ok: 3100, throttled: 1900, published: 3100 },
    });
    expect(page).toContain('### Through the throttle');
    expect(page).toMatch(/\(500 requests\/s, burst 500\)/);
    expect(page).toMatch(/5000 requests offered at 1235 per second, 3100 answered 2xx/);
    expect(page).toMatch(/on the bus\) and 1900 answered 429/);
  });

  it('says so when the committed run has no throttle run, rather than showing a figure', () => {
    const { throttled: _, ...without } = committed.load;
    const page = pageWith(without);
    expect(page).not.toContain('### Through the throttle');
    expect(page).toContain('The committed run predates the throttle run');
  });
});
