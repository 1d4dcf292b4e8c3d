/**
 * `builtins` and the parts of nixpkgs `lib` that NixOS modules use to build `serviceConfig`,
 * implemented over partial values. A function we do not model returns `unknown`, never a guess.
 */
import type { Evaluator } from './eval.js';
import { asAttrs } from './eval.js';
import { current } from './current.js';
import {
  type Attr,
  Env,
  FALSE,
  NULL,
  SYM_NAME,
  SYM_UNKNOWN,
  TRUE,
  Thunk,
  type Value,
  assume,
  bool,
  hasSym,
  int,
  list,
  str,
  typeName,
  unknown,
} from './values.js';

type Prim = { name: string; arity: number; fn: (a: Thunk[]) => Value };
type Set = Map<string, Attr>;

/** Priorities of the module system (lib/modules.nix). */
export const PRIO = { force: 50, plain: 100, default: 1000, optionDefault: 1500 } as const;
export const ORDER = { before: 500, plain: 1000, after: 1500 } as const;

export interface Stdlib {
  builtins: Value;
  lib: Value;
  root: Env;
}

let shared: Stdlib | undefined;

/**
 * `builtins`, `lib` and the global scope. Built once per thread and shared by every evaluator:
 * building it is as costly as evaluating a small module, and nothing in it changes (values are
 * never mutated; the functions' results are per call). Its functions use the evaluator in
 * {@link current} for budgets, calls and source text.
 */
export function makeStdlib(ev: Evaluator): Stdlib {
  current.ev = ev;
  return (shared ??= buildStdlib(current));
}

function buildStdlib(cur: { ev: Evaluator }): Stdlib {
  const P = (name: string, arity: number, fn: (a: Thunk[]) => Value): Value => ({ t: 'prim', name, arity, args: [], fn });
  const V = (v: Value) => Thunk.of(v);
  const w = (th: Thunk) => cur.ev.whnf(th);
  const set = (entries: Record<string, Value | Thunk>): Value => {
    const m: Set = new Map();
    for (const [k, v] of Object.entries(entries)) m.set(k, { th: v instanceof Thunk ? v : V(v), span: undefined });
    return { t: 'attrs', attrs: m };
  };
  const anyAssumed = (vals: Value[]) => vals.some((v) => v.assumed);
  const withAssumed = (v: Value, from: Value[]): Value => (anyAssumed(from) ? assume(v) : v);

  // --- typed accessors: each returns the value or an `unknown` to propagate.
  const asList = (th: Thunk): Thunk[] | Value => {
    const v = w(th);
    if (v.t === 'list') return v.items;
    if (v.t === 'unknown') return v;
    return unknown(`expected a list, got a ${typeName(v)}`);
  };
  const asSet = (th: Thunk): Extract<Value, { t: 'attrs' }> | Value => {
    const v = asAttrs(w(th));
    if (v.t === 'attrs') return v;
    if (v.t === 'unknown') return v;
    return unknown(`expected a set, got a ${typeName(v)}`);
  };
  const asStr = (th: Thunk, coerce = false): Extract<Value, { t: 'str' }> | Value => {
    const v = w(th);
    if (v.t === 'str') return v;
    if (coerce) return cur.ev.coerce(v, false);
    if (v.t === 'unknown') return v;
    return unknown(`expected a string, got a ${typeName(v)}`);
  };
  const asInt = (th: Thunk): Extract<Value, { t: 'int' }> | Value => {
    const v = w(th);
    if (v.t === 'int' || v.t === 'unknown') return v;
    return unknown(`expected an integer, got a ${typeName(v)}`);
  };
  const asBool = (v: Value): boolean | Value => (v.t === 'bool' ? v.v : v.t === 'unknown' ? v : unknown(`expected a boolean, got a ${typeName(v)}`));
  const isErr = (x: unknown): x is Value => !Array.isArray(x) && typeof x === 'object' && x !== null && (x as Value).t === 'unknown';
  const plainText = (s: Extract<Value, { t: 'str' }>): string | Value => (s.sym || hasSym(s.v) ? unknown('text of an instance name') : s.v);
  /**
   * Applies a text function to the fixed parts of a string; a placeholder for an instance name
   * stays a placeholder (the result is still "some text derived from the instance name").
   */
  const symMap = (s: Extract<Value, { t: 'str' }>, fn: (t: string) => string): Value => {
    if (!s.sym && !hasSym(s.v)) return str(fn(s.v), false, s.assumed);
    const parts = s.v.split(/(\u{F8F0}[^\u{F8F1}]*\u{F8F1})/u);
    return str(parts.map((p, i) => (i % 2 === 1 ? p : fn(p))).join(''), true, s.assumed);
  };

  const toStr = (th: Thunk): Value => cur.ev.coerce(w(th), true);

  const map = (f: Thunk, l: Thunk): Value => {
    const items = asList(l);
    if (isErr(items)) return items;
    return list(items.map((it) => Thunk.lazy(() => cur.ev.call(f, it))));
  };
  const filter = (f: Thunk, l: Thunk): Value => {
    const items = asList(l);
    if (isErr(items)) return items;
    const out: Thunk[] = [];
    for (const it of items) {
      if (!cur.ev.tick()) return unknown('evaluation budget exhausted');
      const keep = asBool(w(Thunk.lazy(() => cur.ev.call(f, it))));
      if (typeof keep !== 'boolean') return keep;
      if (keep) out.push(it);
    }
    return list(out);
  };
  const concatLists = (l: Thunk): Value => {
    const items = asList(l);
    if (isErr(items)) return items;
    return cur.ev.concatLists(items);
  };
  const foldl = (f: Thunk, init: Thunk, l: Thunk): Value => {
    const items = asList(l);
    if (isErr(items)) return items;
    let acc = init;
    for (const it of items) {
      if (!cur.ev.tick()) return unknown('evaluation budget exhausted');
      const prev = acc;
      const v = cur.ev.call(f, prev, it);
      acc = V(v);
    }
    return acc.force();
  };
  const foldr = (f: Thunk, init: Thunk, l: Thunk): Value => {
    const items = asList(l);
    if (isErr(items)) return items;
    let acc = init;
    for (let i = items.length - 1; i >= 0; i--) {
      if (!cur.ev.tick()) return unknown('evaluation budget exhausted');
      const prev = acc;
      const it = items[i]!;
      acc = Thunk.lazy(() => cur.ev.call(f, it, prev));
    }
    return acc.force();
  };
  const elem = (x: Thunk, l: Thunk): Value => {
    const items = asList(l);
    if (isErr(items)) return items;
    let uncertain: Value | null = null;
    for (const it of items) {
      const e = cur.ev.equal(x, it);
      if (e.t === 'bool' && e.v) return e;
      if (e.t !== 'bool') uncertain = e;
    }
    return uncertain ?? withAssumed(FALSE, [w(x), w(l)]);
  };
  const attrNames = (s: Thunk): Value => {
    const a = asSet(s);
    if (a.t !== 'attrs') return a;
    if (a.open) return unknown('names of a partially known set');
    return withAssumed(list([...a.attrs.keys()].sort().map((k) => V(str(k, hasSym(k))))), [a]);
  };
  const attrValues = (s: Thunk): Value => {
    const a = asSet(s);
    if (a.t !== 'attrs') return a;
    if (a.open) return unknown('values of a partially known set');
    return list([...a.attrs.keys()].sort().map((k) => a.attrs.get(k)!.th));
  };
  const mapAttrs = (f: Thunk, s: Thunk): Value => {
    const a = asSet(s);
    if (a.t !== 'attrs') return a;
    if (a.open) return unknown('mapping over a partially known set');
    const out: Set = new Map();
    for (const [k, v] of a.attrs) out.set(k, { th: Thunk.lazy(() => cur.ev.call(f, V(str(k, hasSym(k))), v.th)), span: v.span });
    return { t: 'attrs', attrs: out };
  };
  const listToAttrs = (l: Thunk): Value => {
    const items = asList(l);
    if (isErr(items)) return items;
    const out: Set = new Map();
    for (const it of items) {
      if (!cur.ev.tick()) return unknown('evaluation budget exhausted');
      const nv = asSet(it);
      if (nv.t !== 'attrs') return nv;
      const nameA = nv.attrs.get('name');
      const valueA = nv.attrs.get('value');
      if (!nameA || !valueA) return unknown('listToAttrs element without name or value');
      let name = w(nameA.th);
      // A name that cannot be known (typically set per instance) becomes a placeholder, so the
      // entry is still analysed and reported as a pattern.
      if (name.t === 'unknown') name = str(SYM_UNKNOWN, true);
      if (name.t !== 'str') return unknown('listToAttrs name is not a string');
      if (!out.has(name.v)) out.set(name.v, { th: valueA.th, span: nameA.span ?? nameA.th.expr?.span ?? valueA.span });
    }
    return { t: 'attrs', attrs: out };
  };
  const nameValuePair = (n: Thunk, v: Thunk): Value => set({ name: n, value: v });
  const mapAttrs2 = (f: Thunk, s: Thunk): Value => {
    const a = asSet(s);
    if (a.t !== 'attrs') return a;
    if (a.open) return unknown('mapping over a partially known set');
    const pairs = [...a.attrs.keys()].sort().map((k) => Thunk.lazy(() => cur.ev.call(f, V(str(k, hasSym(k))), a.attrs.get(k)!.th)));
    return listToAttrs(V(list(pairs)));
  };
  const mapAttrsToList = (f: Thunk, s: Thunk): Value => {
    const a = asSet(s);
    if (a.t !== 'attrs') return a;
    if (a.open) return unknown('mapping over a partially known set');
    return list([...a.attrs.keys()].sort().map((k) => Thunk.lazy(() => cur.ev.call(f, V(str(k, hasSym(k))), a.attrs.get(k)!.th))));
  };
  const filterAttrs = (f: Thunk, s: Thunk): Value => {
    const a = asSet(s);
    if (a.t !== 'attrs') return a;
    if (a.open) return unknown('filtering a partially known set');
    const out: Set = new Map();
    for (const [k, v] of a.attrs) {
      const keep = asBool(w(Thunk.lazy(() => cur.ev.call(f, V(str(k, hasSym(k))), v.th))));
      if (typeof keep !== 'boolean') {
        // For a generic instance, a filter that cannot be decided keeps it (one instance assumed).
        if (hasSym(k)) {
          out.set(k, v);
          continue;
        }
        return unknown(`filter condition: ${(keep as Extract<Value, { t: 'unknown' }>).reason ?? 'unknown'}`);
      }
      if (keep) out.set(k, v);
    }
    return { t: 'attrs', attrs: out };
  };
  const genAttrs = (names: Thunk, f: Thunk): Value => {
    const items = asList(names);
    if (isErr(items)) return items;
    return listToAttrs(V(list(items.map((n) => V(set({ name: n, value: Thunk.lazy(() => cur.ev.call(f, n)) }))))));
  };
  const concatStringsSep = (sep: Thunk, l: Thunk): Value => {
    const s = asStr(sep);
    if (s.t !== 'str') return s;
    const items = asList(l);
    if (isErr(items)) return items;
    const parts: string[] = [];
    let sym = !!s.sym;
    const from: Value[] = [s];
    for (const it of items) {
      const v = cur.ev.coerce(w(it));
      if (v.t !== 'str') return v;
      sym ||= !!v.sym;
      from.push(v);
      parts.push(v.v);
    }
    return str(parts.join(s.v), sym, anyAssumed(from));
  };
  const unique = (l: Thunk): Value => {
    const items = asList(l);
    if (isErr(items)) return items;
    const out: Thunk[] = [];
    for (const it of items) {
      let dup = false;
      for (const o of out) {
        const e = cur.ev.equal(it, o);
        if (e.t !== 'bool') return unknown('unique over unknown elements');
        if (e.v) {
          dup = true;
          break;
        }
      }
      if (!dup) out.push(it);
    }
    return list(out);
  };
  const flatten = (th: Thunk, depth = 0): Value => {
    const v = w(th);
    if (v.t === 'unknown') return v;
    if (v.t !== 'list') return list([th]);
    if (depth > 50) return unknown('list nested too deeply');
    const out: Thunk[] = [];
    for (const it of v.items) {
      const inner = w(it);
      if (inner.t === 'unknown') return inner;
      if (inner.t === 'list') {
        const f = flatten(it, depth + 1);
        if (f.t !== 'list') return f;
        out.push(...f.items);
      } else out.push(it);
    }
    return list(out);
  };
  /**
   * Keeps a conditional argument apart: `f (if c then x else y)` becomes
   * `if c then f x else f y`, so the non-default branch stays visible.
   */
  const distribute = (th: Thunk, fn: (branch: Thunk) => Value): Value | null => {
    const raw = th.force();
    if (raw.t !== 'cond' || raw.module) return null;
    const wrap = (b: Thunk | null): Thunk | null => (b ? Thunk.lazy(() => fn(b)) : null);
    return { t: 'cond', guard: raw.guard, then: wrap(raw.then), else: wrap(raw.else), module: false };
  };
  const recursiveUpdate = (a: Thunk, b: Thunk, depth = 0): Value => {
    if (depth === 0) {
      const d = distribute(b, (bb) => recursiveUpdate(a, bb, 0)) ?? distribute(a, (aa) => recursiveUpdate(aa, b, 0));
      if (d) return d;
    }
    const x = asSet(a);
    const y = asSet(b);
    if (x.t !== 'attrs') return x;
    if (y.t !== 'attrs') return y;
    if (depth > 50) return unknown('recursiveUpdate too deep');
    const out: Set = new Map(x.attrs);
    for (const [k, yv] of y.attrs) {
      const xv = x.attrs.get(k);
      if (!xv) {
        out.set(k, yv);
        continue;
      }
      const th = Thunk.lazy(() => {
        const xa = w(xv.th);
        const ya = w(yv.th);
        const isPlainSet = (v: Value) => v.t === 'attrs' && !v.attrs.has('_type');
        if (isPlainSet(xa) && isPlainSet(ya)) return recursiveUpdate(xv.th, yv.th, depth + 1);
        return yv.th.force();
      });
      out.set(k, { th, span: yv.span });
    }
    return { t: 'attrs', attrs: out };
  };
  /**
   * Follows a list of attribute names from a value: the thunk found, the first missing name (the
   * value is not a set, or lacks it), or an unknown (a partially known set, an unknown value).
   */
  const walkPath = (pathTh: Thunk, from: Thunk): { found: Thunk } | { missing: string } | { value: Value } => {
    const path = asList(pathTh);
    if (isErr(path)) return { value: path };
    let cur = from;
    for (const p of path) {
      const k = asStr(p);
      if (k.t !== 'str') return { value: k };
      const s = asSet(cur);
      if (s.t === 'unknown') return { value: s };
      if (s.t !== 'attrs') return { missing: k.v };
      const v = s.attrs.get(k.v);
      if (!v) return s.open ? { value: unknown('partially known set') } : { missing: k.v };
      cur = v.th;
    }
    return { found: cur };
  };
  const replaceStrings = (from: Thunk, to: Thunk, s: Thunk): Value => {
    const fl = asList(from);
    const tl = asList(to);
    if (isErr(fl)) return fl;
    if (isErr(tl)) return tl;
    const src = asStr(s);
    if (src.t !== 'str') return src;
    const pats: string[] = [];
    const reps: string[] = [];
    for (let i = 0; i < fl.length; i++) {
      const p = asStr(fl[i]!);
      const r = asStr(tl[i] ?? V(str('')));
      if (p.t !== 'str') return p;
      if (r.t !== 'str') return r;
      pats.push(p.v);
      reps.push(r.v);
    }
    return symMap(src, (text) => {
    let out = '';
    let i = 0;
    outer: while (i <= text.length) {
      for (let j = 0; j < pats.length; j++) {
        const p = pats[j]!;
        if (text.startsWith(p, i)) {
          out += reps[j];
          if (p.length === 0) {
            if (i < text.length) out += text[i];
            i++;
          } else i += p.length;
          continue outer;
        }
      }
      if (i < text.length) out += text[i];
      i++;
    }
    return out;
    });
  };
  const strPred = (fn: (a: string, b: string) => boolean) => (a: Thunk[]) => {
    const x = asStr(a[0]!);
    const y = asStr(a[1]!, true);
    if (x.t !== 'str') return x;
    if (y.t !== 'str') return y;
    if (x.sym || y.sym) {
      // A fixed prefix/suffix test can still be decided when the instance part is elsewhere.
      return unknown('test on an instance name');
    }
    return bool(fn(x.v, y.v), x.assumed || y.assumed);
  };
  const strFn = (fn: (s: string) => string) => (a: Thunk[]) => {
    const s = asStr(a[0]!, true);
    if (s.t !== 'str') return s;
    return symMap(s, fn);
  };
  const escapeShellArg = (th: Thunk): Value => {
    const s = asStr(th, true);
    if (s.t !== 'str') return s;
    if (s.sym) return str(SYM_NAME, true);
    if (/^[a-zA-Z0-9,._+:@%/-]+$/.test(s.v)) return str(s.v, false, s.assumed);
    return str(`'${s.v.replace(/'/g, `'\\''`)}'`, false, s.assumed);
  };
  const splitString = (sep: Thunk, s: Thunk): Value => {
    const a = asStr(sep);
    const b = asStr(s);
    if (a.t !== 'str') return a;
    if (b.t !== 'str') return b;
    const t = plainText(b);
    if (typeof t !== 'string') return t;
    return list(t.split(a.v).map((p) => V(str(p))));
  };
  const removePrefix = (p: Thunk, s: Thunk): Value => {
    const a = asStr(p);
    const b = asStr(s);
    if (a.t !== 'str') return a;
    if (b.t !== 'str') return b;
    if (b.sym) return unknown('instance name');
    return b.v.startsWith(a.v) ? str(b.v.slice(a.v.length), false, b.assumed) : b;
  };
  const removeSuffix = (p: Thunk, s: Thunk): Value => {
    const a = asStr(p);
    const b = asStr(s);
    if (a.t !== 'str') return a;
    if (b.t !== 'str') return b;
    if (b.sym) return unknown('instance name');
    return b.v.endsWith(a.v) && a.v.length > 0 ? str(b.v.slice(0, b.v.length - a.v.length), false, b.assumed) : b;
  };
  const typeOf = (th: Thunk): Value => {
    const v = w(th);
    if (v.t === 'unknown') return v;
    const names: Record<string, string> = { null: 'null', bool: 'bool', int: 'int', float: 'float', str: 'string', path: 'path', list: 'list', lambda: 'lambda', prim: 'lambda' };
    return str(names[v.t] ?? 'set');
  };
  const isType = (t: string) => (a: Thunk[]) => {
    const v = w(a[0]!);
    if (v.t === 'unknown') return v;
    const name = typeOf(V(v));
    return name.t === 'str' ? bool(name.v === t, v.assumed) : name;
  };
  const head = (l: Thunk): Value => {
    const items = asList(l);
    if (isErr(items)) return items;
    return items[0] ? items[0].force() : unknown('head of an empty list');
  };
  const tail = (l: Thunk): Value => {
    const items = asList(l);
    if (isErr(items)) return items;
    return items.length ? list(items.slice(1)) : unknown('tail of an empty list');
  };
  const length = (l: Thunk): Value => {
    const v = w(l);
    if (v.t === 'unknown') return v;
    if (v.t !== 'list') return unknown('length of a non-list');
    return v.assumed ? { t: 'int', v: v.items.length, assumed: true } : int(v.items.length);
  };
  const elemAt = (l: Thunk, n: Thunk): Value => {
    const items = asList(l);
    if (isErr(items)) return items;
    const i = asInt(n);
    if (i.t !== 'int') return i;
    return items[i.v] ? items[i.v]!.force() : unknown('index out of range');
  };
  const anyAll = (isAny: boolean) => (a: Thunk[]) => {
    const items = asList(a[1]!);
    if (isErr(items)) return items;
    let uncertain: Value | null = null;
    for (const it of items) {
      const r = asBool(w(Thunk.lazy(() => cur.ev.call(a[0]!, it))));
      if (typeof r !== 'boolean') {
        uncertain = r;
        continue;
      }
      if (r === isAny) return bool(isAny);
    }
    return uncertain ?? bool(!isAny);
  };
  const optional = (c: Thunk, x: Thunk): Value => cur.ev.conditional(c, V(list([x])), V(list([])), false);
  const optionals = (c: Thunk, xs: Thunk): Value => cur.ev.conditional(c, xs, V(list([])), false);
  const optionalString = (c: Thunk, s: Thunk): Value => cur.ev.conditional(c, s, V(str('')), false);
  const optionalAttrs = (c: Thunk, s: Thunk): Value => cur.ev.conditional(c, s, V(set({})), false);
  const mkIf = (c: Thunk, v: Thunk): Value => cur.ev.conditional(c, v, null, true);
  const mkOverride = (prio: number) => (v: Thunk): Value => ({ t: 'override', prio, content: v });
  const mkOrder = (prio: number) => (v: Thunk): Value => ({ t: 'order', prio, content: v });

  // ------------------------------------------------------------------ option declarations
  const mkOption = (spec: Thunk): Value => {
    const s = asSet(spec);
    if (s.t !== 'attrs') return set({ _type: str('option') });
    const m: Set = new Map(s.attrs);
    m.set('_type', { th: V(str('option')), span: undefined });
    return { t: 'attrs', attrs: m };
  };
  const mkEnableOption = (): Value => set({ _type: str('option'), default: FALSE, type: { t: 'type', name: 'bool', args: [] } });
  const mkPackageOption = (a: Thunk[]): Value => {
    const spec = asSet(a[2]!);
    let def: Value = unknown('a package');
    if (spec.t === 'attrs' && spec.attrs.has('default')) {
      const d = w(spec.attrs.get('default')!.th);
      if (d.t === 'null') def = NULL;
    }
    return set({ _type: str('option'), default: def, type: { t: 'type', name: 'package', args: [] } });
  };
  const type = (name: string, arity = 0): Value =>
    arity === 0 ? withCheck({ t: 'type', name, args: [] }) : P(`types.${name}`, arity, (args) => ({ t: 'type', name, args }));
  /** `types.<t>.check` where it is decidable from the value alone. */
  const checks: Record<string, (v: Value) => boolean | null> = {
    bool: (v) => v.t === 'bool',
    str: (v) => v.t === 'str',
    string: (v) => v.t === 'str',
    lines: (v) => v.t === 'str',
    int: (v) => v.t === 'int',
    float: (v) => v.t === 'float',
    number: (v) => v.t === 'int' || v.t === 'float',
    port: (v) => v.t === 'int' && v.v >= 0 && v.v <= 65535,
    attrs: (v) => v.t === 'attrs',
    path: (v) => (v.t === 'path' ? true : v.t === 'str' ? (v.sym ? null : v.v.startsWith('/')) : v.t === 'attrs' ? null : false),
  };
  const withCheck = (t: Extract<Value, { t: 'type' }>): Value => {
    const c = checks[t.name];
    if (!c) return t;
    return {
      ...t,
      check: (a) => {
        const v = w(a[0]!);
        if (v.t === 'unknown') return v;
        const r = c(v);
        return r === null ? unknown(`types.${t.name}.check`) : bool(r, v.assumed);
      },
    };
  };
  const typeNames0 = ['bool', 'str', 'string', 'lines', 'commas', 'envVar', 'int', 'ints', 'port', 'float', 'number', 'path', 'pathInStore', 'package', 'attrs', 'anything', 'raw', 'unspecified', 'nonEmptyStr', 'singleLineStr', 'separatedString', 'shellPackage', 'strMatching', 'passwdEntry', 'nonEmptyListOf', 'uniq', 'unique', 'functionTo', 'deferredModule', 'optionType', 'externalPath', 'pkgs', 'luaPackage', 'positiveInt', 'unsigned', 'u8', 'u16', 'u32', 's8', 's16', 's32', 'between', 'numbers', 'floats', 'addCheck', 'enum', 'oneOf', 'coercedTo', 'either', 'nullOr', 'listOf', 'attrsOf', 'lazyAttrsOf', 'submodule', 'submoduleWith', 'boolByOr', 'nonEmptyListOf', 'attrNamesToTrue', 'fileset', 'pathWith', 'intBetween', 'float', 'json', 'ints', 'lazyAttrsOf', 'mkOptionType', 'optionDescriptionPhrase', 'isType', 'setType', 'defaultTypeMerge', 'defaultFunctor', 'isOptionType'];
  const typesSet: Set = new Map();
  const arities: Record<string, number> = {
    nullOr: 1, listOf: 1, attrsOf: 1, lazyAttrsOf: 1, submodule: 1, submoduleWith: 1, either: 2, oneOf: 1, enum: 1,
    coercedTo: 3, strMatching: 1, separatedString: 1, nonEmptyListOf: 1, uniq: 1, unique: 2, functionTo: 1, addCheck: 2,
    between: 2,
  };
  for (const n of typeNames0) typesSet.set(n, { th: V(type(n, arities[n] ?? 0)), span: undefined });
  const intsSet = set({ unsigned: type('ints.unsigned'), positive: type('ints.positive'), u8: type('ints.u8'), u16: type('ints.u16'), u32: type('ints.u32'), between: type('ints.between', 2), s8: type('ints.s8'), s16: type('ints.s16'), s32: type('ints.s32') });
  typesSet.set('ints', { th: V(intsSet), span: undefined });
  typesSet.set('numbers', { th: V(set({ between: type('numbers.between', 2), nonnegative: type('numbers.nonnegative'), positive: type('numbers.positive') })), span: undefined });
  // Closed: `with types;` must not shadow names like mkEnableOption from an outer `with lib;`.
  const types: Value = { t: 'attrs', attrs: typesSet };

  const idP = P('id', 1, (a) => a[0]!.force());
  const mkDoc = P('mdDoc', 1, (a) => a[0]!.force());
  const literal = (name: string) => P(name, 1, (a) => set({ _type: str('literalExpression'), text: a[0]! }));
  const unknownFn = (name: string, arity: number) => P(name, arity, () => unknown(`result of ${name}`));

  const toJSON = (th: Thunk, depth = 0): string | Value => {
    const v = w(th);
    if (depth > 100) return unknown('toJSON too deep');
    switch (v.t) {
      case 'null':
        return 'null';
      case 'bool':
        return v.v ? 'true' : 'false';
      case 'int':
        return String(v.v);
      case 'str':
        return v.sym ? unknown('instance name') : JSON.stringify(v.v);
      case 'list': {
        const parts: string[] = [];
        for (const it of v.items) {
          const p = toJSON(it, depth + 1);
          if (typeof p !== 'string') return p;
          parts.push(p);
        }
        return `[${parts.join(',')}]`;
      }
      case 'attrs': {
        if (v.open) return unknown('partially known set');
        if (v.attrs.has('outPath')) return toJSON(v.attrs.get('outPath')!.th, depth + 1);
        const parts: string[] = [];
        for (const k of [...v.attrs.keys()].sort()) {
          const p = toJSON(v.attrs.get(k)!.th, depth + 1);
          if (typeof p !== 'string') return p;
          parts.push(`${JSON.stringify(k)}:${p}`);
        }
        return `{${parts.join(',')}}`;
      }
      case 'unknown':
        return v;
      default:
        return unknown(`toJSON of a ${typeName(v)}`);
    }
  };

  const shared: Record<string, Value> = {
    map: P('map', 2, (a) => map(a[0]!, a[1]!)),
    filter: P('filter', 2, (a) => filter(a[0]!, a[1]!)),
    concatLists: P('concatLists', 1, (a) => concatLists(a[0]!)),
    concatMap: P('concatMap', 2, (a) => concatLists(V(map(a[0]!, a[1]!)))),
    foldl: P('foldl', 3, (a) => foldl(a[0]!, a[1]!, a[2]!)),
    "foldl'": P("foldl'", 3, (a) => foldl(a[0]!, a[1]!, a[2]!)),
    elem: P('elem', 2, (a) => elem(a[0]!, a[1]!)),
    elemAt: P('elemAt', 2, (a) => elemAt(a[0]!, a[1]!)),
    head: P('head', 1, (a) => head(a[0]!)),
    tail: P('tail', 1, (a) => tail(a[0]!)),
    length: P('length', 1, (a) => length(a[0]!)),
    attrNames: P('attrNames', 1, (a) => attrNames(a[0]!)),
    attrValues: P('attrValues', 1, (a) => attrValues(a[0]!)),
    mapAttrs: P('mapAttrs', 2, (a) => mapAttrs(a[0]!, a[1]!)),
    listToAttrs: P('listToAttrs', 1, (a) => listToAttrs(a[0]!)),
    concatStringsSep: P('concatStringsSep', 2, (a) => concatStringsSep(a[0]!, a[1]!)),
    replaceStrings: P('replaceStrings', 3, (a) => replaceStrings(a[0]!, a[1]!, a[2]!)),
    toString: P('toString', 1, (a) => toStr(a[0]!)),
    isString: P('isString', 1, isType('string')),
    isList: P('isList', 1, isType('list')),
    isAttrs: P('isAttrs', 1, isType('set')),
    isBool: P('isBool', 1, isType('bool')),
    isInt: P('isInt', 1, isType('int')),
    isFloat: P('isFloat', 1, isType('float')),
    isFunction: P('isFunction', 1, isType('lambda')),
    isPath: P('isPath', 1, isType('path')),
    typeOf: P('typeOf', 1, (a) => typeOf(a[0]!)),
    any: P('any', 2, anyAll(true)),
    all: P('all', 2, anyAll(false)),
    removeAttrs: P('removeAttrs', 2, (a) => {
      const s = asSet(a[0]!);
      if (s.t !== 'attrs') return s;
      const names = asList(a[1]!);
      if (isErr(names)) return names;
      const out: Set = new Map(s.attrs);
      for (const n of names) {
        const k = asStr(n);
        if (k.t !== 'str') return k;
        out.delete(k.v);
      }
      return { t: 'attrs', attrs: out, open: s.open };
    }),
    hasAttr: P('hasAttr', 2, (a) => {
      const k = asStr(a[0]!);
      const s = asSet(a[1]!);
      if (k.t !== 'str') return k;
      if (s.t !== 'attrs') return s;
      if (s.attrs.has(k.v)) return withAssumed(TRUE, [s]);
      return s.open ? unknown('partially known set') : withAssumed(FALSE, [s]);
    }),
    getAttr: P('getAttr', 2, (a) => {
      const k = asStr(a[0]!);
      const s = asSet(a[1]!);
      if (k.t !== 'str') return k;
      if (s.t !== 'attrs') return s;
      const v = s.attrs.get(k.v);
      return v ? v.th.force() : s.open?.(k.v) ?? unknown(`attribute '${k.v}' missing`);
    }),
    intersectAttrs: P('intersectAttrs', 2, (a) => {
      const x = asSet(a[0]!);
      const y = asSet(a[1]!);
      if (x.t !== 'attrs') return x;
      if (y.t !== 'attrs') return y;
      const out: Set = new Map();
      for (const [k, v] of y.attrs) if (x.attrs.has(k)) out.set(k, v);
      return { t: 'attrs', attrs: out };
    }),
    catAttrs: P('catAttrs', 2, (a) => {
      const k = asStr(a[0]!);
      if (k.t !== 'str') return k;
      const items = asList(a[1]!);
      if (isErr(items)) return items;
      const out: Thunk[] = [];
      for (const it of items) {
        const s = asSet(it);
        if (s.t !== 'attrs') return s;
        const v = s.attrs.get(k.v);
        if (v) out.push(v.th);
      }
      return list(out);
    }),
    genList: P('genList', 2, (a) => {
      const n = asInt(a[1]!);
      if (n.t !== 'int') return n;
      if (n.v > 100000) return unknown('list too long');
      return list(Array.from({ length: n.v }, (_, i) => Thunk.lazy(() => cur.ev.call(a[0]!, V(int(i))))));
    }),
    seq: P('seq', 2, (a) => (w(a[0]!), a[1]!.force())),
    deepSeq: P('deepSeq', 2, (a) => a[1]!.force()),
    trace: P('trace', 2, (a) => a[1]!.force()),
    warn: P('warn', 2, (a) => a[1]!.force()),
    throw: P('throw', 1, (a) => {
      const m = asStr(a[0]!);
      return unknown(`throw ${m.t === 'str' ? JSON.stringify(m.v) : ''}`.trim());
    }),
    abort: P('abort', 1, () => unknown('abort')),
    import: P('import', 1, () => unknown('an imported file')),
    baseNameOf: P('baseNameOf', 1, (a) => {
      const v = w(a[0]!);
      if (v.t !== 'str' && v.t !== 'path') return v.t === 'unknown' ? v : unknown('baseNameOf a non-string');
      if (v.t === 'str' && v.sym) return unknown('instance name');
      const s = v.v.replace(/\/+$/, '');
      return str(s.slice(s.lastIndexOf('/') + 1), false, v.assumed);
    }),
    dirOf: P('dirOf', 1, (a) => {
      const v = w(a[0]!);
      if (v.t !== 'str') return v.t === 'unknown' ? v : unknown('dirOf a path');
      if (v.sym) return unknown('instance name');
      const i = v.v.lastIndexOf('/');
      return str(i <= 0 ? (v.v.startsWith('/') ? '/' : '.') : v.v.slice(0, i), false, v.assumed);
    }),
    isNull: P('isNull', 1, (a) => {
      const v = w(a[0]!);
      return v.t === 'unknown' ? v : bool(v.t === 'null', v.assumed);
    }),
    stringLength: P('stringLength', 1, (a) => {
      const s = asStr(a[0]!, true);
      if (s.t !== 'str') return s;
      return s.sym ? unknown('instance name') : int(s.v.length);
    }),
    substring: P('substring', 3, (a) => {
      const st = asInt(a[0]!);
      const len = asInt(a[1]!);
      const s = asStr(a[2]!, true);
      if (st.t !== 'int') return st;
      if (len.t !== 'int') return len;
      if (s.t !== 'str') return s;
      if (s.sym) return unknown('instance name');
      return str(len.v < 0 ? s.v.slice(st.v) : s.v.substr(st.v, len.v), false, s.assumed);
    }),
    lessThan: P('lessThan', 2, (a) => {
      const c = cur.ev.compare(w(a[0]!), w(a[1]!));
      return c === null ? unknown('comparison') : bool(c < 0);
    }),
    add: P('add', 2, (a) => cur.ev.add(w(a[0]!), w(a[1]!))),
    sort: P('sort', 2, (a) => {
      const items = asList(a[1]!);
      if (isErr(items)) return items;
      if (items.length > 5000) return unknown('list too long to sort');
      let failed: Value | null = null;
      const sorted = [...items].sort((x, y) => {
        if (failed) return 0;
        const lt = w(Thunk.lazy(() => cur.ev.call(a[0]!, x, y)));
        if (lt.t !== 'bool') {
          failed = lt;
          return 0;
        }
        if (lt.v) return -1;
        const gt = w(Thunk.lazy(() => cur.ev.call(a[0]!, y, x)));
        if (gt.t !== 'bool') {
          failed = gt;
          return 0;
        }
        return gt.v ? 1 : 0;
      });
      return failed ?? list(sorted);
    }),
    toJSON: P('toJSON', 1, (a) => {
      const j = toJSON(a[0]!);
      return typeof j === 'string' ? str(j) : j;
    }),
    fromJSON: P('fromJSON', 1, (a) => {
      const s = asStr(a[0]!);
      if (s.t !== 'str' || s.sym) return s.t === 'str' ? unknown('instance name') : s;
      try {
        return fromJs(JSON.parse(s.v));
      } catch {
        return unknown('invalid JSON');
      }
    }),
    readFile: unknownFn('readFile', 1),
    pathExists: unknownFn('pathExists', 1),
    getEnv: unknownFn('getEnv', 1),
    hashString: unknownFn('hashString', 2),
    toFile: unknownFn('toFile', 2),
    fetchurl: unknownFn('fetchurl', 1),
    fetchTarball: unknownFn('fetchTarball', 1),
    derivation: unknownFn('derivation', 1),
    placeholder: unknownFn('placeholder', 1),
    match: unknownFn('match', 2),
    split: unknownFn('split', 2),
    compareVersions: unknownFn('compareVersions', 2),
    functionArgs: unknownFn('functionArgs', 1),
    tryEval: P('tryEval', 1, (a) => {
      const v = w(a[0]!);
      if (v.t === 'unknown') return v;
      return set({ success: TRUE, value: a[0]! });
    }),
    partition: unknownFn('partition', 2),
    groupBy: unknownFn('groupBy', 2),
    zipAttrsWith: unknownFn('zipAttrsWith', 2),
    mapAttrsRecursive: unknownFn('mapAttrsRecursive', 2),
  };

  const builtinsSet: Set = new Map();
  for (const [k, v] of Object.entries(shared)) builtinsSet.set(k, { th: V(v), span: undefined });
  builtinsSet.set('storeDir', { th: V(str('/nix/store')), span: undefined });
  builtinsSet.set('nixVersion', { th: V(unknown('nix version')), span: undefined });
  builtinsSet.set('currentSystem', { th: V(unknown('the build system')), span: undefined });
  builtinsSet.set('true', { th: V(TRUE), span: undefined });
  builtinsSet.set('false', { th: V(FALSE), span: undefined });
  builtinsSet.set('null', { th: V(NULL), span: undefined });
  const builtins: Value = { t: 'attrs', attrs: builtinsSet, open: (n) => unknown(`builtins.${n}`), closedInWith: true };

  const libOnly: Record<string, Value> = {
    mkIf: P('mkIf', 2, (a) => mkIf(a[0]!, a[1]!)),
    mkMerge: P('mkMerge', 1, (a) => {
      const items = asList(a[0]!);
      if (isErr(items)) return items;
      return { t: 'merge', items };
    }),
    mkOverride: P('mkOverride', 2, (a) => {
      const p = asInt(a[0]!);
      if (p.t !== 'int') return p;
      return mkOverride(p.v)(a[1]!);
    }),
    mkDefault: P('mkDefault', 1, (a) => mkOverride(PRIO.default)(a[0]!)),
    mkForce: P('mkForce', 1, (a) => mkOverride(PRIO.force)(a[0]!)),
    mkOptionDefault: P('mkOptionDefault', 1, (a) => mkOverride(PRIO.optionDefault)(a[0]!)),
    mkImageMediaOverride: P('mkImageMediaOverride', 1, (a) => mkOverride(60)(a[0]!)),
    mkVMOverride: P('mkVMOverride', 1, (a) => mkOverride(10)(a[0]!)),
    mkFixStrictness: idP,
    mkOrder: P('mkOrder', 2, (a) => {
      const p = asInt(a[0]!);
      if (p.t !== 'int') return p;
      return mkOrder(p.v)(a[1]!);
    }),
    mkBefore: P('mkBefore', 1, (a) => mkOrder(ORDER.before)(a[0]!)),
    mkAfter: P('mkAfter', 1, (a) => mkOrder(ORDER.after)(a[0]!)),
    optional: P('optional', 2, (a) => optional(a[0]!, a[1]!)),
    optionals: P('optionals', 2, (a) => optionals(a[0]!, a[1]!)),
    optionalString: P('optionalString', 2, (a) => optionalString(a[0]!, a[1]!)),
    optionalAttrs: P('optionalAttrs', 2, (a) => optionalAttrs(a[0]!, a[1]!)),
    flatten: P('flatten', 1, (a) => flatten(a[0]!)),
    unique: P('unique', 1, (a) => unique(a[0]!)),
    singleton: P('singleton', 1, (a) => list([a[0]!])),
    toList: P('toList', 1, (a) => {
      const v = w(a[0]!);
      return v.t === 'list' || v.t === 'unknown' ? v : list([a[0]!]);
    }),
    forEach: P('forEach', 2, (a) => map(a[1]!, a[0]!)),
    imap0: unknownFn('imap0', 2),
    imap1: unknownFn('imap1', 2),
    last: P('last', 1, (a) => {
      const items = asList(a[0]!);
      if (isErr(items)) return items;
      return items.length ? items[items.length - 1]!.force() : unknown('last of an empty list');
    }),
    take: P('take', 2, (a) => {
      const n = asInt(a[0]!);
      const items = asList(a[1]!);
      if (n.t !== 'int') return n;
      if (isErr(items)) return items;
      return list(items.slice(0, Math.max(0, n.v)));
    }),
    drop: P('drop', 2, (a) => {
      const n = asInt(a[0]!);
      const items = asList(a[1]!);
      if (n.t !== 'int') return n;
      if (isErr(items)) return items;
      return list(items.slice(Math.max(0, n.v)));
    }),
    reverseList: P('reverseList', 1, (a) => {
      const items = asList(a[0]!);
      return isErr(items) ? items : list([...items].reverse());
    }),
    range: P('range', 2, (a) => {
      const x = asInt(a[0]!);
      const y = asInt(a[1]!);
      if (x.t !== 'int') return x;
      if (y.t !== 'int') return y;
      if (y.v - x.v > 100000) return unknown('range too long');
      const out: Thunk[] = [];
      for (let i = x.v; i <= y.v; i++) out.push(V(int(i)));
      return list(out);
    }),
    count: P('count', 2, (a) => {
      const f = filter(a[0]!, a[1]!);
      return f.t === 'list' ? int(f.items.length) : f;
    }),
    subtractLists: P('subtractLists', 2, (a) => {
      const rm = asList(a[0]!);
      const items = asList(a[1]!);
      if (isErr(rm)) return rm;
      if (isErr(items)) return items;
      return filter(V(P('notIn', 1, (b) => {
        const e = elem(b[0]!, V(list(rm)));
        return e.t === 'bool' ? bool(!e.v) : e;
      })), V(list(items)));
    }),
    intersectLists: P('intersectLists', 2, (a) => {
      const keep = asList(a[0]!);
      if (isErr(keep)) return keep;
      return filter(V(P('in', 1, (b) => elem(b[0]!, V(list(keep))))), a[1]!);
    }),
    foldr: P('foldr', 3, (a) => foldr(a[0]!, a[1]!, a[2]!)),
    fold: P('fold', 3, (a) => foldr(a[0]!, a[1]!, a[2]!)),
    id: idP,
    const: P('const', 2, (a) => a[0]!.force()),
    flip: P('flip', 3, (a) => cur.ev.call(a[0]!, a[2]!, a[1]!)),
    pipe: P('pipe', 2, (a) => {
      const fs = asList(a[1]!);
      if (isErr(fs)) return fs;
      let acc = a[0]!;
      for (const f of fs) {
        const prev = acc;
        acc = Thunk.lazy(() => cur.ev.call(f, prev));
      }
      return acc.force();
    }),
    nameValuePair: P('nameValuePair', 2, (a) => nameValuePair(a[0]!, a[1]!)),
    "mapAttrs'": P("mapAttrs'", 2, (a) => mapAttrs2(a[0]!, a[1]!)),
    mapAttrsToList: P('mapAttrsToList', 2, (a) => mapAttrsToList(a[0]!, a[1]!)),
    mapAttrsFlatten: P('mapAttrsFlatten', 2, (a) => mapAttrsToList(a[0]!, a[1]!)),
    concatMapAttrs: P('concatMapAttrs', 2, (a) => {
      const lists = mapAttrsToList(a[0]!, a[1]!);
      if (lists.t !== 'list') return lists;
      return foldl(V(P('merge', 2, (b) => cur.ev.update(w(b[0]!), b[1]!.force()))), V(set({})), V(lists));
    }),
    filterAttrs: P('filterAttrs', 2, (a) => filterAttrs(a[0]!, a[1]!)),
    genAttrs: P('genAttrs', 2, (a) => genAttrs(a[0]!, a[1]!)),
    recursiveUpdate: P('recursiveUpdate', 2, (a) => recursiveUpdate(a[0]!, a[1]!)),
    attrByPath: P('attrByPath', 3, (a) => {
      const r = walkPath(a[0]!, a[2]!);
      return 'found' in r ? r.found.force() : 'missing' in r ? a[1]!.force() : r.value;
    }),
    getAttrFromPath: P('getAttrFromPath', 2, (a) => {
      const r = walkPath(a[0]!, a[1]!);
      return 'found' in r ? r.found.force() : 'missing' in r ? unknown(`attribute '${r.missing}' missing`) : r.value;
    }),
    setAttrByPath: P('setAttrByPath', 2, (a) => {
      const path = asList(a[0]!);
      if (isErr(path)) return path;
      let acc: Thunk = a[1]!;
      for (let i = path.length - 1; i >= 0; i--) {
        const k = asStr(path[i]!);
        if (k.t !== 'str') return k;
        acc = V(set({ [k.v]: acc }));
      }
      return acc.force();
    }),
    hasAttrByPath: P('hasAttrByPath', 2, (a) => {
      const r = walkPath(a[0]!, a[1]!);
      return 'found' in r ? TRUE : 'missing' in r ? FALSE : r.value;
    }),
    concatStrings: P('concatStrings', 1, (a) => concatStringsSep(V(str('')), a[0]!)),
    concatMapStrings: P('concatMapStrings', 2, (a) => concatStringsSep(V(str('')), V(map(a[0]!, a[1]!)))),
    concatMapStringsSep: P('concatMapStringsSep', 3, (a) => concatStringsSep(a[0]!, V(map(a[1]!, a[2]!)))),
    concatLines: P('concatLines', 1, (a) => {
      const items = asList(a[0]!);
      if (isErr(items)) return items;
      return concatStringsSep(V(str('')), V(list(items.map((it) => Thunk.lazy(() => cur.ev.add(w(it), str('\n')))))));
    }),
    intersperse: unknownFn('intersperse', 2),
    escapeShellArg: P('escapeShellArg', 1, (a) => escapeShellArg(a[0]!)),
    escapeShellArgs: P('escapeShellArgs', 1, (a) => concatStringsSep(V(str(' ')), V(map(V(P('escapeShellArg', 1, (b) => escapeShellArg(b[0]!))), a[0]!)))),
    hasPrefix: P('hasPrefix', 2, strPred((p, s) => s.startsWith(p))),
    hasSuffix: P('hasSuffix', 2, strPred((p, s) => s.endsWith(p))),
    hasInfix: P('hasInfix', 2, strPred((p, s) => s.includes(p))),
    removePrefix: P('removePrefix', 2, (a) => removePrefix(a[0]!, a[1]!)),
    removeSuffix: P('removeSuffix', 2, (a) => removeSuffix(a[0]!, a[1]!)),
    splitString: P('splitString', 2, (a) => splitString(a[0]!, a[1]!)),
    toUpper: P('toUpper', 1, strFn((s) => s.toUpperCase())),
    toLower: P('toLower', 1, strFn((s) => s.toLowerCase())),
    boolToString: P('boolToString', 1, (a) => {
      const b = w(a[0]!);
      return b.t === 'bool' ? str(b.v ? 'true' : 'false', false, b.assumed) : b.t === 'unknown' ? b : unknown('not a boolean');
    }),
    getExe: P('getExe', 1, () => unknown('path of a package executable')),
    "getExe'": P("getExe'", 2, () => unknown('path of a package executable')),
    getBin: P('getBin', 1, () => unknown('a package output')),
    getLib: P('getLib', 1, () => unknown('a package output')),
    getOutput: P('getOutput', 2, () => unknown('a package output')),
    makeBinPath: P('makeBinPath', 1, () => unknown('a search path of packages')),
    makeLibraryPath: P('makeLibraryPath', 1, () => unknown('a search path of packages')),
    makeSearchPath: P('makeSearchPath', 2, () => unknown('a search path of packages')),
    versionAtLeast: unknownFn('versionAtLeast', 2),
    versionOlder: unknownFn('versionOlder', 2),
    fileContents: unknownFn('fileContents', 1),
    mkOption: P('mkOption', 1, (a) => mkOption(a[0]!)),
    mkEnableOption: P('mkEnableOption', 1, () => mkEnableOption()),
    mkPackageOption: P('mkPackageOption', 3, (a) => mkPackageOption(a)),
    mkPackageOptionMD: P('mkPackageOptionMD', 3, (a) => mkPackageOption(a)),
    mkSinkUndeclaredOptions: P('mkSinkUndeclaredOptions', 1, () => set({ _type: str('option') })),
    mkRemovedOptionModule: unknownFn('mkRemovedOptionModule', 2),
    mkRenamedOptionModule: unknownFn('mkRenamedOptionModule', 2),
    mkAliasOptionModule: unknownFn('mkAliasOptionModule', 2),
    mkChangedOptionModule: unknownFn('mkChangedOptionModule', 3),
    mkMergedOptionModule: unknownFn('mkMergedOptionModule', 3),
    mdDoc: mkDoc,
    literalExpression: literal('literalExpression'),
    literalExample: literal('literalExample'),
    literalMD: literal('literalMD'),
    literalDocBook: literal('literalDocBook'),
    types,
    maintainers: unknown('maintainer list'),
    teams: unknown('team list'),
    licenses: unknown('license list'),
    platforms: unknown('platform list'),
    systems: unknown('lib.systems'),
    trivial: unknown('lib.trivial'),
    isDerivation: P('isDerivation', 1, (a) => {
      const v = w(a[0]!);
      if (v.t === 'unknown' || v.t === 'attrs' && v.open) return unknown('whether a value is a package');
      return bool(v.t === 'attrs' && v.attrs.has('type'));
    }),
    escape: unknownFn('escape', 2),
    escapeRegex: unknownFn('escapeRegex', 1),
    strings: unknown('lib.strings'),
    fix: unknownFn('fix', 1),
    extends: unknownFn('extends', 3),
  };
  // lib also exposes the builtins it re-exports.
  const libSet: Set = new Map();
  for (const [k, v] of Object.entries(shared)) libSet.set(k, { th: V(v), span: undefined });
  for (const [k, v] of Object.entries(libOnly)) libSet.set(k, { th: V(v), span: undefined });
  // Namespaced copies (lib.lists.optionals, lib.attrsets.mapAttrs', lib.modules.mkIf, ...).
  const ns: Record<string, string[]> = {
    lists: ['optional', 'optionals', 'flatten', 'unique', 'singleton', 'toList', 'forEach', 'last', 'take', 'drop', 'range', 'count', 'subtractLists', 'intersectLists', 'foldr', 'fold', 'foldl', "foldl'", 'concatLists', 'concatMap', 'filter', 'elem', 'elemAt', 'head', 'tail', 'length', 'map', 'any', 'all', 'reverseList', 'sort'],
    attrsets: ['optionalAttrs', 'nameValuePair', "mapAttrs'", 'mapAttrsToList', 'mapAttrsFlatten', 'concatMapAttrs', 'filterAttrs', 'genAttrs', 'recursiveUpdate', 'attrByPath', 'getAttrFromPath', 'setAttrByPath', 'hasAttrByPath', 'attrNames', 'attrValues', 'mapAttrs', 'listToAttrs', 'catAttrs', 'removeAttrs', 'intersectAttrs', 'getExe', "getExe'", 'getBin', 'getLib', 'getOutput', 'isDerivation'],
    strings: ['optionalString', 'concatStrings', 'concatMapStrings', 'concatMapStringsSep', 'concatStringsSep', 'concatLines', 'escapeShellArg', 'escapeShellArgs', 'hasPrefix', 'hasSuffix', 'hasInfix', 'removePrefix', 'removeSuffix', 'splitString', 'toUpper', 'toLower', 'replaceStrings', 'makeBinPath', 'makeLibraryPath', 'makeSearchPath', 'versionAtLeast', 'versionOlder', 'fileContents', 'toString', 'stringLength', 'substring', 'escape'],
    modules: ['mkIf', 'mkMerge', 'mkOverride', 'mkDefault', 'mkForce', 'mkOptionDefault', 'mkOrder', 'mkBefore', 'mkAfter', 'mkRemovedOptionModule', 'mkRenamedOptionModule', 'mkAliasOptionModule', 'mkChangedOptionModule', 'mkMergedOptionModule', 'mkImageMediaOverride', 'mkVMOverride', 'mkFixStrictness'],
    options: ['mkOption', 'mkEnableOption', 'mkPackageOption', 'mkPackageOptionMD', 'mkSinkUndeclaredOptions', 'literalExpression', 'literalExample', 'literalMD', 'mdDoc'],
    trivial: ['id', 'const', 'flip', 'pipe', 'boolToString', 'warn', 'throw'],
  };
  for (const [n, names] of Object.entries(ns)) {
    const m: Set = new Map();
    for (const k of names) {
      const entry = libSet.get(k);
      if (entry) m.set(k, entry);
    }
    libSet.set(n, { th: V({ t: 'attrs', attrs: m, open: (k) => unknown(`lib.${n}.${k}`), closedInWith: true }), span: undefined });
  }
  libSet.set('types', { th: V(types), span: undefined });
  const lib: Value = { t: 'attrs', attrs: libSet, open: (k) => P(`lib.${k}`, 1, () => unknown(`result of lib.${k}`)), closedInWith: true };

  // The global scope: builtins plus the names Nix makes visible without `builtins.`.
  const rootVars = new Map<string, Thunk>();
  rootVars.set('builtins', V(builtins));
  for (const k of ['true', 'false', 'null', 'map', 'toString', 'import', 'throw', 'abort', 'baseNameOf', 'dirOf', 'isNull', 'removeAttrs', 'derivation', 'placeholder', 'fetchTarball']) {
    rootVars.set(k, builtinsSet.get(k)!.th);
  }
  return { builtins, lib, root: new Env(rootVars, null, null) };
}

/** A known value from parsed JSON. */
export function fromJs(x: unknown): Value {
  if (x === null) return NULL;
  if (typeof x === 'boolean') return bool(x);
  if (typeof x === 'number') return Number.isInteger(x) ? int(x) : { t: 'float', v: x };
  if (typeof x === 'string') return str(x);
  if (Array.isArray(x)) return list(x.map((e) => Thunk.of(fromJs(e))));
  const m = new Map<string, Attr>();
  for (const [k, v] of Object.entries(x as Record<string, unknown>)) m.set(k, { th: Thunk.of(fromJs(v)), span: undefined });
  return { t: 'attrs', attrs: m };
}

export { SYM_NAME };
