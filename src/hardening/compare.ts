/**
 * Strictness comparison, in one place: `compare(directive, before, after)`. The diff and every
 * rule ask this function; none of them orders values on its own.
 */
import type { Json } from '../nix/render.js';
import { directive as lookup } from './catalogue/index.js';
import type { Directive } from './catalogue/types.js';
import { type Meaning, meaning, showMeaning, unitLines } from './normalise.js';

export type Verdict = 'tightened' | 'loosened' | 'equal' | 'incomparable' | 'unknown';

/** A directive's value as extracted: a JSON value, absent (systemd's default), or unknown. */
export type Side = { value: Json } | { absent: true } | { unknown: string };

/** Expands set members before comparing (syscall groups into syscalls). */
export type Expander = (universe: string, items: string[]) => string[];

let expander: Expander = (_u, items) => items;

/** Installs the syscall-group expansion (kept pluggable so the data stays in one module). */
export function setExpander(e: Expander): void {
  expander = e;
  expanded = new WeakMap();
}

export function sideMeaning(d: Directive, side: Side): Meaning | null {
  if ('unknown' in side) return null;
  return meaning(d, 'absent' in side ? [] : unitLines(side.value));
}

/** A directive the catalogue does not know: compared by value only. */
function generic(name: string): Directive {
  return {
    name,
    family: 'process',
    kind: 'string',
    strictness: { kind: 'none' },
    default: '',
    since: 1,
    scored: [],
    summary: '',
    rationale: '',
    man: '',
    examples: { weak: '', strong: '' },
  };
}

export function compare(name: string, before: Side, after: Side): Verdict {
  const d = lookup(name) ?? generic(name);
  if ('unknown' in before || 'unknown' in after) {
    if ('unknown' in before && 'unknown' in after && before.unknown === after.unknown) return 'equal';
    return 'unknown';
  }
  if (d.kind === 'string' && d.strictness.kind === 'none') {
    const text = (s: Side) => ('value' in s ? JSON.stringify(unitLines(s.value)) : null);
    return text(before) === text(after) ? 'equal' : 'incomparable';
  }
  const b = sideMeaning(d, before)!;
  const a = sideMeaning(d, after)!;
  return compareMeanings(d, b, a);
}

export function compareMeanings(d: Directive, b: Meaning, a: Meaning): Verdict {
  if (showMeaning(b) === showMeaning(a)) return 'equal';
  const s = d.strictness;
  switch (s.kind) {
    case 'true-stricter':
    case 'false-stricter': {
      if (b.kind !== 'bool' || a.kind !== 'bool') return 'incomparable';
      const stricter = s.kind === 'true-stricter' ? a.v : !a.v;
      return stricter ? 'tightened' : 'loosened';
    }
    case 'order': {
      if (b.kind !== 'word' || a.kind !== 'word') return 'incomparable';
      const i = s.order.indexOf(b.v);
      const j = s.order.indexOf(a.v);
      if (i < 0 || j < 0) return 'incomparable';
      return j > i ? 'tightened' : j < i ? 'loosened' : 'equal';
    }
    case 'umask': {
      if (b.kind !== 'umask' || a.kind !== 'umask') return 'incomparable';
      if ((a.v & b.v) === b.v) return 'tightened'; // masks at least the same bits
      if ((a.v & b.v) === a.v) return 'loosened';
      return 'incomparable';
    }
    case 'user': {
      const root = (m: Meaning) => m.kind === 'word' && (m.v === '' || m.v === 'root' || m.v === '0');
      if (root(b) && !root(a)) return 'tightened';
      if (!root(b) && root(a)) return 'loosened';
      return 'incomparable';
    }
    case 'allow-set':
    case 'deny-set': {
      if (b.kind !== 'set' || a.kind !== 'set') return 'incomparable';
      const v = permittedOrder(s.kind === 'allow-set' ? s.universe : undefined, b, a);
      if (s.kind === 'deny-set') return v === 'tightened' ? 'loosened' : v === 'loosened' ? 'tightened' : v;
      return v;
    }
    case 'none':
      return 'incomparable';
  }
}

let expanded = new WeakMap<Meaning, Map<string, ReadonlySet<string>>>();

/** A set meaning's members with groups expanded; meanings are frozen, so the result is kept. */
function expandedSet(universe: string | undefined, m: Extract<Meaning, { kind: 'set' }>): ReadonlySet<string> {
  const key = universe ?? '';
  let byUniverse = expanded.get(m);
  if (!byUniverse) expanded.set(m, (byUniverse = new Map()));
  let set = byUniverse.get(key);
  if (!set) byUniverse.set(key, (set = new Set(universe ? expander(universe, m.items) : m.items)));
  return set;
}

/**
 * Orders two sets of permitted things, each an allow list or a deny list ("all but"): a smaller
 * permitted set is tighter. For a deny-set directive the same order is read the other way.
 */
function permittedOrder(universe: string | undefined, b: Extract<Meaning, { kind: 'set' }>, a: Extract<Meaning, { kind: 'set' }>): Verdict {
  const B = expandedSet(universe, b);
  const A = expandedSet(universe, a);
  const subset = (x: ReadonlySet<string>, y: ReadonlySet<string>) => x.size <= y.size && [...x].every((e) => y.has(e));
  const disjoint = (x: ReadonlySet<string>, y: ReadonlySet<string>) => [...x].every((e) => !y.has(e));
  if (!b.invert && !a.invert) {
    if (subset(A, B)) return subset(B, A) ? 'equal' : 'tightened';
    if (subset(B, A)) return 'loosened';
    return 'incomparable';
  }
  if (b.invert && a.invert) {
    // Permitted = all but the denied: more denied is tighter.
    if (subset(B, A)) return subset(A, B) ? 'equal' : 'tightened';
    if (subset(A, B)) return 'loosened';
    return 'incomparable';
  }
  if (!b.invert && a.invert) {
    // From an allow list to "all but": looser if nothing that was allowed is now denied.
    return disjoint(A, B) ? 'loosened' : 'incomparable';
  }
  // From "all but" to an allow list: tighter if nothing now allowed was denied before.
  return disjoint(A, B) ? 'tightened' : 'incomparable';
}
