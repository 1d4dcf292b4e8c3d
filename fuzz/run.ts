/**
 * `npm run fuzz`: seeded fuzzing of the engine.
 *
 *   node dist/fuzz/run.js [--inputs N] [--seed S] [--workers W] [--json] [--only I] [--no-minimise]
 *
 * --inputs defaults to 100 000, --seed to 1, --workers to the number of CPUs (at most 8).
 * --only I runs input I alone and prints it in full (to reproduce a crash).
 * Exits 1 if any input crashed or took longer than 5 s.
 */
import { availableParallelism } from 'node:os';
import { TIMEOUT_MS, type FuzzReport, runFuzz, runOne } from './fuzz.js';

function parseArgs(argv: string[]) {
  const opts = { inputs: 100_000, seed: 1, workers: Math.min(8, availableParallelism()), json: false, only: undefined as number | undefined, minimise: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer`);
      return v;
    };
    if (a === '--inputs') opts.inputs = num();
    else if (a === '--seed') opts.seed = num();
    else if (a === '--workers') opts.workers = Math.max(1, num());
    else if (a === '--only') opts.only = num();
    else if (a === '--json') opts.json = true;
    else if (a === '--no-minimise') opts.minimise = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

function text(r: FuzzReport): string {
  const out = [
    `fuzz: seed ${r.seed}, ${r.inputs} inputs on ${r.workers} worker(s)`,
    `  crashes:   ${r.crashes}`,
    `  timeouts:  ${r.timeouts.length} (inputs over ${TIMEOUT_MS} ms)`,
    `  slowest:   ${r.slowest ? `${r.slowest.ms} ms (input ${r.slowest.index}, ${r.slowest.kind}, ${r.slowest.chars} chars)` : '-'}`,
    `  total:     ${(r.totalMs / 1000).toFixed(1)} s, ${r.inputsPerSecond} inputs/s`,
    `  services:  found in ${r.withServices} inputs`,
    '  by kind (count, mean ms, max ms):',
  ];
  for (const [k, s] of Object.entries(r.byKind).sort()) out.push(`    ${k.padEnd(28)} ${String(s.count).padStart(7)} ${(s.totalMs / s.count).toFixed(2).padStart(8)} ${s.maxMs.toFixed(1).padStart(9)}`);
  for (const t of r.timeouts) out.push(`  TIMEOUT input ${t.index} (${t.kind}, ${t.chars} chars): ${t.ms} ms`);
  for (const c of r.crashList) {
    out.push(`  CRASH input ${c.index} (${c.kind}) in ${c.stage}: ${c.message}`, `    reproduce: ${c.reproduce}`, `    input (first 200 of ${c.inputLength} chars): ${JSON.stringify(c.input)}`);
    if (c.minimal !== undefined) out.push(`    minimal input: ${JSON.stringify(c.minimal)}`);
    out.push(...c.stack.split('\n').slice(0, 12).map((l) => `    ${l}`));
  }
  return out.join('\n');
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.only !== undefined) {
    const { input, outcome } = runOne(opts.seed, opts.only);
    const result = { index: input.index, kind: input.kind, path: input.path, ms: Math.round(outcome.ms), crash: outcome.crash, text: input.text };
    if (opts.json) console.log(JSON.stringify(result, null, 2));
    else console.log(`${input.kind} (${input.path}), ${result.ms} ms, ${outcome.crash ? `CRASH in ${outcome.crash.stage}\n${outcome.crash.stack}` : 'no crash'}\n----\n${input.text}`);
    return outcome.crash ? 1 : 0;
  }
  let last = 0;
  const report = await runFuzz({
    inputs: opts.inputs,
    seed: opts.seed,
    workers: opts.workers,
    minimise: opts.minimise,
    onProgress: opts.json
      ? undefined
      : (done) => {
          if (done - last >= 10_000) {
            last = done - (done % 10_000);
            process.stderr.write(`  ${last} inputs...\n`);
          }
        },
  });
  console.log(opts.json ? JSON.stringify(report, null, 2) : text(report));
  return report.crashes > 0 || report.timeouts.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
