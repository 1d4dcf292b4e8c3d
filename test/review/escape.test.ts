/** Text from the PR cannot mention people, inject HTML or break the Markdown of the summary. */
import { defaultConfig } from '../../src/policy/config.js';
import { renderCheck, renderSummary } from '../../src/review/render.js';
import { reviewPullRequest } from '../../src/review/review.js';
import { code, md } from '../../src/review/escape.js';

const EVIL = 'evil @alice </details> | <img src=x onerror=alert(1)> ``` #1';

function module(value: string): string {
  return `{ config, ... }: {\n  config.systemd.services.${JSON.stringify(EVIL)}.serviceConfig = {\n    ProtectSystem = ${value};\n    User = ${JSON.stringify(EVIL)};\n  };\n}\n`;
}

describe('escaping what the PR says', () => {
  const result = reviewPullRequest({
    files: [{ path: 'nixos/modules/services/misc/evil.nix', status: 'modified', base: module('"strict"'), head: module('"full"'), patch: '@@ -1,6 +1,6 @@\n { config, ... }: {\n   config.systemd.services."x".serviceConfig = {\n-    ProtectSystem = "strict";\n+    ProtectSystem = "full";\n' }],
    config: defaultConfig(),
    headSha: 'abc',
  });
  const summary = renderSummary({ result, headSha: 'abc' });
  const check = renderCheck(result, 'abc');

  it.each([
    ['summary', summary],
    ['check summary', check.summary],
    ['inline comments', result.comments.map((c) => c.body).join('\n')],
  ])('%s has no raw mention outside code, no HTML, no details break-out', (_name, text) => {
    // Inside code spans GitHub shows text as it is (no mentions, no HTML); outside them every @
    // is followed by a zero-width space and no HTML from the PR appears.
    const outside = text.replace(/(`+)[\s\S]*?\1/g, '');
    expect(outside).not.toMatch(/@[^\u200b]/);
    expect(outside).not.toContain('<img');
    expect(outside.match(/<\/details>/g)?.length ?? 0).toBe(outside.match(/<details>/g)?.length ?? 0);
  });

  it('reports the service and keeps table rows intact', () => {
    expect(result.services).toHaveLength(1);
    const rows = summary.split('\n').filter((l) => l.startsWith('| 🔴'));
    expect(rows.length).toBe(1);
    for (const r of rows) expect(r.split(/(?<!\\)\|/).length).toBe(7);
  });

  it('md and code neutralise the dangerous parts', () => {
    expect(md('@bob <b>x</b> | y\nz')).toBe('@\u200bbob &lt;b&gt;x&lt;/b&gt; \\| y z');
    expect(code('a ``` b | c')).toBe('````a ``` b \\| c````');
  });
});
