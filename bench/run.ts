/**
 * `npm run bench`: speed figures on a generated corpus (bench/corpus.ts), in one process.
 * Prints a Markdown table and writes it into README.md between the bench markers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpus, tmpdir } from 'node:os';
import { extractText } from '../src/nixos/extract.js';
import { diffFiles } from '../src/hardening/diff.js';
import { scoreService } from '../src/hardening/service-score.js';
import { type LatencyRow, reviewLatency } from './review-latency.js';
import { packageRoot } from '../src/nix/parser.js';
import { corpusTree, generateCorpus } from './corpus.js';

interface Row {
  what: string;
  n: number;
  msPerModule: number;
  perSecond: number;
}

function measure(what: string, n: number, fn: () => void): Row {
  const t0 = process.hrtime.bigint();
  fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { what, n, msPerModule: ms / n, perSecond: (n * 1000) / ms };
}

interface CensusRun {
  what: string;
  wallMs: number;
  /** User plus system CPU time of the process, all its threads (NaN without /usr/bin/time). */
  cpuMs: number;
  maxRssMiB: number;
  services: number;
}

/**
 * `nixos-harden census` as a user runs it (a new process, so process start and module loading
 * count): wall time, and peak RSS of the process (worker threads included).
 */
function censusRun(what: string, root: string, cacheDir: string, extra: string[] = []): CensusRun {
  const bin = join(packageRoot(), 'bin', 'nixos-harden.js');
  const out = join(cacheDir, '..', 'census.json');
  // Peak RSS from /usr/bin/time when there is one: a child's own getrusage() would also count the
  // pages of this (large) process it was forked from, which Linux carries across execve.
  const gnuTime = existsSync('/usr/bin/time');
  const reportRss = 'data:text/javascript,' + encodeURIComponent("process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))");
  const args = [bin, 'census', root, '--format', 'json', '--out', out, '--cache-dir', cacheDir, ...extra];
  const t0 = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', 'maxrss=%M cpu=%U+%S', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, ['--import', reportRss, ...args], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`census failed (${r.status}): ${r.stderr}`);
  const rss = Number([...r.stderr.matchAll(/maxrss=(\d+)/g)].at(-1)?.[1] ?? NaN) / 1024;
  const cpu = [...r.stderr.matchAll(/cpu=([\d.]+)\+([\d.]+)/g)].at(-1);
  const cpuMs = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN;
  const services = (JSON.parse(readFileSync(out, 'utf8')) as { services: unknown[] }).services.length;
  return { what, wallMs, cpuMs, maxRssMiB: rss, services };
}

function censusBench(count: number): { rows: CensusRun[]; modules: number } {
  const dir = mkdtempSync(join(tmpdir(), 'nh-bench-census-'));
  try {
    const root = join(dir, 'tree');
    for (const m of corpusTree(count, 1)) {
      mkdirSync(dirname(join(root, m.path)), { recursive: true });
      writeFileSync(join(root, m.path), m.text);
    }
    const rows = [
      // Cold runs three times: on a shared VM one run says little.
      censusRun(`census, cold cache, --jobs ${cpus().length} (the default)`, root, join(dir, 'cache-1')),
      censusRun(`census, cold cache, --jobs ${cpus().length} (again)`, root, join(dir, 'cache-2')),
      censusRun(`census, cold cache, --jobs ${cpus().length} (again)`, root, join(dir, 'cache-3')),
      censusRun('census, cold cache, --jobs 1', root, join(dir, 'cache-4'), ['--jobs', '1']),
      censusRun('census, warm cache', root, join(dir, 'cache-1')),
      censusRun('census, warm cache (again)', root, join(dir, 'cache-1')),
    ];
    return { rows, modules: count };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const count = Number(process.argv.find((a) => a.startsWith('--modules='))?.split('=')[1] ?? 1000);
  const rounds = 3;
  // The census runs first, in new processes, while this one is still small.
  const censusModules = Number(process.argv.find((a) => a.startsWith('--census-modules='))?.split('=')[1] ?? 1900);
  const census = censusBench(censusModules);
  const corpus = generateCorpus(count, 1);
  const bytes = corpus.reduce((a, m) => a + m.text.length, 0);
  // Warm-up: load the parser, let the JIT see the code.
  for (const m of corpus.slice(0, 50)) extractText(m.path, m.text);

  const rows: Row[] = [];
  let services = 0;
  let best: Row | undefined;
  for (let r = 0; r < rounds; r++) {
    services = 0;
    const row = measure(`extract, ${count} generated modules (round ${r + 1})`, count, () => {
      for (const m of corpus) services += extractText(m.path, m.text).services.length;
    });
    rows.push(row);
    if (!best || row.msPerModule < best.msPerModule) best = row;
  }
  // Scoring every service of the corpus (extraction done beforehand, not timed).
  const extracted = corpus.map((m) => extractText(m.path, m.text));
  const allServices = extracted.flatMap((f) => f.services);
  for (const s of allServices.slice(0, 100)) scoreService(s);
  rows.push(measure(`score, every service of the ${count} modules (${allServices.length} services)`, count, () => {
    for (const s of allServices) scoreService(s);
  }));
  // Diff as \`nixos-harden diff\` does it: both versions extracted, compared, scored.
  const loosened = corpus.map((m) => m.text.replace(/ProtectSystem = "strict"/g, 'ProtectSystem = "full"').replace(/PrivateTmp = true/g, 'PrivateTmp = false'));
  const scorer = (s: Parameters<typeof scoreService>[0]) => scoreService(s).exposure;
  rows.push(measure(`diff, ${count} modules against a loosened copy (extract both, compare, score)`, count, () => {
    corpus.forEach((m, i) => diffFiles(extractText(m.path, m.text), extractText(m.path, loosened[i]!), scorer));
  }));
  const rss = process.memoryUsage().rss / 1024 / 1024;
  const latency: LatencyRow[] = await reviewLatency();


  const table = [
    `| benchmark | modules | ms per module | modules per second |`,
    `|---|---:|---:|---:|`,
    ...rows.map((r) => `| ${r.what} | ${r.n} | ${r.msPerModule.toFixed(3)} | ${r.perSecond.toFixed(0)} |`),
    '',
    `Corpus: ${count} modules, ${(bytes / 1024).toFixed(0)} KiB, ${services} services (seed 1). ` +
      `Best round ${best!.msPerModule.toFixed(3)} ms per module; RSS after the runs ${rss.toFixed(0)} MiB. ` +
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, measured ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `| census of the generated tree (\`nixos-harden census\`, new process, ${census.modules} modules and their all-tests.nix) | wall time (s) | CPU time, all threads (s) | peak RSS (MiB) | services |`,
    `|---|---:|---:|---:|---:|`,
    ...census.rows.map(
      (r) => `| ${r.what} | ${(r.wallMs / 1000).toFixed(2)} | ${Number.isNaN(r.cpuMs) ? 'n/a' : (r.cpuMs / 1000).toFixed(2)} | ${r.maxRssMiB.toFixed(0)} | ${r.services} |`,
    ),
    '',
    `| PR review through the app (Probot, webhook to the local GitHub server in another process) | wall time (ms) | app CPU time (ms) | API requests |`,
    `|---|---:|---:|---:|`,
    ...latency.map((r) => `| ${r.what} | ${r.wallMs.toFixed(0)} | ${r.cpuMs.toFixed(0)} | ${r.requests} |`),
  ].join('\n');
  process.stdout.write(table + '\n');

  if (!process.argv.includes('--no-readme')) {
    const readme = join(packageRoot(), 'README.md');
    const text = readFileSync(readme, 'utf8');
    const start = '<!-- bench:start -->';
    const end = '<!-- bench:end -->';
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a >= 0 && b > a) {
      writeFileSync(readme, text.slice(0, a + start.length) + '\n' + table + '\n' + text.slice(b));
      process.stdout.write('README.md updated.\n');
    }
  }
}

await main();
