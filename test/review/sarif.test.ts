/**
 * `--format sarif` of diff, review and census, validated against the SARIF 2.1.0 JSON schema as
 * Microsoft's @microsoft/jest-sarif ships it (draft-04, hence ajv-draft-04).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ajvDraft04 from 'ajv-draft-04';
import * as ajvFormats from 'ajv-formats';
import { main } from '../../src/cli/main.js';
import { toUri } from '../../src/review/sarif.js';

const require = createRequire(import.meta.url);
const schemaPath = join(dirname(require.resolve('@microsoft/jest-sarif/package.json')), 'lib/schemas/sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
// Both are CommonJS with a default export; under ts-jest's ESM the namespace may hold it one level down.
type Ctor = new (o: object) => { compile(s: object): ((x: unknown) => boolean) & { errors?: unknown[] | null } };
const unwrap = <T>(m: unknown): T => ((m as { default?: { default?: T } }).default?.default ?? (m as { default?: T }).default ?? m) as T;
const Ajv04 = unwrap<Ctor>(ajvDraft04);
const addFormats = unwrap<(a: object) => void>(ajvFormats);
// The rtm.5 schema has a pattern that is not a valid unicode regular expression (fixed in later
// revisions), so patterns are compiled without the u flag.
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

interface Log {
  version: string;
  runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
}

function checkLog(text: string): Log {
  const log = JSON.parse(text) as Log;
  const ok = validate(log);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  expect(log.version).toBe('2.1.0');
  const [r] = log.runs;
  expect(r!.tool.driver.name).toBe('nixos-harden');
  // What GitHub code scanning needs beyond the schema: rules resolvable, relative URIs, lines ≥ 1.
  for (const res of r!.results) {
    expect(r!.tool.driver.rules[res.ruleIndex]!.id).toBe(res.ruleId);
    const loc = res.locations[0]!.physicalLocation;
    expect(loc.artifactLocation.uri).not.toMatch(/^(\/|\.\/|[a-z]+:)/);
    expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
  }
  return log;
}

const pastebin = readFileSync('examples/pastebin.nix', 'utf8');
const loosen = (t: string) => t.replace('ProtectSystem = "strict";', 'ProtectSystem = "full";').replace('UMask = "0077";', 'UMask = "0077";\n        ProtectHostname = true;');

describe('SARIF 2.1.0', () => {
  it('diff --format sarif is a valid log with a warning per loosened directive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-sarif-diff-'));
    writeFileSync(join(dir, 'before.nix'), pastebin);
    writeFileSync(join(dir, 'after.nix'), loosen(pastebin));
    const r = await run(['diff', join(dir, 'before.nix'), join(dir, 'after.nix'), '--format', 'sarif']);
    expect(r.code).toBe(0);
    const log = checkLog(r.stdout);
    const results = log.runs[0]!.results;
    expect(results.find((x) => x.ruleId === 'sandbox-loosened')).toMatchObject({ level: 'warning', message: { text: expect.stringContaining('ProtectSystem loosened') } });
    for (const x of results) expect(['sandbox-loosened', 'sandbox-tightened', 'sandbox-changed', 'sandbox-unknown']).toContain(x.ruleId);
    // No change, no result: still a valid log.
    const same = await run(['diff', join(dir, 'before.nix'), join(dir, 'before.nix'), '--format', 'sarif']);
    expect(checkLog(same.stdout).runs[0]!.results).toEqual([]);
  });

  it('review --format sarif carries the check run annotations', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'nh-sarif-review-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { encoding: 'utf8' });
    const put = (path: string, text: string) => {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), text);
    };
    git('init', '-q');
    put('nixos/modules/services/web-apps/pastebin.nix', pastebin);
    git('add', '.');
    git('commit', '-qm', 'base');
    put('nixos/modules/services/web-apps/pastebin.nix', loosen(pastebin));
    git('commit', '-qam', 'head');
    const r = await run(['review', '--git', repo, 'HEAD~1..HEAD', '--format', 'sarif']);
    expect(r.code).toBe(0);
    const log = checkLog(r.stdout);
    const json = JSON.parse((await run(['review', '--git', repo, 'HEAD~1..HEAD', '--format', 'json'])).stdout);
    expect(log.runs[0]!.results).toHaveLength(json.check.annotations.length);
    expect(log.runs[0]!.results.length).toBeGreaterThan(0);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('nixos/modules/services/web-apps/pastebin.nix');
  });

  it('census --format sarif lists the services that miss directives of their profile', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nh-sarif-census-'));
    const dir = join(root, 'nixos/modules/services/misc');
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync('test/fixtures/modules').filter((x) => x.endsWith('.nix'))) cpSync(join('test/fixtures/modules', f), join(dir, f));
    const r = await run(['census', root, '--format', 'sarif', '--no-cache', '--jobs', '1']);
    expect(r.code).toBe(0);
    const log = checkLog(r.stdout);
    const census = JSON.parse((await run(['census', root, '--format', 'json', '--no-cache', '--jobs', '1'])).stdout);
    const expected = census.services.filter((s: { profile: { changes: number }; loadError: string | null }) => s.profile.changes > 0 || s.loadError).length;
    expect(log.runs[0]!.results).toHaveLength(expected);
  });

  it('has a validator that rejects what is not SARIF', () => {
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
  });

  it('writes paths as relative URI references', () => {
    expect(toUri('./nixos/modules/a b.nix')).toBe('nixos/modules/a%20b.nix');
    expect(toUri('nixos\\modules\\x#1.nix')).toBe('nixos/modules/x%231.nix');
  });
});
