/**
 * Config errors: every problem of a config file, reported together as `path | problem`.
 *
 * The table is what users see: on stderr from `dump-config`, and as the text of a failed check run
 * in the app. Zod's issues are turned into short problems here, one per offending key or value.
 */
import type { z } from 'zod';

export interface ConfigError {
  /** Where in the config: `waivers[0].expires`, `severities.rules.no-foo`, or `(root)`. */
  path: string;
  /** What is wrong, for people. */
  problem: string;
  /** 1-based line in the file, when known. */
  line?: number;
  /** The file the error is in, when it is not the config itself (an `_extends` parent). */
  source?: string;
}

export const ROOT_PATH = '(root)';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['waivers', 0, 'expires']` → `waivers[0].expires`; `[]` → `(root)`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      out += IDENTIFIER.test(key) ? (out ? '.' : '') + key : `[${JSON.stringify(key)}]`;
    }
  }
  return out || ROOT_PATH;
}

/** A value quoted from the config, short. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  const shown = text.length > 60 ? text.slice(0, 57) + '…' : text;
  return typeof value === 'string' ? `string ${shown}` : shown;
}

const NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'null',
};

/** For "did you mean": keys that differ only by case, `-`/`_`, or a couple of typos. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: { key: string; d: number } | undefined;
  for (const k of known) {
    const d = norm(k) === norm(key) ? 0 : editDistance(key.toLowerCase(), k.toLowerCase());
    if (d <= Math.min(2, Math.floor(k.length / 3)) && (!best || d < best.d)) best = { key: k, d };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** An error at a path, as data; the loader adds the line. */
export interface LocatedProblem {
  segments: PropertyKey[];
  problem: string;
}

/**
 * The problems of one zod issue (an unknown-keys issue names several keys: one problem each).
 * `knownKeys(path)` lists the keys allowed at an object path, for suggestions.
 */
export function issueProblems(issue: z.core.$ZodIssue, knownKeys: (path: PropertyKey[]) => string[] | undefined): LocatedProblem[] {
  const path = [...issue.path];
  const input = (issue as { input?: unknown }).input;
  const got = input === undefined ? '' : ` (got ${describeValue(input)})`;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(path) ?? [];
      return issue.keys.map((key) => {
        const near = closestKey(key, known);
        const hint = near ? `; did you mean ${near}?` : known.length ? `; expected one of ${known.join(', ')}` : '';
        return { segments: [...path, key], problem: `unknown key${hint}` };
      });
    }
    case 'invalid_type': {
      if (input === undefined) return [{ segments: path, problem: 'is required' }];
      const noun = NOUNS[issue.expected] ?? issue.expected;
      const yamlHint =
        issue.expected === 'boolean' && typeof input === 'string' && /^(yes|no|on|off|y|n)$/i.test(input)
          ? ' (YAML 1.2: write true or false)'
          : '';
      return [{ segments: path, problem: `expected ${noun}, got ${describeValue(input)}${yamlHint}` }];
    }
    case 'invalid_union':
      return [{ segments: path, problem: input === undefined ? 'is required' : `not a valid value${got}` }];
    case 'too_small':
      return [{ segments: path, problem: `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}${got}` }];
    case 'too_big':
      return [{ segments: path, problem: `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}${got}` }];
    case 'invalid_value':
      return [{ segments: path, problem: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}` }];
    case 'invalid_key': {
      const inner = issue.issues[0];
      return [{ segments: path, problem: inner?.message ?? 'invalid key' }];
    }
    case 'invalid_format':
    case 'not_multiple_of':
      return [{ segments: path, problem: `${issue.message}${got}` }];
    default:
      return [{ segments: path, problem: issue.message }];
  }
}

/**
 * Text for a Markdown table cell: no pipe, line break, code span, HTML tag or link can break out
 * (an escaped `<` or `[` cannot open a tag or link, so `>` and `]` may stay as they are).
 */
export function escapeCell(text: string): string {
  return text
    .replace(/[\\`|<[]/g, (ch) => '\\' + ch)
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** A Markdown code span that holds `text` whatever backticks it contains (for the path column). */
function codeCell(text: string): string {
  const flat = text.replace(/\r\n|\r|\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest > 0 || flat.startsWith(' ') || flat.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Errors in a stable order: by file (the config itself first), then line, then path. */
export function sortErrors(errors: readonly ConfigError[]): ConfigError[] {
  return [...errors].sort(
    (a, b) =>
      (a.source ?? '').localeCompare(b.source ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}

/**
 * The errors as a Markdown table `| path | problem |` (a `file` note joins the path when an error is
 * in an extended config; the line when it is known).
 */
export function formatErrorsTable(errors: readonly ConfigError[]): string {
  const rows = ['| path | problem |', '| --- | --- |'];
  for (const e of errors) {
    const where = [e.source, e.line !== undefined ? `line ${e.line}` : undefined].filter((s) => s !== undefined);
    const note = where.length ? ` (${escapeCell(where.join(', '))})` : '';
    rows.push(`| ${codeCell(e.path)}${note} | ${escapeCell(e.problem)} |`);
  }
  return rows.join('\n') + '\n';
}
