/**
 * Which lines of a file a review comment may be attached to: lines of the new version that are
 * in a hunk of the PR's diff (added or context), as GitHub requires. Anything else goes to the
 * summary instead. The patch comes from GitHub but is read defensively: a line that is not part
 * of a well-formed hunk is ignored, never fatal.
 */

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/** New-side line number → index of the hunk it belongs to. */
export function hunkOf(patch: string | undefined): Map<number, number> {
  const out = new Map<number, number>();
  if (!patch) return out;
  let n = 0;
  let left = 0;
  let hunk = -1;
  for (const line of patch.split('\n')) {
    const m = HUNK.exec(line);
    if (m) {
      hunk++;
      n = Number(m[1]);
      left = m[2] === undefined ? 1 : Number(m[2]);
      continue;
    }
    if (hunk < 0 || left <= 0) continue;
    if (line.startsWith('+') || line.startsWith(' ') || line === '') {
      out.set(n++, hunk);
      left--;
    }
    // '-' lines and '\ No newline at end of file' do not exist on the new side.
  }
  return out;
}

export function commentableLines(patch: string | undefined): Set<number> {
  return new Set(hunkOf(patch).keys());
}
