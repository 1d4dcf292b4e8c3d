import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

async function run(argv: string[], cwd?: string) {
  let stdout = '';
  let stderr = '';
  const prev = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
    return { code, stdout, stderr };
  } finally {
    process.chdir(prev);
  }
}

const fixtures = readdirSync('test/fixtures/modules').filter((f) => f.endsWith('.nix')).sort();

describe('nixos-harden suggest', () => {
  it('explains the profile, the relaxations and the changes for people', async () => {
    const r = await run(['suggest', 'examples/pastebin.nix']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pastebin.service: profile strict-v1 (class network-daemon)');
    expect(r.stdout).toMatch(/relaxation network: the module opens networking\.firewall\.allowedTCPPorts when cfg\.openFirewall \(line \d+\)/);
    expect(r.stdout).toContain('RemoveIPC: not set → true');
  });

  it('prints JSON with the edits', async () => {
    const r = await run(['suggest', 'examples/pastebin.nix', '--format', 'json', '--profile', 'baseline-v1']);
    const out = JSON.parse(r.stdout);
    expect(out.suggestions[0]).toMatchObject({ service: 'pastebin', profile: 'baseline-v1' });
    expect(Array.isArray(out.suggestions[0].edits)).toBe(true);
  });

  it.each(fixtures)('prints a patch that git apply takes for %s', async (file) => {
    const repo = mkdtempSync(join(tmpdir(), 'nh-suggest-'));
    mkdirSync(join(repo, 'modules'));
    copyFileSync(join('test/fixtures/modules', file), join(repo, 'modules', file));
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const r = await run(['suggest', join('modules', file), '--format', 'patch'], repo);
    expect(r.code).toBe(0);
    if (r.stdout === '') return; // nothing to tighten
    writeFileSync(join(repo, 'p.diff'), r.stdout);
    execFileSync('git', ['apply', '--check', 'p.diff'], { cwd: repo });
    execFileSync('git', ['apply', 'p.diff'], { cwd: repo });
  });

  it('rejects an unknown profile or service', async () => {
    expect((await run(['suggest', 'examples/pastebin.nix', '--profile', 'lax-v9'])).code).toBe(2);
    expect((await run(['suggest', 'examples/pastebin.nix', '--service', 'nope'])).code).toBe(1);
  });
});
