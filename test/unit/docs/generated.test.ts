import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedPages } from '../../../scripts/docs';

const ROOT = join(__dirname, '..', '..', '..');

describe('the generated reference pages', () => {
  it.each(Object.entries(generatedPages()))('%s is current (run `npm run docs` after changing the code it comes from)', (path, text) => {
    expect(readFileSync(join(ROOT, path), 'utf8')).toBe(text);
  });
});
