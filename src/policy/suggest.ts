/**
 * Profile suggestions: the strictest profile with the fewest relaxations the service's needs
 * call for, and the directives to add or tighten, as text edits on the module (usable as GitHub
 * suggestion blocks) or, when there is nothing to anchor them to, as a snippet. A suggestion
 * never loosens anything: a directive whose current value is as strict, stricter, different in
 * kind, or unknown is left as it is.
 */
import { nixAttrName, nixBinding, nixValue } from '../nix/builder.js';
import type { Json } from '../nix/render.js';
import type { Analysis } from '../nixos/extract.js';
import type { OptionValue, Service } from '../nixos/services.js';
import { directive } from '../hardening/catalogue/index.js';
import { compare } from '../hardening/compare.js';
import { DEFAULT_SYSTEMD_VERSION } from '../hardening/target.js';
import { type ServiceScore, scoreService, scoreServiceWith } from '../hardening/service-score.js';
import { bindingLinePattern } from '../hardening/source.js';
import { type Need, inferNeeds } from './needs.js';
import { bundledProfiles, targetSandboxEntries } from './bundled.js';
import type { Profile } from './profile.js';

/** Replace `deleteCount` lines starting at `line` (1-based) with `insert`; deleteCount 0 inserts before `line`. */
export interface Edit {
  line: number;
  deleteCount: number;
  insert: string[];
}

export interface SuggestedChange {
  directive: string;
  from: Json | { unknown: string } | null;
  to: Json;
  /** The line edited, or where the new binding goes. */
  line: number;
}

export interface Suggestion {
  service: string;
  scope: 'system' | 'user';
  profile: string;
  class: string | null;
  relaxations: { id: string; why: string; because: Need[] }[];
  /** Directives kept as written because they are already as strict, differ in kind, or are unknown. */
  kept: { directive: string; reason: string }[];
  changes: SuggestedChange[];
  edits: Edit[];
  /** Nix to add by hand when the module has no serviceConfig set to put the changes in. */
  snippet: string | null;
  /** Why nothing is suggested, when that is the case. */
  note: string | null;
  /**
   * Exposure (systemd-analyze scale): now, of the profile's own sandbox with the chosen
   * relaxations (what the profile promises), and after applying the changes.
   */
  exposure: { before: number; target: number | null; after: number; afterRange: [number, number] } | null;
}

/** A copy of a service's options to change: without a prototype, like the extracted ones. */
const copyOptions = (options: Service['options']): Service['options'] => Object.assign(Object.create(null), options);

const side = (v: OptionValue | undefined) => (v === undefined ? { absent: true as const } : 'unknown' in v ? { unknown: v.unknown } : { value: v.value });

/** The relaxations of a profile that the needs call for, in the profile's order. */
export function chooseRelaxations(profile: Profile, needs: Need[]): Suggestion['relaxations'] {
  const out: Suggestion['relaxations'] = [];
  for (const [id, r] of Object.entries(profile.relaxations)) {
    const because = needs.filter((n) => r.needs.includes(n.id));
    if (because.length > 0) out.push({ id, why: r.why, because });
  }
  return out;
}

/** The class whose relaxations are exactly the chosen ones, if any. */
function classOf(profile: Profile, relaxations: string[]): string | null {
  const chosen = relaxations.filter((r) => r !== 'writable-paths').sort().join(',');
  for (const [id, c] of Object.entries(profile.classes)) if ([...c.relaxations].sort().join(',') === chosen) return id;
  return null;
}

export interface SuggestOptions {
  profile?: string;
  /** The systemd version the module must run on (from the repository config). */
  systemdVersion?: number;
  /** The service's score, when the caller has scored it already. */
  before?: ServiceScore;
  /**
   * Whether to work out what the suggestion looks like in the module (edits or a snippet) and
   * what the profile promises (`exposure.target`); the census needs neither. Default true.
   */
  render?: boolean;
}

export function suggest(service: Service, analysis: Analysis, opts: SuggestOptions = {}): Suggestion {
  const profiles = bundledProfiles();
  const profile = profiles.get(opts.profile ?? 'strict-v1');
  if (!profile) throw new Error(`unknown profile ${opts.profile}; bundled: ${[...profiles.keys()].join(', ')}`);
  const base: Suggestion = {
    service: service.name,
    scope: service.scope,
    profile: profile.id,
    class: null,
    relaxations: [],
    kept: [],
    changes: [],
    edits: [],
    snippet: null,
    note: null,
    exposure: null,
  };
  if (service.case === 'upstream-unit') {
    return { ...base, note: 'The sandbox of this service lives in the unit file of its package (systemd.packages); suggestions would only override parts of it.' };
  }
  const facts = analysis.facts.services.get(`${service.scope}:${service.name}`);
  if (facts && !facts.command) {
    return { ...base, note: 'This module only adjusts a service whose command is defined elsewhere (no ExecStart or script here); its sandbox belongs to that definition.' };
  }
  const needs = inferNeeds(service, analysis);
  const relaxations = chooseRelaxations(profile, needs);
  const targetEntries = targetSandboxEntries(
    profile,
    relaxations.map((r) => r.id),
  );
  const kept: Suggestion['kept'] = [];
  const changes: SuggestedChange[] = [];
  for (const [name, to] of targetEntries) {
    const cur = service.options[name];
    const verdict = compare(name, side(cur), { value: to });
    if (verdict === 'tightened') {
      changes.push({ directive: name, from: cur === undefined ? null : 'unknown' in cur ? { unknown: cur.unknown } : cur.value, to, line: cur?.line ?? 0 });
    } else if (cur !== undefined && verdict !== 'equal') {
      const d = directive(name);
      const since = d?.valueSince && 'value' in cur && typeof cur.value === 'string' ? d.valueSince[cur.value.toLowerCase()] : undefined;
      if (since && since > (opts.systemdVersion ?? DEFAULT_SYSTEMD_VERSION)) {
        kept.push({ directive: name, reason: `its value needs systemd ${since}; older versions ignore it (see no-directive-newer-than-target)` });
        continue;
      }
      kept.push({
        directive: name,
        reason: verdict === 'unknown' ? 'its value is not known statically' : verdict === 'loosened' ? 'it is already stricter than the profile' : 'it differs in kind from the profile; not changed automatically',
      });
    }
  }
  const render = opts.render ?? true;
  const { edits, snippet } = render ? placeChanges(service, analysis.text, changes) : { edits: [], snippet: null };
  // What the profile promises for this service: its sandbox, with the service's own settings
  // for everything the profile leaves open (a declared User, SupplementaryGroups, ...).
  let target: number | null = null;
  if (render) {
    const promised: Service = { ...service, options: copyOptions(service.options) };
    for (const [k, v] of targetEntries) promised.options[k] = { value: v, line: 0 };
    const targetScore = scoreService(promised, { checks: false });
    target = targetScore.loadError ? null : targetScore.exposure;
  }
  const before = opts.before ?? scoreService(service, { checks: false });
  let after = before;
  if (changes.length > 0) after = scoreServiceWith(service, new Map(changes.map((c) => [c.directive, { value: c.to, line: c.line }])), { checks: false });
  const exposure = { before: before.exposure, target, after: after.exposure, afterRange: after.range };
  return {
    ...base,
    class: classOf(profile, relaxations.map((r) => r.id)),
    relaxations,
    kept,
    changes,
    edits,
    snippet,
    note: changes.length === 0 ? 'Nothing to tighten: the service already meets the profile.' : null,
    exposure,
  };
}

// ------------------------------------------------------------------------------------------
// Placing the changes in the source

/** Where a binding `Name = value;` that starts at `line` ends (the line with its `;` at depth 0). */
function bindingEnd(lines: string[], line: number): number | null {
  let depth = 0;
  let inString = false;
  for (let i = line - 1; i < lines.length && i < line + 200; i++) {
    const l = lines[i]!;
    for (let j = 0; j < l.length; j++) {
      const c = l[j]!;
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '#') break;
      if (c === '"') inString = true;
      else if (c === '[' || c === '{' || c === '(') depth++;
      else if (c === ']' || c === '}' || c === ')') depth--;
      else if (c === ';' && depth === 0) return i + 1;
    }
  }
  return null;
}

const indentOf = (l: string) => /^\s*/.exec(l)![0];

/** The binding of `name` at `line`, when it is a plain `name = value;` (possibly dotted before it). */
function plainBinding(lines: string[], name: string, line: number): { start: number; end: number; prefix: string } | null {
  const l = lines[line - 1];
  if (l === undefined) return null;
  const m = bindingLinePattern(name).exec(l);
  if (!m) return null;
  const end = bindingEnd(lines, line);
  if (end === null) return null;
  return { start: line, end, prefix: m[1]! };
}

function placeChanges(service: Service, text: string, changes: SuggestedChange[]): { edits: Edit[]; snippet: string | null } {
  if (changes.length === 0) return { edits: [], snippet: null };
  const lines = text.split('\n');
  const edits: Edit[] = [];
  const toInsert: SuggestedChange[] = [];
  for (const c of changes) {
    const b = c.line > 0 ? plainBinding(lines, c.directive, c.line) : null;
    if (b) {
      const ind = indentOf(lines[b.start - 1]!);
      edits.push({ line: b.start, deleteCount: b.end - b.start + 1, insert: `${b.prefix}${nixValue(c.to, ind)};`.split('\n') });
    } else {
      toInsert.push(c);
    }
  }
  let snippet: string | null = null;
  if (toInsert.length > 0) {
    const anchor = findAnchor(service, lines);
    if (anchor) {
      // The prefix is copied from the anchor line as written (`serviceConfig.`, or a longer path).
      const insert = toInsert.flatMap((c) => `${anchor.indent}${anchor.prefix}${nixBinding(c.directive, c.to, anchor.indent).trimStart()}`.split('\n'));
      edits.push({ line: anchor.after + 1, deleteCount: 0, insert });
      for (const c of toInsert) c.line = anchor.after + 1;
    } else {
      const path = `${service.scope === 'user' ? 'systemd.user.services' : 'systemd.services'}.${nixAttrName(service.name)}.serviceConfig`;
      snippet = `${path} = {\n${toInsert.map((c) => nixBinding(c.directive, c.to, '  ')).join('\n')}\n};`;
    }
  }
  edits.sort((a, b) => a.line - b.line);
  return { edits, snippet };
}

/**
 * Where new directives go: after the last plain binding of the service's serviceConfig, with its
 * indentation and its dotted prefix (`serviceConfig.` when the module writes
 * `serviceConfig.X = ...;`). Bindings written inside the service's own definition (at or after
 * its line) are preferred over shared sets defined elsewhere, which other services may use too.
 */
function findAnchor(service: Service, lines: string[]): { after: number; indent: string; prefix: string } | null {
  type Anchor = { after: number; indent: string; prefix: string; own: boolean };
  let best: Anchor | null = null;
  // A binding that a condition adds or changes sits in a conditional block: not an anchor.
  const conditional = new Set(service.branches.flatMap((b) => Object.keys(b.options)));
  for (const [name, v] of Object.entries(service.options)) {
    if (conditional.has(name)) continue;
    const b = plainBinding(lines, name, v.line);
    if (!b) continue;
    const key = b.prefix.replace(/\s*=\s*$/, '');
    const prefix = key.slice(0, key.length - name.length).trimStart();
    if (prefix !== '' && !prefix.endsWith('serviceConfig.')) continue;
    const a: Anchor = { after: b.end, indent: indentOf(lines[b.start - 1]!), prefix, own: b.start >= service.line };
    if (!best || (a.own && !best.own) || (a.own === best.own && a.after > best.after)) best = a;
  }
  return best && { after: best.after, indent: best.indent, prefix: best.prefix };
}

/** Applies edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: Edit[]): string {
  const lines = text.split('\n');
  for (const e of [...edits].sort((a, b) => b.line - a.line)) lines.splice(e.line - 1, e.deleteCount, ...e.insert);
  return lines.join('\n');
}
