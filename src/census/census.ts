/**
 * The census of a whole tree of NixOS modules: for every service of every module, its exposure,
 * the best-fitting profile and what is missing to meet it, its case, whether a VM test exercises
 * it, and the directives whose values are not known statically. Pure: a function over file texts
 * (the edge in ./run.ts reads the files, caches and parallelises).
 */
import { findVmTests, parseAllTests, type TestEntry } from '../github/vm-tests.js';
import { scoreService } from '../hardening/service-score.js';
import type { FlatTree } from '../nix/parser.js';
import { analyseText } from '../nixos/extract.js';
import { suggest } from '../policy/suggest.js';
import { type Census, type CensusService, type ModuleCensus, assemble, categoryOf } from './summary.js';

export * from './summary.js';

/** The census entry of one module; `allTests` null when the tree has no all-tests.nix. */
export function censusModule(file: string, text: string, allTests: TestEntry[] | null, modulesDir = 'nixos/modules', tree?: FlatTree | null): ModuleCensus {
  const analysis = analyseText(file, text, { branches: false, tree });
  const diagnostics = analysis.file.diagnostics.map((d) => ({ file, id: d.id, line: d.line, message: d.message }));
  if (analysis.file.services.length === 0) return { file, services: [], diagnostics };
  let tests: string[] = [];
  if (allTests) {
    try {
      tests = findVmTests({ modulePath: file, moduleText: text, moduleSyntax: analysis.syntax, allTests }).tests.map((t) => t.attr);
    } catch (e) {
      diagnostics.push({ file, id: 'internal-error', line: 0, message: `finding VM tests failed: ${(e as Error).message}` });
    }
  }
  const category = categoryOf(file, modulesDir);
  const services = analysis.file.services.map((s): CensusService => {
    const score = scoreService(s);
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
      unknown: Object.entries(s.options)
        // Commands and environment are not sandboxing (DESIGN.md §9 lets extract omit them too).
        .filter(([k, v]) => 'unknown' in v && !/^(Exec|Environment)/.test(k))
        .map(([k]) => k)
        .sort(),
      profile: {
        id: sug.profile,
        class: sug.class,
        relaxations: sug.relaxations.map((r) => r.id),
        missing: sug.changes.map((c) => c.directive),
        changes: sug.changes.length,
        after: sug.changes.length > 0 && sug.exposure ? sug.exposure.after : null,
        note: sug.note,
      },
      vmTests: { found: tests.length > 0, tests },
    };
  });
  return { file, services, diagnostics };
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
