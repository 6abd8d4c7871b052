// Installs the locked dependencies when node_modules is missing or stale, so that
// `npm start` and `npm test` work on a fresh clone without a separate install step.
// Only Node built-ins here: this runs before anything else is installed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';

const lock = readFileSync('package-lock.json');
const stamp = 'node_modules/.jamf-eventbridge-lock.sha256';
const want = createHash('sha256').update(lock).digest('hex');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';

if (want !== have) {
  console.error('Installing dependencies (npm ci)...');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
  writeFileSync(stamp, `${want}\n`);
}
