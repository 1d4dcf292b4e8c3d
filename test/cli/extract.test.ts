import { readFileSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { main } from '../../src/cli/main.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

const schema = JSON.parse(readFileSync(join(process.cwd(), 'schemas/extract.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

describe('nixos-harden extract', () => {
  it('prints JSON that follows the contract of DESIGN §9 for every fixture', async () => {
    const { code, stdout } = await run(['extract', 'test/fixtures/modules', 'examples', '--format', 'json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    const ok = validate(out);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(out.files.length).toBeGreaterThanOrEqual(41);
  });

  it('prints the example module for people by default', async () => {
    const { code, stdout } = await run(['extract', 'examples/pastebin.nix']);
    expect(code).toBe(0);
    expect(stdout).toContain('pastebin.service (line 47)');
    expect(stdout).toMatch(/ProtectSystem\s+"strict"\s+\(line 75\)/);
    expect(stdout).toMatch(/ExecStart\s+unknown \(path of a package executable\)/);
    expect(stdout).toContain('when cfg.openFirewall:');
    expect(stdout).toMatch(/RestrictAddressFamilies\s+\["AF_INET","AF_INET6","AF_UNIX"\]/);
  });

  it('reads every .nix file below a directory argument and reports unreadable paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-extract-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'a.nix'), '{ config.systemd.services.a.serviceConfig.PrivateTmp = true; }');
    writeFileSync(join(dir, 'notes.txt'), 'not nix');
    const { code, stdout } = await run(['extract', dir, join(dir, 'missing.nix'), '--format', 'json']);
    expect(code).toBe(2);
    const out = JSON.parse(stdout);
    expect(validate(out)).toBe(true);
    expect(out.files.map((f: { path: string }) => f.path.slice(dir.length))).toEqual(['/missing.nix', '/sub/a.nix']);
    expect(out.files[0].diagnostics[0].id).toBe('io-error');
    expect(out.files[1].services[0].options.PrivateTmp).toEqual({ value: true, line: 1 });
  });

  it('rejects bad usage with a message and exit status 2', async () => {
    expect((await run(['extract'])).code).toBe(2);
    const bad = await run(['extract', 'x.nix', '--format', 'yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be one of text, json');
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});
