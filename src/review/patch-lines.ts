/**
 * Which lines of a file a review comment may be attached to: lines of the new version that are
 * in a hunk of the PR's diff (added or context), as GitHub requires. Anything else goes to the
 * summary instead.
 */
import { parsePatch } from 'diff';

export function commentableLines(patch: string | undefined): Set<number> {
  const lines = new Set<number>();
  if (!patch) return lines;
  const text = patch.startsWith('@@') ? `--- a\n+++ b\n${patch}` : patch;
  for (const file of parsePatch(text)) {
    for (const h of file.hunks) {
      let n = h.newStart;
      for (const l of h.lines) {
        if (l.startsWith('-')) continue;
        if (l.startsWith('\\')) continue;
        lines.add(n);
        n++;
      }
    }
  }
  return lines;
}

/** The hunk each commentable line belongs to (a multi-line comment must stay in one hunk). */
export function hunkOf(patch: string | undefined): Map<number, number> {
  const out = new Map<number, number>();
  if (!patch) return out;
  const text = patch.startsWith('@@') ? `--- a\n+++ b\n${patch}` : patch;
  parsePatch(text).forEach((file) =>
    file.hunks.forEach((h, i) => {
      let n = h.newStart;
      for (const l of h.lines) {
        if (l.startsWith('-') || l.startsWith('\\')) continue;
        out.set(n++, i);
      }
    }),
  );
  return out;
}
