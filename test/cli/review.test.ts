import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../src/cli/main.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

describe('nixos-harden review --git', () => {
  it('prints what the app would post for a local BASE..HEAD', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'nh-review-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { encoding: 'utf8' });
    const put = (path: string, text: string) => {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), text);
    };
    const pastebin = readFileSync('examples/pastebin.nix', 'utf8');
    git('init', '-q');
    put('nixos/modules/services/web-apps/pastebin.nix', pastebin);
    put('nixos/tests/all-tests.nix', '{ runTest, ... }: { pastebin = runTest ./pastebin.nix; }\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    put('nixos/modules/services/web-apps/pastebin.nix', pastebin.replace('ProtectSystem = "strict";', 'ProtectSystem = "full";').replace('UMask = "0077";', 'UMask = "0077";\n        ProtectHostname = true;'));
    git('commit', '-qam', 'head');
    const r = await run(['review', '--git', repo, 'HEAD~1..HEAD']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('=== summary comment ===');
    expect(r.stdout).toMatch(/🔴 loosened \| `ProtectSystem` \| `"strict"` \| `"full"` \| 75/);
    expect(r.stdout).toContain('```suggestion\n        ProtectSystem = "strict";\n```');
    expect(r.stdout).toContain('=== check run nixos-harden: neutral');
    const json = JSON.parse((await run(['review', '--git', repo, 'HEAD~1..HEAD', '--format', 'json'])).stdout);
    expect(json.comments).toEqual([expect.objectContaining({ path: 'nixos/modules/services/web-apps/pastebin.nix', line: 75 })]);
    expect(json.labels.add).toEqual(['hardening: regression']);
  });
});
