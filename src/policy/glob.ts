/**
 * Globs in the repository config (`paths`, `ignore`, `gates.max_exposure[].path`): picomatch syntax,
 * relative to the repository root. Validation uses picomatch's own parser in strict mode, so a glob
 * that passes here is exactly one that picomatch compiles as written.
 */
import picomatch from 'picomatch';

const MATCH_OPTIONS = { dot: true } as const;
const CLOSING: Record<string, string> = { '[': ']', '(': ')', '{': '}' };

/** Why `glob` is not a usable glob, or undefined when it is. */
export function globProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'glob must not be empty';
  if (glob.startsWith('/')) return 'glob must be relative to the repository root (no leading "/")';
  if (glob.split('/').includes('..')) return 'glob must not leave the repository ("..")';
  const stray = strayClosing(glob);
  if (stray) return `unbalanced "${stray}": it closes nothing (write "\\${stray}" to match it literally)`;
  try {
    picomatch.makeRe(glob, { ...MATCH_OPTIONS, strictBrackets: true, debug: true });
  } catch (e) {
    const message = (e as Error).message;
    const missing = /^Missing (closing|opening): "(.)"/.exec(message);
    if (missing) {
      const [, side, ch] = missing;
      if (side === 'closing') return `unbalanced brackets: missing closing "${ch}"`;
      // picomatch names the missing opening character; report the stray closing one.
      const closing = CLOSING[ch!] ?? ch;
      return `unbalanced "${closing}": it closes nothing (write "\\${closing}" to match it literally)`;
    }
    return `not a valid glob: ${message}`;
  }
  return undefined;
}

/**
 * picomatch's strict mode reports unclosed `[`, `{`, `(` and unopened `]`, `)`, but takes a lone `}`
 * literally; we reject it too, as it is almost always a typo.
 */
function strayClosing(glob: string): string | undefined {
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      // A bracket expression: `]` right after `[`, `[!` or `[^` is literal; skip to its end.
      let j = i + 1;
      if (glob[j] === '!' || glob[j] === '^') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j += glob[j] === '\\' ? 2 : 1;
      if (j < glob.length) i = j;
      continue;
    }
    if (ch === '{') braces++;
    if (ch === '}') {
      if (braces === 0) return '}';
      braces--;
    }
  }
  return undefined;
}

/** A predicate for repository paths: matches some `include` glob and no `exclude` glob. */
export function pathMatcher(include: readonly string[], exclude: readonly string[] = []): (path: string) => boolean {
  const yes = include.length > 0 ? picomatch([...include], MATCH_OPTIONS) : () => false;
  const no = exclude.length > 0 ? picomatch([...exclude], MATCH_OPTIONS) : () => false;
  return (path) => yes(path) && !no(path);
}
