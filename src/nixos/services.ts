/**
 * Services and their effective `serviceConfig`, merged the way the module system merges unit
 * options, under a view: the defaults view, or the defaults with one condition flipped.
 */
import { PRIO } from '../nix/builtins.js';
import type { Diagnostic } from '../nix/diagnostics.js';
import type { Evaluator } from '../nix/eval.js';
import { DEFAULTS_VIEW, type Json, type Rendered, type View, canonGuard, flipView, negate, render, settle } from '../nix/render.js';
import { type Guard, Thunk, type Value, hasSym, renderSym, str, unknown } from '../nix/values.js';
import { type Def, type EvaluatedModule, prioAt } from './module.js';

export type Scope = 'system' | 'user';
export type ServiceCase = 'nixpkgs' | 'upstream-unit' | 'oneshot' | 'confined';

export type OptionValue = { value: Json; line: number } | { unknown: string; line: number };

/** In a branch, a directive can also be not set at all under the condition (systemd's default applies). */
export type BranchValue = OptionValue | { absent: true; line: number };

export interface Branch {
  when: string;
  options: Record<string, BranchValue>;
}

export interface Service {
  name: string;
  unit: string;
  scope: Scope;
  line: number;
  pattern: boolean;
  case: ServiceCase;
  options: Record<string, OptionValue>;
  branches: Branch[];
}

interface ServiceGroup {
  scope: Scope;
  rawName: string;
  /** Path length of the `systemd.services` option (2) or `systemd.user.services` (3). */
  optionDepth: number;
  defs: Def[];
}

/** At most this many conditions are flipped per service to find branches. */
const MAX_GUARDS = 16;

function groupServices(defs: Def[], diagnostics: Diagnostic[]): { groups: ServiceGroup[]; scopeDefs: Map<Scope, Def[]> } {
  // In order of first definition, across both scopes.
  const groups: ServiceGroup[] = [];
  const byName: Record<Scope, Map<string, ServiceGroup>> = { system: new Map(), user: new Map() };
  const scopeDefs = new Map<Scope, Def[]>([
    ['system', []],
    ['user', []],
  ]);
  for (const d of defs) {
    const p = d.path;
    let scope: Scope | undefined;
    let depth = 0;
    if (p[0] === 'systemd' && p[1] === 'services') {
      scope = 'system';
      depth = 2;
    } else if (p[0] === 'systemd' && p[1] === 'user' && p[2] === 'services') {
      scope = 'user';
      depth = 3;
    }
    if (!scope) continue;
    if (p.length === depth) {
      const v = d.th.force();
      diagnostics.push({
        id: 'nixos-unknown-services',
        line: d.spans[depth - 1]?.line ?? 0,
        message: `the set of ${scope === 'user' ? 'systemd.user.services' : 'systemd.services'} cannot be read: ${v.t === 'unknown' ? v.reason : v.t}`,
      });
      continue;
    }
    scopeDefs.get(scope)!.push(d);
    const name = p[depth]!;
    let g = byName[scope].get(name);
    if (!g) {
      g = { scope, rawName: name, optionDepth: depth, defs: [] };
      byName[scope].set(name, g);
      groups.push(g);
    }
    g.defs.push(d);
  }
  return { groups, scopeDefs };
}

/** Whether a definition exists in a view: true, false, or null when a condition is unknown. */
function active(def: Def, view: View): boolean | null {
  let out: boolean | null = true;
  for (const { guard, want } of def.guards) {
    const d = view.decide(guard);
    if (d === null) out = null;
    else if (d !== want) return false;
  }
  return out;
}

/** The module system's filterOverrides at one level: the best priority wins. */
function filterLevel(defs: Def[], depth: number, firstOptionDepth: number, view: View): { defs: Def[]; uncertain: boolean } {
  if (defs.length === 1 && Number.isFinite(prioAt(defs[0]!, depth, firstOptionDepth))) {
    // Most options have one definition: it is kept unless it is inactive.
    const a = active(defs[0]!, view);
    return a === false ? { defs: [], uncertain: false } : { defs, uncertain: a === null };
  }
  let best = Infinity;
  let bestUnknown = Infinity;
  // Each definition's priority, or NaN when it is inactive in this view.
  const prios: number[] = [];
  for (const d of defs) {
    const a = active(d, view);
    if (a === false) {
      prios.push(NaN);
      continue;
    }
    const p = prioAt(d, depth, firstOptionDepth);
    prios.push(p);
    if (a === true) best = Math.min(best, p);
    else bestUnknown = Math.min(bestUnknown, p);
  }
  const min = Math.min(best, bestUnknown);
  const kept = defs.filter((_, i) => prios[i] === min);
  return { defs: kept, uncertain: bestUnknown < best };
}

interface Merged {
  name: string;
  result: Rendered;
  line: number;
  /** The merged value itself, when it is known to exist (for looking inside partly known lists). */
  raw?: Value;
}

/** Merges the definitions of one unit option: concatenate lists, otherwise all must be equal. */
function mergeUnitOption(ev: Evaluator, name: string, defs: Def[], keyIndex: number, view: View, uncertain: boolean, diagnostics: Diagnostic[]): Merged | null {
  let line = Infinity;
  for (const d of defs) line = Math.min(line, d.spans[keyIndex]?.line ?? d.spans.find((s) => s)?.line ?? 0);
  if (uncertain) return { name, result: { unknown: 'depends on which definition applies' }, line };
  const present: { def: Def; v: Value }[] = [];
  let unknownPresence: string | null = null;
  for (const d of defs) {
    const a = active(d, view);
    if (a === false) continue;
    if (a === null) {
      unknownPresence = `depends on ${d.guards.map((g) => g.guard.src).join(' and ')}`;
      continue;
    }
    const v = settle(ev, d.th, view);
    if (v === null) continue;
    present.push({ def: d, v });
  }
  if (present.length === 0) return unknownPresence ? { name, result: { unknown: unknownPresence }, line } : null;
  if (unknownPresence) return { name, result: { unknown: unknownPresence }, line };
  let firstLine = Infinity;
  for (const p of present) firstLine = Math.min(firstLine, p.def.spans[keyIndex]?.line ?? line);
  for (const p of present) if (p.v.t === 'unknown') return { name, result: { unknown: p.v.reason }, line: firstLine };
  if (present.some((p) => p.v.t === 'list')) {
    const sorted = [...present].sort((a, b) => a.def.order - b.def.order || a.def.seq - b.def.seq);
    const items: Thunk[] = [];
    for (const p of sorted) {
      if (p.v.t === 'list') items.push(...p.v.items);
      else items.push(Thunk.of(p.v));
    }
    const raw: Value = { t: 'list', items };
    return { name, result: render(ev, Thunk.of(raw), view), line: firstLine, raw };
  }
  const rendered = present.map((p) => render(ev, Thunk.of(p.v), view));
  const first = rendered[0]!;
  for (const r of rendered.slice(1)) {
    if ('unknown' in r) return { name, result: r, line: firstLine };
    if ('unknown' in first) return { name, result: first, line: firstLine };
    if (JSON.stringify(r.value) !== JSON.stringify(first.value)) {
      diagnostics.push({ id: 'nixos-conflict', line: firstLine, message: `serviceConfig.${name} has conflicting definitions` });
      return { name, result: { unknown: 'conflicting definitions' }, line: firstLine };
    }
  }
  return { name, result: first, line: firstLine };
}

/** What confinement.enable adds to a service (nixos/modules/security/systemd-confinement.nix). */
function confinementDefs(svc: ServiceGroup, enableLine: number, mode: Rendered): Def[] {
  const d = svc.optionDepth + 1; // path length of the service
  const base = [...svc.defs[0]!.path.slice(0, d), 'serviceConfig'];
  const spans = Array(d + 2).fill(undefined);
  spans[d + 1] = { line: enableLine, col: 0, start: 0, end: 0 };
  const full: Value = 'unknown' in mode ? unknown(`depends on confinement.mode: ${mode.unknown}`) : { t: 'bool', v: mode.value === 'full-apivfs' };
  const mk = (name: string, v: Value, prio: number, seq: number): Def => {
    const prios: number[] = [];
    prios[d + 2] = prio;
    return { path: [...base, name], th: Thunk.of(v), guards: [], prios, order: 1000, spans, seq: -1000 + seq };
  };
  return [
    mk('RootDirectory', unknown('a store path made by the confinement module'), PRIO.plain, 0),
    mk('TemporaryFileSystem', str('/'), PRIO.plain, 1),
    mk('PrivateMounts', { t: 'bool', v: true }, PRIO.default, 2),
    ...['MountAPIVFS', 'PrivateDevices', 'PrivateTmp', 'PrivateUsers', 'ProtectControlGroups', 'ProtectKernelModules', 'ProtectKernelTunables'].map((n, i) => mk(n, full, PRIO.default, 3 + i)),
  ];
}

/** A single option (not serviceConfig) of the service in a view, e.g. `confinement.enable`. */
function serviceAttr(ev: Evaluator, svc: ServiceGroup, scopeDefs: Def[], attrPath: string[], view: View, diagnostics: Diagnostic[]): Merged | null {
  const d = svc.optionDepth + 1;
  const matching = svc.defs.filter((x) => x.path.length === d + attrPath.length && attrPath.every((s, i) => x.path[d + i] === s));
  if (matching.length === 0) return null;
  let cur = filterLevel(matching, svc.optionDepth, svc.optionDepth, view);
  cur = filterLevel(cur.defs, d, svc.optionDepth, view);
  for (let i = 1; i <= attrPath.length; i++) cur = { ...filterLevel(cur.defs, d + i, svc.optionDepth, view), uncertain: cur.uncertain };
  return mergeUnitOption(ev, attrPath.join('.'), cur.defs, d + attrPath.length - 1, view, cur.uncertain, diagnostics);
}

/**
 * The level of `systemd.services` itself: definitions of the whole set (`systemd.services =
 * mkDefault { ... }`) compete with all others of this scope. Computed once per view.
 */
function scopeLevelOf(scopeDefs: Def[], optionDepth: number, view: View): { kept: Set<Def>; uncertain: boolean } {
  const { defs, uncertain } = filterLevel(scopeDefs, optionDepth, optionDepth, view);
  return { kept: new Set(defs), uncertain };
}

function computeOptions(
  ev: Evaluator,
  svc: ServiceGroup,
  scopeDefs: Def[],
  view: View,
  diagnostics: Diagnostic[],
  scopeLevel = scopeLevelOf(scopeDefs, svc.optionDepth, view),
): Map<string, Merged> {
  const d = svc.optionDepth + 1; // path length of the service value
  // Levels: systemd.services (all of this scope's definitions), the service, serviceConfig.
  const mine = svc.defs.filter((x) => scopeLevel.kept.has(x));
  const serviceLevel = filterLevel(mine, d, svc.optionDepth, view);
  const scDefs = serviceLevel.defs.filter((x) => x.path[d] === 'serviceConfig');
  const scLevel = filterLevel(scDefs, d + 1, svc.optionDepth, view);
  const uncertain = scopeLevel.uncertain || serviceLevel.uncertain || scLevel.uncertain;

  const byDirective = new Map<string, Def[]>();
  for (const x of scLevel.defs) {
    if (x.path.length === d + 1) {
      // `serviceConfig = <something not a set>`
      const v = x.th.force();
      diagnostics.push({ id: 'nixos-unknown-service-config', line: x.spans[d]?.line ?? 0, message: `serviceConfig of ${renderSym(svc.rawName)} cannot be read: ${v.t === 'unknown' ? v.reason : v.t}` });
      continue;
    }
    const name = x.path[d + 1]!;
    if (!byDirective.has(name)) byDirective.set(name, []);
    byDirective.get(name)!.push(x);
  }

  // confinement.enable injects its own definitions.
  const conf = serviceAttr(ev, svc, scopeDefs, ['confinement', 'enable'], view, diagnostics);
  if (conf && 'value' in conf.result && conf.result.value === true) {
    const mode = serviceAttr(ev, svc, scopeDefs, ['confinement', 'mode'], view, diagnostics);
    for (const cd of confinementDefs(svc, conf.line, mode ? mode.result : { value: 'full-apivfs' })) {
      const name = cd.path[cd.path.length - 1]!;
      if (!byDirective.has(name)) byDirective.set(name, []);
      byDirective.get(name)!.push(cd);
    }
  }

  const out = new Map<string, Merged>();
  for (const [name, defs] of byDirective) {
    const lvl = filterLevel(defs, d + 2, svc.optionDepth, view);
    const m = mergeUnitOption(ev, name, lvl.defs, d + 1, view, uncertain || lvl.uncertain, diagnostics);
    if (m) out.set(name, m);
  }
  return out;
}

/**
 * Directive names in localeCompare's order, each with its rank (collation-equal names share one):
 * the same few hundred names come back for every service, and comparing ranks is much cheaper
 * than collating. Past LOCALE_RANKS names (odd input), names are collated as they come.
 */
const localeOrder: string[] = [];
const localeRank = new Map<string, number>();
const LOCALE_RANKS = 400;

function rankOf(name: string): number | undefined {
  const known = localeRank.get(name);
  if (known !== undefined || localeOrder.length >= LOCALE_RANKS) return known;
  let lo = 0;
  let hi = localeOrder.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (localeOrder[mid]!.localeCompare(name) <= 0) lo = mid + 1;
    else hi = mid;
  }
  localeOrder.splice(lo, 0, name);
  let rank = 0;
  localeOrder.forEach((n, i) => {
    if (i > 0 && localeOrder[i - 1]!.localeCompare(n) !== 0) rank = i;
    localeRank.set(n, rank);
  });
  return localeRank.get(name);
}

/** A map's entries sorted by key as localeCompare sorts them (stable, like Array.prototype.sort). */
function inLocaleOrder<T>(map: ReadonlyMap<string, T>): { k: string; m: T; r: number | undefined }[] {
  // Place new names first: placing one renumbers the others.
  map.forEach((_, k) => rankOf(k));
  const items: { k: string; m: T; r: number | undefined }[] = [];
  map.forEach((m, k) => items.push({ k, m, r: localeRank.get(k) }));
  return items.sort((a, b) => (a.r !== undefined && b.r !== undefined ? a.r - b.r : a.k.localeCompare(b.k)));
}

function toOptionValue(m: Merged): OptionValue {
  return 'value' in m.result ? { value: m.result.value, line: m.line } : { unknown: m.result.unknown, line: m.line };
}

/** Records the conditions a rendering looks at. */
function recordingView(base: View, seen: Map<string, Guard>): View {
  return {
    decide: (g) => {
      if (!seen.has(g.src)) seen.set(g.src, g);
      return base.decide(g);
    },
  };
}

/** What rules need to know about a module beyond the services' serviceConfig. */
export interface ModuleFacts {
  /** Firewall openings the module defines, each with the condition it holds under (null: by default). */
  firewall: { option: string; when: string | null; opens: boolean | null; line: number }[];
  /** The module ships units through `systemd.packages`. */
  shipsUnits: boolean;
  /** The module's own option paths (`services.foo.port`), for hints about what it does. */
  options: string[];
  /** Per service (`scope:name`): settings outside serviceConfig that matter for the sandbox. */
  services: Map<string, { confinement: boolean; preStart: boolean; command: boolean; line: number }>;
}

export const serviceKey = (s: { scope: string; name: string }): string => `${s.scope}:${s.name}`;

function firewallFacts(ev: Evaluator, defs: Def[]): ModuleFacts['firewall'] {
  const out: ModuleFacts['firewall'] = [];
  for (const d of defs) {
    const [a, b, option] = d.path;
    if (a !== 'networking' || b !== 'firewall' || !option || !/^allowed(TCP|UDP)Port(s|Ranges)$/.test(option)) continue;
    const off = d.guards.find((g) => g.guard.value !== g.want);
    const unknownGuard = d.guards.find((g) => g.guard.value === null);
    const when = off ? (off.want ? off.guard.src : negate(off.guard.src)) : unknownGuard ? unknownGuard.guard.src : null;
    const view = off ? flipView(new Map([[canonGuard(off.guard.src).base, canonGuard(off.guard.src).negated ? !off.want : off.want]])) : DEFAULTS_VIEW;
    const v = settle(ev, d.th, view);
    const opens = v === null ? false : v.t === 'list' ? v.items.length > 0 : v.t === 'unknown' ? null : true;
    out.push({ option, when, opens, line: d.spans[2]?.line ?? 0 });
  }
  return out;
}

/** `branches: false` leaves out the values under non-default conditions (the census needs only the defaults). */
export function extractServices(mod: EvaluatedModule, opts: { branches?: boolean } = {}): { services: Service[]; diagnostics: Diagnostic[]; facts: ModuleFacts } {
  const { ev } = mod;
  const diagnostics: Diagnostic[] = [];
  const { groups, scopeDefs } = groupServices(mod.defs, diagnostics);
  const packages = mod.defs.filter((d) => d.path.length === 2 && d.path[0] === 'systemd' && d.path[1] === 'packages');
  const shipsUnits = packages.some((d) => {
    if (active(d, DEFAULTS_VIEW) === false) return false;
    const v = settle(ev, d.th, DEFAULTS_VIEW);
    return v !== null && (v.t !== 'list' || v.items.length > 0);
  });

  const services: Service[] = [];
  const facts: ModuleFacts = { firewall: firewallFacts(ev, mod.defs), shipsUnits, options: mod.options.decls.map((d) => d.path.join('.')), services: new Map() };
  const defaultScopeLevels = new Map<Scope, { kept: Set<Def>; uncertain: boolean }>();
  for (const g of groups) {
    const sd = scopeDefs.get(g.scope)!;
    if (!defaultScopeLevels.has(g.scope)) defaultScopeLevels.set(g.scope, scopeLevelOf(sd, g.optionDepth, DEFAULTS_VIEW));
    const seen = new Map<string, Guard>();
    for (const d of g.defs) for (const { guard } of d.guards) if (!seen.has(guard.src)) seen.set(guard.src, guard);
    const defaults = computeOptions(ev, g, sd, recordingView(DEFAULTS_VIEW, seen), diagnostics, defaultScopeLevels.get(g.scope));
    // Without a prototype: `__proto__` is a name like any other, and V8 keeps the record as a
    // hash table instead of making a hidden class for every service's set of names.
    const options: Record<string, OptionValue> = Object.create(null);
    for (const { k, m } of inLocaleOrder(defaults)) options[k] = toOptionValue(m);

    // Branches: flip one condition at a time and keep what differs from the defaults view.
    const branches: Branch[] = [];
    // One flip per condition, whatever way it is written (`x`, `!x`, `!(x)`).
    const bases = new Map<string, boolean | null>();
    for (const guard of seen.values()) {
      const { base, negated } = canonGuard(guard.src);
      if (!bases.has(base)) bases.set(base, guard.value === null ? null : negated ? !guard.value : guard.value);
    }
    for (const [base, value] of opts.branches === false ? [] : [...bases].slice(0, MAX_GUARDS)) {
      const flips: [boolean, string][] = value === null ? [[true, base], [false, negate(base)]] : [[!value, value ? negate(base) : base]];
      for (const [to, when] of flips) {
        const view = flipView(new Map([[base, to]]));
        const flipped = computeOptions(ev, g, sd, view, []);
        // A condition that removes the whole service (its module's enable) is not a branch of it.
        if (!g.defs.some((d) => active(d, view) !== false)) continue;
        const diff: Record<string, BranchValue> = Object.create(null); // `__proto__` is a name here too
        for (const k of [...new Set([...defaults.keys(), ...flipped.keys()])].sort()) {
          const base = defaults.get(k);
          const m = flipped.get(k);
          if (!m) diff[k] = { absent: true, line: base!.line };
          else if (!base || JSON.stringify(base.result) !== JSON.stringify(m.result)) diff[k] = toOptionValue(m);
        }
        if (Object.keys(diff).length > 0) branches.push({ when, options: diff });
      }
    }

    const line = Math.min(...g.defs.map((d) => d.spans[g.optionDepth]?.line ?? Infinity));
    const script = serviceAttr(ev, g, sd, ['script'], DEFAULTS_VIEW, []);
    const hasScript = !!script && !('value' in script.result && script.result.value === '');
    const exec = defaults.get('ExecStart');
    // `ExecStart = [ "" "..." ]` resets the command of an upstream unit.
    const firstExec = exec?.raw?.t === 'list' && exec.raw.items[0] ? settle(ev, exec.raw.items[0], DEFAULTS_VIEW) : null;
    const execReset = firstExec?.t === 'str' && firstExec.v === '';
    const type = defaults.get('Type');
    const confined = serviceAttr(ev, g, sd, ['confinement', 'enable'], DEFAULTS_VIEW, []);
    let kase: ServiceCase = 'nixpkgs';
    if (shipsUnits && ((!exec && !hasScript) || execReset)) kase = 'upstream-unit';
    else if (confined && 'value' in confined.result && confined.result.value === true) kase = 'confined';
    else if (type && 'value' in type.result && type.result.value === 'oneshot') kase = 'oneshot';

    const name = renderSym(g.rawName);
    const preStart = serviceAttr(ev, g, sd, ['preStart'], DEFAULTS_VIEW, []);
    facts.services.set(serviceKey({ scope: g.scope, name }), {
      confinement: kase === 'confined',
      preStart: (!!preStart && !('value' in preStart.result && preStart.result.value === '')) || defaults.has('ExecStartPre'),
      // The module gives the service something to run (else it only adjusts a unit defined elsewhere).
      command: !!exec || hasScript,
      line: Number.isFinite(line) ? line : 0,
    });
    services.push({
      name,
      unit: `${name}.service`,
      scope: g.scope,
      line: Number.isFinite(line) ? line : 0,
      pattern: hasSym(g.rawName),
      case: kase,
      options,
      branches,
    });
  }
  services.sort((a, b) => a.line - b.line || a.name.localeCompare(b.name));
  return { services, diagnostics, facts };
}
