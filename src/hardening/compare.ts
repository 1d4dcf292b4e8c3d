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
      const v = permittedOrder(b, a);
      if (s.kind === 'deny-set') return v === 'tightened' ? 'loosened' : v === 'loosened' ? 'tightened' : v;
      return v;
    }
    case 'none':
      return 'incomparable';
  }
}

const memberSets = new WeakMap<Meaning, ReadonlySet<string>>();

/** A set meaning's members as a set (syscall groups are expanded when it is read); meanings are frozen, so the result is kept. */
function memberSet(m: Extract<Meaning, { kind: 'set' }>): ReadonlySet<string> {
  let set = memberSets.get(m);
  if (!set) memberSets.set(m, (set = new Set(m.items)));
  return set;
}

/**
 * Orders two sets of permitted things, each an allow list or a deny list ("all but"): a smaller
 * permitted set is tighter. For a deny-set directive the same order is read the other way.
 */
function permittedOrder(b: Extract<Meaning, { kind: 'set' }>, a: Extract<Meaning, { kind: 'set' }>): Verdict {
  // Meanings are shared and frozen, and the same pairs come back for thousands of services (a
  // module's SystemCallFilter= against a profile's): each pair is ordered once.
  let byA = orders.get(b);
  if (!byA) orders.set(b, (byA = new Map()));
  let v = byA.get(a);
  if (v === undefined) byA.set(a, (v = computePermittedOrder(b, a)));
  return v;
}

const orders = new WeakMap<Meaning, Map<Meaning, Verdict>>();

const subset = (x: ReadonlySet<string>, y: ReadonlySet<string>): boolean => {
  if (x.size > y.size) return false;
  for (const e of x) if (!y.has(e)) return false;
  return true;
};
const disjoint = (x: ReadonlySet<string>, y: ReadonlySet<string>): boolean => {
  for (const e of x) if (y.has(e)) return false;
  return true;
};

function computePermittedOrder(b: Extract<Meaning, { kind: 'set' }>, a: Extract<Meaning, { kind: 'set' }>): Verdict {
  const B = memberSet(b);
  const A = memberSet(a);
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
