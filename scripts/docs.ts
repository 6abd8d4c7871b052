/**
 * `npm run docs`: writes the reference pages generated from the code, and the
 * event schemas in schemas/, so they cannot drift from it. A test
 * (test/unit/docs/generated.test.ts) fails when a file is not current.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SETTINGS, type SettingKind, type SettingSpec } from '../lambda/contract/settings';
import { costsPage } from './costs-page';
import { schemaFiles } from './event-schemas';
import { eventsPageWithReference } from './events-reference';
import { performancePage, readmeWithPerformance } from './performance-page';

const KIND_NAMES: Record<SettingKind, string> = {
  string: 'text',
  boolean: '`true` / `false`',
  integer: 'whole number',
  number: 'number',
  list: 'list',
  instances: 'JSON array',
};

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/settings.md, from the settings table in lambda/contract/settings.ts. */
export function settingsPage(): string {
  const rows = Object.entries(SETTINGS as Record<string, SettingSpec>).map(
    ([key, spec]) =>
      `| \`${key}\` | ${KIND_NAMES[spec.kind]} | ${escapeCell(spec.default)} | ${spec.scope === 'both' ? 'AWS and `npm start`' : 'AWS'} | ${escapeCell(spec.description)} |`,
  );
  return `<!-- Generated from lambda/contract/settings.ts by \`npm run docs\`. Do not edit: change the table there. -->
# Settings

Every setting is a CDK context key. Give it on the command line, or keep it in the \`context\`
block of \`cdk.json\` so that every later deploy uses it too (a \`-c\` given once is not remembered:
the next \`npx cdk deploy\` without it goes back to the default).

\`\`\`sh
npx cdk deploy -c eventSource=jamf.prod -c alarmEmail=ops@example.com \\
  -c allowedSourceCidrs=192.0.2.0/24,198.51.100.0/24
\`\`\`

\`\`\`jsonc
// cdk.json
{
  "context": {
    "eventSource": "jamf.prod",
    "alarmEmail": "ops@example.com",
    "allowedSourceCidrs": ["192.0.2.0/24", "198.51.100.0/24"]
    // ... the feature flags already there
  }
}
\`\`\`

The local runtime reads the same keys from the same places: \`cdk.json\`'s \`context\`, then
\`npm start -- -c key=value\`. Where a setting has no meaning off AWS (the column says so), \`npm start\`
says it ignores it.

A misspelt key (\`-c allowedSourceCIDRs=...\`) or a value of the wrong type stops the synthesis
with one line that names the key and says what to change, and so do settings that cannot work
together.

| Key | Type | Default | Applies to | Meaning |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

/** Every generated page, by path relative to the repository root. */
export function generatedPages(): Record<string, string> {
  const root = join(__dirname, '..');
  return {
    'docs/settings.md': settingsPage(),
    'docs/costs.md': costsPage(root),
    'docs/performance.md': performancePage(root),
    'README.md': readmeWithPerformance(root),
    'docs/events.md': eventsPageWithReference(root),
    ...schemaFiles(),
  };
}

if (require.main === module) {
  const root = join(__dirname, '..');
  for (const [path, text] of Object.entries(generatedPages())) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
