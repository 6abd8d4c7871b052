// Installs the locked dependencies when node_modules is missing or stale, so that
// `npm start` and `npm test` work on a fresh clone without a separate install step.
// Only Node built-ins here: this runs before anything else is installed.
//
// npm start/send/bench preload it (`node --import ./scripts/ensure-deps.mjs --import tsx ...`):
// Node runs --import modules in order, so tsx is resolved only after this has installed it,
// and the script stays one process that npm's SIGINT/SIGTERM reach (no pre-script banner,
// no tsx CLI in between). npm test runs it as a command first.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';

const lock = readFileSync('package-lock.json');
const stamp = 'node_modules/.jamf-eventbridge-lock.sha256';
const want = createHash('sha256').update(lock).digest('hex');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';

if (want !== have) {
  if (existsSync('node_modules') && lstatSync('node_modules').isSymbolicLink()) {
    // A checkout that shares another one's install (a git worktree, say). `npm ci` here would
    // empty the directory the link points to before it replaces the link, and break the other
    // checkout. Leave it, say so, and run with what is there.
    console.error(
      `ensure-deps: node_modules links to ${realpathSync('node_modules')}, which was not installed ` +
        'from this package-lock.json; not reinstalling through the link. Run npm ci where it points, ' +
        'or replace the link with a directory of its own.',
    );
  } else {
    console.error('Installing dependencies (npm ci)...');
    execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
    writeFileSync(stamp, `${want}\n`);
  }
}
