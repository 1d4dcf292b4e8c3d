/**
 * Values of the partial evaluator. A value is either known exactly or `unknown` with a reason:
 * the evaluator never guesses. Values that come from an option's declared default are marked
 * `assumed`, so a condition over them can be reported as a guard rather than taken as a fact.
 */
import type { Expr, Span } from './ast.js';

/** Where an attribute was bound: the span of the key (for findings that point at a line). */
export interface Attr {
  th: Thunk;
  span: Span | undefined;
}

/** A condition whose truth in the defaults view is `value` (null when it cannot be known). */
export interface Guard {
  /** The condition's source text, exactly as written. */
  src: string;
  value: boolean | null;
  line: number;
}

export type PrimFn = (args: Thunk[]) => Value;

type Base = { assumed?: boolean };

export type Value = Base &
  (
    | { t: 'null' }
    | { t: 'bool'; v: boolean }
    | { t: 'int'; v: number }
    | { t: 'float'; v: number }
    /** `sym`: the text contains placeholders for values only known per instance (see SYM_*). */
    | { t: 'str'; v: string; sym?: boolean }
    | { t: 'path'; v: string }
    | { t: 'list'; items: Thunk[] }
    /**
     * `open`: a partially known attribute set; keys it does not list are unknown, not missing.
     * `closedInWith`: in a `with` scope only the listed keys count (so `with lib;` does not
     * shadow names of an outer scope with guesses).
     */
    | { t: 'attrs'; attrs: Map<string, Attr>; open?: (name: string) => Value | undefined; closedInWith?: boolean }
    | { t: 'lambda'; expr: Extract<Expr, { k: 'lambda' }>; env: Env }
    | { t: 'prim'; name: string; arity: number; args: Thunk[]; fn: PrimFn }
    | { t: 'unknown'; reason: string }
    /**
     * A value that depends on a condition. `module` marks `mkIf` (the module system's
     * conditional definition); otherwise it comes from `if`, `optional*`, `optionalAttrs`.
     * A null branch means "no value": no definition, or no attribute.
     */
    | { t: 'cond'; guard: Guard; then: Thunk | null; else: Thunk | null; module: boolean }
    /** `mkMerge [ ... ]` */
    | { t: 'merge'; items: Thunk[] }
    /** `mkOverride prio v` (mkDefault, mkForce, mkOptionDefault, mkImageMediaOverride ...) */
    | { t: 'override'; prio: number; content: Thunk }
    /** `mkOrder prio v` (mkBefore, mkAfter) */
    | { t: 'order'; prio: number; content: Thunk }
    /** An option type (`types.str`, `types.submodule m`, ...): only its shape matters here. */
    | { t: 'type'; name: string; args: Thunk[]; check?: PrimFn }
  );

/** Placeholder for the key of a generic instance of an `attrsOf (submodule ...)` option. */
export const SYM_NAME = '\u{F8F0}name\u{F8F1}';
/** Placeholder for an unknown part of an attribute name. */
export const SYM_UNKNOWN = '\u{F8F0}?\u{F8F1}';

/** Renders a text with placeholders for people: `metrics-<name>`. */
export function renderSym(s: string): string {
  return s.split(SYM_NAME).join('<name>').split(SYM_UNKNOWN).join('<?>');
}

export function hasSym(s: string): boolean {
  return s.includes('\u{F8F0}');
}

export type EvalHook = (th: Thunk) => Value;

/** A lazily evaluated value. */
export class Thunk {
  private state: 0 | 1 | 2 = 0; // pending, evaluating, done
  private val: Value | undefined;

  private constructor(
    readonly expr: Expr | undefined,
    private env: Env | undefined,
    private compute: (() => Value) | undefined,
    private evaluator: { evalThunk(expr: Expr, env: Env): Value; blackhole(th: Thunk): Value } | undefined,
  ) {}

  static of(v: Value): Thunk {
    const th = new Thunk(undefined, undefined, undefined, undefined);
    th.state = 2;
    th.val = v;
    return th;
  }

  static lazy(compute: () => Value, expr?: Expr): Thunk {
    return new Thunk(expr, undefined, compute, undefined);
  }

  static expr(expr: Expr, env: Env, ev: { evalThunk(expr: Expr, env: Env): Value; blackhole(th: Thunk): Value }): Thunk {
    return new Thunk(expr, env, undefined, ev);
  }

  get forced(): boolean {
    return this.state === 2;
  }

  force(): Value {
    if (this.state === 2) return this.val!;
    if (this.state === 1) {
      return this.evaluator ? this.evaluator.blackhole(this) : unknown('infinite recursion');
    }
    this.state = 1;
    let v: Value;
    try {
      v = this.compute ? this.compute() : this.evaluator!.evalThunk(this.expr!, this.env!);
    } catch (e) {
      this.state = 0;
      throw e;
    }
    this.state = 2;
    this.val = v;
    this.env = undefined;
    this.compute = undefined;
    this.evaluator = undefined;
    return v;
  }
}

/** A scope: lexical variables, or the attribute set of a `with`. */
export class Env {
  constructor(
    readonly vars: Map<string, Thunk> | null,
    readonly withSet: Thunk | null,
    readonly parent: Env | null,
  ) {}
}

export const NULL: Value = { t: 'null' };
export const TRUE: Value = { t: 'bool', v: true };
export const FALSE: Value = { t: 'bool', v: false };

export function unknown(reason: string): Value {
  return { t: 'unknown', reason };
}

export function bool(v: boolean, assumed?: boolean): Value {
  return assumed ? { t: 'bool', v, assumed } : v ? TRUE : FALSE;
}

export function str(v: string, sym?: boolean, assumed?: boolean): Value {
  const out: Value = { t: 'str', v };
  if (sym) out.sym = true;
  if (assumed) out.assumed = true;
  return out;
}

export function int(v: number): Value {
  return { t: 'int', v };
}

export function list(items: Thunk[]): Value {
  return { t: 'list', items };
}

export function attrs(entries: Iterable<[string, Thunk]> | Map<string, Attr>): Value {
  if (entries instanceof Map) return { t: 'attrs', attrs: entries };
  const m = new Map<string, Attr>();
  for (const [k, th] of entries) m.set(k, { th, span: undefined });
  return { t: 'attrs', attrs: m };
}

/** Marks a value as derived from an option default (a shallow copy; values are never mutated). */
export function assume(v: Value): Value {
  if (v.assumed || v.t === 'unknown' || v.t === 'lambda' || v.t === 'prim') return v;
  return { ...v, assumed: true } as Value;
}

export function typeName(v: Value): string {
  switch (v.t) {
    case 'str':
      return 'string';
    case 'attrs':
    case 'cond':
    case 'merge':
    case 'override':
    case 'order':
    case 'type':
      return 'set';
    case 'lambda':
    case 'prim':
      return 'lambda';
    default:
      return v.t;
  }
}
