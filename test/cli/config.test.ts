/** `nixos-harden dump-config`: the effective config, or every error as a path | problem table. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../../src/cli/args.js';
import { DUMP_CONFIG_HELP, runDumpConfig } from '../../src/cli/config.js';
import { defaultConfig } from '../../src/policy/config.js';

const NOW = new Date('2025-03-15T12:00:00Z');

async function run(argv: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const code = await runDumpConfig(argv, io, { now: NOW, cwd });
  return { code, stdout, stderr };
}

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nh-config-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('nixos-harden dump-config', () => {
  it('prints the defaults when the repository has no config', async () => {
    const { code, stdout, stderr } = await run([], repo({}));
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^# effective nixos-harden configuration: the defaults/);
    expect(parse(stdout)).toEqual(defaultConfig());
  });

  it('reads .github/nixos-harden.yml and follows _extends relative to it', async () => {
    const dir = repo({
      '.github/nixos-harden.yml': '_extends: ../policy/base.yml\nratchet: false\nseverities: { rules: { no-b: error } }\n',
      'policy/base.yml': '_extends: common.yml\nseverities: { loosened: error, rules: { no-a: off } }\nignore: [x/**]\n',
      'policy/common.yml': 'systemd: { version: 250 }\nignore: [y/**]\n',
    });
    const { code, stdout } = await run(['--format', 'json'], dir);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      ...defaultConfig(),
      ratchet: false,
      ignore: ['x/**'],
      systemd: { version: 250 },
      severities: { ...defaultConfig().severities, loosened: 'error', rules: { 'no-a': 'off', 'no-b': 'error' } },
    });
  });

  it('takes another file with --config', async () => {
    const dir = repo({ 'conf/h.yml': 'profile: network-v2\n' });
    const { code, stdout } = await run(['--config', 'conf/h.yml'], dir);
    expect(code).toBe(0);
    expect(stdout).toContain('# effective nixos-harden configuration: conf/h.yml');
    expect(parse(stdout).profile).toBe('network-v2');
  });

  it('prints every error as a table on stderr and exits 1', async () => {
    const dir = repo({
      '.github/nixos-harden.yml': [
        '_extends: base.yml',
        'ratchet: yes',
        'paths: ["a/[b"]',
        'waivers: [{ service: s, directive: PrivateTmp, allow: false, reason: r, expires: 2024-01-01 }]',
      ].join('\n'),
      '.github/base.yml': 'frobnicate: 1\n',
    });
    const { code, stdout, stderr } = await run([], dir);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.split('\n');
    expect(lines[0]).toBe('nixos-harden dump-config: .github/nixos-harden.yml has 4 errors:');
    expect(lines.slice(2, 4)).toEqual(['| path | problem |', '| --- | --- |']);
    const rows = lines.slice(4).filter(Boolean);
    expect(rows.map((r) => r.split(' | ')[0])).toEqual([
      '| `ratchet` (line 2)',
      '| `paths[0]` (line 3)',
      '| `waivers[0].expires` (line 4)',
      '| `frobnicate` (.github/base.yml, line 1)',
    ]);
    expect(rows[2]).toContain('waiver expired on 2024-01-01');
  });

  it('reports an _extends cycle between files', async () => {
    const dir = repo({ '.github/nixos-harden.yml': '_extends: a.yml\n', '.github/a.yml': '_extends: nixos-harden.yml\n' });
    const { code, stderr } = await run([], dir);
    expect(code).toBe(1);
    expect(stderr).toContain('_extends cycle: .github/nixos-harden.yml → .github/a.yml → .github/nixos-harden.yml');
  });

  it('explains that other repositories cannot be extended from the command line', async () => {
    const dir = repo({ '.github/nixos-harden.yml': '_extends: octo/policy\n' });
    const { code, stderr } = await run([], dir);
    expect(code).toBe(1);
    expect(stderr).toContain('reads files only');
  });

  it('exits 2 for a missing --config file and rejects bad usage synchronously', async () => {
    const dir = repo({});
    const missing = await run(['--config', 'nope.yml'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read nope.yml: no such file');
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    expect(() => runDumpConfig(['--format', 'toml'], io)).toThrow(UsageError);
    expect(() => runDumpConfig(['extra'], io)).toThrow(UsageError);
    let help = '';
    expect(await runDumpConfig(['--help'], { stdout: { write: (s: string) => (help += s) }, stderr: io.stderr })).toBe(0);
    expect(help).toBe(DUMP_CONFIG_HELP + '\n');
    expect(DUMP_CONFIG_HELP.split('\n')[0]).toBe('nixos-harden dump-config [--config FILE] [--format yaml|json]');
  });
});
