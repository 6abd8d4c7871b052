/**
 * bench/fleet.ts's time for the whole request, in a process of its own so that it can run inside
 * a cgroup at a Lambda memory size's CPU share: the ingest handler (bench/ingest-warm.ts's, its
 * AWS calls answered at once) takes the 20,000-device change from the file: authentication,
 * decoding, the parts, and their PutEvents serialised and signed by the SDK. An instance that has
 * served a small webhook of each format first (its modules loaded: here they are compiled by tsx,
 * which a bundle is not) then takes the change: prints that request's time and the next one's,
 * and how far the resident set rose at its highest.
 *
 * Run as `node <tsx/cli> bench/fleet-handler-child.ts <file>`.
 */
import { readFileSync } from 'node:fs';
import { jamfBodyEvent, jamfEvent } from './events';
import { benchIngestHandler } from './ingest-warm';
import { since } from './stats';

async function main(): Promise<void> {
  const [file] = process.argv.slice(2) as [string];
  const body = readFileSync(file);
  const event = jamfBodyEvent('/webhooks', body, file.endsWith('.xml') ? 'xml' : 'json');
  const handler = benchIngestHandler();
  for (const format of ['json', 'xml'] as const) {
    const warmUp = await handler(jamfEvent('/webhooks', 'ComputerAdded', format));
    if (warmUp.statusCode !== 200) throw new Error(`the warm-up answered ${warmUp.statusCode}: ${warmUp.body.slice(0, 300)}`);
  }
  const before = process.memoryUsage().rss;
  // A 503 is a result here (too little CPU to publish in time: the webhook is dead-lettered); a 200
  // must have gone out in parts.
  const once = async (): Promise<{ ms: number; status: number }> => {
    const started = process.hrtime.bigint();
    const response = await handler(event);
    const elapsed = since(started);
    if (response.statusCode === 200 && !/"parts":\s*\d+/.test(response.body)) throw new Error(`ingest published no parts: ${response.body.slice(0, 300)}`);
    if (response.statusCode !== 200 && response.statusCode !== 503) throw new Error(`ingest answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    return { ms: elapsed, status: response.statusCode };
  };
  const first = await once();
  const later = await once();
  const peakBytes = process.resourceUsage().maxRSS * 1024 - before;
  process.stdout.write(
    `\nBENCH_RESULT ${JSON.stringify({ firstMs: first.ms, firstStatus: first.status, laterMs: later.ms, laterStatus: later.status, peakBytes })}`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
