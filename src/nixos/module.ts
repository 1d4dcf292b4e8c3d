/**
 * Evaluating one NixOS module file: calling it with stand-ins for its arguments, finding its
 * `options` and `config`, and flattening `config` into definitions the way the module system sees
 * them (through mkIf, mkMerge, mkOverride, mkOrder and conditional values), each with its guards.
 */
import type { FlatTree } from '../nix/parser.js';
import type { Span } from '../nix/ast.js';
import { parseFile, type ParsedFile } from '../nix/ast.js';
import { PRIO, ORDER, makeStdlib } from '../nix/builtins.js';
import type { Diagnostic } from '../nix/diagnostics.js';
import { DEFAULT_BUDGETS, Evaluator, asAttrs, type Budgets } from '../nix/eval.js';
import { type Attr, type Guard, Thunk, type Value, attrs, str, unknown } from '../nix/values.js';
import { OptionModel, collectOptions, configProxy } from './options.js';

/** One definition reaching an option path, as the module system would see it. */
export interface Def {
  path: string[];
  th: Thunk;
  /** Conditions that must hold (value) for the definition to exist. */
  guards: { guard: Guard; want: boolean }[];
  /** Override priority at each path depth where one was written (pushed down to the leaf). */
  prios: number[];
  /** mkOrder priority for list concatenation. */
  order: number;
  /** Span of the attribute key at each path depth, where known. */
  spans: (Span | undefined)[];
  seq: number;
}

export interface EvaluatedModule {
  parsed: ParsedFile;
  ev: Evaluator;
  defs: Def[];
  options: OptionModel;
  diagnostics: Diagnostic[];
}

/** Which definition paths are walked into (deeper ones stay leaves, unevaluated). */
function descend(path: string[]): boolean {
  const [a, b, c, d, e] = path;
  if (path.length === 0) return true;
  if (a === 'systemd') {
    if (path.length === 1) return true;
    if (b === 'services' || b === 'sockets' || b === 'timers') {
      // systemd.services.<name>.serviceConfig.<Directive>, .confinement.<x>
      if (path.length <= 3) return true;
      return path.length === 4 && (d === 'serviceConfig' || d === 'confinement' || d === 'socketConfig' || d === 'unitConfig');
    }
    if (b === 'user') {
      if (path.length === 2) return true;
      if (c !== 'services') return false;
      if (path.length <= 4) return true;
      return path.length === 5 && (e === 'serviceConfig' || e === 'confinement');
    }
    return false;
  }
  if (a === 'networking') return path.length === 1 || (b === 'firewall' && path.length <= 3);
  return false;
}

export interface ModuleOptions {
  budgets?: Budgets;
  /** The flat tree, when another thread parsed the text (see parseFile). */
  tree?: FlatTree | null;
}

export function evaluateModule(text: string, opts: ModuleOptions = {}): EvaluatedModule {
  const parsed = parseFile(text, { tree: opts.tree });
  const ev = new Evaluator(text, opts.budgets ?? DEFAULT_BUDGETS);
  const std = makeStdlib(ev);
  ev.root = std.root;
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];

  // Stand-ins for the module arguments.
  let model: OptionModel | undefined;
  const modelRef = () => model;
  const pkgs: Value = {
    t: 'attrs',
    attrs: new Map<string, Attr>([['lib', { th: Thunk.of(std.lib), span: undefined }]]),
    open: (n) => unknown(`pkgs.${n}`),
  };
  const opaque = (what: string): Value => ({ t: 'attrs', attrs: new Map(), open: (n) => unknown(`${what}.${n}`) });
  const args = (extra: [string, Thunk][] = []): Thunk =>
    Thunk.of(
      attrs([
        ['config', Thunk.lazy(() => configProxy(modelRef))],
        ['lib', Thunk.of(std.lib)],
        ['pkgs', Thunk.of(pkgs)],
        ['options', Thunk.of(opaque('options'))],
        ['utils', Thunk.of(opaque('utils'))],
        ['modulesPath', Thunk.of(unknown('modulesPath'))],
        ['specialArgs', Thunk.of(opaque('specialArgs'))],
        ...extra,
      ]),
    );
  const submoduleArgs = (name: Thunk, config: Thunk): Thunk =>
    Thunk.of(
      attrs([
        ['name', name],
        ['config', config],
        ['lib', Thunk.of(std.lib)],
        ['pkgs', Thunk.of(pkgs)],
        ['options', Thunk.of(opaque('options'))],
        ['utils', Thunk.of(opaque('utils'))],
      ]),
    );

  let top: Value = ev.eval(parsed.root, ev.root);
  if (top.t === 'lambda' || top.t === 'prim') top = ev.applyValue(top, args());
  const m = asAttrs(ev.whnf(Thunk.of(top)));

  let optionsTh: Thunk | undefined;
  let configTh: Thunk | undefined;
  if (m.t === 'attrs') {
    optionsTh = m.attrs.get('options')?.th;
    configTh = m.attrs.get('config')?.th;
    if (!optionsTh && !configTh) {
      // A module without options/config is all config.
      const rest = new Map(m.attrs);
      for (const k of ['imports', 'meta', 'disabledModules', '_file', 'key', '_class', 'freeformType']) rest.delete(k);
      configTh = Thunk.of({ t: 'attrs', attrs: rest });
    } else {
      // Top-level attribute paths like `config.systemd.services = ...` land inside `config` already.
    }
  } else if (m.t === 'unknown') {
    diagnostics.push({ id: 'nixos-not-a-module', line: 1, message: `the file does not evaluate to a module: ${m.reason}` });
  } else {
    diagnostics.push({ id: 'nixos-not-a-module', line: 1, message: 'the file does not evaluate to a module (a set or a function returning one)' });
  }

  // The module's own definitions of its own options (`services.foo.dataDir = mkDefault ...;`)
  // count as the module system counts them. One walk of `config` below the declared option
  // paths finds them all (options read their declared values during that walk); other paths
  // (users.users.<n>) get a walk of their own.
  let own: Map<string, Def[]> | undefined;
  const walkFor = (target: string[]) => (p: string[]) => p.length < target.length && p.every((x, i) => x === target[i]);
  const ownDefs = (target: string[]): Def[] => {
    if (!configTh) return [];
    const key = target.join('\u0000');
    if (model!.optionValue(target) !== undefined || model!.isPrefix(target)) {
      own ??= model!.declaredOnly(() => {
        const m = new Map<string, Def[]>();
        for (const d of collectDefs(ev, configTh!, (p) => model!.isPrefix(p))) {
          const k = d.path.join('\u0000');
          if (!m.has(k)) m.set(k, []);
          m.get(k)!.push(d);
        }
        return m;
      });
      return own.get(key) ?? [];
    }
    return model!.declaredOnly(() => collectDefs(ev, configTh!, walkFor(target))).filter((d) => d.path.join('\u0000') === key);
  };
  model = new OptionModel(ev, optionsTh ? collectOptions(ev, optionsTh) : [], submoduleArgs, true, false, ownDefs);
  const defs = configTh ? collectDefs(ev, configTh) : [];
  return { parsed, ev, defs, options: model, diagnostics };
}

/** Flattens the module's `config` into definitions at the paths `into` selects (default: `descend`). */
export function collectDefs(ev: Evaluator, config: Thunk, into: (path: string[]) => boolean = descend): Def[] {
  const defs: Def[] = [];
  let seq = 0;
  const walk = (
    th: Thunk,
    path: string[],
    guards: Def['guards'],
    prios: number[],
    order: number,
    spans: (Span | undefined)[],
    depth: number,
  ): void => {
    if (depth > 200 || !ev.tick()) return;
    const leaf = !into(path);
    const v = leaf ? th.force() : th.force();
    const here = path.length;
    switch (v.t) {
      case 'cond': {
        const g = v.guard;
        if (v.then) walk(v.then, path, [...guards, { guard: g, want: true }], prios, order, spans, depth + 1);
        if (v.else) walk(v.else, path, [...guards, { guard: g, want: false }], prios, order, spans, depth + 1);
        return;
      }
      case 'merge':
        for (const it of v.items) walk(it, path, guards, prios, order, spans, depth + 1);
        return;
      case 'override': {
        const p = prios.slice();
        p[here] = v.prio;
        walk(v.content, path, guards, p, order, spans, depth + 1);
        return;
      }
      case 'order':
        walk(v.content, path, guards, prios, v.prio, spans, depth + 1);
        return;
      default:
        break;
    }
    if (!leaf && v.t === 'attrs' && !v.open) {
      v.attrs.forEach((a, k) => {
        const sp = spans.slice();
        sp[here] = a.span;
        const p = path.slice();
        p.push(k);
        walk(a.th, p, guards, prios, order, sp, depth + 1);
      });
      return;
    }
    defs.push({ path, th: Thunk.of(v), guards, prios, order, spans, seq: seq++ });
  };
  walk(config, [], [], [], ORDER.plain, [], 0);
  return defs;
}

/**
 * The override priority that the module system's filtering sees for a definition at `depth`.
 * Overrides written above the first option level (`config = mkDefault { systemd.services = ...; }`)
 * are pushed down to it, the outermost one winning; below it each level sees only its own.
 */
export function prioAt(def: Def, depth: number, firstOptionDepth: number): number {
  if (depth === firstOptionDepth) {
    for (let i = 0; i <= depth; i++) {
      const p = def.prios[i];
      if (p !== undefined) return p;
    }
    return PRIO.plain;
  }
  return def.prios[depth] ?? PRIO.plain;
}

export { str };
