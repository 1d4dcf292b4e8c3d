/**
 * `npm run gen:corpus -- --modules N --seed S --out DIR`: writes the generated corpus as files,
 * with a nixos/tests/all-tests.nix for it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { corpusTree } from './corpus.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
};
const count = Number(arg('modules', '1900'));
const seed = Number(arg('seed', '1'));
const out = arg('out', 'corpus');
for (const m of corpusTree(count, seed)) {
  const p = join(out, m.path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, m.text);
}
process.stdout.write(`wrote ${count} modules and nixos/tests/all-tests.nix (seed ${seed}) below ${out}/\n`);
