import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

describe('nixos-harden score and unit', () => {
  it('scores a module like systemd-analyze would, with every check', async () => {
    const r = await run(['score', 'examples/pastebin.nix', '--format', 'json']);
    expect(r.code).toBe(0);
    const [s] = JSON.parse(r.stdout).services;
    expect(s).toMatchObject({ name: 'pastebin', exposure: 1.2, rating: 'OK', range: [1.2, 1.2] });
    expect(s.checks).toHaveLength(81);
    expect(s.checks[0]).toEqual(expect.objectContaining({ id: expect.any(String), jsonField: expect.any(String), weight: expect.any(Number), range: expect.any(Number) }));
  });

  it('scores a .service unit file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-score-'));
    writeFileSync(join(dir, 'bare.service'), '[Service]\nExecStart=/bin/true\n');
    const r = await run(['score', join(dir, 'bare.service')]);
    expect(r.stdout).toContain('bare: 9.6 UNSAFE');
  });

  it('gives a range when values are unknown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-score-'));
    writeFileSync(join(dir, 'm.nix'), '{ pkgs, ... }: { config.systemd.services.m.serviceConfig = { ProtectSystem = "strict"; PrivateNetwork = pkgs.stdenv.isLinux; }; }');
    const [s] = JSON.parse((await run(['score', join(dir, 'm.nix'), '--format', 'json'])).stdout).services;
    expect(s.unknown).toEqual(['PrivateNetwork']);
    expect(s.range[0]).toBeLessThan(s.range[1]);
  });

  it('renders a unit that systemd-analyze loads and scores the same', async () => {
    const r = await run(['unit', 'examples/pastebin.nix', '--service', 'pastebin']);
    expect(r.stdout).toMatch(/^\[Service\]\n/);
    const dir = mkdtempSync(join(tmpdir(), 'nh-unit-'));
    writeFileSync(join(dir, 'pastebin.service'), r.stdout);
    const tool = spawnSync('systemd-analyze', ['security', '--offline=yes', join(dir, 'pastebin.service')], { encoding: 'utf8' });
    expect(tool.stdout + tool.stderr).toContain('Overall exposure level for pastebin.service: 1.2 OK');
  });
});
