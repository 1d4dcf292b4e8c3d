import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { census, censusModule } from '../../src/census/census.js';
import { listModules, runCensus } from '../../src/census/run.js';
import { main } from '../../src/cli/main.js';
import { parseAllTests } from '../../src/github/vm-tests.js';
import { scoreService } from '../../src/hardening/service-score.js';
import { analyseText, extractText } from '../../src/nixos/extract.js';
import { suggest } from '../../src/policy/suggest.js';
import { corpusTree, generateCorpus } from '../../bench/corpus.js';

const schema = JSON.parse(readFileSync(join(process.cwd(), 'schemas/census.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

const FIXTURES = join(process.cwd(), 'test/fixtures/modules');
const VM_TREE = join(process.cwd(), 'test/fixtures/vm-tests/nixpkgs');

/** A tree with the fixture modules under nixos/modules/services/<category>/. */
function fixtureTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'nh-census-'));
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.nix'));
  files.forEach((f, i) => {
    const dir = join(root, 'nixos/modules/services', i % 2 ? 'misc' : 'networking');
    mkdirSync(dir, { recursive: true });
    cpSync(join(FIXTURES, f), join(dir, f));
  });
  return root;
}

async function run(argv: string[], tty = false) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: Object.assign({ write: (s: string) => (stderr += s) }, tty ? { isTTY: true } : {}) });
  return { code, stdout, stderr };
}

const expectValid = (json: unknown) => {
  const ok = validate(json);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
};

describe('census', () => {
  const root = fixtureTree();

  it('agrees with score and suggest for every service of the fixtures, and matches its schema', async () => {
    const r = await run(['census', root, '--format', 'json', '--no-cache', '--jobs', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const c = JSON.parse(r.stdout);
    expectValid(c);
    let expected = 0;
    for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.nix'))) {
      const text = readFileSync(join(FIXTURES, f), 'utf8');
      const analysis = analyseText(f, text);
      for (const s of analysis.file.services) {
        expected++;
        const got = c.services.find((x: { file: string; name: string; scope: string }) => x.file.endsWith(`/${f}`) && x.name === s.name && x.scope === s.scope);
        expect(got).toBeDefined();
        const score = scoreService(s);
        expect({ name: got.name, exposure: got.exposure, rating: got.rating, range: got.range, loadError: got.loadError }).toEqual({ name: s.name, exposure: score.exposure, rating: score.rating, range: score.range, loadError: score.loadError });
        const sug = suggest(s, analysis);
        expect(got.profile).toMatchObject({ id: sug.profile, class: sug.class, relaxations: sug.relaxations.map((x) => x.id), changes: sug.changes.length, missing: sug.changes.map((x) => x.directive) });
        expect(got.case).toBe(s.case);
      }
    }
    expect(c.services).toHaveLength(expected);
    expect(c.summary.services).toBe(expected);
    expect(c.summary.histogram.reduce((a: number, b: number) => a + b, 0)).toBe(expected);
    expect(c.summary.categories.map((k: { category: string }) => k.category)).toEqual(['misc', 'networking']);
    expect(c.allTests).toBe(false);
  });

  it('agrees with `nixos-harden score --format json` for every service', async () => {
    const c = JSON.parse((await run(['census', root, '--format', 'json', '--no-cache'])).stdout);
    const s = JSON.parse((await run(['score', join(root, 'nixos/modules'), '--format', 'json'])).stdout);
    const key = (file: string, name: string) => `${file.slice(file.indexOf('nixos/modules/'))}\u0000${name}`;
    const scored = new Map(s.services.map((x: { file: string; name: string; exposure: number; rating: string; range: number[] }) => [key(x.file, x.name), [x.exposure, x.rating, x.range]]));
    expect(scored.size).toBe(c.services.length);
    for (const x of c.services) expect([key(x.file, x.name), [x.exposure, x.rating, x.range]]).toEqual([key(x.file, x.name), scored.get(key(x.file, x.name))]);
  });

  it('finds the VM tests of modules through all-tests.nix, and records unknown directives', async () => {
    const r = await runCensus(VM_TREE, { cache: false, jobs: 1 });
    expectValid(JSON.parse(JSON.stringify(r.census)));
    expect(r.census.allTests).toBe(true);
    expect(r.census.services.some((s) => s.vmTests.found)).toBe(true);
    const c = census([{ path: 'nixos/modules/services/misc/m.nix', text: '{ pkgs, ... }: { config.systemd.services.m.serviceConfig = { ProtectSystem = "strict"; PrivateNetwork = pkgs.stdenv.isLinux; }; }' }]);
    expect(c.services[0]).toMatchObject({ name: 'm', category: 'misc', unknown: ['PrivateNetwork'], vmTests: { found: false, tests: [] } });
    expect(c.services[0]!.range[0]).toBeLessThan(c.services[0]!.range[1]);
  });

  it('lists the .nix files below the modules directory, leaving out hidden files and directories', () => {
    const tree = mkdtempSync(join(tmpdir(), 'nh-census-list-'));
    for (const f of ['a/x.nix', 'a/.cache/y.nix', 'b/c/d/e.nix', 'b/.swap.nix', 'b/notes.txt', 'top.nix']) {
      mkdirSync(join(tree, 'nixos/modules', f, '..'), { recursive: true });
      writeFileSync(join(tree, 'nixos/modules', f), '{ }');
    }
    expect(listModules(tree, 'nixos/modules')).toEqual(['nixos/modules/a/x.nix', 'nixos/modules/b/c/d/e.nix', 'nixos/modules/top.nix']);
    expect(listModules(join(tree, 'nixos'), 'modules/b')).toEqual(['modules/b/c/d/e.nix']);
    expect(listModules(join(tree, 'nixos/modules/a'), '.cache')).toEqual([]);
    expect(() => listModules(tree, 'nixos/none')).toThrow(/is not a directory/);
  });

  it('keeps going past modules it cannot read, reporting them', () => {
    const m = censusModule('nixos/modules/services/misc/broken.nix', '{ config, ... }: { systemd.services.x = ', null);
    expect(m.services).toEqual([]);
    expect(m.diagnostics.length).toBeGreaterThan(0);
  });

  it('as the installed command: the whole census arrives through a slowly read pipe, with exit code 0', async () => {
    // bin/nixos-harden.js exits as soon as main() is done; nothing written may be lost.
    const tree = mkdtempSync(join(tmpdir(), 'nh-census-bin-'));
    for (const m of generateCorpus(60, 3)) {
      mkdirSync(join(tree, m.path, '..'), { recursive: true });
      writeFileSync(join(tree, m.path), m.text);
    }
    const child = spawn(process.execPath, [join(process.cwd(), 'bin/nixos-harden.js'), 'census', tree, '--format', 'json', '--no-cache'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.pause(); // let the pipe fill up before reading it
    setTimeout(() => child.stdout.resume(), 500);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const out = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    expectValid(out);
    expect(out.modules).toBe(60);
    expect(out.services.length).toBeGreaterThan(60);
    expect(Buffer.concat(chunks).length).toBeGreaterThan(64 * 1024); // more than a pipe holds
  });

  it('runs on worker threads, caches by content and gives the same census warm', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'nh-census-gen-'));
    for (const m of corpusTree(120, 7)) {
      mkdirSync(join(tree, m.path, '..'), { recursive: true });
      writeFileSync(join(tree, m.path), m.text);
    }
    const cacheDir = mkdtempSync(join(tmpdir(), 'nh-census-cache-'));
    const cold = await runCensus(tree, { jobs: 2, cacheDir });
    expect(cold.stats).toMatchObject({ modules: 120, analysed: 120, cached: 0, threads: 2, workers: 1 });
    const warm = await runCensus(tree, { jobs: 2, cacheDir });
    expect(warm.stats).toMatchObject({ analysed: 0, cached: 120, threads: 0, workers: 0 });
    expect(warm.census).toEqual(cold.census);
    const inline = await runCensus(tree, { jobs: 1, cache: false });
    expect(inline.census).toEqual(cold.census);
    // Three threads: this one and two analysing workers (two threads: a parse helper, as above).
    const three = await runCensus(tree, { jobs: 3, cache: false });
    expect(three.stats).toMatchObject({ threads: 3, workers: 2 });
    expect(three.census).toEqual(cold.census);
    // A changed module is analysed again, the others come from the cache.
    const one = generateCorpus(120, 7)[5]!;
    writeFileSync(join(tree, one.path), one.text + '\n# changed\n');
    const again = await runCensus(tree, { jobs: 2, cacheDir });
    expect(again.stats).toMatchObject({ analysed: 1, cached: 119 });
    expectValid(JSON.parse(JSON.stringify(again.census)));
    // Enough changed modules for two threads: the helper reads and parses just those.
    for (const m of generateCorpus(120, 7).slice(0, 70)) writeFileSync(join(tree, m.path), m.text + '\n# changed again\n');
    const many = await runCensus(tree, { jobs: 2, cacheDir });
    expect(many.stats).toMatchObject({ analysed: 70, cached: 50, threads: 2 });
    expect(many.census).toEqual((await runCensus(tree, { jobs: 1, cache: false })).census);
    // The generated all-tests.nix is searched: a module with a test of its own name has it first.
    const entries = parseAllTests(readFileSync(join(tree, 'nixos/tests/all-tests.nix'), 'utf8'));
    const attrs = new Set(entries.map((e) => e.attr));
    expect(cold.census.services.filter((s) => s.vmTests.found).length).toBeGreaterThan(cold.census.services.length / 3);
    for (const s of cold.census.services) {
      for (const t of s.vmTests.tests) expect(attrs.has(t)).toBe(true);
      const base = s.file.replace(/^.*\/(.*)\.nix$/, '$1');
      if (attrs.has(base)) expect(s.vmTests.tests[0]).toBe(base);
    }
    // Every service of the generated tree agrees with score.
    for (const m of generateCorpus(120, 7).slice(0, 30)) {
      for (const s of extractText(m.path, m.text).services) {
        const got = inline.census.services.find((x) => x.file === m.path && x.name === s.name && x.scope === s.scope)!;
        expect(got.exposure).toBe(scoreService(s).exposure);
      }
    }
  });

  it('draws a progress bar on a terminal only, and writes reports to --out', async () => {
    const tty = await run(['census', root, '--no-cache', '--jobs', '1'], true);
    expect(tty.stderr).toMatch(/census \[#+\] \d+\/\d+ modules/);
    const plain = await run(['census', root, '--no-cache', '--jobs', '1']);
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toMatch(/modules, \d+ services/);
    const out = join(mkdtempSync(join(tmpdir(), 'nh-census-out-')), 'r', 'census.md');
    expect((await run(['census', root, '--no-cache', '--format', 'markdown', '--out', out])).code).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md).toContain('## Services');
    expect(md).toContain('| category | services | mean exposure |');
    expect((await run(['census', join(root, 'nope')])).code).toBe(2);
    expect((await run(['census', root, '--jobs', '0'])).code).toBe(2);
  });
});
