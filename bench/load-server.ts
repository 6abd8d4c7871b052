/**
 * The local runtime (`npm start`'s stack) for the load bench, in a process of
 * its own so that the load generator's work does not land on the event loop
 * under load. Prints its URL as one JSON line, then serves until killed; its
 * handlers' log lines follow on stdout, as `npm start` writes them.
 *
 * The bus keeps one event: the bench counts what was published from the
 * bus's kept-plus-dropped figures, so a long run does not hold every event.
 *
 * BENCH_THROTTLE (JSON, `{"rateLimit":..,"burstLimit":..}`) puts API Gateway's
 * throttle in front of the routes, as `npm start` has it; without it, none.
 */
import { startLocalRuntime, type LocalThrottleOptions } from '../lambda/local/runtime';
import { BENCH_PASSWORD } from './aws';

const throttle = process.env.BENCH_THROTTLE ? (JSON.parse(process.env.BENCH_THROTTLE) as LocalThrottleOptions) : undefined;

startLocalRuntime({
  port: 0,
  ...(throttle ? { throttle } : {}),
  webhookAuth: JSON.stringify({ basic: [{ username: 'jamf', password: BENCH_PASSWORD }] }),
  maxEvents: 1,
})
  .then((stack) => {
    process.stdout.write(`${JSON.stringify({ url: stack.url })}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench local runtime failed: ${String(error)}\n`);
    process.exit(1);
  });
