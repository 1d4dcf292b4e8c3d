/** The census's data model and its summary: no analysis here, so the warm-cache path loads nothing heavy. */

/** Bumped whenever the shape or meaning of a module's census entry changes (it keys the cache). */
export const CENSUS_FORMAT = 1;

export interface CensusService {
  /** The module's path relative to ROOT (posix separators). */
  file: string;
  name: string;
  scope: 'system' | 'user';
  line: number;
  case: string;
  /** The directory below services/ (or programs/, …) the module sits in, or null. */
  category: string | null;
  exposure: number;
  rating: string;
  range: [number, number];
  /** Why systemd would refuse to load the unit, if it would. */
  loadError: string | null;
  /** Sandboxing directives whose values are not known statically (Exec*, Environment* left out). */
  unknown: string[];
  profile: {
    id: string;
    class: string | null;
    relaxations: string[];
    /** Directives to add or tighten to meet the profile. */
    missing: string[];
    changes: number;
    /** Exposure after the changes, when there are any to suggest. */
    after: number | null;
    note: string | null;
  };
  vmTests: { found: boolean; tests: string[] };
}

export interface CensusDiagnostic {
  file: string;
  id: string;
  line: number;
  message: string;
}

/** What one module contributes to the census (what the cache stores). */
export interface ModuleCensus {
  file: string;
  services: CensusService[];
  diagnostics: CensusDiagnostic[];
}

export interface CategorySummary {
  category: string;
  services: number;
  meanExposure: number;
  worstExposure: number;
  withVmTest: number;
  missing: number;
}

export interface Census {
  version: number;
  root: string;
  modulesDir: string;
  /** Whether nixos/tests/all-tests.nix was found (without it no VM test can be found). */
  allTests: boolean;
  modules: number;
  services: CensusService[];
  diagnostics: CensusDiagnostic[];
  summary: {
    services: number;
    meanExposure: number;
    byRating: Record<string, number>;
    byCase: Record<string, number>;
    /** Services per exposure bucket: [0,1), [1,2), … [9,10]. */
    histogram: number[];
    withVmTest: number;
    categories: CategorySummary[];
  };
}

/** The directory a module sits in below services/, programs/, … (`web-apps`), or null. */
export function categoryOf(file: string, modulesDir = 'nixos/modules'): string | null {
  const rel = file.startsWith(modulesDir + '/') ? file.slice(modulesDir.length + 1) : file;
  const parts = rel.split('/');
  // services/<category>/<module>.nix or services/<category>/<dir>/default.nix
  return parts.length >= 3 ? parts[1]! : null;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Puts the per-module entries together, in file order, with the summary. */
export function assemble(modules: ModuleCensus[], meta: { root: string; modulesDir: string; allTests: boolean }): Census {
  const sorted = [...modules].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const services = sorted.flatMap((m) => m.services);
  const diagnostics = sorted.flatMap((m) => m.diagnostics);
  const histogram = new Array<number>(10).fill(0);
  const byRating: Record<string, number> = {};
  const byCase: Record<string, number> = {};
  const cats = new Map<string, CensusService[]>();
  for (const s of services) {
    histogram[Math.min(9, Math.floor(s.exposure))]!++;
    byRating[s.rating] = (byRating[s.rating] ?? 0) + 1;
    byCase[s.case] = (byCase[s.case] ?? 0) + 1;
    const c = s.category ?? '(none)';
    const list = cats.get(c);
    if (list) list.push(s);
    else cats.set(c, [s]);
  }
  const mean = (xs: CensusService[]) => (xs.length === 0 ? 0 : round1(xs.reduce((a, s) => a + s.exposure, 0) / xs.length));
  const categories = [...cats.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([category, xs]) => ({
      category,
      services: xs.length,
      meanExposure: mean(xs),
      worstExposure: xs.reduce((a, s) => Math.max(a, s.exposure), 0),
      withVmTest: xs.filter((s) => s.vmTests.found).length,
      missing: xs.reduce((a, s) => a + s.profile.changes, 0),
    }));
  return {
    version: CENSUS_FORMAT,
    ...meta,
    modules: modules.length,
    services,
    diagnostics,
    summary: {
      services: services.length,
      meanExposure: mean(services),
      byRating,
      byCase,
      histogram,
      withVmTest: services.filter((s) => s.vmTests.found).length,
      categories,
    },
  };
}

