/**
 * From a NixOS `serviceConfig` value to what systemd understands: first the unit-file lines NixOS
 * renders (nixos/lib/systemd-lib.nix: a list gives one `Name=value` line per element, `true` and
 * `false` are spelled out, `null` becomes an empty assignment, an empty list gives no line), then
 * the meaning systemd reads from those lines, per value kind of the catalogue.
 */
import type { Json } from '../nix/render.js';
import type { Directive } from './catalogue/types.js';
import { syscallTable } from './syscalls.js';

/** The systemd version whose syscall groups expand `@group` entries before sets are compared. */
const SYSCALL_GROUPS_VERSION = 252;

/** The values of the `Name=` lines NixOS writes for one directive. */
export function unitLines(value: Json): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map(toOption);
}

/** NixOS's toOption: booleans spelled out, everything else through toString. */
export function toOption(x: Json): string {
  if (x === true) return 'true';
  if (x === false) return 'false';
  if (x === null) return '';
  if (typeof x === 'string') return x;
  if (typeof x === 'number') return String(x);
  if (Array.isArray(x)) return x.map(toOption).join(' ');
  return '';
}

const YES = new Set(['1', 'yes', 'y', 'true', 't', 'on']);
const NO = new Set(['0', 'no', 'n', 'false', 'f', 'off']);

export function parseBool(s: string): boolean | undefined {
  const l = s.trim().toLowerCase();
  if (YES.has(l)) return true;
  if (NO.has(l)) return false;
  return undefined;
}

/** What a directive means after systemd read its lines. */
export type Meaning =
  | { kind: 'bool'; v: boolean }
  | { kind: 'word'; v: string }
  /** `invert`: a `~` list, naming what is denied rather than what is allowed. */
  | { kind: 'set'; items: string[]; invert: boolean }
  | { kind: 'umask'; v: number }
  /** A value systemd would ignore (invalid), so the default applies. */
  | { kind: 'invalid'; raw: string };

/** Words of a list value; systemd splits on white space. */
function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w.length > 0);
}

/**
 * Meanings already read, per directive and lines: the same few values (`@system-service`, the
 * profiles' own) are read for thousands of services, and a syscall set expands to hundreds of
 * names. Meanings are frozen, so sharing them is safe.
 */
const memo = new WeakMap<Directive, Map<string, Meaning>>();
const MEMO_PER_DIRECTIVE = 2000;

/**
 * Reads the lines of one directive the way systemd does: for single values the last valid
 * assignment wins; lists accumulate, an empty assignment resets them, a leading `~` on the
 * first assignment makes a deny list.
 */
export function meaning(d: Directive, lines: string[]): Meaning {
  let seen = memo.get(d);
  if (!seen) memo.set(d, (seen = new Map()));
  const key = lines.length === 1 ? lines[0]! : JSON.stringify(lines);
  const hit = seen.get(key);
  if (hit) return hit;
  const m = readMeaning(d, lines);
  if (m.kind === 'set') Object.freeze(m.items);
  if (seen.size >= MEMO_PER_DIRECTIVE) seen.clear();
  seen.set(key, Object.freeze(m));
  return m;
}

function readMeaning(d: Directive, lines: string[]): Meaning {
  if (lines.length === 0) lines = d.default === '' ? [] : [d.default];
  switch (d.kind) {
    case 'bool': {
      let v = parseBool(d.default) ?? false;
      for (const l of lines) {
        if (l.trim() === '') {
          v = parseBool(d.default) ?? false;
          continue;
        }
        const b = parseBool(l);
        if (b !== undefined) v = b;
      }
      return { kind: 'bool', v };
    }
    case 'enum': {
      let v = d.default.toLowerCase();
      for (const l of lines) {
        const t = l.trim();
        if (t === '') {
          v = d.default.toLowerCase();
          continue;
        }
        const b = d.boolValues ? parseBool(t) : undefined;
        if (b !== undefined && d.boolValues) v = b ? d.boolValues.yes : d.boolValues.no;
        else if (d.values?.includes(t.toLowerCase()) ?? true) v = t.toLowerCase();
      }
      return { kind: 'word', v };
    }
    case 'string': {
      let v = d.default;
      for (const l of lines) v = l.trim();
      return { kind: 'word', v };
    }
    case 'umask': {
      let v = parseInt(d.default || '0022', 8);
      for (const l of lines) {
        const t = l.trim();
        if (/^[0-7]{1,4}$/.test(t)) v = parseInt(t, 8);
      }
      return { kind: 'umask', v };
    }
    case 'list':
    case 'paths':
    case 'entries':
      return readList(d, lines);
  }
}

/** A list directive whose unset value permits everything (no filter at all). */
export function unsetPermitsAll(d: Directive): boolean {
  // Capability sets say what they hold through their default (`~` for the bounding set: all).
  return d.strictness.kind === 'allow-set' && d.strictness.universe !== undefined && d.strictness.universe !== 'capabilities';
}

/**
 * List semantics of systemd's parsers. For capability sets each assignment is a set (`~` = all
 * but these) OR-ed into the previous one, and an empty assignment means "none". For the other
 * filters (syscalls, address families, namespaces) the first assignment decides between an
 * allow list and a deny list (`~`), later ones add to or take from it, and an empty assignment
 * removes the filter. Plain lists (paths) accumulate; an empty assignment empties them.
 */
function readList(d: Directive, lines: string[]): Meaning {
  type State = { mode: 'unset' | 'allow' | 'deny'; items: Set<string> };
  const universe = d.strictness.kind === 'allow-set' ? d.strictness.universe : undefined;
  const caps = universe === 'capabilities';
  const filter = unsetPermitsAll(d) && !caps;
  // Members as systemd resolves them: syscall groups expanded (so that `~@privileged` after
  // `@system-service` really takes those calls out), `:errno` suffixes dropped.
  const members = (ws: string[]): string[] => {
    if (universe !== 'syscalls') return ws;
    const table = syscallTable(SYSCALL_GROUPS_VERSION);
    return ws.flatMap((w) => {
      const name = w.split(':')[0]!;
      return table.isGroup(name) ? [...table.expand(name)] : [name];
    });
  };
  let st: State = { mode: 'unset', items: new Set() };
  for (const line of lines) {
    const t = line.trim();
    if (t === '') {
      st = caps ? { mode: 'allow', items: new Set() } : { mode: 'unset', items: new Set() };
      continue;
    }
    if (d.boolValues) {
      // RestrictNamespaces=yes/no: nothing or everything permitted.
      const b = parseBool(t);
      if (b !== undefined) {
        st = b ? { mode: 'allow', items: new Set() } : { mode: 'deny', items: new Set() };
        continue;
      }
    }
    if (universe === 'families' && t === 'none') {
      // RestrictAddressFamilies=none: an allow list of nothing.
      st = { mode: 'allow', items: new Set() };
      continue;
    }
    const neg = (caps || filter) && t.startsWith('~');
    const ws = d.kind === 'entries' ? [t.replace(/\s+/g, ' ')] : members(words(neg ? t.slice(1) : t));
    if (caps) {
      const next: State = { mode: neg ? 'deny' : 'allow', items: new Set(ws) };
      st = st.mode === 'unset' ? next : orSets(st, next);
    } else if (filter) {
      if (st.mode === 'unset') st = { mode: neg ? 'deny' : 'allow', items: new Set(ws) };
      else {
        const adds = (st.mode === 'allow') !== neg;
        for (const w of ws) adds ? st.items.add(w) : st.items.delete(w);
      }
    } else {
      if (st.mode === 'unset') st = { mode: 'allow', items: new Set() };
      for (const w of ws) st.items.add(w);
    }
  }
  const items = [...st.items].sort();
  if (st.mode === 'unset') return { kind: 'set', items: [], invert: unsetPermitsAll(d) };
  return { kind: 'set', items, invert: st.mode === 'deny' };
}

/** Union of two permitted sets, each an allow list or a deny list ("all but"). */
function orSets(a: { mode: string; items: Set<string> }, b: { mode: string; items: Set<string> }): { mode: 'allow' | 'deny'; items: Set<string> } {
  if (a.mode === 'allow' && b.mode === 'allow') return { mode: 'allow', items: new Set([...a.items, ...b.items]) };
  if (a.mode === 'deny' && b.mode === 'deny') return { mode: 'deny', items: new Set([...a.items].filter((x) => b.items.has(x))) };
  const [allow, deny] = a.mode === 'allow' ? [a, b] : [b, a];
  return { mode: 'deny', items: new Set([...deny.items].filter((x) => !allow.items.has(x))) };
}

const shown = new WeakMap<Meaning, string>();

/** A stable text form of a meaning, for equality and for messages. */
export function showMeaning(m: Meaning): string {
  let text = shown.get(m);
  if (text === undefined) shown.set(m, (text = showMeaningOnce(m)));
  return text;
}

function showMeaningOnce(m: Meaning): string {
  switch (m.kind) {
    case 'bool':
      return m.v ? 'yes' : 'no';
    case 'word':
      return m.v;
    case 'set':
      return (m.invert ? '~' : '') + m.items.join(' ');
    case 'umask':
      return m.v.toString(8).padStart(4, '0');
    case 'invalid':
      return m.raw;
  }
}
