/** Generated documentation must match the metadata it is generated from. */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { documentationFiles, explain, readmeWithReference } from '../src/docs/render.js';

describe('generated documentation', () => {
  it('is up to date (run npm run gen)', () => {
    const stale: string[] = [];
    for (const [path, text] of documentationFiles()) {
      const file = join(process.cwd(), path);
      if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale.push(path);
    }
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    if (readmeWithReference(readme) !== readme) stale.push('README.md (config reference)');
    expect({ stale, hint: 'run npm run gen' }).toEqual({ stale: [], hint: 'run npm run gen' });
  });

  it('explains directives and rules', () => {
    expect(explain('ProtectSystem')).toContain('from loosest to strictest');
    expect(explain('protectsystem')).toContain('### ProtectSystem');
    expect(explain('no-empty-capability-list')).toContain('## Why');
    expect(explain('NoSuchThing')).toBeUndefined();
  });
});
