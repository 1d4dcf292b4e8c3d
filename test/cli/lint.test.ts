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

describe('nixos-harden lint and --config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nh-lint-'));
  writeFileSync(join(dir, 'm.nix'), '{ config.systemd.services.m.serviceConfig = { ProtectSytem = "strict"; ProtectClock = true; }; }\n');

  it('reports findings with rule ids and fails on errors', async () => {
    const r = await run(['lint', join(dir, 'm.nix'), '--format', 'json']);
    expect(r.code).toBe(1);
    const ids = JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId);
    expect(ids).toContain('no-unknown-directive');
  });

  it('takes the target systemd version and rule severities from --config', async () => {
    writeFileSync(join(dir, 'old.yml'), 'systemd:\n  version: 244\nseverities:\n  rules:\n    no-unknown-directive: "off"\n');
    const r = await run(['lint', join(dir, 'm.nix'), '--format', 'json', '--config', join(dir, 'old.yml')]);
    const ids = JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId);
    expect(ids).toEqual(['no-directive-newer-than-target']);
    expect(r.code).toBe(0);
  });

  it('stops with the path | problem table on an invalid config, for every command', async () => {
    writeFileSync(join(dir, 'bad.yml'), 'systemd:\n  version: "new"\nprofle: strict-v1\n');
    for (const cmd of [['lint', join(dir, 'm.nix')], ['diff', join(dir, 'm.nix'), join(dir, 'm.nix')], ['suggest', join(dir, 'm.nix')]]) {
      const r = await run([...cmd, '--config', join(dir, 'bad.yml')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('| path | problem |');
      expect(r.stderr).toContain('systemd.version');
      expect(r.stderr).toContain('profle');
    }
  });
});
