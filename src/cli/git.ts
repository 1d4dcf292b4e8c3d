/** Reading two revisions of a local git repository: the changed .nix files and their texts. */
import { execFileSync } from 'node:child_process';

export interface RevisionPair {
  path: string;
  before: string | undefined;
  after: string | undefined;
}

function git(repo: string, args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Splits `BASE..HEAD` (HEAD defaults to HEAD). */
export function parseRange(range: string): { base: string; head: string } {
  const i = range.indexOf('..');
  if (i < 0) return { base: range, head: 'HEAD' };
  return { base: range.slice(0, i), head: range.slice(i + 2) || 'HEAD' };
}

export function changedNixFiles(repo: string, base: string, head: string, prefixes: string[] = []): RevisionPair[] {
  const out = git(repo, ['diff', '--name-status', '-z', '--no-renames', base, head, '--']);
  const parts = out.split('\0').filter((p) => p.length > 0);
  const pairs: RevisionPair[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = parts[i]!;
    const path = parts[i + 1]!;
    if (!path.endsWith('.nix')) continue;
    if (prefixes.length > 0 && !prefixes.some((p) => path.startsWith(p))) continue;
    pairs.push({
      path,
      before: status.startsWith('A') ? undefined : show(repo, base, path),
      after: status.startsWith('D') ? undefined : show(repo, head, path),
    });
  }
  return pairs;
}

function show(repo: string, rev: string, path: string): string | undefined {
  try {
    return git(repo, ['show', `${rev}:${path}`]);
  } catch {
    return undefined;
  }
}
