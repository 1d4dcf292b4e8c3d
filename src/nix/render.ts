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

/** A view with the guards whose source text is in `flipped` turned the other way. */
export function flipView(flipped: Map<string, boolean>): View {
  return { decide: (g) => (flipped.has(g.src) ? flipped.get(g.src)! : g.value) };
}

/** Settles expression-level conditionals under a view; `null` means absent. */
export function settle(ev: Evaluator, th: Thunk, view: View): Value | null {
  let v = th.force();
  for (let i = 0; v.t === 'cond' && !v.module; i++) {
    if (i > 1000) return { t: 'unknown', reason: 'conditional nested too deeply' };
    const d = view.decide(v.guard);
    if (d === null) return { t: 'unknown', reason: `depends on ${v.guard.src}` };
    const next = d ? v.then : v.else;
    if (!next) return null;
    v = next.force();
  }
  void ev;
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
