/** `npm run gen`: writes the generated documentation (see render.ts). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../nix/parser.js';
import { documentationFiles, readmeWithReference } from './render.js';

const root = packageRoot();
for (const [path, text] of documentationFiles()) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
const readme = join(root, 'README.md');
writeFileSync(readme, readmeWithReference(readFileSync(readme, 'utf8')));
process.stdout.write(`wrote ${documentationFiles().size} documentation files and the README's config reference\n`);
