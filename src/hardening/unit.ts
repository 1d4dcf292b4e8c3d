/**
 * Unit files, the way NixOS writes them and systemd reads them.
 *
 * - {@link renderServiceSection}: NixOS `serviceConfig` → `[Service]` lines.
 * - {@link parseUnitFile}: unit-file text → sections of `Name=value` assignments (systemd's
 *   conf-parser: comments, continuations, section headers).
 * - {@link serviceSettings}: assignments → the settings `systemd-analyze security` reads, built
 *   the way systemd's load-fragment parsers assign them (systemd 252): later assignments
 *   override, empty ones reset lists, `~` inverts, invalid values are ignored (or, for the few
 *   settings systemd treats as fatal, make the unit fail to load).
 *
 * Everything here is pure. The settings PID1 derives from others (DynamicUser=, PrivateDevices=,
 * ProtectClock=, …) are applied by the scorer, not here: this is what the file says.
 */
import type { Json } from '../nix/index.js';
import names252 from './data/names-252.json' with { type: 'json' };
import { syscallTable, type SyscallTable } from './syscalls.js';

// ---------------------------------------------------------------------------------------------
// Rendering: serviceConfig → [Service]
// ---------------------------------------------------------------------------------------------

/**
 * Renders NixOS `serviceConfig` as the lines of a `[Service]` section.
 *
 * nixpkgs `nixos/lib/systemd-lib.nix` (read at NixOS/nixpkgs 013635633ffe): `attrsToSection`
 * maps over the attribute set (`mapAttrsToList`, so names in sorted order) and writes one
 * `name=${toOption x}` line per element when the value is a list, one line otherwise; an empty
 * list writes nothing. `toOption` turns `true`/`false` into "true"/"false" and leaves everything
 * else to `toString` (null → "", ints in decimal, nested lists joined with spaces, a derivation
 * → its out path).
 */
export function renderServiceSection(options: Readonly<Record<string, Json>>): string[] {
  return renderServiceEntries(Object.keys(options).map((name) => [name, options[name] as Json]));
}

/** {@link renderServiceSection} for the options as a list of name and value (in any order). */
export function renderServiceEntries(entries: readonly (readonly [string, Json])[]): string[] {
  const lines: string[] = [];
  // Extracted options come sorted already (by locale, which agrees for most names).
  let sorted = true;
  for (let i = 1; i < entries.length && sorted; i++) sorted = compareNixNames(entries[i - 1]![0], entries[i]![0]) < 0;
  for (const [name, value] of sorted ? entries : [...entries].sort((a, b) => compareNixNames(a[0], b[0]))) {
    if (!Array.isArray(value)) lines.push(`${name}=${toOption(value)}`);
    else for (const element of value) lines.push(`${name}=${toOption(element)}`);
  }
  return lines;
}

/** Nix sorts attribute names bytewise; for the ASCII names of unit options that is code-unit order. */
function compareNixNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toOption(value: Json): string {
  if (value === true) return 'true';
  if (value === false) return 'false';
  return nixToString(value);
}

/** `builtins.toString` on the values a module can put into serviceConfig. */
function nixToString(value: Json): string {
  if (value === null) return '';
  if (value === true) return '1';
  if (value === false) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(6);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(nixToString).join(' ');
  const outPath = value['outPath'];
  if (typeof outPath === 'string') return outPath;
  // Nix itself fails here ("cannot coerce a set to a string"); callers must not get this far.
  throw new TypeError('an attribute set without outPath cannot be rendered into a unit file');
}

// ---------------------------------------------------------------------------------------------
// Parsing unit files
// ---------------------------------------------------------------------------------------------

/** One `Name=value` assignment: key and value with whitespace stripped, 1-based line number. */
export type Assignment = readonly [name: string, value: string, line: number];

export interface UnitProblem {
  readonly line: number;
  readonly message: string;
}

export interface UnitFile {
  /** Section name → its assignments in file order (a section written twice is merged). */
  readonly sections: ReadonlyMap<string, readonly Assignment[]>;
  /** Lines systemd ignores, with its reason. */
  readonly problems: readonly UnitProblem[];
  /** Set when systemd refuses the whole file (a malformed section header). */
  readonly fatal: UnitProblem | null;
}

/** systemd's WHITESPACE: what strstrip() removes and what separates words. */
const WHITESPACE = ' \t\n\r';
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

function strip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isSpace(s[start])) start++;
  while (end > start && isSpace(s[end - 1])) end--;
  return s.slice(start, end);
}

/** Physical lines; like systemd's read_line(), "\n", "\r\n" and a lone "\r" all end a line. */
function physicalLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  // Text after the last line end is a line only if there is some.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Whether the text ends in a backslash that is not itself escaped (a continuation). */
function endsInContinuation(text: string): boolean {
  // A backslash escapes the character after it, so only the run of backslashes at the end
  // counts: an odd one ends in an unescaped backslash.
  let run = 0;
  while (run < text.length && text.charCodeAt(text.length - 1 - run) === 0x5c) run++;
  return run % 2 === 1;
}

/** systemd's string_is_safe(): no control characters, quotes or backslashes. */
function isSafeSectionName(name: string): boolean {
  for (const c of name) {
    const code = c.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || c === '"' || c === "'" || c === '\\') return false;
  }
  return true;
}

const BOM = '\uFEFF';

/**
 * Parses unit-file text as systemd's config_parse() does: a line whose first non-blank character
 * is `#` or `;` is a comment (also in the middle of a continuation); a line ending in an
 * unescaped backslash continues on the next one (the backslash becomes a space); `[Section]`
 * starts a section; `Name=value` is split at the first `=` and both sides are stripped.
 */
export function parseUnitFile(text: string): UnitFile {
  const sections = new Map<string, Assignment[]>();
  const problems: UnitProblem[] = [];
  let section: string | null = null;
  let continuation: string | null = null;
  let bomSeen = false;
  let lineNo = 0;

  const logical = (raw: string, line: number): UnitProblem | null => {
    const l = strip(raw);
    if (l === '') return null;
    if (l.startsWith('[')) {
      if (!l.endsWith(']')) return { line, message: `Invalid section header '${l}'` };
      const name = l.slice(1, -1);
      if (!isSafeSectionName(name)) return { line, message: `Bad characters in section header '${l}'` };
      section = name;
      if (!sections.has(name)) sections.set(name, []);
      return null;
    }
    if (section === null) {
      problems.push({ line, message: 'Assignment outside of section. Ignoring.' });
      return null;
    }
    const eq = l.indexOf('=');
    if (eq < 0) problems.push({ line, message: "Missing '=', ignoring line." });
    else if (eq === 0) problems.push({ line, message: "Missing key name before '=', ignoring line." });
    else sections.get(section)?.push([strip(l.slice(0, eq)), strip(l.slice(eq + 1)), line]);
    return null;
  };

  for (const physical of physicalLines(text)) {
    lineNo++;
    let l = physical;
    let i = 0;
    while (isSpace(l[i])) i++;
    if (l[i] === '#' || l[i] === ';') continue;
    if (!bomSeen && l.startsWith(BOM)) {
      l = l.slice(1);
      bomSeen = true;
    }
    const joined: string = continuation === null ? l : continuation + l;
    if (endsInContinuation(joined)) {
      continuation = joined.slice(0, -1) + ' ';
      continue;
    }
    continuation = null;
    const fatal = logical(joined, lineNo);
    if (fatal) return { sections, problems, fatal };
  }
  if (continuation !== null) {
    const fatal = logical(continuation, ++lineNo);
    if (fatal) return { sections, problems, fatal };
  }
  return { sections, problems, fatal: null };
}

// ---------------------------------------------------------------------------------------------
// Word and number syntax shared by systemd's parsers
// ---------------------------------------------------------------------------------------------

interface ExtractFlags {
  /** EXTRACT_UNQUOTE: '…' and "…" group characters and are removed. */
  readonly unquote?: boolean;
  /** EXTRACT_RELAX: an unfinished quote or a trailing backslash ends the word instead of failing. */
  readonly relax?: boolean;
  /** Separator characters (default: whitespace). */
  readonly separators?: string;
  /** EXTRACT_DONT_COALESCE_SEPARATORS: stop after the first word, keep the rest verbatim. */
  readonly single?: boolean;
}

interface Words {
  readonly words: string[];
  /** A syntax error stopped the split; `words` holds the words before it. */
  readonly error: boolean;
  /** With `single`: the text after the first separator (null when there was none). */
  readonly rest: string | null;
}

/**
 * systemd's extract_first_word() applied repeatedly. Without `unquote` quotes are ordinary
 * characters; a backslash always escapes the next character (and is dropped).
 */
function extractWords(input: string, flags: ExtractFlags = {}): Words {
  const seps = flags.separators ?? WHITESPACE;
  const isSep = (c: string): boolean => seps.includes(c);
  const words: string[] = [];
  let i = 0;
  for (;;) {
    if (!flags.single) while (i < input.length && isSep(input[i] as string)) i++;
    if (i >= input.length) return { words, error: false, rest: null };
    let word = '';
    let quote: string | null = null;
    let ended = false;
    while (!ended) {
      if (i >= input.length) {
        if (quote !== null && !flags.relax) return { words, error: true, rest: null };
        words.push(word);
        return { words, error: false, rest: null };
      }
      const c = input[i] as string;
      if (c === '\\') {
        i++;
        if (i >= input.length) {
          if (!flags.relax) return { words, error: true, rest: null };
          words.push(word);
          return { words, error: false, rest: null };
        }
        word += input[i];
        i++;
      } else if (quote !== null) {
        if (c === quote) quote = null;
        else word += c;
        i++;
      } else if (flags.unquote && (c === '"' || c === "'")) {
        quote = c;
        i++;
      } else if (isSep(c)) {
        ended = true;
        i++;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
    if (flags.single) return { words, error: false, rest: input.slice(i) };
    while (i < input.length && isSep(input[i] as string)) i++;
  }
}

/** systemd compares names case-insensitively in ASCII only (strcasecmp, gperf %ignore-case). */
function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function asciiUpper(s: string): string {
  return /[a-z]/.test(s) ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s;
}

const TRUE_WORDS = ['yes', 'y', 'true', 't', 'on'];
const FALSE_WORDS = ['no', 'n', 'false', 'f', 'off'];

/** systemd's parse_boolean(): "1"/"0" or one of the words above, case-insensitively. */
export function parseBoolean(value: string): boolean | null {
  if (value === '1') return true;
  if (value === '0') return false;
  const lower = asciiLower(value);
  if (TRUE_WORDS.includes(lower)) return true;
  if (FALSE_WORDS.includes(lower)) return false;
  return null;
}

const digitValue = (c: string): number => {
  const code = asciiLower(c).charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 87;
  return 99;
};

/**
 * C strtol()/strtoul() as systemd's safe_ato*() use them: the whole string must be consumed.
 * Base 0 means "0x" → hex, a leading "0" → octal, else decimal. `signs`: whether "+"/"-" may
 * lead (strtoul accepts "-" too, but safe_atou*() then refuses a non-zero result).
 */
function parseCInteger(text: string, base: 0 | 8 | 10, signs: boolean): bigint | null {
  let s = text;
  let negative = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    if (!signs) return null;
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  let radix: number = base;
  if (base === 0) {
    if ((s.startsWith('0x') || s.startsWith('0X')) && s.length > 2) {
      radix = 16;
      s = s.slice(2);
    } else radix = s.startsWith('0') && s.length > 1 ? 8 : 10;
  }
  if (s === '') return null;
  let n = 0n;
  for (const c of s) {
    const d = digitValue(c);
    if (d >= radix) return null;
    n = n * BigInt(radix) + BigInt(d);
  }
  return negative ? -n : n;
}

/** safe_atoi(): base 0, sign allowed, must fit an int. */
function safeAtoi(text: string): number | null {
  const n = parseCInteger(text, 0, true);
  if (n === null || n > 2147483647n || n < -2147483648n) return null;
  return Number(n);
}

/** safe_atou8(): base 0, "+" allowed, "-" only for zero. */
function safeAtou8(text: string): number | null {
  const n = parseCInteger(text, 0, true);
  if (n === null || n < 0n || n > 255n) return null;
  return Number(n);
}

// ---------------------------------------------------------------------------------------------
// Paths, user names, specifiers
// ---------------------------------------------------------------------------------------------

/** path_simplify(): drops "." components, doubled and trailing slashes. */
function simplifyPath(path: string): string {
  const absolute = path.startsWith('/');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  const joined = parts.join('/');
  if (absolute) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** path_simplify_and_warn(): null when systemd rejects the path, else the simplified path. */
function checkedPath(path: string, absolute: boolean): string | null {
  if (absolute && !path.startsWith('/')) return null;
  const simple = simplifyPath(path);
  // path_is_valid(): total length below PATH_MAX, every component within NAME_MAX.
  if (simple.length >= 4096 || simple.split('/').some((p) => p.length > 255)) return null;
  // path_is_normalized(): no ".." component (the rest was simplified away).
  if (simple.split('/').includes('..')) return null;
  return simple;
}

function pathStartsWith(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/');
}

const isDigits = (s: string): boolean => s.length > 0 && [...s].every((c) => c >= '0' && c <= '9');

/** parse_uid(): decimal, no sign, no leading zero, not (uid_t)-1 or 65535. */
function isNumericUid(s: string): boolean {
  if (!isDigits(s) || (s.length > 1 && s.startsWith('0'))) return false;
  const n = BigInt(s);
  return n < 4294967295n && n !== 65535n;
}

/**
 * valid_user_group_name() with VALID_USER_ALLOW_NUMERIC|VALID_USER_RELAX, what User=, Group= and
 * SupplementaryGroups= accept: a valid numeric ID, or nearly anything else except control
 * characters, ':' or '/', all-digit strings (also with a leading '-'), "." and "..".
 */
function isValidUserName(s: string): boolean {
  if (s === '') return false;
  if (isNumericUid(s)) return true;
  for (const c of s) {
    const code = c.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || c === ':' || c === '/') return false;
  }
  if (isDigits(s) || (s.startsWith('-') && (s.length === 1 || isDigits(s.slice(1))))) return false;
  return s !== '.' && s !== '..';
}

/** valid_user_group_name() in strict mode, which decides whether a unit name can be a user name. */
export function isStrictUserName(s: string): boolean {
  if (s === '' || s.length > 31) return false;
  const alpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (!alpha(s[0] as string) && s[0] !== '_') return false;
  return [...s.slice(1)].every((c) => alpha(c) || (c >= '0' && c <= '9') || c === '_' || c === '-');
}

/** "foo@bar.service" → { prefix: "foo", instance: "bar", name: "foo@bar" } */
function unitNameParts(unit: string): { prefix: string; instance: string; name: string } {
  const dot = unit.lastIndexOf('.');
  const name = dot > 0 ? unit.slice(0, dot) : unit;
  const at = name.indexOf('@');
  return at < 0 ? { prefix: name, instance: '', name } : { prefix: name.slice(0, at), instance: name.slice(at + 1), name };
}

/**
 * The specifiers of systemd 252's unit_full_printf()/unit_path_printf() (every other letter is
 * an error, -EBADSLT; checked letter by letter against the tool). What they expand to, for a
 * system service:
 * - fixed for the system manager: the user and group are root, the directories are the system ones;
 * - derived from the unit name;
 * - depending on the host (hostname, machine id, OS release, …): we substitute a stand-in of the
 *   same shape (a word, or an absolute path: that is what decides whether User= is valid or
 *   RootDirectory= points away from "/") and report the directive as unresolved.
 */
const SYSTEM_SPECIFIERS: Readonly<Record<string, string>> = {
  u: 'root', U: '0', g: 'root', G: '0', t: '/run', S: '/var/lib', C: '/var/cache', L: '/var/log', E: '/etc',
};
const HOST_PATH_SPECIFIERS: Readonly<Record<string, string>> = {
  c: '/system.slice/unit.service', d: '/run/credentials/unit.service', h: '/root', s: '/bin/sh',
  y: '/etc/systemd/system/unit.service', Y: '/etc/systemd/system', T: '/tmp', V: '/var/tmp',
};
const HOST_WORD_SPECIFIERS = 'abmABMovwWHlqrR';
const NAME_SPECIFIERS = 'nNpPiIjJf';

/** The value of a unit-name specifier ("foo-bar@baz.service": %p foo-bar, %j bar, %i baz, %f /baz). */
function nameSpecifier(spec: string, unit: string): string {
  const parts = unitNameParts(unit);
  const last = parts.prefix.slice(parts.prefix.lastIndexOf('-') + 1);
  // The unescaped forms (%P, %I, %J, %f) differ only for names with \x escapes, which NixOS does not write.
  const values: Record<string, string> = {
    n: unit, N: parts.name, p: parts.prefix, P: parts.prefix, i: parts.instance, I: parts.instance, j: last, J: last,
    f: '/' + (parts.instance || parts.prefix).split('-').join('/'),
  };
  return values[spec] ?? '';
}

type Expanded = { readonly ok: string; readonly unresolved: string | null } | { readonly error: string };

/**
 * unit_full_printf(): "%%" → "%", a trailing lone "%" is kept, every specifier is replaced (see
 * above); an unknown one is an error.
 */
function expandSpecifiers(value: string, unitName: string | null): Expanded {
  if (!value.includes('%')) return { ok: value, unresolved: null };
  let out = '';
  let unresolved: string | null = null;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c !== '%') {
      out += c;
      continue;
    }
    const spec = value[++i];
    if (spec === undefined) return { ok: out + '%', unresolved };
    if (spec === '%') out += '%';
    else if (SYSTEM_SPECIFIERS[spec] !== undefined) out += SYSTEM_SPECIFIERS[spec];
    else if (NAME_SPECIFIERS.includes(spec)) {
      if (unitName === null) unresolved ??= `%${spec}`;
      out += nameSpecifier(spec, unitName ?? 'unit.service');
    } else if (HOST_PATH_SPECIFIERS[spec] !== undefined) {
      unresolved ??= `%${spec}`;
      out += HOST_PATH_SPECIFIERS[spec];
    } else if (HOST_WORD_SPECIFIERS.includes(spec)) {
      unresolved ??= `%${spec}`;
      out += 'host';
    } else return { error: `%${spec}` };
  }
  return { ok: out, unresolved };
}

// ---------------------------------------------------------------------------------------------
// IP address prefixes
// ---------------------------------------------------------------------------------------------

export interface IpPrefix {
  readonly family: 4 | 6;
  /** Network bytes with the host bits cleared, as systemd stores them. */
  readonly address: readonly number[];
  readonly prefixLength: number;
}

/** glibc inet_pton(AF_INET): exactly four decimal parts, no leading zeros. */
function parseIPv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const p of parts) {
    if (!isDigits(p) || p.length > 3 || (p.length > 1 && p.startsWith('0'))) return null;
    const n = Number(p);
    if (n > 255) return null;
    bytes.push(n);
  }
  return bytes;
}

const isHex = (c: string): boolean => digitValue(c) < 16;

/** glibc inet_pton(AF_INET6): hex groups, one "::", an optional dotted IPv4 tail. */
function parseIPv6(s: string): number[] | null {
  if (s === '') return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (text: string, allowV4: boolean): number[] | null => {
    if (text === '') return [];
    const bytes: number[] = [];
    const parts = text.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as string;
      if (allowV4 && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return null;
        bytes.push(...v4);
      } else {
        if (p.length === 0 || p.length > 4 || ![...p].every(isHex)) return null;
        const n = parseInt(p, 16);
        bytes.push(n >> 8, n & 0xff);
      }
    }
    return bytes;
  };
  if (halves.length === 1) {
    const all = groups(s, true);
    return all && all.length === 16 ? all : null;
  }
  const head = groups(halves[0] as string, false);
  const tail = groups(halves[1] as string, true);
  if (!head || !tail || head.length + tail.length > 14) return null;
  return [...head, ...new Array<number>(16 - head.length - tail.length).fill(0), ...tail];
}

function maskBytes(bytes: readonly number[], prefixLength: number): number[] {
  return bytes.map((b, i) => {
    const bits = Math.max(0, Math.min(8, prefixLength - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
}

/** in_addr_prefix_from_string_auto(): "ADDR" (full length) or "ADDR/LEN". */
function parseIpPrefix(word: string): IpPrefix | null {
  const slash = word.indexOf('/');
  const addr = slash < 0 ? word : word.slice(0, slash);
  const v4 = parseIPv4(addr);
  const bytes = v4 ?? parseIPv6(addr);
  if (!bytes) return null;
  const family: 4 | 6 = v4 ? 4 : 6;
  const max = bytes.length * 8;
  let prefixLength = max;
  if (slash >= 0) {
    const n = safeAtou8(word.slice(slash + 1));
    if (n === null || n > max) return null;
    prefixLength = n;
  }
  return { family, address: maskBytes(bytes, prefixLength), prefixLength };
}

/** hostname-util is_localhost(). */
function isLocalhostName(word: string): boolean {
  const w = asciiLower(word);
  const names = ['localhost', 'localhost.', 'localhost.localdomain', 'localhost.localdomain.'];
  return names.includes(w) || names.some((n) => w.endsWith('.' + n));
}

function prefix(family: 4 | 6, address: number[], prefixLength: number): IpPrefix {
  return { family, address: maskBytes(address, prefixLength), prefixLength };
}

const ZERO4 = [0, 0, 0, 0];
const ZERO6 = new Array<number>(16).fill(0);

/** The shortcuts config_parse_in_addr_prefixes() knows, each standing for an IPv4 and an IPv6 prefix. */
function ipShortcut(word: string): IpPrefix[] | null {
  if (word === 'any') return [prefix(4, ZERO4, 0), prefix(6, ZERO6, 0)];
  if (isLocalhostName(word)) return [prefix(4, [127, 0, 0, 0], 8), prefix(6, [...ZERO6.slice(0, 15), 1], 128)];
  if (word === 'link-local') return [prefix(4, [169, 254, 0, 0], 16), prefix(6, [0xfe, 0x80, ...ZERO6.slice(2)], 64)];
  if (word === 'multicast') return [prefix(4, [224, 0, 0, 0], 4), prefix(6, [0xff, ...ZERO6.slice(1)], 8)];
  return null;
}

/** in_addr_is_localhost(): 127.0.0.0/8, or exactly ::1. */
export function isLoopback(p: IpPrefix): boolean {
  if (p.family === 4) return p.address[0] === 127;
  return p.address.every((b, i) => b === (i === 15 ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// The settings model
// ---------------------------------------------------------------------------------------------

export type ProtectSystem = 'no' | 'yes' | 'full' | 'strict';
export type ProtectHome = 'no' | 'yes' | 'read-only' | 'tmpfs';
export type KeyringMode = 'inherit' | 'private' | 'shared';
export type ProtectProc = 'default' | 'noaccess' | 'invisible' | 'ptraceable';
export type ProcSubset = 'all' | 'pid';
export type NotifyAccess = 'none' | 'all' | 'main' | 'exec';
export type DevicePolicy = 'auto' | 'closed' | 'strict';

/** The namespace types RestrictNamespaces= knows (systemd's namespace_info[] proc names). */
export const NAMESPACES = ['cgroup', 'ipc', 'net', 'mnt', 'pid', 'user', 'uts', 'time'] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** Every capability bit set: systemd's CAP_ALL, the bounding set's initial value. */
export const CAP_ALL = (1n << 64n) - 1n;

export interface SettingProblem {
  readonly line: number;
  readonly directive: string;
  readonly message: string;
}

export interface DeviceAllowEntry {
  readonly path: string;
  readonly access: string;
}

/** Boolean settings systemd parses with config_parse_bool(), by directive name. */
export const BOOLEAN_DIRECTIVES = [
  'DynamicUser',
  'LockPersonality',
  'MemoryDenyWriteExecute',
  'NoNewPrivileges',
  'PrivateDevices',
  'PrivateMounts',
  'PrivateNetwork',
  'PrivateTmp',
  'PrivateUsers',
  'ProtectClock',
  'ProtectControlGroups',
  'ProtectHostname',
  'ProtectKernelLogs',
  'ProtectKernelModules',
  'ProtectKernelTunables',
  'RemoveIPC',
  'RestrictRealtime',
  'RestrictSUIDSGID',
] as const;
export type BooleanDirective = (typeof BOOLEAN_DIRECTIVES)[number];

/**
 * The settings of one service as systemd holds them after loading its unit file (before PID1
 * derives anything from them). Defaults are those of a system service.
 */
export interface ServiceSettings {
  /** The unit's name ("foo.service"), used for specifiers and DynamicUser='s user name. */
  readonly unitName: string | null;
  /** [Unit] DefaultDependencies= */
  readonly defaultDependencies: boolean;
  readonly booleans: Readonly<Record<BooleanDirective, boolean>>;
  /** User=, null when unset. */
  readonly user: string | null;
  readonly supplementaryGroups: readonly string[];
  readonly protectSystem: ProtectSystem;
  readonly protectHome: ProtectHome;
  readonly rootDirectory: string | null;
  readonly rootImage: string | null;
  /** Valid MountImages= entries (only their presence matters to the scorer). */
  readonly mountImages: number;
  /** Credential id → whether it is loaded/set encrypted (LoadCredential[Encrypted]=, SetCredential[Encrypted]=). */
  readonly loadCredentials: ReadonlyMap<string, boolean>;
  readonly setCredentials: ReadonlyMap<string, boolean>;
  /** 64-bit capability masks. */
  readonly capabilityBoundingSet: bigint;
  readonly ambientCapabilities: bigint;
  readonly umask: number;
  readonly keyringMode: KeyringMode;
  readonly protectProc: ProtectProc;
  readonly procSubset: ProcSubset;
  readonly notifyAccess: NotifyAccess;
  readonly delegate: boolean;
  /** The namespace types still permitted; 'initial' = never set (everything permitted). */
  readonly restrictNamespaces: 'initial' | ReadonlySet<Namespace>;
  /** `families` null: no list allocated (unset, reset, or `none`). Numbers are AF_* values. */
  readonly restrictAddressFamilies: { readonly allowList: boolean; readonly families: ReadonlySet<number> | null };
  readonly systemCallArchitectures: ReadonlySet<string>;
  /** null: no filter allocated. Otherwise the names in the list (groups expanded). */
  readonly systemCallFilter: { readonly allowList: boolean; readonly syscalls: ReadonlySet<string> } | null;
  readonly ipAddressAllow: readonly IpPrefix[];
  readonly ipAddressDeny: readonly IpPrefix[];
  readonly ipIngressFilterPath: readonly string[];
  readonly ipEgressFilterPath: readonly string[];
  readonly devicePolicy: DevicePolicy;
  readonly deviceAllow: readonly DeviceAllowEntry[];
  /** Directives whose value uses a specifier we cannot resolve statically (e.g. %H). */
  readonly unresolved: ReadonlySet<string>;
  /** Assignments systemd ignores, with its reason. */
  readonly problems: readonly SettingProblem[];
  /** Set when systemd refuses to load the unit ("bad-setting"); then nothing is scored. */
  readonly loadError: SettingProblem | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Draft = Mutable<Omit<ServiceSettings, 'booleans'>> & { booleans: Record<BooleanDirective, boolean> };

export function defaultServiceSettings(unitName: string | null = null): ServiceSettings {
  return draftDefaults(unitName);
}

const NO_BOOLEANS = Object.freeze(Object.fromEntries(BOOLEAN_DIRECTIVES.map((d) => [d, false])) as Record<BooleanDirective, boolean>);

function draftDefaults(unitName: string | null): Draft {
  const booleans = { ...NO_BOOLEANS };
  return {
    unitName,
    defaultDependencies: true,
    booleans,
    user: null,
    supplementaryGroups: [],
    protectSystem: 'no',
    protectHome: 'no',
    rootDirectory: null,
    rootImage: null,
    mountImages: 0,
    loadCredentials: new Map(),
    setCredentials: new Map(),
    capabilityBoundingSet: CAP_ALL,
    ambientCapabilities: 0n,
    umask: 0o022,
    keyringMode: 'private',
    protectProc: 'default',
    procSubset: 'all',
    notifyAccess: 'none',
    delegate: false,
    restrictNamespaces: 'initial',
    restrictAddressFamilies: { allowList: false, families: null },
    systemCallArchitectures: new Set(),
    systemCallFilter: null,
    ipAddressAllow: [],
    ipAddressDeny: [],
    ipIngressFilterPath: [],
    ipEgressFilterPath: [],
    devicePolicy: 'auto',
    deviceAllow: [],
    unresolved: new Set(),
    problems: [],
    loadError: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Names systemd 252 accepts (generated data, see scripts/gen-syscall-groups.mjs)
// ---------------------------------------------------------------------------------------------

export interface NameTables {
  /** Upper-cased capability name → number (systemd looks names up case-insensitively). */
  readonly capabilities: ReadonlyMap<string, number>;
  readonly addressFamilies: ReadonlyMap<string, number>;
  readonly errnoNames: ReadonlySet<string>;
  readonly architectures: ReadonlySet<string>;
}

function nameTables(data: typeof names252): NameTables {
  const upper = (record: Record<string, number>): Map<string, number> =>
    new Map(Object.entries(record).map(([k, v]) => [asciiUpper(k), v]));
  return {
    capabilities: upper(data.capabilities),
    addressFamilies: upper(data.addressFamilies),
    errnoNames: new Set(data.errnoNames.map(asciiUpper)),
    architectures: new Set(data.architectures),
  };
}

const NAME_TABLES: Readonly<Record<number, NameTables>> = { 252: nameTables(names252) };

/** The capability, address-family, errno and architecture names a systemd version accepts. */
export function systemdNames(systemdVersion: number): NameTables {
  const names = NAME_TABLES[systemdVersion];
  if (!names) throw new Error(`no parser tables for systemd ${systemdVersion}; run scripts/gen-syscall-groups.mjs`);
  return names;
}

// ---------------------------------------------------------------------------------------------
// Directive parsers
// ---------------------------------------------------------------------------------------------

interface Context {
  readonly names: NameTables;
  readonly syscalls: SyscallTable;
  readonly unitName: string | null;
  readonly directive: string;
  readonly line: number;
  /** systemd logs and ignores the assignment (or the rest of it). */
  ignore(message: string): void;
  /** systemd refuses to load the unit. */
  fatal(message: string): void;
  /** The value depends on the host; we note it and go on with a stand-in of the same shape. */
  unresolved(what: string): void;
}

type Parser = (s: Draft, value: string, ctx: Context) => void;

/** Runs unit_full_printf(); on failure reports it (fatally when systemd does) and returns null. */
function printf(value: string, ctx: Context, fatal: boolean): string | null {
  const e = expandSpecifiers(value, ctx.unitName);
  if ('ok' in e) {
    if (e.unresolved !== null) ctx.unresolved(e.unresolved);
    return e.ok;
  }
  const message = `Failed to resolve unit specifiers in '${value}' (${e.error})`;
  if (fatal) ctx.fatal(message);
  else ctx.ignore(message);
  return null;
}

function booleanParser(directive: BooleanDirective, fatal = false): Parser {
  return (s, value, ctx) => {
    const b = parseBoolean(value);
    if (b === null) {
      const message = `Failed to parse boolean value: ${value}`;
      if (fatal) ctx.fatal(message);
      else ctx.ignore(message);
      return;
    }
    s.booleans[directive] = b;
  };
}

/** DEFINE_CONFIG_PARSE_ENUM: the exact (case-sensitive) name, anything else is ignored. */
function enumParser<K extends 'keyringMode' | 'protectProc' | 'procSubset' | 'notifyAccess' | 'devicePolicy'>(
  key: K,
  values: readonly Draft[K][],
): Parser {
  return (s, value, ctx) => {
    const v = values.find((x) => x === value);
    if (v === undefined) ctx.ignore(`Failed to parse ${ctx.directive}= value, ignoring: ${value}`);
    else s[key] = v;
  };
}

/** ProtectSystem=/ProtectHome=: a boolean (→ yes/no) or one of the enum's names. */
function protectParser<K extends 'protectSystem' | 'protectHome'>(key: K, values: readonly Draft[K][]): Parser {
  return (s, value, ctx) => {
    const b = parseBoolean(value);
    const v = b === null ? values.find((x) => x === value) : ((b ? 'yes' : 'no') as Draft[K]);
    if (v === undefined) ctx.ignore(`Failed to parse ${ctx.directive}= value, ignoring: ${value}`);
    else s[key] = v;
  };
}

/** config_parse_user_group_compat (User=, Group=): empty resets, an invalid name is fatal. */
function userParser(store: boolean): Parser {
  return (s, value, ctx) => {
    if (value === '') {
      if (store) s.user = null;
      return;
    }
    const k = printf(value, ctx, true);
    if (k === null) return;
    if (!isValidUserName(k)) return ctx.fatal(`Invalid user/group name or numeric ID: ${k}`);
    if (store) s.user = k;
  };
}

/** config_parse_user_group_strv_compat (SupplementaryGroups=). */
const parseSupplementaryGroups: Parser = (s, value, ctx) => {
  if (value === '') {
    s.supplementaryGroups = [];
    return;
  }
  const { words, error } = extractWords(value);
  const groups = [...s.supplementaryGroups];
  for (const word of words) {
    const k = printf(word, ctx, true);
    if (k === null) return;
    if (!isValidUserName(k)) return ctx.fatal(`Invalid user/group name or numeric ID: ${k}`);
    groups.push(k);
  }
  s.supplementaryGroups = groups;
  if (error) ctx.fatal(`Invalid syntax: ${value}`);
};

/** RootDirectory=, RootImage=: config_parse_unit_path_printf with fatal errors. */
function rootPathParser(key: 'rootDirectory' | 'rootImage'): Parser {
  return (s, value, ctx) => {
    if (value === '') {
      s[key] = null;
      return;
    }
    const k = printf(value, ctx, true);
    if (k === null) return;
    const path = checkedPath(k, true);
    if (path === null) return ctx.fatal(`${ctx.directive}= path is not absolute or not normalized: ${k}`);
    s[key] = path;
  };
}

/**
 * capability_from_name(): a number 0…63 (C syntax, base 0), or a capability name in any case.
 * Unknown names are skipped silently.
 */
function capabilityBit(word: string, names: NameTables): bigint | null {
  const i = safeAtoi(word);
  if (i !== null) return i >= 0 && i < 64 ? 1n << BigInt(i) : null;
  const n = names.capabilities.get(asciiUpper(word));
  return n === undefined ? null : 1n << BigInt(n);
}

/**
 * config_parse_capability_set: "~" inverts. When the words name no capability, or the set still
 * has its initial value (all bits for the bounding set, none for the ambient set), the line
 * replaces the set; otherwise it adds to it (or, inverted, removes from it).
 */
function capabilityParser(key: 'capabilityBoundingSet' | 'ambientCapabilities'): Parser {
  const initial = key === 'capabilityBoundingSet' ? CAP_ALL : 0n;
  return (s, value, ctx) => {
    const invert = value.startsWith('~');
    const { words } = extractWords(invert ? value.slice(1) : value, { unquote: true, relax: true });
    let sum = 0n;
    for (const word of words) sum |= capabilityBit(word, ctx.names) ?? 0n;
    if (sum === 0n || s[key] === initial) s[key] = invert ? ~sum & CAP_ALL : sum;
    else s[key] = invert ? s[key] & ~sum & CAP_ALL : s[key] | sum;
  };
}

/** config_parse_mode: octal, no sign, at most 07777. */
const parseUMask: Parser = (s, value, ctx) => {
  const n = parseCInteger(value, 8, false);
  if (n === null || n > 0o7777n) return ctx.ignore(`Failed to parse mode value, ignoring: ${value}`);
  s.umask = Number(n);
};

/**
 * config_parse_restrict_namespaces: a boolean replaces everything; otherwise a list of namespace
 * types ("~" = the types to forbid). The first list sets the permitted types, later ones add
 * (or, with "~", remove). One unknown type makes the whole line ignored.
 */
const parseRestrictNamespaces: Parser = (s, value, ctx) => {
  if (value === '') {
    s.restrictNamespaces = 'initial';
    return;
  }
  const b = parseBoolean(value);
  if (b !== null) {
    s.restrictNamespaces = b ? new Set() : new Set(NAMESPACES);
    return;
  }
  const invert = value.startsWith('~');
  const { words, error } = extractWords(invert ? value.slice(1) : value);
  const listed = new Set<Namespace>();
  for (const word of words) {
    const ns = NAMESPACES.find((n) => n === word);
    if (ns === undefined) return ctx.ignore(`Failed to parse namespace type string, ignoring: ${value}`);
    listed.add(ns);
  }
  if (error) return ctx.ignore(`Failed to parse namespace type string, ignoring: ${value}`);
  if (s.restrictNamespaces === 'initial') {
    s.restrictNamespaces = new Set(invert ? NAMESPACES.filter((n) => !listed.has(n)) : listed);
    return;
  }
  const next = new Set(s.restrictNamespaces);
  for (const ns of listed) {
    if (invert) next.delete(ns);
    else next.add(ns);
  }
  s.restrictNamespaces = next;
};

/**
 * config_parse_address_families: "none" empties an allow list; otherwise the first line after a
 * reset decides allow ("AF_…") or deny ("~AF_…") mode, and later lines add to or remove from it.
 * Family names are matched case-insensitively; unknown ones are skipped.
 */
const parseAddressFamilies: Parser = (s, value, ctx) => {
  if (value === '') {
    s.restrictAddressFamilies = { allowList: false, families: null };
    return;
  }
  if (value === 'none') {
    s.restrictAddressFamilies = { allowList: true, families: null };
    return;
  }
  const invert = value.startsWith('~');
  const current = s.restrictAddressFamilies;
  const allowList = current.families === null ? !invert : current.allowList;
  const families = new Set(current.families ?? []);
  const { words, error } = extractWords(invert ? value.slice(1) : value, { unquote: true });
  for (const word of words) {
    const af = ctx.names.addressFamilies.get(asciiUpper(word));
    if (af === undefined) {
      ctx.ignore(`Failed to parse address family, ignoring: ${word}`);
      continue;
    }
    if (!invert === allowList) families.add(af);
    else families.delete(af);
  }
  s.restrictAddressFamilies = { allowList, families };
  if (error) ctx.ignore(`Invalid syntax, ignoring: ${value}`);
};

/** config_parse_syscall_archs: architecture names (case-sensitive), empty resets. */
const parseSyscallArchitectures: Parser = (s, value, ctx) => {
  if (value === '') {
    s.systemCallArchitectures = new Set();
    return;
  }
  const { words, error } = extractWords(value, { unquote: true });
  const archs = new Set(s.systemCallArchitectures);
  for (const word of words) {
    if (ctx.names.architectures.has(word)) archs.add(word);
    else ctx.ignore(`Failed to parse system call architecture "${word}", ignoring`);
  }
  s.systemCallArchitectures = archs;
  if (error) ctx.ignore(`Invalid syntax, ignoring: ${value}`);
};

/** seccomp_parse_errno_or_action(): "kill", an errno name (any case) or a number 0…4095. */
function parseErrnoOrAction(text: string, names: NameTables): number | null {
  if (text === 'kill') return Number.MAX_SAFE_INTEGER;
  if (names.errnoNames.has(asciiUpper(text))) return 1;
  const n = safeAtoi(text);
  return n !== null && n >= 0 && n <= 4095 ? n : null;
}

/**
 * config_parse_syscall_filter: the first line after a reset decides the mode ("~" = deny list;
 * an allow list starts out with @default). Later plain lines add to an allow list and remove
 * from a deny list; "~" lines do the opposite. "NAME:ERRNO" suffixes do not change membership,
 * but an invalid errno drops the word, and so does any errno on a plain (allow) line.
 */
type SyscallFilter = NonNullable<ServiceSettings['systemCallFilter']>;

/** One SystemCallFilter= assignment applied to the filter before it, and what systemd ignored. */
interface FilterStep {
  readonly filter: SyscallFilter | null;
  readonly ignored: readonly string[];
}

/**
 * Steps already taken, per filter before them (or per syscall table, for a first assignment):
 * services share a handful of filter values, and each step copies and expands a few hundred
 * names. Filters are never changed once built, so sharing them is safe.
 */
const filterSteps = new WeakMap<object, Map<string, FilterStep>>();

const parseSyscallFilter: Parser = (s, value, ctx) => {
  const from: object = s.systemCallFilter ?? ctx.syscalls;
  let steps = filterSteps.get(from);
  if (!steps) filterSteps.set(from, (steps = new Map()));
  let step = steps.get(value);
  if (!step) {
    step = syscallFilterStep(s.systemCallFilter, value, ctx.syscalls, ctx.names);
    if (steps.size >= 500) steps.clear();
    steps.set(value, step);
  }
  s.systemCallFilter = step.filter;
  for (const message of step.ignored) ctx.ignore(message);
};

function syscallFilterStep(before: SyscallFilter | null, value: string, table: SyscallTable, names: NameTables): FilterStep {
  const ignored: string[] = [];
  if (value === '') return { filter: null, ignored };
  const invert = value.startsWith('~');
  let filter = before;
  if (filter === null) {
    const seed = invert ? [] : table.expand('@default');
    filter = { allowList: !invert, syscalls: new Set(seed) };
  }
  const syscalls = new Set(filter.syscalls);
  const add = invert !== filter.allowList;
  const { words, error } = extractWords(invert ? value.slice(1) : value);
  for (const word of words) {
    const colon = word.indexOf(':');
    const name = colon < 0 ? word : word.slice(0, colon);
    const errno = colon < 0 ? -1 : parseErrnoOrAction(word.slice(colon + 1), names);
    if (name === '' || errno === null) {
      ignored.push(`Failed to parse syscall:errno, ignoring: ${word}`);
      continue;
    }
    if (!invert && errno >= 0) {
      ignored.push(`Allow-listed system calls cannot take error number, ignoring: ${word}`);
      continue;
    }
    let members: readonly string[] = [name];
    if (name.startsWith('@')) {
      if (!table.isGroup(name)) {
        ignored.push(`Unknown system call group, ignoring: ${name}`);
        continue;
      }
      members = table.expand(name);
    }
    for (const m of members) {
      if (add) syscalls.add(m);
      else syscalls.delete(m);
    }
  }
  if (error) ignored.push(`Invalid syntax, ignoring: ${value}`);
  return { filter: { allowList: filter.allowList, syscalls }, ignored };
}

/** config_parse_in_addr_prefixes (IPAddressAllow=, IPAddressDeny=). */
function ipParser(key: 'ipAddressAllow' | 'ipAddressDeny'): Parser {
  return (s, value, ctx) => {
    if (value === '') {
      s[key] = [];
      return;
    }
    const list = [...s[key]];
    const { words, error } = extractWords(value);
    for (const word of words) {
      const single = ipShortcut(word) === null ? parseIpPrefix(word) : null;
      const parsed = ipShortcut(word) ?? (single ? [single] : null);
      if (parsed === null) ctx.ignore(`Invalid address prefix specification '${word}', ignoring.`);
      else list.push(...parsed);
    }
    s[key] = list;
    if (error) ctx.ignore(`Invalid syntax, ignoring: ${value}`);
  };
}

/** config_parse_ip_filter_bpf_progs: one absolute path per line, duplicates dropped. */
function bpfPathParser(key: 'ipIngressFilterPath' | 'ipEgressFilterPath'): Parser {
  return (s, value, ctx) => {
    if (value === '') {
      s[key] = [];
      return;
    }
    const k = printf(value, ctx, false);
    if (k === null) return;
    const path = checkedPath(k, true);
    if (path === null) return ctx.ignore(`${ctx.directive}= path is not absolute or not normalized, ignoring: ${k}`);
    if (!s[key].includes(path)) s[key] = [...s[key], path];
  };
}

/** valid_device_node_path(): under /dev/ or /run/systemd/inaccessible/, normalized. */
function isDeviceNodePath(path: string): boolean {
  return pathStartsWith(path, '/dev') || pathStartsWith(path, '/run/systemd/inaccessible');
}

/** config_parse_device_allow: "PATH|char-X|block-X [rwm]". */
const parseDeviceAllow: Parser = (s, value, ctx) => {
  if (value === '') {
    s.deviceAllow = [];
    return;
  }
  const { words, rest, error } = extractWords(value, { unquote: true, single: true });
  const first = words[0];
  if (error || first === undefined) return ctx.ignore(`Invalid syntax, ignoring: ${value}`);
  const resolved = printf(first, ctx, false);
  if (resolved === null) return;
  let path = resolved;
  if (!path.startsWith('block-') && !path.startsWith('char-')) {
    const simple = checkedPath(path, false);
    if (simple === null || !isDeviceNodePath(simple)) return ctx.ignore(`Invalid device node path '${path}', ignoring.`);
    path = simple;
  }
  const access = strip(rest ?? '');
  if (![...access].every((c) => 'rwm'.includes(c))) return ctx.ignore(`Invalid device rights '${access}', ignoring.`);
  s.deviceAllow = [...s.deviceAllow, { path, access }];
};

/** config_parse_delegate: empty or a controller list turns delegation on; a boolean sets it. */
const parseDelegate: Parser = (s, value) => {
  const b = value === '' ? null : parseBoolean(value);
  s.delegate = b ?? true;
};

/** credential_name_valid(): a valid file name of at most 255 bytes. */
function isCredentialName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && name.length <= 255;
}

/**
 * LoadCredential[Encrypted]=ID[:SOURCE] (config_parse_load_credential). The first assignment of
 * an ID wins. Only whether an encrypted one exists matters to the scorer (PID1 then allows the TPM).
 */
function loadCredentialParser(encrypted: boolean): Parser {
  return (s, value, ctx) => {
    if (value === '') {
      s.loadCredentials = new Map();
      return;
    }
    const { words, rest, error } = extractWords(value, { separators: ':', single: true });
    const id = words[0];
    if (error || id === undefined) return ctx.ignore(`Invalid syntax, ignoring: ${value}`);
    const k = printf(id, ctx, false);
    if (k === null) return;
    if (!isCredentialName(k)) return ctx.ignore(`Credential name "${k}" not valid, ignoring.`);
    if (rest !== null && rest !== '') {
      const source = printf(rest, ctx, false);
      if (source === null) return;
      const valid = source.startsWith('/') ? checkedPath(source, true) === source : isCredentialName(source);
      if (!valid) return ctx.ignore(`Credential source "${source}" not valid, ignoring.`);
    }
    if (s.loadCredentials.has(k)) return ctx.ignore(`Duplicated credential value '${k}', ignoring assignment: ${value}`);
    s.loadCredentials = new Map([...s.loadCredentials, [k, encrypted]]);
  };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Approximates unbase64mem(): whitespace ignored, base64 alphabet, optional "=" padding. */
function isBase64(text: string): boolean {
  const s = [...text].filter((c) => !isSpace(c)).join('');
  let end = s.length;
  while (end > 0 && s[end - 1] === '=') end--;
  const body = s.slice(0, end);
  const padding = s.length - end;
  if (padding > 2 || (padding > 0 && s.length % 4 !== 0)) return false;
  return body.length % 4 !== 1 && [...body].every((c) => BASE64.includes(c));
}

/** SetCredential[Encrypted]=ID:VALUE; encrypted values must be base64. */
function setCredentialParser(encrypted: boolean): Parser {
  return (s, value, ctx) => {
    if (value === '') {
      s.setCredentials = new Map();
      return;
    }
    const { words, rest, error } = extractWords(value, { separators: ':', single: true });
    const id = words[0];
    if (error || id === undefined || rest === null) return ctx.ignore(`Invalid syntax, ignoring: ${value}`);
    const k = printf(id, ctx, false);
    if (k === null) return;
    if (!isCredentialName(k)) return ctx.ignore(`Credential name "${k}" not valid, ignoring.`);
    if (encrypted && !isBase64(rest)) return ctx.ignore(`Encrypted credential data not valid Base64 data, ignoring.`);
    s.setCredentials = new Map([...s.setCredentials, [k, encrypted]]);
  };
}

/**
 * MountImages= (an approximation of config_parse_mount_images: "[-]SOURCE:DEST[:OPTIONS]" words,
 * both paths absolute and normalized). Only whether any entry exists matters to the scorer.
 */
const parseMountImages: Parser = (s, value, ctx) => {
  if (value === '') {
    s.mountImages = 0;
    return;
  }
  const { words } = extractWords(value, { unquote: true });
  for (const word of words) {
    const [source = '', dest = ''] = word.split(':');
    const src = source.startsWith('-') ? source.slice(1) : source;
    if (checkedPath(src, true) === null || checkedPath(dest, true) === null) {
      ctx.ignore(`Invalid MountImages= entry, ignoring: ${word}`);
      continue;
    }
    s.mountImages += 1;
  }
};

// Maps, so that a line named after an Object.prototype member is just an unknown directive.
const SERVICE_PARSERS: ReadonlyMap<string, Parser> = new Map(Object.entries<Parser>({
  ...Object.fromEntries(BOOLEAN_DIRECTIVES.map((d) => [d, booleanParser(d, d === 'DynamicUser')])),
  User: userParser(true),
  Group: userParser(false),
  SupplementaryGroups: parseSupplementaryGroups,
  ProtectSystem: protectParser('protectSystem', ['no', 'yes', 'full', 'strict']),
  ProtectHome: protectParser('protectHome', ['no', 'yes', 'read-only', 'tmpfs']),
  RootDirectory: rootPathParser('rootDirectory'),
  RootImage: rootPathParser('rootImage'),
  MountImages: parseMountImages,
  LoadCredential: loadCredentialParser(false),
  LoadCredentialEncrypted: loadCredentialParser(true),
  SetCredential: setCredentialParser(false),
  SetCredentialEncrypted: setCredentialParser(true),
  CapabilityBoundingSet: capabilityParser('capabilityBoundingSet'),
  AmbientCapabilities: capabilityParser('ambientCapabilities'),
  UMask: parseUMask,
  KeyringMode: enumParser('keyringMode', ['inherit', 'private', 'shared']),
  ProtectProc: enumParser('protectProc', ['default', 'noaccess', 'invisible', 'ptraceable']),
  ProcSubset: enumParser('procSubset', ['all', 'pid']),
  NotifyAccess: enumParser('notifyAccess', ['none', 'all', 'main', 'exec']),
  Delegate: parseDelegate,
  RestrictNamespaces: parseRestrictNamespaces,
  RestrictAddressFamilies: parseAddressFamilies,
  SystemCallArchitectures: parseSyscallArchitectures,
  SystemCallFilter: parseSyscallFilter,
  IPAddressAllow: ipParser('ipAddressAllow'),
  IPAddressDeny: ipParser('ipAddressDeny'),
  IPIngressFilterPath: bpfPathParser('ipIngressFilterPath'),
  IPEgressFilterPath: bpfPathParser('ipEgressFilterPath'),
  DevicePolicy: enumParser('devicePolicy', ['auto', 'closed', 'strict']),
  DeviceAllow: parseDeviceAllow,
}));

const UNIT_PARSERS: ReadonlyMap<string, Parser> = new Map([
  [
    'DefaultDependencies',
    (s, value, ctx) => {
      const b = parseBoolean(value);
      if (b === null) ctx.ignore(`Failed to parse boolean value, ignoring: ${value}`);
      else s.defaultDependencies = b;
    },
  ],
]);

/**
 * The [Service] directives serviceSettings() interprets: the inputs of the exposure score, and
 * Group= because an invalid one stops the unit from loading.
 */
export const SETTINGS_DIRECTIVES: readonly string[] = [...SERVICE_PARSERS.keys()];

export interface SettingsOptions {
  readonly systemdVersion?: number;
  /** The unit's file name, e.g. "foo.service" (specifiers, DynamicUser='s user name). */
  readonly unitName?: string;
}

/**
 * Builds the settings model from a parsed unit file, or from the assignments of a [Service]
 * section alone. Assignments are applied in order, exactly as systemd's parsers would.
 */
export function serviceSettings(unit: UnitFile | readonly Assignment[], options: SettingsOptions = {}): ServiceSettings {
  const version = options.systemdVersion ?? 252;
  const names = systemdNames(version);
  const syscalls = syscallTable(version);
  const unitName = options.unitName ?? null;
  const s = draftDefaults(unitName);
  const problems: SettingProblem[] = [];
  const unresolved = new Set<string>();

  const isFile = !Array.isArray(unit);
  const file = unit as UnitFile;
  if (isFile && file.fatal) {
    s.loadError = { ...file.fatal, directive: '' };
    return s;
  }
  const groups: [ReadonlyMap<string, Parser>, readonly Assignment[]][] = isFile
    ? [
        [UNIT_PARSERS, file.sections.get('Unit') ?? []],
        [SERVICE_PARSERS, file.sections.get('Service') ?? []],
      ]
    : [[SERVICE_PARSERS, unit as readonly Assignment[]]];

  // One context for the whole unit, pointed at each assignment in turn (parsers run synchronously).
  const ctx: { -readonly [K in keyof Context]: Context[K] } = {
    names,
    syscalls,
    unitName,
    directive: '',
    line: 0,
    ignore: (message) => problems.push({ line: ctx.line, directive: ctx.directive, message }),
    fatal: (message) => {
      s.loadError ??= { line: ctx.line, directive: ctx.directive, message };
    },
    unresolved: (what) => {
      unresolved.add(ctx.directive);
      problems.push({ line: ctx.line, directive: ctx.directive, message: `Specifier ${what} depends on the host; scored with a stand-in value` });
    },
  };
  for (const [parsers, assignments] of groups) {
    for (const [directive, value, line] of assignments) {
      if (s.loadError) break;
      const parser = parsers.get(directive);
      if (!parser) continue;
      ctx.directive = directive;
      ctx.line = line;
      parser(s, value, ctx);
    }
  }
  s.problems = problems;
  s.unresolved = unresolved;
  return s;
}

/** Convenience: text of a whole unit file → settings. */
export function serviceSettingsFromText(text: string, options: SettingsOptions = {}): ServiceSettings {
  return serviceSettings(parseUnitFile(text), options);
}
