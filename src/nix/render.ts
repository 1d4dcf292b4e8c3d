/**
 * Turning a partial value into what `nix-instantiate --eval --json` would print, under a view
 * (which way each condition goes), or into the reason it cannot be known.
 */
import type { Evaluator } from './eval.js';
import { type Guard, type Thunk, type Value, hasSym, typeName } from './values.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type Rendered = { value: Json } | { unknown: string };

/** Which way conditions go: the defaults view, or one guard flipped. */
export interface View {
  decide(g: Guard): boolean | null;
}

export const DEFAULTS_VIEW: View = { decide: (g) => g.value };

/**
 * A condition's source text without leading negations: `!x`, `!(x)` and `x` all concern `x`.
 * Returns the base text and whether the original is its negation.
 */
export function canonGuard(src: string): { base: string; negated: boolean } {
  let t = src.trim();
  let negated = false;
  for (;;) {
    const simple = /^!\s*([A-Za-z_][\w'.-]*)$/.exec(t);
    if (simple) {
      t = simple[1]!;
      negated = !negated;
      continue;
    }
    if (/^!\s*\(/.test(t) && t.endsWith(')')) {
      const inner = t.slice(t.indexOf('(') + 1, -1);
      let depth = 0;
      let balanced = true;
      for (const ch of inner) {
        if (ch === '(') depth++;
        else if (ch === ')' && --depth < 0) balanced = false;
      }
      if (balanced && depth === 0) {
        t = inner.trim();
        negated = !negated;
        continue;
      }
    }
    return { base: t, negated };
  }
}

/** The source text of a condition's negation: `!x` for `x`, and `x` back for `!x` or `!(x)`. */
export function negate(src: string): string {
  const { base, negated } = canonGuard(src);
  if (negated) return base;
  return /^[A-Za-z_][\w'.-]*$/.test(base) ? `!${base}` : `!(${base})`;
}

/** A view with some conditions (by base text, see canonGuard) set to a value. */
export function flipView(flipped: Map<string, boolean>): View {
  return {
    decide: (g) => {
      const { base, negated } = canonGuard(g.src);
      if (!flipped.has(base)) return g.value;
      const v = flipped.get(base)!;
      return negated ? !v : v;
    },
  };
}

/** Settles expression-level conditionals under a view; `null` means absent. */
export function settle(_ev: Evaluator, th: Thunk, view: View): Value | null {
  let v = th.force();
  for (let i = 0; v.t === 'cond' && !v.module; i++) {
    if (i > 1000) return { t: 'unknown', reason: 'conditional nested too deeply' };
    const d = view.decide(v.guard);
    if (d === null) return { t: 'unknown', reason: `depends on ${v.guard.src}` };
    const next = d ? v.then : v.else;
    if (!next) return null;
    v = next.force();
  }
  return v;
}

export function render(ev: Evaluator, th: Thunk, view: View = DEFAULTS_VIEW, depth = 0): Rendered {
  if (depth > 64) return { unknown: 'value nested too deeply' };
  const v = settle(ev, th, view);
  if (v === null) return { unknown: 'absent' };
  switch (v.t) {
    case 'null':
      return { value: null };
    case 'bool':
    case 'int':
    case 'float':
      return { value: v.v };
    case 'str':
      if (v.sym || hasSym(v.v)) return { unknown: 'depends on the instance name' };
      return { value: v.v };
    case 'path':
      return { unknown: `the store path of ${v.v}` };
    case 'list': {
      const out: Json[] = [];
      for (const it of v.items) {
        const r = render(ev, it, view, depth + 1);
        if ('unknown' in r) return r.unknown === 'absent' ? { unknown: 'a list element is absent' } : r;
        out.push(r.value);
      }
      return { value: out };
    }
    case 'attrs': {
      if (v.open) return { unknown: 'a partially known set' };
      const outPath = v.attrs.get('outPath');
      if (outPath) return render(ev, outPath.th, view, depth + 1);
      const out: { [k: string]: Json } = {};
      for (const k of [...v.attrs.keys()].sort()) {
        const r = render(ev, v.attrs.get(k)!.th, view, depth + 1);
        if ('unknown' in r) {
          if (r.unknown === 'absent') continue;
          return r;
        }
        out[k] = r.value;
      }
      return { value: out };
    }
    case 'unknown':
      return { unknown: v.reason };
    default:
      return { unknown: `a ${typeName(v)} (${v.t})` };
  }
}
