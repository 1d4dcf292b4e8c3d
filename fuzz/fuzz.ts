/**
 * The fuzz run: inputs 0..n-1 of a seed, each through every engine entry point, timed. Runs
 * in-process, or split over worker threads (input i goes to worker i mod W) for the full run.
 */
import { Worker } from 'node:worker_threads';
import { type FuzzInput, makeInput } from './gen.js';
import { type CrashInfo, loadSeedlings, minimise, runInput } from './engine.js';

/** Wall time over which one input counts as a budget failure (the engine's own budget is 2 s). */
export const TIMEOUT_MS = 5000;

export interface FuzzOptions {
  inputs: number;
  seed: number;
  /** Worker threads; 1 runs in this thread. */
  workers?: number;
  /** Called now and then with the number of inputs done (in-process runs only). */
  onProgress?: (done: number) => void;
  /** Shrink crashing inputs (at most the first 10) to a minimal input. */
  minimise?: boolean;
}

export interface Crash extends CrashInfo {
  seed: number;
  index: number;
  kind: string;
  path: string;
  /** The first 200 characters of the input. */
  input: string;
  inputLength: number;
  /** The shrunk input, if minimised. */
  minimal?: string;
  reproduce: string;
}

export interface Timed {
  index: number;
  kind: string;
  ms: number;
  chars: number;
}

export interface KindStats {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  workers: number;
  crashes: number;
  crashList: Crash[];
  /** Inputs over TIMEOUT_MS of wall time. */
  timeouts: Timed[];
  slowest: Timed | null;
  /** Inputs that yielded at least one service. */
  withServices: number;
  totalMs: number;
  inputsPerSecond: number;
  byKind: Record<string, KindStats>;
}

/** A partial result over a subset of the indices (what a worker sends back). */
export interface Partial {
  inputs: number;
  crashList: Crash[];
  timeouts: Timed[];
  slowest: Timed | null;
  withServices: number;
  byKind: Record<string, KindStats>;
}

const kindGroup = (kind: string) => kind.replace(/^(mutate:combo):.*$/, '$1');

/** Runs the inputs whose index is `part` modulo `parts`. */
export function runPart(seed: number, inputs: number, part: number, parts: number, onProgress?: (done: number) => void): Partial {
  const seedlings = loadSeedlings();
  const out: Partial = { inputs: 0, crashList: [], timeouts: [], slowest: null, withServices: 0, byKind: {} };
  for (let i = part; i < inputs; i += parts) {
    const input: FuzzInput = makeInput(seed, i, seedlings);
    const r = runInput(input);
    out.inputs++;
    const timed: Timed = { index: i, kind: input.kind, ms: Math.round(r.ms * 10) / 10, chars: input.text.length };
    if (!out.slowest || timed.ms > out.slowest.ms) out.slowest = timed;
    if (r.ms > TIMEOUT_MS) out.timeouts.push(timed);
    if (r.services > 0) out.withServices++;
    const k = (out.byKind[kindGroup(input.kind)] ??= { count: 0, totalMs: 0, maxMs: 0 });
    k.count++;
    k.totalMs += r.ms;
    k.maxMs = Math.max(k.maxMs, r.ms);
    if (r.crash) {
      out.crashList.push({
        ...r.crash,
        seed,
        index: i,
        kind: input.kind,
        path: input.path,
        input: input.text.slice(0, 200),
        inputLength: input.text.length,
        reproduce: `npm run fuzz -- --seed ${seed} --only ${i}`,
      });
    }
    if (onProgress && out.inputs % 1000 === 0) onProgress(out.inputs);
  }
  return out;
}

function merge(parts: Partial[]): Partial {
  const out: Partial = { inputs: 0, crashList: [], timeouts: [], slowest: null, withServices: 0, byKind: {} };
  for (const p of parts) {
    out.inputs += p.inputs;
    out.crashList.push(...p.crashList);
    out.timeouts.push(...p.timeouts);
    out.withServices += p.withServices;
    if (p.slowest && (!out.slowest || p.slowest.ms > out.slowest.ms)) out.slowest = p.slowest;
    for (const [k, s] of Object.entries(p.byKind)) {
      const t = (out.byKind[k] ??= { count: 0, totalMs: 0, maxMs: 0 });
      t.count += s.count;
      t.totalMs += s.totalMs;
      t.maxMs = Math.max(t.maxMs, s.maxMs);
    }
  }
  out.crashList.sort((a, b) => a.index - b.index);
  out.timeouts.sort((a, b) => a.index - b.index);
  return out;
}

function runInWorkers(seed: number, inputs: number, workers: number, onProgress?: (done: number) => void): Promise<Partial[]> {
  const progress = new Array<number>(workers).fill(0);
  return Promise.all(
    Array.from(
      { length: workers },
      (_, part) =>
        new Promise<Partial>((resolve, reject) => {
          const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: { seed, inputs, part, parts: workers } });
          w.on('message', (m: { progress?: number; result?: Partial }) => {
            if (m.progress !== undefined) {
              progress[part] = m.progress;
              onProgress?.(progress.reduce((a, b) => a + b, 0));
            }
            if (m.result) resolve(m.result);
          });
          w.on('error', reject);
          w.on('exit', (code) => {
            if (code !== 0) reject(new Error(`fuzz worker ${part} exited with ${code}`));
          });
        }),
    ),
  );
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const workers = Math.max(1, Math.min(opts.workers ?? 1, opts.inputs || 1));
  const t0 = performance.now();
  const parts = workers === 1 ? [runPart(opts.seed, opts.inputs, 0, 1, opts.onProgress)] : await runInWorkers(opts.seed, opts.inputs, workers, opts.onProgress);
  const totalMs = performance.now() - t0;
  const m = merge(parts);
  if (opts.minimise && m.crashList.length) {
    const seedlings = loadSeedlings();
    for (const c of m.crashList.slice(0, 10)) c.minimal = minimise(makeInput(c.seed, c.index, seedlings), c);
  }
  for (const k of Object.values(m.byKind)) {
    k.totalMs = Math.round(k.totalMs);
    k.maxMs = Math.round(k.maxMs * 10) / 10;
  }
  return {
    seed: opts.seed,
    inputs: m.inputs,
    workers,
    crashes: m.crashList.length,
    crashList: m.crashList,
    timeouts: m.timeouts,
    slowest: m.slowest,
    withServices: m.withServices,
    totalMs: Math.round(totalMs),
    inputsPerSecond: Math.round((m.inputs / totalMs) * 1000 * 10) / 10,
    byKind: m.byKind,
  };
}

/** Runs one input by index (to reproduce a crash), with its full text. */
export function runOne(seed: number, index: number): { input: FuzzInput; outcome: ReturnType<typeof runInput> } {
  const input = makeInput(seed, index, loadSeedlings());
  return { input, outcome: runInput(input) };
}
