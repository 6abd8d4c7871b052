/**
 * The bench's local AWS endpoint, run as a process of its own so that its
 * work does not land on the event loop being measured. Prints the
 * environment a handler needs as one JSON line, then serves until killed.
 */
import { startBenchAws } from './aws';

startBenchAws()
  .then((aws) => {
    process.stdout.write(`${JSON.stringify(aws.env)}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench AWS endpoint failed: ${String(error)}\n`);
    process.exit(1);
  });
