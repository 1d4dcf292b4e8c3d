/**
 * `npm run bench`: speed figures on a generated corpus (bench/corpus.ts), in one process.
 * Prints a Markdown table and writes it into README.md between the bench markers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { extractText } from '../src/nixos/extract.js';
import { packageRoot } from '../src/nix/parser.js';
import { generateCorpus } from './corpus.js';

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

function main(): void {
  const count = Number(process.argv.find((a) => a.startsWith('--modules='))?.split('=')[1] ?? 1000);
  const rounds = 3;
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
  const rss = process.memoryUsage().rss / 1024 / 1024;

  const table = [
    `| benchmark | modules | ms per module | modules per second |`,
    `|---|---:|---:|---:|`,
    ...rows.map((r) => `| ${r.what} | ${r.n} | ${r.msPerModule.toFixed(3)} | ${r.perSecond.toFixed(0)} |`),
    '',
    `Corpus: ${count} modules, ${(bytes / 1024).toFixed(0)} KiB, ${services} services (seed 1). ` +
      `Best round ${best!.msPerModule.toFixed(3)} ms per module; RSS after the runs ${rss.toFixed(0)} MiB. ` +
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, measured ${new Date().toISOString().slice(0, 10)}.`,
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

main();
