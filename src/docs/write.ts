/** `npm run gen`: writes the generated documentation (see render.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../nix/parser.js';
import { documentationFiles } from './render.js';

const root = packageRoot();
for (const [path, text] of documentationFiles()) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
process.stdout.write(`wrote ${documentationFiles().size} documentation files\n`);
