// npm's prepare script. npm runs it in two cases, and only the second needs a build:
//
// - after `npm ci` / `npm install` in this project (and with `npm pack`, after prepack has built):
//   nothing to do, and a build here would slow every install of a fresh clone;
// - when an app installs the package from git: npm clones it, installs its dependencies, and runs
//   prepare, not prepack, before it packs the clone (pacote's DirFetcher), so without a build here
//   the app would get a package without dist/.
//
// The second case is told apart by where npm was started (INIT_CWD): in the app's directory, not
// in this project or one of its folders. Only Node built-ins: nothing of ours is compiled yet.
import { execSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

const here = realpathSync(process.cwd());
const startedIn = process.env.INIT_CWD === undefined ? here : realpathSync(process.env.INIT_CWD);
const path = relative(here, startedIn);
const inThisProject = !isAbsolute(path) && path !== '..' && !path.startsWith(`..${sep}`);
if (!inThisProject) execSync('npm run build', { stdio: 'inherit' });
