/**
 * Unified diffs the way GitHub shows them in `pulls/list-files` (`patch`: git's hunks without the
 * file header, 3 context lines), plus the line bookkeeping GitHub uses to accept or refuse review
 * comments: a line is commentable on the RIGHT when it is an added or context line of a hunk, on
 * the LEFT when it is a deleted or context line; a range must stay inside one hunk.
 */
import { structuredPatch } from 'diff';

export type Side = 'LEFT' | 'RIGHT';

export interface PatchLine {
  kind: ' ' | '+' | '-' | '\\';
  text: string;
  oldLine?: number;
  newLine?: number;
  /** GitHub's (deprecated) `position`: lines below the first `@@`, counting later `@@` lines too. */
  position: number;
  hunk: number;
}

export interface ParsedPatch {
  lines: PatchLine[];
  /** Index into `raw` lines of each hunk header. */
  hunkStarts: number[];
  raw: string[];
}

export interface FilePatch {
  patch: string;
  additions: number;
  deletions: number;
}

/** git's hunk header: a count of 1 is omitted, an empty side starts at the line before. */
function range(start: number, count: number): string {
  const from = count === 0 ? start - 1 : start;
  return count === 1 ? `${from}` : `${from},${count}`;
}

/** The `patch` GitHub returns for one file (no `diff --git`/`---`/`+++` header). */
export function computePatch(oldText: string, newText: string, context = 3): FilePatch {
  const structured = structuredPatch('a', 'b', oldText, newText, undefined, undefined, { context });
  const out: string[] = [];
  let additions = 0;
  let deletions = 0;
  for (const h of structured.hunks) {
    out.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`);
    for (const line of h.lines) {
      if (line.startsWith('+')) additions++;
      else if (line.startsWith('-')) deletions++;
      out.push(line);
    }
  }
  return { patch: out.join('\n'), additions, deletions };
}

/** Parses a `patch` string into numbered lines. */
export function parsePatch(patch: string): ParsedPatch {
  const raw = patch.split('\n');
  const lines: PatchLine[] = [];
  const hunkStarts: number[] = [];
  let oldLine = 0;
  let newLine = 0;
  let hunk = -1;
  raw.forEach((text, index) => {
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(text);
    if (header) {
      hunk++;
      hunkStarts.push(index);
      const oldCount = header[2] === undefined ? 1 : Number(header[2]);
      const newCount = header[4] === undefined ? 1 : Number(header[4]);
      oldLine = oldCount === 0 ? Number(header[1]) + 1 : Number(header[1]);
      newLine = newCount === 0 ? Number(header[3]) + 1 : Number(header[3]);
      return;
    }
    if (hunk < 0) return;
    const kind = text[0] as PatchLine['kind'] | undefined;
    const line: PatchLine = { kind: kind ?? ' ', text: text.slice(1), position: index, hunk };
    if (kind === '+') line.newLine = newLine++;
    else if (kind === '-') line.oldLine = oldLine++;
    else if (kind === '\\') {
      /* "\ No newline at end of file" */
    } else {
      line.kind = ' ';
      line.oldLine = oldLine++;
      line.newLine = newLine++;
    }
    lines.push(line);
  });
  return { lines, hunkStarts, raw };
}

/** The diff line a review comment addresses, or undefined when it is not part of the diff. */
export function findLine(parsed: ParsedPatch, side: Side, line: number): PatchLine | undefined {
  return parsed.lines.find((l) =>
    side === 'RIGHT' ? l.newLine === line && (l.kind === '+' || l.kind === ' ') : l.oldLine === line && (l.kind === '-' || l.kind === ' '),
  );
}

/** The line at a `position` (1 = the line below the first `@@`). */
export function lineAtPosition(parsed: ParsedPatch, position: number): PatchLine | undefined {
  return parsed.lines.find((l) => l.position === position && l.kind !== '\\');
}

/** GitHub's `diff_hunk` for a comment: the hunk header through the commented line. */
export function diffHunk(parsed: ParsedPatch, target: PatchLine): string {
  const start = parsed.hunkStarts[target.hunk]!;
  return parsed.raw.slice(start, target.position + 1).join('\n');
}
