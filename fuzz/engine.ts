/**
 * One fuzz input through the public engine entry points, in-process: analyseText, diffFiles
 * against the module it was mutated from, lintFile, scoreService and suggest (plus applyEdits of
 * the suggested edits) for every service found. Nothing may throw, and analyseText must not report
 * `internal-error` (its catch-all for bugs): either counts as a crash.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCorpus } from '../bench/corpus.js';
import { diffFiles } from '../src/hardening/diff.js';
import { lintFile } from '../src/hardening/lint.js';
import { scoreService } from '../src/hardening/service-score.js';
import { packageRoot } from '../src/nix/parser.js';
import { type Analysis, analyseText } from '../src/nixos/extract.js';
import { applyEdits, suggest } from '../src/policy/suggest.js';
import type { FuzzInput, Seedling } from './gen.js';

export interface CrashInfo {
  /** Which entry point failed. */
  stage: string;
  message: string;
  stack: string;
}

export interface RunOutcome {
  ms: number;
  crash: CrashInfo | null;
  services: number;
}

/** The modules mutations start from: every fixture, plus generated modules of every idiom. */
export function loadSeedlings(): Seedling[] {
  const dir = join(packageRoot(), 'test/fixtures/modules');
  const fixtures = readdirSync(dir)
    .filter((f) => f.endsWith('.nix'))
    .sort()
    .map((f) => ({ path: `test/fixtures/modules/${f}`, text: readFileSync(join(dir, f), 'utf8') }));
  const generated = generateCorpus(40, 7).map((m) => ({ path: m.path, text: m.text }));
  return [...fixtures, ...generated];
}

const baselines = new Map<string, Analysis>();

function baseline(s: Seedling): Analysis {
  let a = baselines.get(s.path);
  if (!a) {
    a = analyseText(s.path, s.text);
    baselines.set(s.path, a);
  }
  return a;
}

function crashOf(stage: string, e: unknown): CrashInfo {
  const err = e instanceof Error ? e : new Error(String(e));
  return { stage, message: err.message, stack: err.stack ?? err.message };
}

type Service = Parameters<typeof scoreService>[0];
/** Each service object is scored once (the baselines' services are shared by many inputs). */
const scores = new WeakMap<Service, number>();
const scorer = (s: Service): number => {
  let e = scores.get(s);
  if (e === undefined) {
    e = scoreService(s).exposure;
    scores.set(s, e);
  }
  return e;
};

/** Runs one input through every entry point; returns the first crash, if any. */
export function runInput(input: Pick<FuzzInput, 'path' | 'text' | 'base'>): RunOutcome {
  const t0 = performance.now();
  const done = (crash: CrashInfo | null, services = 0): RunOutcome => ({ ms: performance.now() - t0, crash, services });
  let a: Analysis;
  try {
    a = analyseText(input.path, input.text);
  } catch (e) {
    return done(crashOf('analyseText', e));
  }
  const internal = a.file.diagnostics.find((d) => d.id === 'internal-error');
  if (internal) return done({ stage: 'analyseText:internal-error', message: internal.message, stack: internal.message });
  const before = input.base ? baseline(input.base) : undefined;
  let stage = 'diffFiles';
  try {
    if (before) diffFiles(before.file, a.file, scorer);
    else diffFiles(undefined, a.file, scorer);
    stage = 'lintFile';
    lintFile(a);
    if (before) lintFile(a, { before });
    for (const s of a.file.services) {
      stage = `scoreService(${s.scope}:${s.name})`;
      scorer(s);
      stage = `suggest(${s.scope}:${s.name})`;
      const sug = suggest(s, a);
      if (sug.edits.length) {
        stage = `applyEdits(${s.scope}:${s.name})`;
        applyEdits(input.text, sug.edits);
      }
    }
  } catch (e) {
    return done(crashOf(stage, e), a.file.services.length);
  }
  return done(null, a.file.services.length);
}

/** The same failure (stage and message, without the service name or numbers that vary). */
export function sameCrash(a: CrashInfo, b: CrashInfo): boolean {
  const norm = (c: CrashInfo) => `${c.stage.replace(/\(.*\)$/, '')}\u0000${c.message.replace(/\d+/g, 'N').slice(0, 200)}`;
  return norm(a) === norm(b);
}

/**
 * Shrinks a crashing input: removes chunks of lines, then chunks of characters, while the same
 * crash still happens. Bounded by `maxRuns` engine runs.
 */
export function minimise(input: Pick<FuzzInput, 'path' | 'text' | 'base'>, crash: CrashInfo, maxRuns = 1500): string {
  let runs = 0;
  const still = (text: string) => {
    runs++;
    const c = runInput({ ...input, text }).crash;
    return c !== null && sameCrash(c, crash);
  };
  const shrink = (units: string[], join: string): string[] => {
    let cur = units;
    for (let chunk = Math.max(1, cur.length >> 1); chunk >= 1 && runs < maxRuns; chunk = chunk === 1 ? 0 : Math.max(1, chunk >> 1)) {
      for (let i = 0; i < cur.length && runs < maxRuns; ) {
        const cand = cur.slice(0, i).concat(cur.slice(i + chunk));
        if (cand.length < cur.length && still(cand.join(join))) cur = cand;
        else i += chunk;
      }
    }
    return cur;
  };
  const lines = shrink(input.text.split('\n'), '\n').join('\n');
  return shrink([...lines], '').join('');
}
