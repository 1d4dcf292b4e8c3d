import { commentableLines, hunkOf } from '../../src/review/patch-lines.js';

describe('commentable lines of a patch', () => {
  it('takes added and context lines of the new side, hunk by hunk', () => {
    const patch = '@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c\n@@ -10,2 +11,2 @@\n x\n-y\n+Y\n';
    expect([...commentableLines(patch)].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 11, 12]);
    expect(hunkOf(patch).get(4)).toBe(0);
    expect(hunkOf(patch).get(11)).toBe(1);
  });

  it('never throws on a malformed patch', () => {
    expect(() => commentableLines('@@ garbage\n+x\n@@ -1 +1 @@\n+only')).not.toThrow();
    expect([...commentableLines('@@ -1 +1 @@\n+only')]).toEqual([1]);
    expect(commentableLines(undefined).size).toBe(0);
  });
});
