/**
 * The semantic diff of two versions of a module: per service, per directive, what changed and
 * whether it loosened or tightened the sandbox. Values are compared by meaning (`compare`), so a
 * rewrite that keeps every value — reordering, moving into a `let`, dotted versus nested keys,
 * `//` or `mkMerge` — changes nothing.
 */
import type { Json } from '../nix/render.js';
import type { FileResult } from '../nixos/extract.js';
import type { BranchValue, Service } from '../nixos/services.js';
import { type Side, type Verdict, compare } from './compare.js';

export type ChangeVerdict = 'loosened' | 'tightened' | 'changed' | 'unknown';
export type ServiceStatus = 'added' | 'removed' | 'changed' | 'unchanged';

/** A side of a change as printed: the value, null when the directive is not set, or why it is unknown. */
export type Shown = Json | { unknown: string };

export interface Change {
  directive: string;
  before: Shown;
  after: Shown;
  verdict: ChangeVerdict;
  /** The line in the new version (or the old one, when the directive was removed). */
  line: number;
  /** null in the defaults view; the condition's source text for a change inside a branch. */
  when: string | null;
}

export interface ServiceDiff {
  file: string;
  name: string;
  scope: 'system' | 'user';
  status: ServiceStatus;
  line: number;
  score: { before: number | null; after: number | null };
  changes: Change[];
}

/** Scores a service (the exposure on systemd-analyze's 0.0–10.0 scale); pluggable for layering. */
export type Scorer = (s: Service) => number | null;

const toSide = (v: BranchValue | undefined): Side => (v === undefined || 'absent' in v ? { absent: true } : 'unknown' in v ? { unknown: v.unknown } : { value: v.value });
const shown = (v: BranchValue | undefined): Shown => (v === undefined || 'absent' in v ? null : 'unknown' in v ? { unknown: v.unknown } : v.value);

function verdictOf(v: Verdict): ChangeVerdict | null {
  switch (v) {
    case 'equal':
      return null;
    case 'incomparable':
      return 'changed';
    default:
      return v;
  }
}

function diffOptions(
  before: Record<string, BranchValue>,
  after: Record<string, BranchValue>,
  when: string | null,
  only?: Set<string>,
): Change[] {
  const names = only ?? new Set([...Object.keys(before), ...Object.keys(after)]);
  const out: Change[] = [];
  for (const name of [...names].sort()) {
    const b = before[name];
    const a = after[name];
    const v = verdictOf(compare(name, toSide(b), toSide(a)));
    if (!v) continue;
    out.push({ directive: name, before: shown(b), after: shown(a), verdict: v, line: a?.line ?? b?.line ?? 0, when });
  }
  return out;
}

/** The values a branch sets (those that differ from the defaults view under its condition). */
function branchOptions(s: Service, when: string): Record<string, BranchValue> {
  return s.branches.find((x) => x.when === when)?.options ?? {};
}

export function diffServices(file: string, before: Service | undefined, after: Service | undefined, scorer?: Scorer): ServiceDiff {
  const s = (after ?? before)!;
  const score = { before: before && scorer ? scorer(before) : null, after: after && scorer ? scorer(after) : null };
  if (!before || !after) {
    return { file, name: s.name, scope: s.scope, status: before ? 'removed' : 'added', line: s.line, score, changes: [] };
  }
  const changes = diffOptions(before.options, after.options, null);
  const whens = new Set([...before.branches.map((b) => b.when), ...after.branches.map((b) => b.when)]);
  for (const when of [...whens].sort()) {
    const bo = branchOptions(before, when);
    const ao = branchOptions(after, when);
    // Only the directives the branch itself sets; the rest is the defaults view, diffed above.
    const own = new Set([...Object.keys(bo), ...Object.keys(ao)]);
    changes.push(...diffOptions({ ...before.options, ...bo }, { ...after.options, ...ao }, when, own));
  }
  return { file, name: s.name, scope: s.scope, status: changes.length > 0 ? 'changed' : 'unchanged', line: after.line, score, changes };
}

/** Diffs two extractions of (usually) the same file. */
export function diffFiles(before: FileResult | undefined, after: FileResult | undefined, scorer?: Scorer): ServiceDiff[] {
  const file = (after ?? before)!.path;
  const key = (s: Service) => `${s.scope}\u0000${s.name}`;
  const b = new Map((before?.services ?? []).map((s) => [key(s), s]));
  const a = new Map((after?.services ?? []).map((s) => [key(s), s]));
  const keys = [...new Set([...b.keys(), ...a.keys()])];
  return keys
    .map((k) => diffServices(file, b.get(k), a.get(k), scorer))
    .sort((x, y) => x.file.localeCompare(y.file) || x.line - y.line || x.name.localeCompare(y.name));
}
