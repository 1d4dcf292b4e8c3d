/**
 * A module's own option declarations and the values they take in the defaults view: the module
 * enabled (each top-level `enable` option true), every other option at its declared default.
 * Instance options (`attrsOf (submodule ...)`) hold one generic instance whose key is unknown.
 */
import { PRIO } from '../nix/builtins.js';
import type { Evaluator } from '../nix/eval.js';
import { asAttrs } from '../nix/eval.js';
import { type Def, prioAt } from './module.js';
import {
  type Attr,
  SYM_NAME,
  SYM_UNKNOWN,
  Thunk,
  type Value,
  assume,
  str,
  unknown,
  TRUE,
} from '../nix/values.js';

export interface OptionDecl {
  path: string[];
  decl: Extract<Value, { t: 'attrs' }>;
  line: number;
}

const MAX_OPTION_DEPTH = 12;

/** Collects `mkOption` declarations below an `options` value. */
export function collectOptions(ev: Evaluator, options: Thunk, prefix: string[] = []): OptionDecl[] {
  const out: OptionDecl[] = [];
  const walk = (th: Thunk, path: string[], line: number, depth: number): void => {
    if (depth > MAX_OPTION_DEPTH || !ev.tick()) return;
    const raw = ev.whnf(th);
    // `mkMerge`/`mkIf` are rare in option declarations; look through them.
    if (raw.t === 'merge') {
      for (const it of raw.items) walk(it, path, line, depth + 1);
      return;
    }
    const v = asAttrs(raw);
    if (v.t !== 'attrs') return;
    const type = v.attrs.get('_type');
    if (type) {
      const t = ev.whnf(type.th);
      if (t.t === 'str' && t.v === 'option') out.push({ path, decl: v, line });
      return;
    }
    for (const [k, a] of v.attrs) walk(a.th, [...path, k], a.span?.line ?? line, depth + 1);
  };
  walk(options, prefix, 0, 0);
  return out;
}

/** `enable` options with no declared `enable` above them: the switches that turn the module on. */
export function topEnables(decls: OptionDecl[]): Set<string> {
  const enables = decls.filter((d) => d.path[d.path.length - 1] === 'enable').map((d) => d.path.slice(0, -1));
  const top = new Set<string>();
  for (const p of enables) {
    const shadowed = enables.some((q) => q.length < p.length && q.every((s, i) => s === p[i]));
    if (!shadowed) top.add([...p, 'enable'].join('\u0000'));
  }
  return top;
}

interface TypeShape {
  kind: 'submodule' | 'attrsOfSubmodule' | 'listOfSubmodule' | 'other';
  module?: Thunk;
}

/** Recognises `submodule m`, `attrsOf (submodule m)`, `listOf (submodule m)` (also under nullOr). */
function typeShape(ev: Evaluator, th: Thunk | undefined, depth = 0): TypeShape {
  if (!th || depth > 6) return { kind: 'other' };
  const t = ev.whnf(th);
  if (t.t !== 'type') return { kind: 'other' };
  const arg = t.args[0];
  switch (t.name) {
    case 'submodule':
      return { kind: 'submodule', module: arg };
    case 'submoduleWith': {
      const spec = arg ? asAttrs(ev.whnf(arg)) : undefined;
      const mods = spec?.t === 'attrs' ? spec.attrs.get('modules') : undefined;
      if (!mods) return { kind: 'other' };
      const l = ev.whnf(mods.th);
      return l.t === 'list' && l.items[0] ? { kind: 'submodule', module: l.items[0] } : { kind: 'other' };
    }
    case 'attrsOf':
    case 'lazyAttrsOf': {
      const inner = typeShape(ev, arg, depth + 1);
      return inner.kind === 'submodule' ? { kind: 'attrsOfSubmodule', module: inner.module } : { kind: 'other' };
    }
    case 'listOf': {
      const inner = typeShape(ev, arg, depth + 1);
      return inner.kind === 'submodule' ? { kind: 'listOfSubmodule', module: inner.module } : { kind: 'other' };
    }
    case 'nullOr':
      return typeShape(ev, arg, depth + 1);
    default:
      return { kind: 'other' };
  }
}

const STRING_TYPES = new Set(['str', 'string', 'nonEmptyStr', 'singleLineStr', 'strMatching', 'passwdEntry']);

function isStringType(ev: Evaluator, th: Thunk | undefined): boolean {
  if (!th) return false;
  const t = ev.whnf(th);
  return t.t === 'type' && STRING_TYPES.has(t.name);
}

export class OptionModel {
  private readonly byPath = new Map<string, OptionDecl>();
  private readonly prefixes = new Set<string>();
  private readonly enables: Set<string>;
  private readonly cache = new Map<string, Thunk>();
  /** While the module's own definitions are being collected, options read their declared value only. */
  private collecting = 0;

  constructor(
    private readonly ev: Evaluator,
    readonly decls: OptionDecl[],
    /** Makes the value of a submodule's `config`-less option set for an instance. */
    private readonly submoduleArgs: (name: Thunk, config: Thunk) => Thunk,
    enableAll = true,
    /** A generic instance: string options without a default stand for a per-instance text. */
    private readonly generic = false,
    /** The module's own definitions of an option path (only for the module's top-level options). */
    private readonly ownDefs?: (path: string[]) => Def[],
  ) {
    for (const d of decls) {
      const key = d.path.join('\u0000');
      this.byPath.set(key, d);
      for (let i = 0; i < d.path.length; i++) this.prefixes.add(d.path.slice(0, i).join('\u0000'));
    }
    this.enables = enableAll ? topEnables(decls) : new Set();
  }

  /** The defaults-view value of the option at `path`, or undefined when none is declared there. */
  optionValue(path: string[]): Thunk | undefined {
    const key = path.join('\u0000');
    const decl = this.byPath.get(key);
    if (!decl) return undefined;
    if (this.collecting > 0) return Thunk.lazy(() => assume(this.compute(decl)));
    const cached = this.cache.get(key);
    if (cached) return cached;
    const th = Thunk.lazy(() => assume(this.withOwnDefinitions(decl, this.compute(decl))));
    this.cache.set(key, th);
    return th;
  }

  /**
   * `config.users.users.<n>.name` (or groups): the attribute name, when this module defines that
   * user itself and does not set its `name`; NixOS defaults `name` to the attribute name.
   */
  accountName(path: string[]): Value | undefined {
    const [a, kind, n, field] = path;
    if (path.length !== 4 || a !== 'users' || (kind !== 'users' && kind !== 'groups') || field !== 'name' || !this.ownDefs) return undefined;
    const defines = this.ownDefs([a, kind, n!]).some((d) => d.guards.every((g) => g.guard.value === g.want));
    if (!defines) return undefined;
    const named = this.ownDefs([a, kind, n!, 'name']);
    return named.length === 0 ? str(n!) : undefined;
  }

  /**
   * Runs `fn` with options reading their declared values only: finding which definitions a
   * module makes must not depend on those definitions (the module system is lazy there; a
   * condition in the structure of `config` sees the declared defaults).
   */
  declaredOnly<T>(fn: () => T): T {
    this.collecting++;
    try {
      return fn();
    } finally {
      this.collecting--;
    }
  }

  isPrefix(path: string[]): boolean {
    return this.prefixes.has(path.join('\u0000'));
  }

  /** The names declared directly below `path`. */
  childNames(path: string[]): string[] {
    const names = new Set<string>();
    for (const d of this.decls) {
      if (d.path.length > path.length && path.every((s, i) => d.path[i] === s)) names.add(d.path[path.length]!);
    }
    return [...names];
  }

  private compute(decl: OptionDecl): Value {
    const ev = this.ev;
    if (this.enables.has(decl.path.join('\u0000'))) return TRUE;
    const get = (k: string): Attr | undefined => decl.decl.attrs.get(k);
    const shape = typeShape(ev, get('type')?.th);
    let value: Value;
    const def = get('default');
    if (def && shape.kind !== 'other' && ev.whnf(def.th).t === 'null') {
      // `nullOr (submodule ...)` with `default = null`: null, not the submodule's defaults.
      value = def.th.force();
    } else if (shape.kind === 'submodule' && shape.module) {
      // A module without an `enable` of its own (one made of parts, each with its own switch) is
      // enabled by turning its parts on.
      value = this.submoduleValue(shape.module, def?.th, Thunk.of(unknown('name of a submodule option')), false, this.enables.size === 0);
    } else if (shape.kind === 'attrsOfSubmodule' && shape.module) {
      value = this.instancesValue(shape.module, def?.th);
    } else if (shape.kind === 'listOfSubmodule' && shape.module) {
      const d = def ? ev.whnf(def.th) : undefined;
      if (d && d.t === 'list' && d.items.length > 0) {
        value = { t: 'list', items: d.items.map((it) => Thunk.lazy(() => this.submoduleValue(shape.module!, it, Thunk.of(unknown('name of a list element'))))) };
      } else {
        value = { t: 'list', items: [Thunk.lazy(() => this.submoduleValue(shape.module!, undefined, Thunk.of(str(SYM_NAME, true)), true))] };
      }
    } else if (def) {
      value = def.th.force();
    } else if (this.generic && isStringType(ev, get('type')?.th)) {
      value = str(SYM_UNKNOWN, true);
    } else {
      return unknown(`option ${decl.path.join('.')} has no default`);
    }
    const apply = get('apply');
    if (apply) return ev.call(apply.th, Thunk.of(value));
    return value;
  }

  /**
   * The declared default (priority 1500, mkOptionDefault) merged with the module's own
   * definitions of the option in the defaults view: the best priority wins; lists concatenate,
   * sets merge key by key, equal scalars agree, anything else is unknown.
   */
  private withOwnDefinitions(decl: OptionDecl, declared: Value): Value {
    if (!this.ownDefs || this.enables.has(decl.path.join('\u0000'))) return declared;
    const defs = this.ownDefs(decl.path);
    if (defs.length === 0) return declared;
    const depth = decl.path.length;
    const items: DefItem[] = [];
    for (const d of defs) {
      let on: boolean | null = true;
      for (const { guard, want } of d.guards) {
        const v = guard.value;
        if (v === null) on = null;
        else if (v !== want) on = false;
        if (on === false) break;
      }
      if (on === false) continue;
      if (on === null) return unknown(`option ${decl.path.join('.')} is set under a condition that cannot be decided`);
      items.push({ prio: prioAt(d, depth, depth), th: d.th, childPrio: PRIO.plain });
    }
    if (items.length === 0) return declared;
    items.push({ prio: PRIO.optionDefault, th: Thunk.of(declared), childPrio: PRIO.optionDefault });
    const submodule = typeShape(this.ev, decl.decl.attrs.get('type')?.th).kind === 'submodule';
    return mergeDefinitionValues(this.ev, items, 0, submodule);
  }

  /** `attrsOf (submodule m)`: the declared default's entries, or one generic instance. */
  private instancesValue(module: Thunk, def: Thunk | undefined): Value {
    const d = def ? asAttrs(this.ev.whnf(def)) : undefined;
    const out = new Map<string, Attr>();
    if (d && d.t === 'attrs' && d.attrs.size > 0) {
      for (const [k, a] of d.attrs) {
        out.set(k, { th: Thunk.lazy(() => this.submoduleValue(module, a.th, Thunk.of(str(k)))), span: a.span });
      }
      return { t: 'attrs', attrs: out };
    }
    if (d && d.t !== 'attrs' && d.t !== 'unknown') return d;
    out.set(SYM_NAME, { th: Thunk.lazy(() => this.submoduleValue(module, undefined, Thunk.of(str(SYM_NAME, true)), true)), span: undefined });
    return { t: 'attrs', attrs: out };
  }

  /**
   * A submodule's value: its own options at their defaults, overlaid with the given definition.
   * `instance` marks a generic instance, whose own `enable` switches are on.
   */
  private submoduleValue(module: Thunk, given: Thunk | undefined, name: Thunk, instance = false, enableParts = false): Value {
    const ev = this.ev;
    const self: { model?: OptionModel; value?: Value } = {};
    const configTh = Thunk.lazy(() => self.value ?? unknown('submodule config'));
    const mod = this.submoduleArgs(name, configTh).force();
    // The submodule may be a function of { name, config, ... }.
    let m: Value = ev.whnf(module);
    if (m.t === 'lambda' || m.t === 'prim') m = ev.applyValue(m, Thunk.of(mod));
    m = asAttrs(m);
    if (m.t !== 'attrs') return given ? given.force() : unknown('submodule of unknown shape');
    const optsAttr = m.attrs.get('options');
    const decls = optsAttr ? collectOptions(ev, optsAttr.th) : [];
    const model = new OptionModel(ev, decls, this.submoduleArgs, instance || enableParts, instance);
    self.model = model;
    const givenV = given ? asAttrs(ev.whnf(given)) : undefined;
    const out = new Map<string, Attr>();
    if (givenV && givenV.t === 'attrs') for (const [k, a] of givenV.attrs) out.set(k, a);
    for (const top of model.childNames([])) {
      if (out.has(top)) {
        const decl = model.optionValue([top]);
        const nested = model.childNames([top]);
        if (!decl && nested.length > 0) {
          // Merge a partial definition of a nested option set with the nested defaults.
          const given1 = out.get(top)!;
          out.set(top, { th: Thunk.lazy(() => ev.update(model.subtree([top]), ev.whnf(given1.th))), span: given1.span });
        }
        continue;
      }
      const th = model.optionValue([top]) ?? Thunk.lazy(() => model.subtree([top]));
      out.set(top, { th, span: undefined });
    }
    const value: Value = { t: 'attrs', attrs: out };
    self.value = value;
    return value;
  }

  /** The set of option values below a prefix. */
  subtree(path: string[]): Value {
    const out = new Map<string, Attr>();
    for (const n of this.childNames(path)) {
      const p = [...path, n];
      out.set(n, { th: this.optionValue(p) ?? Thunk.lazy(() => this.subtree(p)), span: undefined });
    }
    return { t: 'attrs', attrs: out };
  }
}

/**
 * The `config` argument: the module's own options resolve to their defaults-view values; every
 * other option (another module's) is unknown.
 */
export function configProxy(model: () => OptionModel | undefined, path: string[] = []): Value {
  return {
    t: 'attrs',
    attrs: new Map(),
    open: (name: string) => {
      const p = [...path, name];
      const m = model();
      // Forced while the module itself is still being evaluated (before its options are read).
      if (!m) return unknown(`config.${p.join('.')} (read before the module's options are known)`);
      const v = m.optionValue(p);
      if (v) return v.force();
      const account = m.accountName(p);
      if (account) return account;
      if (m.isPrefix(p)) return configProxy(model, p);
      // On the way to config.users.users.<n>.name (see accountName).
      if (p[0] === 'users' && (p.length === 1 || ((p[1] === 'users' || p[1] === 'groups') && p.length <= 3))) return configProxy(model, p);
      // Below one of this module's own option sets, an undeclared name is simply not there.
      if (path.length >= 2 && m.isPrefix(path) && m.childNames(path).length > 0 && !m.optionValue(path)) return undefined;
      return unknown(`config.${p.join('.')} is set outside this module`);
    },
  };
}

/** A definition of an option: its value, its override priority, and the priority its parts get. */
export interface DefItem {
  prio: number;
  th: Thunk;
  /** Priority of the values inside it (a declared submodule's option defaults stay at 1500). */
  childPrio: number;
}

/**
 * Merges definitions of one option as the module system does for the common types: the best
 * priority wins; among the winners lists concatenate, sets merge key by key, equal scalars agree.
 * For a submodule option (`recurse`), sets merge key by key across all definitions, each key
 * again by priority, since each of its options is merged on its own.
 */
export function mergeDefinitionValues(ev: Evaluator, items: DefItem[], depth: number, recurse: boolean): Value {
  if (depth > 20) return unknown('definitions nested too deeply');
  const stripped = items.map(({ prio, th, childPrio }) => {
    let v = th.force();
    let p = prio;
    for (let i = 0; v.t === 'override' && i < 10; i++) {
      p = v.prio;
      v = v.content.force();
    }
    return { prio: p, v, childPrio };
  });
  const isSet = (v: Value) => v.t === 'attrs' && !v.open && !v.attrs.has('_type');
  const mergeSets = (parts: typeof stripped): Value => {
    const keys = new Set(parts.flatMap((x) => [...(x.v as Extract<Value, { t: 'attrs' }>).attrs.keys()]));
    const out = new Map<string, Attr>();
    for (const k of keys) {
      const sub: DefItem[] = [];
      let span: Attr['span'];
      for (const x of parts) {
        const a = (x.v as Extract<Value, { t: 'attrs' }>).attrs.get(k);
        if (!a) continue;
        span ??= a.span;
        sub.push({ prio: x.childPrio, th: a.th, childPrio: x.childPrio });
      }
      out.set(k, { th: sub.length === 1 ? sub[0]!.th : Thunk.lazy(() => mergeDefinitionValues(ev, sub, depth + 1, recurse)), span });
    }
    return { t: 'attrs', attrs: out };
  };
  if (recurse && stripped.length > 1 && stripped.every((x) => isSet(x.v))) return mergeSets(stripped);
  const best = Math.min(...stripped.map((x) => x.prio));
  const winners = stripped.filter((x) => x.prio === best);
  const unknownOne = winners.find((x) => x.v.t === 'unknown');
  if (unknownOne) return unknownOne.v;
  if (winners.length === 1) return winners[0]!.v;
  if (winners.every((x) => x.v.t === 'list')) return { t: 'list', items: winners.flatMap((x) => (x.v as Extract<Value, { t: 'list' }>).items) };
  if (winners.every((x) => isSet(x.v))) return mergeSets(winners);
  const first = winners[0]!.v;
  for (const w of winners.slice(1)) {
    const eq = ev.equal(Thunk.of(first), Thunk.of(w.v));
    if (!(eq.t === 'bool' && eq.v)) return unknown('conflicting definitions of an option');
  }
  return first;
}
