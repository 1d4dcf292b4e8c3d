/** `nixos-harden census ROOT`: every service of every module of a tree, in one report. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { packageVersion, runCensus } from '../census/run.js';
import type { Census } from '../census/summary.js';
import { UsageError, flag, parseArgs } from './args.js';
import type { Io } from './io.js';

export const CENSUS_HELP = `nixos-harden census ROOT [--modules-dir DIR] [--format text|json|markdown|html|sarif] [--out FILE] [--jobs N] [--no-cache] [--cache-dir DIR]

Every service of every module below ROOT/nixos/modules (--modules-dir, relative to ROOT): its
exposure and rating, the best-fitting profile and the directives missing to meet it, its case,
whether a VM test of ROOT/nixos/tests/all-tests.nix exercises it, and the directives whose values
are not known statically. --jobs N threads in all (default: the number of cores): with 2, one
analyses while the other reads and parses ahead of it; with more, all analyse. Results are
cached by content hash in --cache-dir (default $XDG_CACHE_HOME/nixos-harden, else
ROOT/.cache/nixos-harden), so a second run over an unchanged tree is near-instant. The HTML
report is one self-contained file (sortable, filterable, offline). A progress bar is drawn on
stderr when it is a terminal.`;

function progressBar(io: Io): ((done: number, total: number) => void) | undefined {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  if (!tty) return undefined;
  let last = -1;
  return (done, total) => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    if (filled === last && done !== total) return;
    last = filled;
    io.stderr.write(`\rcensus [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} modules`);
    if (done === total) io.stderr.write('\n');
  };
}

function text(c: Census): string {
  const out = [`${c.modules} modules, ${c.summary.services} services, mean exposure ${c.summary.meanExposure.toFixed(1)}, ${c.summary.withVmTest} with a VM test`];
  for (const s of c.services) {
    const profile = s.profile.class ? `${s.profile.id}/${s.profile.class}` : s.profile.id;
    out.push(`${s.file}:${s.line}: ${s.name}: ${s.exposure.toFixed(1)} ${s.rating}, ${profile}, ${s.profile.changes} missing, VM test ${s.vmTests.found ? s.vmTests.tests[0] : 'none'}`);
  }
  return out.join('\n') + '\n';
}

export async function runCensusCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, {
    'modules-dir': { value: true },
    format: { value: true, choices: ['text', 'json', 'markdown', 'html', 'sarif'] },
    out: { value: true },
    jobs: { value: true },
    'no-cache': { value: false },
    'cache-dir': { value: true },
    help: { value: false },
  });
  if (p.flags.has('help')) {
    io.stdout.write(CENSUS_HELP + '\n');
    return 0;
  }
  if (p.positionals.length !== 1) throw new UsageError('census needs one ROOT');
  const jobsFlag = flag(p, 'jobs');
  const jobs = jobsFlag === undefined ? undefined : Number(jobsFlag);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs must be a positive integer (got ${jobsFlag})`);
  let result;
  try {
    result = await runCensus(p.positionals[0]!, {
      modulesDir: flag(p, 'modules-dir'),
      jobs,
      cache: !p.flags.has('no-cache'),
      cacheDir: flag(p, 'cache-dir'),
      progress: progressBar(io),
    });
  } catch (e) {
    io.stderr.write(`nixos-harden census: ${(e as Error).message}\n`);
    return 2;
  }
  const { census } = result;
  const format = flag(p, 'format') ?? 'text';
  let body: string;
  if (format === 'json') body = JSON.stringify(census, null, 2) + '\n';
  else if (format === 'markdown') body = (await import('../census/report.js')).renderMarkdown(census);
  else if (format === 'html') body = (await import('../census/report.js')).renderHtml(census);
  else if (format === 'sarif') body = JSON.stringify((await import('../review/sarif.js')).censusToSarif(census, packageVersion()), null, 2) + '\n';
  else body = text(census);
  const out = flag(p, 'out');
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, body);
  } else io.stdout.write(body);
  return 0;
}
