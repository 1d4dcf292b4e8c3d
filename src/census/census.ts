/**
 * The census of a whole tree of NixOS modules: for every service of every module, its exposure,
 * the best-fitting profile and what is missing to meet it, its case, whether a VM test exercises
 * it, and the directives whose values are not known statically. Pure: a function over file texts
 * (the edge in ./run.ts reads the files, caches and parallelises).
 */
import { type ModuleKeys, type TestEntry, findVmTestsByKeys, moduleKeys, parseAllTests } from '../github/vm-tests.js';
import { scoreService } from '../hardening/service-score.js';
import type { FlatTree } from '../nix/parser.js';
import { analyseText } from '../nixos/extract.js';
import type { Service } from '../nixos/services.js';
import { suggest } from '../policy/suggest.js';
import { type Census, type CensusService, type ModuleCensus, assemble, categoryOf } from './summary.js';

export * from './summary.js';

/** The census entry of one module; `allTests` null when the tree has no all-tests.nix. */
export function censusModule(file: string, text: string, allTests: TestEntry[] | null, modulesDir = 'nixos/modules', tree?: FlatTree | null): ModuleCensus {
  return addVmTests(analyseModule(file, text, { modulesDir, tree, vmTests: allTests !== null }), allTests);
}

/** A module's census before its VM tests are looked up, and what to look them up by. */
export interface PendingModule {
  census: ModuleCensus;
  /** Null when there is nothing to look up (no services, no all-tests.nix, or the keys failed). */
  keys: ModuleKeys | null;
}

/**
 * A module's census with every service's VM tests still to be found (none yet), so that the
 * census can read all-tests.nix after the modules (./run.ts). `vmTests: false` when the tree has
 * no all-tests.nix.
 */
export function analyseModule(file: string, text: string, opts: { modulesDir?: string; tree?: FlatTree | null; vmTests: boolean }): PendingModule {
  const analysis = analyseText(file, text, { branches: false, tree: opts.tree });
  const diagnostics = analysis.file.diagnostics.map((d) => ({ file, id: d.id, line: d.line, message: d.message }));
  if (analysis.file.services.length === 0) return { census: { file, services: [], diagnostics }, keys: null };
  let keys: ModuleKeys | null = null;
  if (opts.vmTests) {
    try {
      keys = moduleKeys(file, text, analysis.syntax, { packages: false });
    } catch (e) {
      diagnostics.push({ file, id: 'internal-error', line: 0, message: `finding VM tests failed: ${(e as Error).message}` });
    }
  }
  const category = categoryOf(file, opts.modulesDir ?? 'nixos/modules');
  const none: string[] = [];
  const services = analysis.file.services.map((s): CensusService => {
    const score = scoreService(s, { checks: false }); // the census shows the exposure, not the checks
    const sug = suggest(s, analysis, { before: score, render: false });
    return {
      file,
      name: s.name,
      scope: s.scope,
      line: s.line,
      case: s.case,
      category,
      exposure: score.exposure,
      rating: score.rating,
      range: score.range,
      loadError: score.loadError,
      unknown: unknownDirectives(s),
      profile: {
        id: sug.profile,
        class: sug.class,
        relaxations: sug.relaxations.map((r) => r.id),
        missing: sug.changes.map((c) => c.directive),
        changes: sug.changes.length,
        after: sug.changes.length > 0 && sug.exposure ? sug.exposure.after : null,
        note: sug.note,
      },
      vmTests: { found: false, tests: none },
    };
  });
  return { census: { file, services, diagnostics }, keys };
}

/** The directives of a service whose values are not known statically, sorted. */
function unknownDirectives(s: Service): string[] {
  const out: string[] = [];
  for (const k in s.options) {
    // Commands and environment are not sandboxing (DESIGN.md §9 lets extract omit them too).
    if ('unknown' in s.options[k]! && !/^(Exec|Environment)/.test(k)) out.push(k);
  }
  return out.sort();
}

/** Completes a pending module with the VM tests of its services (none when `allTests` is null). */
export function addVmTests(pending: PendingModule, allTests: TestEntry[] | null): ModuleCensus {
  const { census, keys } = pending;
  if (!keys || !allTests) return census;
  let tests: string[];
  try {
    tests = findVmTestsByKeys(keys, { allTests }).map((t) => t.attr);
  } catch (e) {
    census.diagnostics.push({ file: census.file, id: 'internal-error', line: 0, message: `finding VM tests failed: ${(e as Error).message}` });
    return census;
  }
  for (const s of census.services) s.vmTests = { found: tests.length > 0, tests };
  return census;
}

/** The census of a set of module texts (paths relative to the tree's root). */
export function census(files: { path: string; text: string }[], opts: { root?: string; modulesDir?: string; allTestsText?: string | null } = {}): Census {
  const modulesDir = opts.modulesDir ?? 'nixos/modules';
  const allTests = opts.allTestsText ? parseAllTestsSafe(opts.allTestsText) : null;
  return assemble(
    files.map((f) => censusModule(f.path, f.text, allTests, modulesDir)),
    { root: opts.root ?? '.', modulesDir, allTests: allTests !== null },
  );
}

export function parseAllTestsSafe(text: string): TestEntry[] {
  try {
    return parseAllTests(text);
  } catch {
    return [];
  }
}
