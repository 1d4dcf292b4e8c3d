import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

const before = readFileSync('examples/pastebin.nix', 'utf8');
const after = before.replace('ProtectSystem = "strict";', 'ProtectSystem = "full";').replace('UMask = "0077";', 'UMask = "0027";').replace('PrivateTmp = true;', 'PrivateTmp = true;\n        RemoveIPC = true;');

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'nh-diff-'));
  writeFileSync(join(dir, 'before.nix'), before);
  writeFileSync(join(dir, 'after.nix'), after);
  return dir;
}

describe('nixos-harden diff', () => {
  it('prints changes with verdicts as JSON and text', async () => {
    const dir = files();
    const json = await run(['diff', join(dir, 'before.nix'), join(dir, 'after.nix'), '--format', 'json']);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.services).toHaveLength(1);
    expect(out.services[0]).toMatchObject({ name: 'pastebin', status: 'changed' });
    expect(out.services[0].changes.map((c: { directive: string; verdict: string }) => [c.directive, c.verdict])).toEqual([
      ['ProtectSystem', 'loosened'],
      ['RemoveIPC', 'tightened'],
      ['UMask', 'loosened'],
    ]);
    const text = await run(['diff', join(dir, 'before.nix'), join(dir, 'after.nix')]);
    expect(text.stdout).toMatch(/loosened\s+ProtectSystem: "strict" → "full" \(line 76\)/);
  });

  it('exits 1 with --fail-on loosened when something loosened, 0 otherwise', async () => {
    const dir = files();
    expect((await run(['diff', join(dir, 'before.nix'), join(dir, 'after.nix'), '--fail-on', 'loosened'])).code).toBe(1);
    expect((await run(['diff', join(dir, 'before.nix'), join(dir, 'before.nix'), '--fail-on', 'loosened'])).code).toBe(0);
  });

  it('diffs two revisions of a git repository', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'nh-git-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { encoding: 'utf8' });
    git('init', '-q');
    mkdirSync(join(repo, 'nixos/modules/services/web-apps'), { recursive: true });
    writeFileSync(join(repo, 'nixos/modules/services/web-apps/pastebin.nix'), before);
    writeFileSync(join(repo, 'README'), 'x');
    git('add', '.');
    git('commit', '-qm', 'base');
    writeFileSync(join(repo, 'nixos/modules/services/web-apps/pastebin.nix'), after);
    writeFileSync(join(repo, 'README'), 'y');
    git('commit', '-qam', 'head');
    const r = await run(['diff', '--git', repo, 'HEAD~1..HEAD', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.services.map((s: { file: string; status: string }) => [s.file, s.status])).toEqual([['nixos/modules/services/web-apps/pastebin.nix', 'changed']]);
  });
});

describe('nixos-harden explain and list', () => {
  it('explains a directive and a rule, and suggests a name for a typo', async () => {
    expect((await run(['explain', 'ProtectHome'])).stdout).toContain('### ProtectHome');
    expect((await run(['explain', 'no-unknown-directive'])).stdout).toContain('# no-unknown-directive');
    const typo = await run(['explain', 'ProtectSytem']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('did you mean ProtectSystem');
  });

  it('lists rules and directives', async () => {
    const out = JSON.parse((await run(['list', '--format', 'json'])).stdout);
    expect(out.rules.length).toBeGreaterThanOrEqual(12);
    expect(out.directives.map((d: { name: string }) => d.name)).toContain('SystemCallFilter');
  });
});
