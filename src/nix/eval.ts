/**
 * The partial evaluator: an abstract interpreter over our syntax tree. Known values are exact;
 * anything that cannot be determined from the file is `unknown` with a reason. Budgets on depth,
 * steps and time turn hostile input into `unknown` plus an `eval-budget` finding.
 */
import type { AttrKey, Binding, Expr, Span } from './ast.js';
import type { Diagnostic } from './diagnostics.js';
import { current } from './current.js';
import {
  type Attr,
  Env,
  type Guard,
  NULL,
  SYM_UNKNOWN,
  Thunk,
  type Value,
  bool,
  hasSym,
  str,
  typeName,
  unknown,
} from './values.js';

export interface Budgets {
  /** Deepest nesting of evaluation (each level is a few JS stack frames). */
  maxDepth: number;
  /** Evaluation steps per file. */
  maxSteps: number;
  /** Milliseconds per file. */
  maxMillis: number;
}

export const DEFAULT_BUDGETS: Budgets = { maxDepth: 600, maxSteps: 3_000_000, maxMillis: 2000 };

/** How many conditional alternatives `++` and `//` keep apart before settling on the defaults view. */
const MAX_DISTRIBUTED = 6;

export class Evaluator {
  readonly diagnostics: Diagnostic[] = [];
  private depth = 0;
  private steps = 0;
  private readonly deadline: number;
  private exhausted: string | null = null;
  private reported = new Set<string>();
  /** Variables visible everywhere (`builtins`, `true`, `map`, ...). */
  root: Env = new Env(new Map(), null, null);

  constructor(readonly text: string, readonly budgets: Budgets = DEFAULT_BUDGETS) {
    this.deadline = Date.now() + budgets.maxMillis;
  }

  /** Adds a one-off finding (each id+line once). */
  report(id: string, line: number, message: string): void {
    const key = `${id}:${line}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.diagnostics.push({ id, line, message });
  }

  source(span: Span): string {
    return this.text.slice(span.start, span.end);
  }

  // ---------------------------------------------------------------- thunks and forcing

  thunk(expr: Expr, env: Env): Thunk {
    switch (expr.k) {
      case 'int':
        return Thunk.of({ t: 'int', v: expr.v });
      case 'float':
        return Thunk.of({ t: 'float', v: expr.v });
      case 'str':
        if (expr.parts.length === 1 && typeof expr.parts[0] === 'string') return Thunk.of(str(expr.parts[0]));
        if (expr.parts.length === 0) return Thunk.of(str(''));
        break;
      default:
        break;
    }
    return Thunk.expr(expr, env, this);
  }

  /** Called by a thunk that is forced while it is being evaluated. */
  blackhole(th: Thunk): Value {
    const line = th.expr?.span.line ?? 0;
    this.report('eval-infinite-recursion', line, 'infinite recursion: a value depends on itself');
    return unknown('infinite recursion');
  }

  evalThunk(expr: Expr, env: Env): Value {
    return this.eval(expr, env);
  }

  /** Forces a thunk and settles expression-level conditionals on their defaults-view branch. */
  whnf(th: Thunk): Value {
    let v = th.force();
    for (let i = 0; v.t === 'cond' && !v.module; i++) {
      if (i > 1000) return unknown('conditional nested too deeply');
      const picked = this.pick(v);
      if (picked === undefined) return unknown(`depends on ${v.guard.src}`);
      if (picked === null) return unknown(`absent unless ${v.guard.src}`);
      v = picked.force();
    }
    return v;
  }

  /** The branch a conditional takes in the defaults view; undefined when unknown. */
  pick(v: Extract<Value, { t: 'cond' }>): Thunk | null | undefined {
    if (v.guard.value === null) {
      return undefined;
    }
    return v.guard.value ? v.then : v.else;
  }

  private budgetOk(span: Span): boolean {
    if (this.exhausted) return false;
    if (++this.steps > this.budgets.maxSteps) {
      this.exhaust(`more than ${this.budgets.maxSteps} evaluation steps`, span);
      return false;
    }
    if ((this.steps & 1023) === 0 && Date.now() > this.deadline) {
      this.exhaust(`more than ${this.budgets.maxMillis} ms of evaluation`, span);
      return false;
    }
    return true;
  }

  private exhaust(why: string, span: Span): void {
    this.exhausted = why;
    this.report('eval-budget', span.line, `evaluation stopped: ${why}; the rest is unknown`);
  }

  /** Counts work done inside builtins (loops over lists) against the step budget. */
  tick(n = 1): boolean {
    if (this.exhausted) return false;
    this.steps += n;
    if (this.steps > this.budgets.maxSteps) {
      this.exhausted = 'steps';
      this.report('eval-budget', 0, `evaluation stopped: more than ${this.budgets.maxSteps} evaluation steps; the rest is unknown`);
      return false;
    }
    return true;
  }

  eval(expr: Expr, env: Env): Value {
    if (!this.budgetOk(expr.span)) return unknown(`evaluation budget exhausted (${this.exhausted})`);
    if (this.depth >= this.budgets.maxDepth) {
      this.report('eval-budget', expr.span.line, `evaluation nested deeper than ${this.budgets.maxDepth} levels; the rest is unknown`);
      return unknown('evaluation nested too deeply');
    }
    this.depth++;
    try {
      return this.evalInner(expr, env);
    } finally {
      this.depth--;
    }
  }

  private evalInner(expr: Expr, env: Env): Value {
    switch (expr.k) {
      case 'int':
        return { t: 'int', v: expr.v };
      case 'float':
        return { t: 'float', v: expr.v };
      case 'str':
        return this.evalString(expr.parts, env);
      case 'path':
        return this.evalPath(expr, env);
      case 'spath':
        return unknown(`search path <${expr.name}>`);
      case 'uri':
        return str(expr.v);
      case 'var':
        return this.lookup(expr.name, env).force();
      case 'select':
        return this.evalSelect(expr, env);
      case 'has':
        return this.evalHas(expr, env);
      case 'apply':
        return this.apply(this.thunk(expr.fn, env), this.thunk(expr.arg, env), expr.span);
      case 'unary':
        return this.evalUnary(expr, env);
      case 'binary':
        return this.evalBinary(expr, env);
      case 'if':
        return this.evalIf(expr, env);
      case 'let': {
        const scope = this.recScope(expr.bindings, env);
        return this.eval(expr.body, scope);
      }
      case 'with':
        return this.eval(expr.body, new Env(null, this.thunk(expr.env, env), env));
      case 'assert': {
        const c = this.whnf(this.thunk(expr.cond, env));
        if (c.t === 'bool' && !c.v) return unknown(`assertion ${this.source(expr.cond.span)} failed`);
        return this.eval(expr.body, env);
      }
      case 'attrs':
        return expr.rec ? this.recAttrs(expr.bindings, env) : { t: 'attrs', attrs: this.buildAttrs(expr.bindings, env, env) };
      case 'letattrs': {
        const v = this.recAttrs(expr.bindings, env);
        if (v.t !== 'attrs') return v;
        const body = v.attrs.get('body');
        return body ? body.th.force() : unknown('let { } without body');
      }
      case 'list':
        return { t: 'list', items: expr.items.map((e) => this.thunk(e, env)) };
      case 'lambda':
        return { t: 'lambda', expr, env };
      case 'error':
        return unknown(expr.reason);
    }
  }

  // ---------------------------------------------------------------- scopes

  lookup(name: string, env: Env): Thunk {
    for (let e: Env | null = env; e; e = e.parent) {
      const th = e.vars?.get(name);
      if (th) return th;
    }
    for (let e: Env | null = env; e; e = e.parent) {
      if (!e.withSet) continue;
      const w = this.whnf(e.withSet);
      if (w.t === 'attrs') {
        const a = w.attrs.get(name);
        if (a) return a.th;
        if (w.open && !w.closedInWith) {
          const v = w.open(name);
          if (v) return Thunk.of(v);
        }
      } else if (w.t === 'unknown') {
        return Thunk.of(unknown(`${name} may come from an unknown 'with' scope`));
      }
    }
    return Thunk.of(unknown(`undefined variable ${name}`));
  }

  /** A `let`/`rec` scope: the bindings see each other. */
  private recScope(bindings: Binding[], env: Env): Env {
    const vars = new Map<string, Thunk>();
    const scope = new Env(vars, null, env);
    const built = this.buildAttrs(bindings, scope, env);
    built.forEach((a, k) => vars.set(k, a.th));
    return scope;
  }

  private recAttrs(bindings: Binding[], env: Env): Value {
    const vars = new Map<string, Thunk>();
    const scope = new Env(vars, null, env);
    const built = this.buildAttrs(bindings, scope, env);
    built.forEach((a, k) => vars.set(k, a.th));
    return { t: 'attrs', attrs: built };
  }

  /**
   * Builds the attributes of a binding list. `valueEnv` evaluates values (the rec scope for
   * `rec`/`let`), `outerEnv` resolves plain `inherit`. Dotted paths merge into nested sets, also
   * with a literal set bound to the same name (`a = { b = 1; }; a.c = 2;`).
   */
  buildAttrs(bindings: Binding[], valueEnv: Env, outerEnv: Env): Map<string, Attr> {
    type Entry =
      | { kind: 'value'; th: Thunk; span: Span }
      | { kind: 'nested'; subs: Binding[]; span: Span; rec: boolean };
    const entries = new Map<string, Entry>();
    const keyName = (key: AttrKey): string | null => {
      if (key.k === 'static') return key.name;
      const v = this.whnf(this.thunk(key.expr, valueEnv));
      if (v.t === 'str') return v.v;
      if (v.t === 'null') return null; // `${null} = ...` binds nothing
      if (v.t === 'unknown') return SYM_UNKNOWN;
      return SYM_UNKNOWN;
    };
    const addNested = (name: string, span: Span, sub: Binding[], rec: boolean): void => {
      const prev = entries.get(name);
      if (prev && prev.kind === 'nested') {
        prev.subs.push(...sub);
        prev.rec ||= rec;
      } else if (prev && prev.kind === 'value') {
        const lit = prev.th.expr;
        if (lit && lit.k === 'attrs' && !prev.th.forced) {
          entries.set(name, { kind: 'nested', subs: [...lit.bindings, ...sub], span: prev.span, rec: lit.rec });
        } else {
          this.report('eval-error', span.line, `attribute '${name}' is defined twice`);
        }
      } else {
        entries.set(name, { kind: 'nested', subs: sub, span, rec });
      }
    };
    for (const b of bindings) {
      if (b.k === 'inherit') {
        for (const key of b.names) {
          const name = keyName(key);
          if (name === null) continue;
          const th = b.from
            ? this.selectThunk(this.thunk(b.from, valueEnv), [name])
            : this.lookup(name, outerEnv);
          entries.set(name, { kind: 'value', th, span: key.span });
        }
        continue;
      }
      const first = b.path[0];
      if (!first) continue;
      const name = keyName(first);
      if (name === null) continue;
      if (b.path.length === 1) {
        const prev = entries.get(name);
        if (prev && b.value.k === 'attrs' && !b.value.rec) {
          addNested(name, first.span, b.value.bindings, false);
        } else {
          if (prev) this.report('eval-error', first.span.line, `attribute '${name}' is defined twice`);
          entries.set(name, { kind: 'value', th: this.thunk(b.value, valueEnv), span: first.span });
        }
      } else {
        addNested(name, first.span, [{ k: 'bind', path: b.path.slice(1), value: b.value, span: b.span }], false);
      }
    }
    const out = new Map<string, Attr>();
    entries.forEach((e, name) => {
      if (e.kind === 'value') out.set(name, { th: e.th, span: e.span });
      else {
        const subs = e.subs;
        const rec = e.rec;
        const th = Thunk.lazy(() => (rec ? this.recAttrs(subs, valueEnv) : { t: 'attrs', attrs: this.buildAttrs(subs, valueEnv, valueEnv) }));
        out.set(name, { th, span: e.span });
      }
    });
    return out;
  }

  // ---------------------------------------------------------------- selection

  private attrNames(path: AttrKey[], env: Env): (string | Value)[] {
    return path.map((key) => {
      if (key.k === 'static') return key.name;
      const v = this.whnf(this.thunk(key.expr, env));
      return v.t === 'str' && !v.sym ? v.v : v.t === 'str' ? v : v.t === 'unknown' ? v : unknown(`attribute name is a ${typeName(v)}`);
    });
  }

  /**
   * Follows attribute names from a thunk: the thunk found (and whether anything on the way was an
   * option default), the reason an attribute is missing (the value is not a set, lacks it, or it
   * is absent in the defaults view), or an unknown to return as it is.
   */
  private selectPath(from: Thunk, names: (string | Value)[]): { found: Thunk; assumed: boolean } | { missing: string } | { value: Value } {
    let cur = from;
    let assumed = false;
    for (const name of names) {
      let v = this.whnf(cur);
      assumed ||= !!v.assumed;
      v = asAttrs(v);
      if (typeof name !== 'string') {
        if (name.t === 'str' && v.t === 'attrs' && v.attrs.has(name.v)) {
          cur = v.attrs.get(name.v)!.th;
          continue;
        }
        return { value: unknown('attribute name is not known') };
      }
      if (v.t === 'attrs') {
        const a = v.attrs.get(name);
        if (a) {
          if (isAbsent(a.th, this)) return { missing: `attribute '${name}' is absent in the defaults view` };
          cur = a.th;
          continue;
        }
        const o = v.open?.(name);
        if (o) {
          cur = Thunk.of(o);
          continue;
        }
        return { missing: `attribute '${name}' missing` };
      }
      if (v.t === 'unknown') return { value: v };
      return { missing: `cannot select '${name}' from a ${typeName(v)}` };
    }
    return { found: cur, assumed };
  }

  private evalSelect(expr: Extract<Expr, { k: 'select' }>, env: Env): Value {
    const r = this.selectPath(this.thunk(expr.expr, env), this.attrNames(expr.path, env));
    if ('value' in r) return r.value;
    if ('missing' in r) return expr.default ? this.eval(expr.default, env) : unknown(r.missing);
    const out = r.found.force();
    return r.assumed ? markAssumed(out) : out;
  }

  /** A thunk selecting a path from another thunk (for `inherit (x) a`). */
  selectThunk(from: Thunk, path: string[]): Thunk {
    return Thunk.lazy(() => {
      const r = this.selectPath(from, path);
      if ('value' in r) return r.value;
      if ('missing' in r) return unknown(r.missing);
      const out = r.found.force();
      return r.assumed ? markAssumed(out) : out;
    });
  }

  private evalHas(expr: Extract<Expr, { k: 'has' }>, env: Env): Value {
    const names = this.attrNames(expr.path, env);
    let cur = this.thunk(expr.expr, env);
    let assumed = false;
    for (const name of names) {
      let v = this.whnf(cur);
      assumed ||= !!v.assumed;
      v = asAttrs(v);
      if (typeof name !== 'string') return unknown('attribute name is not known');
      if (v.t === 'unknown') return unknown(`whether ${this.source(expr.span)} holds`);
      if (v.t !== 'attrs') return bool(false, assumed);
      const a = v.attrs.get(name);
      if (!a) {
        if (v.open && v.open(name)) return unknown(`whether ${this.source(expr.span)} holds`);
        return bool(false, assumed);
      }
      if (isAbsent(a.th, this)) return bool(false, assumed);
      cur = a.th;
    }
    return bool(true, assumed);
  }

  // ---------------------------------------------------------------- application

  apply(fnTh: Thunk, argTh: Thunk, span?: Span): Value {
    const fn = this.whnf(fnTh);
    return this.applyValue(fn, argTh, span);
  }

  applyValue(fn: Value, argTh: Thunk, span?: Span): Value {
    switch (fn.t) {
      case 'lambda': {
        const lam = fn.expr;
        const vars = new Map<string, Thunk>();
        const scope = new Env(vars, null, fn.env);
        if (lam.param) vars.set(lam.param, argTh);
        if (lam.formals) {
          const arg = asAttrs(this.whnf(argTh));
          for (const f of lam.formals) {
            if (arg.t === 'attrs') {
              const a = arg.attrs.get(f.name);
              if (a) vars.set(f.name, a.th);
              else if (arg.open?.(f.name)) vars.set(f.name, Thunk.of(arg.open(f.name)!));
              else if (f.default) vars.set(f.name, this.thunk(f.default, scope));
              else vars.set(f.name, Thunk.of(unknown(`function argument '${f.name}' missing`)));
            } else if (arg.t === 'unknown') {
              vars.set(f.name, Thunk.of(unknown(`argument '${f.name}' of an unknown set`)));
            } else {
              vars.set(f.name, Thunk.of(unknown(`function expects a set, got a ${typeName(arg)}`)));
            }
          }
        }
        return this.eval(lam.body, scope);
      }
      case 'prim': {
        const args = [...fn.args, argTh];
        if (args.length < fn.arity) return { t: 'prim', name: fn.name, arity: fn.arity, args, fn: fn.fn };
        if (!this.tick()) return unknown('evaluation budget exhausted');
        // Builtins are shared by every evaluator of the thread; they work for the one applying them.
        current.ev = this;
        return fn.fn(args);
      }
      case 'attrs': {
        const functor = fn.attrs.get('__functor');
        if (functor) {
          const partial = this.apply(functor.th, Thunk.of(fn), span);
          return this.applyValue(partial, argTh, span);
        }
        return unknown('attempt to call a set');
      }
      case 'unknown':
        return unknown(`result of an unknown function (${fn.reason})`);
      case 'type':
        return unknown('attempt to call an option type');
      default:
        return unknown(`attempt to call a ${typeName(fn)}`);
    }
  }

  /** Calls a function value with already-made thunks. */
  call(fn: Thunk | Value, ...args: Thunk[]): Value {
    let f: Value = fn instanceof Thunk ? this.whnf(fn) : fn;
    for (const a of args) {
      f = this.applyValue(f, a);
      if (f.t === 'unknown') return f;
    }
    return f;
  }

  // ---------------------------------------------------------------- strings and paths

  /** Coerces a value to a string the way interpolation does. */
  coerce(v: Value, toStringMode = false): Value {
    switch (v.t) {
      case 'str':
        return v;
      case 'path':
        return toStringMode ? unknown(`absolute path of ${v.v}`) : unknown(`store path of ${v.v}`);
      case 'int':
        return toStringMode ? str(String(v.v), false, v.assumed) : unknown('cannot coerce an integer to a string');
      case 'float':
        return toStringMode ? str(formatFloat(v.v), false, v.assumed) : unknown('cannot coerce a float to a string');
      case 'bool':
        return toStringMode ? str(v.v ? '1' : '', false, v.assumed) : unknown('cannot coerce a boolean to a string');
      case 'null':
        return toStringMode ? str('', false, v.assumed) : unknown('cannot coerce null to a string');
      case 'list': {
        if (!toStringMode) return unknown('cannot coerce a list to a string');
        const parts: string[] = [];
        let sym = false;
        for (const it of v.items) {
          const s = this.coerce(this.whnf(it), true);
          if (s.t !== 'str') return s;
          sym ||= !!s.sym;
          parts.push(s.v);
        }
        return str(parts.join(' '), sym, v.assumed);
      }
      case 'attrs': {
        const ts = v.attrs.get('__toString');
        if (ts) return this.coerce(this.call(ts.th, Thunk.of(v)), toStringMode);
        const out = v.attrs.get('outPath');
        if (out) return this.coerce(this.whnf(out.th), toStringMode);
        if (v.open) return unknown('string of a package or path');
        return unknown('cannot coerce a set to a string');
      }
      case 'unknown':
        return v;
      default:
        return unknown(`cannot coerce a ${typeName(v)} to a string`);
    }
  }

  private evalString(parts: (string | Expr)[], env: Env): Value {
    let out = '';
    let sym = false;
    let assumed = false;
    for (const p of parts) {
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      const v = this.coerce(this.whnf(this.thunk(p, env)));
      if (v.t !== 'str') return v.t === 'unknown' ? v : unknown('interpolation of a non-string');
      sym ||= !!v.sym || hasSym(v.v);
      assumed ||= !!v.assumed;
      out += v.v;
    }
    return str(out, sym, assumed);
  }

  private evalPath(expr: Extract<Expr, { k: 'path' }>, env: Env): Value {
    if (expr.parts.every((p) => typeof p === 'string')) return { t: 'path', v: expr.parts.join('') };
    const s = this.evalString(expr.parts, env);
    return s.t === 'str' ? { t: 'path', v: s.v } : s;
  }

  // ---------------------------------------------------------------- operators

  private evalUnary(expr: Extract<Expr, { k: 'unary' }>, env: Env): Value {
    const v = this.whnf(this.thunk(expr.arg, env));
    if (v.t === 'unknown') return v;
    if (expr.op === '!') {
      return v.t === 'bool' ? bool(!v.v, v.assumed) : unknown(`cannot negate a ${typeName(v)}`);
    }
    if (v.t === 'int') return { t: 'int', v: -v.v, assumed: v.assumed };
    if (v.t === 'float') return { t: 'float', v: -v.v, assumed: v.assumed };
    return unknown(`cannot negate a ${typeName(v)}`);
  }

  private evalIf(expr: Extract<Expr, { k: 'if' }>, env: Env): Value {
    const c = this.whnf(this.thunk(expr.cond, env));
    if (c.t === 'bool' && !c.assumed) return this.eval(c.v ? expr.then : expr.else, env);
    if (c.t !== 'bool' && c.t !== 'unknown') return unknown(`if-condition is a ${typeName(c)}`);
    const guard: Guard = {
      src: this.source(expr.cond.span),
      value: c.t === 'bool' ? c.v : null,
      line: expr.cond.span.line,
    };
    return { t: 'cond', guard, then: this.thunk(expr.then, env), else: this.thunk(expr.else, env), module: false };
  }

  /** A conditional value for `optional*`-style helpers: picks directly when the condition is a plain fact. */
  conditional(condTh: Thunk, thenTh: Thunk | null, elseTh: Thunk | null, module: boolean): Value {
    if (module) {
      // mkIf is lazy in its condition, as in the module system: which options a module defines
      // must not depend on the values of options (that would make reading them recursive).
      const expr = condTh.expr;
      const ev = this;
      let decided: boolean | null | undefined;
      const guard: Guard = {
        src: expr ? this.source(expr.span) : 'condition',
        line: expr?.span.line ?? 0,
        get value(): boolean | null {
          if (decided === undefined) {
            decided = null; // while deciding: a condition that depends on itself is unknown
            const c = ev.whnf(condTh);
            decided = c.t === 'bool' ? c.v : null;
          }
          return decided;
        },
      };
      return { t: 'cond', guard, then: thenTh, else: elseTh, module };
    }
    const c = this.whnf(condTh);
    if (c.t !== 'bool' && c.t !== 'unknown') return unknown(`condition is a ${typeName(c)}`);
    if (!module && c.t === 'bool' && !c.assumed) {
      const th = c.v ? thenTh : elseTh;
      return th ? th.force() : unknown('absent');
    }
    const expr = condTh.expr;
    const guard: Guard = {
      src: expr ? this.source(expr.span) : c.t === 'unknown' ? c.reason : String(c.v),
      value: c.t === 'bool' ? c.v : null,
      line: expr?.span.line ?? 0,
    };
    return { t: 'cond', guard, then: thenTh, else: elseTh, module };
  }

  private evalBinary(expr: Extract<Expr, { k: 'binary' }>, env: Env): Value {
    const { op, operands } = expr;
    switch (op) {
      case '&&':
      case '||':
        return this.logical(op, operands, env);
      case '->': {
        const a = this.whnf(this.thunk(operands[0]!, env));
        if (a.t === 'bool' && !a.v) return bool(true, a.assumed);
        const b = this.whnf(this.thunk(operands[1]!, env));
        if (a.t === 'bool' && b.t === 'bool') return bool(b.v, a.assumed || b.assumed);
        if (b.t === 'bool' && b.v) return bool(true, b.assumed);
        return unknown(`value of ${this.source(expr.span)}`);
      }
      case '++':
        return this.concatLists(operands.map((o) => this.thunk(o, env)));
      case '//':
        return this.updateAll(operands.map((o) => this.thunk(o, env)));
      case '+': {
        let acc = this.whnf(this.thunk(operands[0]!, env));
        for (let i = 1; i < operands.length; i++) {
          if (acc.t === 'unknown') return acc;
          if (!this.tick()) return unknown('evaluation budget exhausted');
          acc = this.add(acc, this.whnf(this.thunk(operands[i]!, env)));
        }
        return acc;
      }
      case '==':
      case '!=': {
        const eq = this.equal(this.thunk(operands[0]!, env), this.thunk(operands[1]!, env));
        if (eq.t !== 'bool') return eq;
        return bool(op === '==' ? eq.v : !eq.v, eq.assumed);
      }
      default: {
        const a = this.whnf(this.thunk(operands[0]!, env));
        const b = this.whnf(this.thunk(operands[1]!, env));
        return this.arith(op, a, b);
      }
    }
  }

  private logical(op: '&&' | '||', operands: Expr[], env: Env): Value {
    let sawUnknown: Value | null = null;
    let assumed = false;
    for (const o of operands) {
      const v = this.whnf(this.thunk(o, env));
      if (v.t === 'unknown') {
        sawUnknown ??= v;
        continue;
      }
      if (v.t !== 'bool') return unknown(`operand of ${op} is a ${typeName(v)}`);
      assumed ||= !!v.assumed;
      if (op === '&&' && !v.v) return bool(false, v.assumed);
      if (op === '||' && v.v) return bool(true, v.assumed);
    }
    if (sawUnknown) return sawUnknown;
    return bool(op === '&&', assumed);
  }

  add(a: Value, b: Value): Value {
    if (a.t === 'unknown') return a;
    if (b.t === 'unknown') return b;
    const assumed = a.assumed || b.assumed;
    if ((a.t === 'int' || a.t === 'float') && (b.t === 'int' || b.t === 'float')) {
      if (a.t === 'int' && b.t === 'int') return { t: 'int', v: a.v + b.v, assumed };
      return { t: 'float', v: a.v + b.v, assumed };
    }
    if (a.t === 'str') {
      const s = this.coerce(b);
      if (s.t !== 'str') return s;
      return str(a.v + s.v, a.sym || s.sym, assumed);
    }
    if (a.t === 'path') {
      if (b.t === 'str') return { t: 'path', v: a.v + b.v };
      if (b.t === 'path') return { t: 'path', v: a.v + b.v };
      return unknown('cannot add to a path');
    }
    return unknown(`cannot add a ${typeName(b)} to a ${typeName(a)}`);
  }

  private arith(op: string, a: Value, b: Value): Value {
    if (a.t === 'unknown') return a;
    if (b.t === 'unknown') return b;
    const assumed = a.assumed || b.assumed;
    const num = (v: Value): v is Extract<Value, { t: 'int' | 'float' }> => v.t === 'int' || v.t === 'float';
    if (op === '<' || op === '<=' || op === '>' || op === '>=') {
      const c = this.compare(a, b);
      if (c === null) return unknown(`cannot compare a ${typeName(a)} with a ${typeName(b)}`);
      const r = op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      return bool(r, assumed);
    }
    if (!num(a) || !num(b)) return unknown(`cannot apply ${op} to a ${typeName(a)} and a ${typeName(b)}`);
    const isInt = a.t === 'int' && b.t === 'int';
    let r: number;
    switch (op) {
      case '-':
        r = a.v - b.v;
        break;
      case '*':
        r = a.v * b.v;
        break;
      case '/':
        if (b.v === 0) return unknown('division by zero');
        r = isInt ? Math.trunc(a.v / b.v) : a.v / b.v;
        break;
      default:
        return unknown(`unknown operator ${op}`);
    }
    return isInt ? { t: 'int', v: r, assumed } : { t: 'float', v: r, assumed };
  }

  /** Nix's ordering (`<`, builtins.lessThan, sort): numbers, strings, lists; null when incomparable. */
  compare(a: Value, b: Value): number | null {
    if ((a.t === 'int' || a.t === 'float') && (b.t === 'int' || b.t === 'float')) return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    if (a.t === 'str' && b.t === 'str') {
      if (a.sym || b.sym) return null;
      return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    }
    if (a.t === 'path' && b.t === 'path') return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    if (a.t === 'list' && b.t === 'list') {
      for (let i = 0; ; i++) {
        if (i >= a.items.length) return i >= b.items.length ? 0 : -1;
        if (i >= b.items.length) return 1;
        const c = this.compare(this.whnf(a.items[i]!), this.whnf(b.items[i]!));
        if (c === null || c !== 0) return c;
      }
    }
    return null;
  }

  /** Deep equality; `unknown` when it depends on something unknown. */
  equal(x: Thunk, y: Thunk, depth = 0): Value {
    if (depth > 100 || !this.tick()) return unknown('comparison too deep');
    const a = this.whnf(x);
    const b = this.whnf(y);
    const assumed = a.assumed || b.assumed;
    if (a.t === 'unknown') return a;
    if (b.t === 'unknown') return b;
    const res = (v: boolean): Value => bool(v, assumed);
    if ((a.t === 'int' || a.t === 'float') && (b.t === 'int' || b.t === 'float')) return res(a.v === b.v);
    if (a.t === 'str' && b.t === 'str') {
      if (a.sym || b.sym) return unknown('comparison with an instance name');
      return res(a.v === b.v);
    }
    if (a.t !== b.t) {
      const isSet = (v: Value) => ['attrs', 'cond', 'merge', 'override', 'order', 'type'].includes(v.t);
      if (isSet(a) && isSet(b)) return unknown('comparison of module values');
      return res(false);
    }
    switch (a.t) {
      case 'null':
        return res(true);
      case 'bool':
        return res(a.v === (b as typeof a).v);
      case 'path':
        return res(a.v === (b as typeof a).v);
      case 'list': {
        const bl = b as typeof a;
        if (a.items.length !== bl.items.length) return res(false);
        let acc: Value = res(true);
        for (let i = 0; i < a.items.length; i++) {
          const e = this.equal(a.items[i]!, bl.items[i]!, depth + 1);
          if (e.t === 'bool' && !e.v) return res(false);
          if (e.t !== 'bool') acc = e;
        }
        return acc;
      }
      case 'attrs': {
        const ba = b as typeof a;
        if (a.open || ba.open) return unknown('comparison with a partially known set');
        if (a.attrs.size !== ba.attrs.size) return res(false);
        let acc: Value = res(true);
        for (const [k, av] of a.attrs) {
          const bv = ba.attrs.get(k);
          if (!bv) return res(false);
          const e = this.equal(av.th, bv.th, depth + 1);
          if (e.t === 'bool' && !e.v) return res(false);
          if (e.t !== 'bool') acc = e;
        }
        return acc;
      }
      case 'lambda':
      case 'prim':
        return res(false);
      default:
        return unknown('comparison of module values');
    }
  }

  /** `a ++ b ++ ...`, keeping conditional operands apart (a conditional result) while that stays small. */
  concatLists(parts: Thunk[]): Value {
    const raw = parts.map((p) => p.force());
    const conds = raw.filter((v) => v.t === 'cond' && !v.module).length;
    if (conds > 0 && conds <= MAX_DISTRIBUTED) {
      const idx = raw.findIndex((v) => v.t === 'cond' && !v.module);
      const c = raw[idx] as Extract<Value, { t: 'cond' }>;
      const branch = (th: Thunk | null): Thunk | null =>
        th === null ? null : Thunk.lazy(() => this.concatLists(parts.map((p, i) => (i === idx ? th : p))));
      return { t: 'cond', guard: c.guard, then: branch(c.then), else: branch(c.else), module: false };
    }
    const items: Thunk[] = [];
    let assumed = false;
    for (const p of parts) {
      const v = this.whnf(p);
      if (v.t === 'unknown') return v;
      if (v.t !== 'list') return unknown(`cannot concatenate a ${typeName(v)} as a list`);
      assumed ||= !!v.assumed;
      items.push(...v.items);
    }
    return assumed ? { t: 'list', items, assumed } : { t: 'list', items };
  }

  /** `a // b // ...`: right wins key by key; a conditional right side becomes per-key conditionals. */
  updateAll(parts: Thunk[]): Value {
    let acc: Value | null = null;
    for (const p of parts) {
      const right = p.force();
      if (acc === null) {
        acc = right.t === 'cond' && !right.module ? this.whnf(p) : right;
        continue;
      }
      acc = this.update(acc, right);
    }
    return acc ?? unknown('empty update');
  }

  update(leftRaw: Value, right: Value): Value {
    const left = asAttrs(leftRaw.t === 'cond' && !leftRaw.module ? this.whnf(Thunk.of(leftRaw)) : leftRaw);
    if (left.t === 'unknown') return left;
    if (left.t !== 'attrs') return unknown(`cannot update a ${typeName(left)}`);
    if (right.t === 'cond' && !right.module) {
      const thenV = right.then ? asAttrs(this.whnf(right.then)) : null;
      const elseV = right.else ? asAttrs(this.whnf(right.else)) : null;
      if ((thenV && thenV.t !== 'attrs') || (elseV && elseV.t !== 'attrs')) {
        return this.update(left, this.whnf(Thunk.of(right)));
      }
      const t = thenV as Extract<Value, { t: 'attrs' }> | null;
      const e = elseV as Extract<Value, { t: 'attrs' }> | null;
      const keys = new Set<string>([...left.attrs.keys(), ...(t?.attrs.keys() ?? []), ...(e?.attrs.keys() ?? [])]);
      const out = new Map<string, Attr>();
      for (const k of keys) {
        const l = left.attrs.get(k);
        const tv = t?.attrs.get(k) ?? l;
        const ev = e?.attrs.get(k) ?? l;
        if (tv === ev && tv) {
          out.set(k, tv);
          continue;
        }
        const cond: Value = { t: 'cond', guard: right.guard, then: tv?.th ?? null, else: ev?.th ?? null, module: false };
        out.set(k, { th: Thunk.of(cond), span: (right.guard.value === false ? ev?.span ?? tv?.span : tv?.span ?? ev?.span) });
      }
      return { t: 'attrs', attrs: out };
    }
    const r = asAttrs(right.t === 'cond' ? this.whnf(Thunk.of(right)) : right);
    if (r.t === 'unknown') return r;
    if (r.t !== 'attrs') return unknown(`cannot update with a ${typeName(r)}`);
    if (r.open || left.open) {
      return { t: 'attrs', attrs: new Map([...left.attrs, ...r.attrs]), open: (n) => r.open?.(n) ?? left.open?.(n) };
    }
    const out = new Map(left.attrs);
    for (const [k, v] of r.attrs) out.set(k, v);
    const assumed = left.assumed && r.assumed;
    return assumed ? { t: 'attrs', attrs: out, assumed } : { t: 'attrs', attrs: out };
  }
}

/** Module-system markers behave like the attribute sets they are in real Nix. */
export function asAttrs(v: Value): Value {
  switch (v.t) {
    case 'cond':
      if (!v.module) return v;
      return {
        t: 'attrs',
        attrs: new Map<string, Attr>([
          ['_type', { th: Thunk.of(str('if')), span: undefined }],
          ['condition', { th: Thunk.of(v.guard.value === null ? unknown(v.guard.src) : bool(v.guard.value)), span: undefined }],
          ['content', { th: v.then ?? Thunk.of(NULL), span: undefined }],
        ]),
      };
    case 'merge':
      return {
        t: 'attrs',
        attrs: new Map<string, Attr>([
          ['_type', { th: Thunk.of(str('merge')), span: undefined }],
          ['contents', { th: Thunk.of({ t: 'list', items: v.items }), span: undefined }],
        ]),
      };
    case 'type':
      return {
        t: 'attrs',
        attrs: new Map<string, Attr>([
          ['_type', { th: Thunk.of(str('option-type')), span: undefined }],
          ['name', { th: Thunk.of(str(v.name)), span: undefined }],
          [
            'check',
            {
              th: Thunk.of({ t: 'prim', name: `types.${v.name}.check`, arity: 1, args: [], fn: v.check ?? (() => unknown(`types.${v.name}.check`)) }),
              span: undefined,
            },
          ],
        ]),
      };
    case 'override':
    case 'order':
      return {
        t: 'attrs',
        attrs: new Map<string, Attr>([
          ['_type', { th: Thunk.of(str(v.t)), span: undefined }],
          [v.t === 'override' ? 'priority' : 'priority', { th: Thunk.of({ t: 'int', v: v.prio }), span: undefined }],
          ['content', { th: v.content, span: undefined }],
        ]),
      };
    default:
      return v;
  }
}

/** True when an attribute's value is a conditional that is absent in the defaults view. */
function isAbsent(th: Thunk, ev: Evaluator): boolean {
  if (!th.forced) {
    // Only values already known to be conditional can be absent; avoid forcing otherwise.
    const e = th.expr;
    if (e && e.k !== 'apply' && e.k !== 'if' && e.k !== 'var' && e.k !== 'select') return false;
  }
  const v = th.force();
  if (v.t !== 'cond' || v.module) return false;
  const p = ev.pick(v);
  return p === null;
}

function markAssumed(v: Value): Value {
  if (v.assumed || v.t === 'unknown' || v.t === 'lambda' || v.t === 'prim' || v.t === 'cond') return v;
  return { ...v, assumed: true } as Value;
}

function formatFloat(v: number): string {
  // Nix prints floats with up to 6 significant digits (like C's %g), e.g. 0.1 -> "0.100000" in
  // toString. Keep it exact only for the common case.
  return v.toFixed(6);
}
