/** Reading the files named on the command line: a directory means every `.nix` file below it. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function expandPaths(paths: string[], ext = '.nix'): { files: string[]; errors: { path: string; message: string }[] } {
  const files: string[] = [];
  const errors: { path: string; message: string }[] = [];
  const walk = (p: string, top: boolean): void => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      errors.push({ path: p, message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message });
      return;
    }
    if (st.isDirectory()) {
      const entries = readdirSync(p, { withFileTypes: true })
        .filter((d) => !d.name.startsWith('.') && d.name !== 'node_modules')
        .map((d) => d.name)
        .sort();
      for (const name of entries) walk(join(p, name), false);
    } else if (top || p.endsWith(ext)) {
      files.push(p);
    }
  };
  for (const p of paths) walk(p, true);
  return { files, errors };
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
