/**
 * Finding the NixOS VM tests of a module, statically (DESIGN §8, nixos-module-idioms §8).
 *
 * Modules carry no link to their tests, so the tests are found the way a maintainer would look:
 * `nixos/tests/all-tests.nix` attributes named after the module or its option, category-prefixed
 * names (`matrix-<x>`), test files named after the module, variants (`<name>-sqlite`), the
 * package's `passthru.tests`, and test files that enable the service.
 *
 * Pure: every text (all-tests.nix, the module, test files, package files) is handed in by the
 * caller, which fetches them at the PR's base commit. Nothing here throws for odd input: broken Nix
 * is parsed with tree-sitter's error recovery and whatever is readable is used.
 */
import { posix } from 'node:path';
import { parseFile, type AttrKey, type Binding, type Expr } from '../nix/ast.js';
import { nixAttrName } from '../nix/builder.js';

/** Where all-tests.nix lives in nixpkgs. */
export const ALL_TESTS_PATH = 'nixos/tests/all-tests.nix';
const TESTS_DIR = 'nixos/tests';

/** How an all-tests.nix attribute builds its test. */
export type TestForm = 'runTest' | 'handleTest' | 'handleTestOn' | 'discoverTests' | 'import' | 'callPackage' | 'other';

export interface TestEntry {
  /** Attribute path joined with dots (`nginx`, `vpn.server`); see `path` for names holding dots. */
  attr: string;
  /** The attribute path, one name per element. */
  path: string[];
  /**
   * The test file, relative to nixos/tests/ and normalised (`./dir` → `dir/default.nix`; files
   * outside the directory keep their `../`), or null when it is not a plain path.
   */
  file: string | null;
  form: TestForm;
  /** 1-based line of the attribute in all-tests.nix. */
  line: number;
}

/** Why a test was picked, as an id (the `how` text says the same for people). */
export type TestVia = 'option-name' | 'module-name' | 'group' | 'category' | 'file' | 'variant' | 'package' | 'enables';

export interface FoundTest {
  attr: string;
  file: string | null;
  how: string;
  via: TestVia;
}

export interface ModuleKeys {
  /** The module's file name without `.nix` (the directory's name for `default.nix`). */
  basename: string;
  /** The first `options.services.<name>` / `options.programs.<name>` the module declares. */
  option: { namespace: 'services' | 'programs'; name: string } | null;
  /** Directories the module sits in below services/ or programs/ (`web-apps`, `matrix`), innermost first. */
  categories: string[];
  /**
   * Package attributes of the module: its `mkPackageOption pkgs "<pkg>"`s, or without one, the
   * `pkgs.<pkg>` it reads. Empty when not asked for (see moduleKeys).
   */
  packages: string[];
}

export interface FindVmTestsInput {
  /** Repository path of the module, e.g. nixos/modules/services/web-apps/pastebin.nix. */
  modulePath: string;
  moduleText: string;
  /** The module's syntax tree, when the caller has parsed it already. */
  moduleSyntax?: Expr;
  allTests: TestEntry[];
  /** Texts of test files the caller fetched, keyed by repository path (nixos/tests/x.nix) or by path relative to nixos/tests/. */
  testFiles?: Map<string, string>;
  /** Texts of package files (pkgs/by-name/xx/<pkg>/package.nix, pkgs/**\/<pkg>/default.nix), keyed by repository path. */
  packageTexts?: Map<string, string>;
}

export interface FindVmTestsResult {
  tests: FoundTest[];
  /** What the search was keyed on, for a "no VM test found for …" message. */
  keys: ModuleKeys;
}

/** At most this many tests are proposed. */
export const MAX_TESTS = 5;

// ---------------------------------------------------------------------------------------------
// all-tests.nix

/** How deep nested attribute sets of tests are followed (`a.b.c = …`). */
const MAX_GROUP_DEPTH = 6;
/** How deep a test expression is searched for its file (`discoverTests (import ./x.nix)`). */
const MAX_FILE_SEARCH_DEPTH = 8;

/**
 * Every attribute of the set all-tests.nix returns, with its test file and form. Nested sets of
 * tests give one entry per leaf (`vpn.server`). Never throws: a file with syntax errors yields the
 * entries tree-sitter could recover; a truncated file is closed and read again.
 */
export function parseAllTests(text: string): TestEntry[] {
  const first = entriesOf(text);
  if (!first.broken) return first.entries;
  // A truncated text (a size cap) often reads as nothing at all: close what is open and read it
  // again, keeping whichever reading found more.
  const closed = closeOpenBrackets(text);
  if (closed === text) return first.entries;
  const second = entriesOf(closed);
  return second.entries.length > first.entries.length ? second.entries : first.entries;
}

function entriesOf(text: string): { entries: TestEntry[]; broken: boolean } {
  const parsed = parseFile(text);
  const out: TestEntry[] = [];
  const seen = new Set<string>();
  const env = new Map<string, Expr>();
  const body = testSetOf(parsed.root, env, 0);
  for (const set of body) collectBindings(set, [], env, out, seen, 0);
  return { entries: out, broken: parsed.diagnostics.length > 0 };
}

/**
 * The attribute sets the file returns, past the function header, `let`, `with` and `assert`;
 * `a // b` gives both sides, `recurseIntoAttrs x` and `optionalAttrs c x` give `x`.
 */
function testSetOf(e: Expr, env: Map<string, Expr>, depth: number): Binding[][] {
  if (depth > 32) return [];
  switch (e.k) {
    case 'lambda':
      return testSetOf(e.body, env, depth + 1);
    case 'let':
      for (const b of e.bindings) {
        const key = b.k === 'bind' && b.path.length === 1 ? staticName(b.path[0]!) : undefined;
        if (key !== undefined && b.k === 'bind' && !env.has(key)) env.set(key, b.value);
      }
      return testSetOf(e.body, env, depth + 1);
    case 'with':
    case 'assert':
      return testSetOf(e.body, env, depth + 1);
    case 'binary':
      return e.op === '//' ? e.operands.flatMap((o) => testSetOf(o, env, depth + 1)) : [];
    case 'apply': {
      const { head, args } = spine(e);
      const last = args[args.length - 1];
      if (last && (head === 'recurseIntoAttrs' || head === 'optionalAttrs')) return testSetOf(last, env, depth + 1);
      return [];
    }
    case 'attrs':
      return [e.bindings];
    default:
      return [];
  }
}

function collectBindings(
  bindings: Binding[],
  prefix: string[],
  env: Map<string, Expr>,
  out: TestEntry[],
  seen: Set<string>,
  depth: number,
): void {
  for (const b of bindings) {
    if (b.k === 'inherit') {
      for (const key of b.names) {
        const name = staticName(key);
        if (name === undefined) continue;
        // `inherit (import ./x.nix { … }) a b;` takes tests from one file; `inherit a;` a let binding.
        if (b.from) addEntry([...prefix, name], b.from, env, b.span.line, out, seen);
        else {
          const bound = env.get(name);
          if (bound) addValue([...prefix, name], bound, env, b.span.line, out, seen, depth);
        }
      }
      continue;
    }
    const names = b.path.map(staticName);
    if (names.some((n) => n === undefined)) continue; // `${name} = …`: not statically known
    addValue([...prefix, ...(names as string[])], b.value, env, b.span.line, out, seen, depth);
  }
}

/** A binding's value: a nested set of tests is walked into, anything else is one entry. */
function addValue(
  path: string[],
  value: Expr,
  env: Map<string, Expr>,
  line: number,
  out: TestEntry[],
  seen: Set<string>,
  depth: number,
): void {
  const group = groupBindings(value, env);
  if (group) {
    if (depth < MAX_GROUP_DEPTH) collectBindings(group, path, env, out, seen, depth + 1);
    return;
  }
  addEntry(path, value, env, line, out, seen);
}

/** The bindings of a plain set of tests (`{ a = …; }` or `recurseIntoAttrs { a = …; }`), else undefined. */
function groupBindings(value: Expr, env: Map<string, Expr>): Binding[] | undefined {
  if (value.k === 'attrs') return value.bindings;
  if (value.k === 'apply') {
    const { head, args } = spine(value);
    const last = args[args.length - 1];
    if (head === 'recurseIntoAttrs' && last?.k === 'attrs') return last.bindings;
  }
  if (value.k === 'var') {
    const bound = env.get(value.name);
    if (bound?.k === 'attrs') return bound.bindings;
  }
  return undefined;
}

function addEntry(path: string[], value: Expr, env: Map<string, Expr>, line: number, out: TestEntry[], seen: Set<string>): void {
  const attr = path.join('.');
  if (seen.has(attr)) return;
  seen.add(attr);
  const { form, file } = classify(value, env);
  out.push({ attr, path, file, form, line });
}

/** The form of a test expression and the file it names. */
function classify(value: Expr, env: Map<string, Expr>, depth = 0): { form: TestForm; file: string | null } {
  if (depth > 4) return { form: 'other', file: null };
  switch (value.k) {
    case 'var': {
      const bound = env.get(value.name);
      return bound && bound !== value ? classify(bound, env, depth + 1) : { form: 'other', file: null };
    }
    case 'select':
      // `(handleTestOn [ … ] ./x.nix { }).sub or { }`: one sub-test of a test file.
      return classify(value.expr, env, depth + 1);
    case 'path':
      return { form: 'other', file: testPath(value) };
    case 'apply': {
      const { head, args } = spine(value);
      const last = args[args.length - 1];
      if ((head === 'recurseIntoAttrs' || head === 'dontRecurseIntoAttrs') && last) return classify(last, env, depth + 1);
      return { form: formOf(head), file: firstFile(args, 0) };
    }
    default:
      return { form: 'other', file: null };
  }
}

function formOf(head: string | undefined): TestForm {
  switch (head) {
    case 'runTest':
    case 'runTestOn':
      return 'runTest';
    case 'handleTest':
      return 'handleTest';
    case 'handleTestOn':
      return 'handleTestOn';
    case 'discoverTests':
      return 'discoverTests';
    case 'import':
      return 'import';
    case 'callPackage':
      return 'callPackage';
    default:
      return 'other';
  }
}

/**
 * The first test file among a call's arguments: a path, the first path of an `imports` list
 * (`runTest { imports = [ ./x.nix ]; … }`), or the file of a nested call (`discoverTests (import ./x.nix)`).
 */
function firstFile(args: Expr[], depth: number): string | null {
  if (depth > MAX_FILE_SEARCH_DEPTH) return null;
  for (const a of args) {
    const found = fileIn(a, depth + 1);
    if (found !== undefined) return found;
  }
  return null;
}

/** undefined: no path here; null: a path that is not static. */
function fileIn(e: Expr, depth: number): string | null | undefined {
  if (depth > MAX_FILE_SEARCH_DEPTH) return undefined;
  switch (e.k) {
    case 'path':
      return testPath(e);
    case 'apply': {
      const { args } = spine(e);
      for (const a of args) {
        const found = fileIn(a, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    case 'select':
      return fileIn(e.expr, depth + 1);
    case 'attrs':
      for (const b of e.bindings) {
        if (b.k !== 'bind' || b.path.length !== 1 || staticName(b.path[0]!) !== 'imports' || b.value.k !== 'list') continue;
        for (const item of b.value.items) {
          const found = fileIn(item, depth + 1);
          if (found !== undefined) return found;
        }
      }
      return undefined;
    default:
      return undefined;
  }
}

/** A path literal as a file relative to nixos/tests/, or null when it is interpolated or not relative. */
function testPath(e: Extract<Expr, { k: 'path' }>): string | null {
  if (e.parts.length !== 1 || typeof e.parts[0] !== 'string') return null;
  const raw = e.parts[0];
  if (!raw.startsWith('./') && !raw.startsWith('../')) return null;
  return normaliseTestFile(raw);
}

/** `./x.nix` → `x.nix`, `./dir` → `dir/default.nix`, `../modules/a/test.nix` → `../modules/a/test.nix`. */
export function normaliseTestFile(raw: string): string | null {
  let rel = raw.replace(/\/+$/, '');
  const last = rel.split('/').pop() ?? '';
  if (!last.endsWith('.nix')) rel += '/default.nix';
  const repo = posix.normalize(posix.join(TESTS_DIR, rel));
  if (repo.startsWith('..')) return null;
  return posix.relative(TESTS_DIR, repo);
}

/** A test file (relative to nixos/tests/, as in TestEntry.file) as a repository path. */
export function testFileRepoPath(file: string): string {
  return posix.normalize(posix.join(TESTS_DIR, file));
}

/** The function name at the head of an application (`pkgs.callPackage` → `callPackage`) and its arguments in order. */
function spine(e: Expr): { head: string | undefined; args: Expr[] } {
  const args: Expr[] = [];
  let fn: Expr = e;
  let guard = 0;
  while (fn.k === 'apply' && guard++ < 64) {
    args.unshift(fn.arg);
    fn = fn.fn;
  }
  let head: string | undefined;
  if (fn.k === 'var') head = fn.name;
  else if (fn.k === 'select' && fn.path.length > 0) head = staticName(fn.path[fn.path.length - 1]!);
  return { head, args };
}

function staticName(key: AttrKey): string | undefined {
  if (key.k === 'static') return key.name;
  // `"${"literal"}"` is rare enough to ignore; an interpolated key is not static.
  return undefined;
}

/**
 * Appends what closes the brackets and strings left open at the end of a text, so that a file cut
 * short (a size cap) still parses up to where it was cut. A rough scanner: comments, strings and
 * `${ }` are followed; nothing else about Nix is.
 */
function closeOpenBrackets(text: string): string {
  type Open = '{' | '[' | '(' | '"' | "''" | '${';
  const stack: Open[] = [];
  const top = () => stack[stack.length - 1];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const inString = top() === '"' || top() === "''";
    if (inString) {
      if (top() === '"') {
        if (c === '\\') i += 2;
        else if (c === '"') (stack.pop(), i++);
        else if (c === '$' && text[i + 1] === '{') (stack.push('${'), (i += 2));
        else i++;
      } else if (text.startsWith("'''", i) || text.startsWith("''$", i) || text.startsWith("''\\", i)) {
        i += 3;
      } else if (text.startsWith("''", i)) {
        stack.pop();
        i += 2;
      } else if (c === '$' && text[i + 1] === '{') {
        stack.push('${');
        i += 2;
      } else i++;
      continue;
    }
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return text + '*/' + closers(stack);
      i = end + 2;
    } else if (c === '"') (stack.push('"'), i++);
    else if (text.startsWith("''", i)) (stack.push("''"), (i += 2));
    else if (c === '{' || c === '[' || c === '(') (stack.push(c), i++);
    else if (c === '}' || c === ']' || c === ')') {
      const open = top();
      if ((c === '}' && (open === '{' || open === '${')) || (c === ']' && open === '[') || (c === ')' && open === '(')) stack.pop();
      i++;
    } else i++;
  }
  // A line comment at the very end must not swallow the closers.
  const sep = /#[^\n]*$/.test(text.slice(text.lastIndexOf('\n') + 1)) ? '\n' : '';
  return stack.length === 0 ? text : text + sep + closers(stack);
}

function closers(stack: string[]): string {
  let s = '';
  for (let k = stack.length - 1; k >= 0; k--) {
    const o = stack[k];
    if (o === '"') s += '"';
    else if (o === "''") s += "''";
    else if (o === '{') s += ' ; }';
    else if (o === '${') s += '}';
    else if (o === '[') s += ' ]';
    else s += ' )';
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// The module's keys

/** What a module is called: its file name, its option, its category directories and packages. */
/**
 * The keys a module's tests are searched by. `packages: false` skips finding its packages (a walk
 * of the whole tree), for searches that have no package files to look in.
 */
export function moduleKeys(modulePath: string, moduleText: string, syntax?: Expr, opts: { packages?: boolean } = {}): ModuleKeys {
  const parts = modulePath.split('/').filter((p) => p !== '');
  const file = parts[parts.length - 1] ?? '';
  let dirs = parts.slice(0, -1);
  let basename = file.replace(/\.nix$/, '');
  if (basename === 'default' && dirs.length > 0) {
    basename = dirs[dirs.length - 1]!;
    dirs = dirs.slice(0, -1);
  }
  const rootAt = Math.max(dirs.lastIndexOf('services'), dirs.lastIndexOf('programs'));
  const categories = rootAt >= 0 ? dirs.slice(rootAt + 1).reverse() : [];

  const root = syntax ?? parseFile(moduleText).root;
  const top = moduleBody(root, 0);
  const option = (top && optionFromBindings(top.bindings, [])) ?? configOption(root);
  return { basename, option, categories, packages: opts.packages === false ? [] : packagesOf(root) };
}

/** The attribute set a module file returns (past its arguments, `let`, `with`). */
function moduleBody(e: Expr, depth: number): Extract<Expr, { k: 'attrs' }> | undefined {
  if (depth > 16) return undefined;
  if (e.k === 'attrs') return e;
  if (e.k === 'lambda' || e.k === 'let' || e.k === 'with' || e.k === 'assert') return moduleBody(e.body, depth + 1);
  return undefined;
}

type OptionKey = NonNullable<ModuleKeys['option']>;

/** The first `options.services.<name>` / `options.programs.<name>`, however the path is split across sets. */
function optionFromBindings(bindings: Binding[], prefix: string[]): OptionKey | null {
  for (const b of bindings) {
    if (b.k !== 'bind') continue;
    const names: string[] = [];
    for (const key of b.path) {
      const n = staticName(key);
      if (n === undefined) break;
      names.push(n);
    }
    if (names.length < b.path.length && prefix.length + names.length < 3) continue;
    const full = [...prefix, ...names];
    if (full[0] !== 'options') continue;
    const ns = full[1];
    if (full.length >= 3 && (ns === 'services' || ns === 'programs')) return { namespace: ns, name: full[2]! };
    if (full.length === 1 || (full.length === 2 && (ns === 'services' || ns === 'programs'))) {
      const inner = b.value.k === 'attrs' ? b.value : undefined;
      const found = inner && optionFromBindings(inner.bindings, full);
      if (found) return found;
    }
  }
  return null;
}

/** A module without an options declaration: the first `config.services.<name>` it reads (`cfg = config.services.x`). */
function configOption(root: Expr): OptionKey | null {
  let found: OptionKey | null = null;
  walk(root, (e) => {
    if (found || e.k !== 'select' || e.expr.k !== 'var' || e.expr.name !== 'config' || e.path.length < 2) return;
    const ns = staticName(e.path[0]!);
    const name = staticName(e.path[1]!);
    if ((ns === 'services' || ns === 'programs') && name !== undefined) found = { namespace: ns, name };
  });
  return found;
}

/**
 * Package attributes: those of `mkPackageOption pkgs "<pkg>"` (a list names a nested attribute),
 * or when there is none, every `pkgs.<pkg>` the module reads.
 */
function packagesOf(root: Expr): string[] {
  const declared: string[] = [];
  const used: string[] = [];
  walk(root, (e) => {
    if (e.k === 'apply') {
      const { head, args } = spine(e);
      if (head !== 'mkPackageOption' || args.length < 2 || args[0]!.k !== 'var' || args[0]!.name !== 'pkgs') return;
      const name = args[1]!;
      if (name.k === 'str' && name.parts.length === 1 && typeof name.parts[0] === 'string') declared.push(name.parts[0]);
      else if (name.k === 'list') {
        const parts = name.items.map((i) => (i.k === 'str' && i.parts.length === 1 && typeof i.parts[0] === 'string' ? i.parts[0] : undefined));
        if (parts.length > 0 && parts.every((p) => p !== undefined)) declared.push(parts.join('.'));
      }
    } else if (e.k === 'select' && e.expr.k === 'var' && e.expr.name === 'pkgs' && e.path.length > 0) {
      const name = staticName(e.path[0]!);
      if (name !== undefined && name !== 'lib' && name !== 'formats' && name !== 'stdenv') used.push(name);
    }
  });
  // A module that declares its package names it; `pkgs.<x>` is then mostly helpers (coreutils,
  // openssl) whose tests are not this module's.
  return [...new Set(declared.length > 0 ? declared : used)];
}

/** Visits every expression of a tree, depth-first, without recursing on the JS stack. */
function walk(root: Expr, visit: (e: Expr) => void): void {
  const stack: Expr[] = [root];
  let steps = 0;
  while (stack.length > 0 && steps++ < 2_000_000) {
    const e = stack.pop()!;
    visit(e);
    pushChildren(e, stack);
  }
}

/** Pushes an expression's children so that they pop in source order. */
function pushChildren(e: Expr, stack: Expr[]): void {
  switch (e.k) {
    case 'str':
    case 'path':
      for (let i = e.parts.length - 1; i >= 0; i--) {
        const p = e.parts[i]!;
        if (typeof p !== 'string') stack.push(p);
      }
      return;
    case 'select':
      if (e.default) stack.push(e.default);
      pushKeys(e.path, stack);
      stack.push(e.expr);
      return;
    case 'has':
      pushKeys(e.path, stack);
      stack.push(e.expr);
      return;
    case 'apply':
      stack.push(e.arg, e.fn);
      return;
    case 'unary':
      stack.push(e.arg);
      return;
    case 'binary':
      for (let i = e.operands.length - 1; i >= 0; i--) stack.push(e.operands[i]!);
      return;
    case 'if':
      stack.push(e.else, e.then, e.cond);
      return;
    case 'let':
      stack.push(e.body);
      pushBindings(e.bindings, stack);
      return;
    case 'with':
      stack.push(e.body, e.env);
      return;
    case 'assert':
      stack.push(e.body, e.cond);
      return;
    case 'attrs':
    case 'letattrs':
      pushBindings(e.bindings, stack);
      return;
    case 'list':
      for (let i = e.items.length - 1; i >= 0; i--) stack.push(e.items[i]!);
      return;
    case 'lambda':
      stack.push(e.body);
      for (let i = (e.formals?.length ?? 0) - 1; i >= 0; i--) {
        const d = e.formals![i]!.default;
        if (d) stack.push(d);
      }
      return;
    default:
      return;
  }
}

function pushKeys(path: AttrKey[], stack: Expr[]): void {
  for (let i = path.length - 1; i >= 0; i--) {
    const k = path[i]!;
    if (k.k === 'dynamic') stack.push(k.expr);
  }
}

function pushBindings(bindings: Binding[], stack: Expr[]): void {
  for (let i = bindings.length - 1; i >= 0; i--) {
    const b = bindings[i]!;
    if (b.k === 'bind') {
      stack.push(b.value);
      pushKeys(b.path, stack);
    } else if (b.from) stack.push(b.from);
  }
}

// ---------------------------------------------------------------------------------------------
// The resolver

/**
 * all-tests.nix entries looked up by the keys findVmTests searches on, so that a search costs a
 * few map lookups instead of a dozen passes over a thousand entries (the census searches once per
 * module). Every list keeps the entries' order, so results are the same as a scan's.
 */
class TestIndex {
  /** Entry positions, to put entries found under different keys back in file order. */
  readonly position = new Map<TestEntry, number>();
  readonly byAttr = new Map<string, TestEntry>();
  /** Entries of nested paths (`vpn.server`) by their first name. */
  readonly byGroup = new Map<string, TestEntry[]>();
  /** Entries with a file, by every directory name of that file and its name without `.nix`. */
  readonly byFilePart = new Map<string, TestEntry[]>();
  /** Top-level entries by each prefix of their name that ends before a `-` or `_`. */
  readonly byVariantBase = new Map<string, TestEntry[]>();

  constructor(readonly entries: readonly TestEntry[]) {
    const push = (m: Map<string, TestEntry[]>, k: string, e: TestEntry) => {
      const list = m.get(k);
      if (!list) m.set(k, [e]);
      else if (list[list.length - 1] !== e) list.push(e);
    };
    entries.forEach((e, i) => {
      if (!this.position.has(e)) this.position.set(e, i);
      if (!this.byAttr.has(e.attr)) this.byAttr.set(e.attr, e);
      if (e.path.length > 1) push(this.byGroup, e.path[0]!, e);
      if (e.file !== null) {
        const parts = e.file.split('/');
        const last = parts.length - 1;
        parts.forEach((part, j) => push(this.byFilePart, j === last ? part.replace(/\.nix$/, '') : part, e));
      }
      if (e.path.length === 1) {
        for (let j = 1; j < e.attr.length; j++) {
          const c = e.attr[j];
          if (c === '-' || c === '_') push(this.byVariantBase, e.attr.slice(0, j), e);
        }
      }
    });
  }

  /** Entries whose file fileRank could rank for `name` (all entries with a file when the name holds a `/`). */
  filesFor(name: string): readonly TestEntry[] {
    return name.includes('/') ? this.entries.filter((e) => e.file !== null) : (this.byFilePart.get(name) ?? []);
  }
}

const indexes = new WeakMap<readonly TestEntry[], TestIndex>();

/** The index of a parsed all-tests.nix, made on first use (callers do not change the array). */
function indexOf(entries: readonly TestEntry[]): TestIndex {
  let index = indexes.get(entries);
  if (!index) indexes.set(entries, (index = new TestIndex(entries)));
  return index;
}

/**
 * The VM tests that exercise a module, best first, at most MAX_TESTS: (a) the module's file name
 * and option name; (b) attributes equal to either (or a nested set of tests of that name);
 * (c) category-prefixed names (`matrix-<x>`) and the reverse; (d) entries whose file is named
 * after the module, then variants (`<name>-sqlite`); (e) tests named in the package's
 * `passthru.tests`, then test files that enable the service.
 */
export function findVmTests(input: FindVmTestsInput): FindVmTestsResult {
  const keys = moduleKeys(input.modulePath, input.moduleText, input.moduleSyntax);
  return { tests: findVmTestsByKeys(keys, input), keys };
}

/**
 * {@link findVmTests} for a module whose keys are known already (the census reads all-tests.nix
 * last). With `packageTexts`, the keys must have their packages (not `moduleKeys(…, { packages: false })`).
 */
export function findVmTestsByKeys(keys: ModuleKeys, input: Pick<FindVmTestsInput, 'allTests' | 'testFiles' | 'packageTexts'>): FoundTest[] {
  const found: FoundTest[] = [];
  const taken = new Set<string>();
  const add = (entry: TestEntry | { attr: string; file: string | null }, via: TestVia, how: string) => {
    if (taken.has(entry.attr)) return;
    taken.add(entry.attr);
    found.push({ attr: entry.attr, file: entry.file, how, via });
  };
  const entries = input.allTests;
  const index = indexOf(entries);
  const optName = keys.option?.name;
  const optPath = keys.option ? `${keys.option.namespace}.${keys.option.name}` : undefined;
  const names = [...new Set([optName, keys.basename].filter((n): n is string => !!n))];

  // (b) attributes equal to the option name or the file name.
  const byOption = optName !== undefined ? index.byAttr.get(optName) : undefined;
  if (byOption) add(byOption, 'option-name', `attribute ${byOption.attr} is the module's option name (${optPath})`);
  const byBasename = index.byAttr.get(keys.basename);
  if (byBasename) add(byBasename, 'module-name', `attribute ${byBasename.attr} is the module's file name (${keys.basename}.nix)`);
  for (const name of names) {
    for (const e of index.byGroup.get(name) ?? []) add(e, 'group', `attribute ${e.attr} is in the set of tests named ${name}`);
  }

  // (c) category-prefixed names, and names that already carry the category.
  for (const cat of keys.categories) {
    for (const name of names) {
      const prefixed = index.byAttr.get(`${cat}-${name}`);
      const bareName = name.startsWith(`${cat}-`) ? name.slice(cat.length + 1) : undefined;
      const bare = bareName ? index.byAttr.get(bareName) : undefined;
      const inOrder = [prefixed, bare].filter((e): e is TestEntry => e !== undefined);
      if (inOrder.length === 2 && index.position.get(inOrder[0]!)! > index.position.get(inOrder[1]!)!) inOrder.reverse();
      for (const e of inOrder) {
        if (e === prefixed) add(e, 'category', `attribute ${e.attr} is ${name} prefixed with its category (${cat})`);
        else add(e, 'category', `attribute ${e.attr} is ${name} without its category prefix (${cat})`);
      }
    }
  }

  // (d) test files named after the module: exact places first, then anywhere.
  const fileRank = (file: string, name: string): number => {
    if (file === `${name}.nix` || file === `${name}/default.nix`) return 0;
    if (keys.categories.some((c) => file === `${c}/${name}.nix` || file === `${c}/${name}/default.nix`)) return 1;
    if (file.endsWith(`/${name}.nix`) || file.endsWith(`/${name}/default.nix`)) return 2;
    if (file.startsWith(`${name}/`) || file.includes(`/${name}/`)) return 3;
    return -1;
  };
  const ranked = names.map((name) => index.filesFor(name).map((e) => ({ e, rank: fileRank(e.file!, name) })));
  for (let rank = 0; rank <= 3; rank++) {
    names.forEach((name, i) => {
      for (const r of ranked[i]!) if (r.rank === rank) add(r.e, 'file', `test file ${r.e.file} is named after ${name}`);
    });
  }

  // (d) variants: `<name>-<variant>` / `<name>_<variant>`; those reusing a file found above first.
  const foundFiles = new Set(found.map((f) => f.file).filter((f): f is string => f !== null));
  const variants: TestEntry[] = [];
  for (const name of names) variants.push(...(index.byVariantBase.get(name) ?? []));
  const related = (e: TestEntry) => e.file !== null && (foundFiles.has(e.file) || names.some((n) => fileRank(e.file!, n) >= 0));
  for (const e of [...variants.filter(related), ...variants.filter((v) => !related(v))]) {
    const base = names.find((n) => e.attr.startsWith(`${n}-`) || e.attr.startsWith(`${n}_`))!;
    add(e, 'variant', `attribute ${e.attr} is a variant of ${base}`);
  }

  // (e) the package's passthru.tests.
  if (input.packageTexts && keys.packages.length > 0) {
    for (const [path, text] of input.packageTexts) {
      const pkg = keys.packages.find((p) => packageFileMatches(path, p));
      if (pkg === undefined) continue;
      for (const ref of nixosTestRefs(text)) {
        const entry = entries.find((e) => e.attr === ref) ?? entries.find((e) => e.attr.startsWith(`${ref}.`));
        add({ attr: ref, file: entry?.file ?? null }, 'package', `package ${pkg} lists nixosTests.${ref} in its passthru.tests`);
      }
    }
  }

  // (e) test files that enable the service.
  if (input.testFiles && keys.option) {
    const { namespace, name } = keys.option;
    for (const [key, text] of input.testFiles) {
      const file = testFileKey(key);
      if (file === null || !enablesOption(text, namespace, name)) continue;
      const exact = entries.filter((e) => e.file === file);
      const owners = exact.length > 0 ? exact : entries.filter((e) => e.file !== null && isAncestorTest(e.file, file));
      for (const e of owners) add(e, 'enables', `test file ${file} sets ${namespace}.${name}.enable = true`);
    }
  }

  return found.slice(0, MAX_TESTS);
}

/** A testFiles key as a path relative to nixos/tests/. */
function testFileKey(key: string): string | null {
  const clean = posix.normalize(key.replace(/^\.\//, ''));
  if (clean.startsWith('/')) return null;
  return clean.startsWith('nixos/') ? posix.relative(TESTS_DIR, clean) : clean;
}

/** `dir/default.nix` is the entry point of every test file below `dir/`. */
function isAncestorTest(entryFile: string, file: string): boolean {
  if (!entryFile.endsWith('/default.nix')) return false;
  const dir = entryFile.slice(0, -'default.nix'.length);
  return file.startsWith(dir);
}

/**
 * Where the file of a top-level package attribute lives when it is in pkgs/by-name (the shard is
 * the name's first two characters, lower-cased), or null for nested attributes (`python3Packages.x`),
 * whose files the caller must find another way.
 */
export function byNamePackagePath(pkg: string): string | null {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(pkg)) return null;
  return `pkgs/by-name/${pkg.slice(0, 2).toLowerCase()}/${pkg}/package.nix`;
}

/** Whether a package file is the one for attribute `pkg` (by-name directory, `<pkg>/default.nix`, `<pkg>.nix`). */
function packageFileMatches(path: string, pkg: string): boolean {
  const name = pkg.split('.').pop()!;
  const parts = path.split('/');
  const file = parts[parts.length - 1] ?? '';
  const dir = parts[parts.length - 2];
  if (file === 'package.nix' || file === 'default.nix') return dir === name;
  return file === `${name}.nix`;
}

/** Methods of a test that are not part of its attribute path (`nixosTests.x.extendNixOS { … }`). */
const TEST_METHODS = new Set(['extend', 'extendNixOS', 'driver', 'driverInteractive', 'passthru', 'overrideTestDerivation']);

/** The `nixosTests` attributes a package file refers to: `nixosTests.a`, `inherit (nixosTests) a b;`. */
export function nixosTestRefs(text: string): string[] {
  const refs: string[] = [];
  const root = parseFile(text).root;
  const pathOf = (keys: AttrKey[]): string | undefined => {
    const names: string[] = [];
    for (const k of keys) {
      const n = staticName(k);
      if (n === undefined || TEST_METHODS.has(n)) break;
      names.push(n);
    }
    return names.length > 0 ? names.join('.') : undefined;
  };
  // `inherit (nixosTests.group) a;` names group.a, not the group.
  const inheritSources = new Set<Expr>();
  const bindingsVisit = (bindings: Binding[]) => {
    for (const b of bindings) {
      if (b.k !== 'inherit' || !b.from) continue;
      inheritSources.add(b.from);
      let base: string | undefined;
      if (b.from.k === 'var' && b.from.name === 'nixosTests') base = '';
      else if (b.from.k === 'select' && b.from.expr.k === 'var' && b.from.expr.name === 'nixosTests') base = pathOf(b.from.path);
      if (base === undefined) continue;
      for (const key of b.names) {
        const n = staticName(key);
        if (n !== undefined) refs.push(base ? `${base}.${n}` : n);
      }
    }
  };
  walk(root, (e) => {
    if (e.k === 'select' && e.expr.k === 'var' && e.expr.name === 'nixosTests' && !inheritSources.has(e)) {
      const p = pathOf(e.path);
      if (p !== undefined) refs.push(p);
    } else if (e.k === 'attrs' || e.k === 'let' || e.k === 'letattrs') {
      bindingsVisit(e.bindings);
    }
  });
  return [...new Set(refs)];
}

/**
 * Whether a test file sets `<namespace>.<name>.enable = true` anywhere, however the path is split
 * across nested sets (`services.x = { enable = true; }`) and through `mkIf`/`mkForce`/node
 * functions.
 */
export function enablesOption(text: string, namespace: string, name: string): boolean {
  const root = parseFile(text).root;
  const target = [namespace, name, 'enable'];
  let hit = false;
  const stack: { e: Expr; path: string[] }[] = [{ e: root, path: [] }];
  let steps = 0;
  while (stack.length > 0 && !hit && steps++ < 2_000_000) {
    const { e, path } = stack.pop()!;
    if (e.k === 'attrs' || e.k === 'let' || e.k === 'letattrs') {
      for (const b of e.bindings) {
        if (b.k !== 'bind') continue;
        const names = b.path.map(staticName);
        if (names.some((n) => n === undefined)) continue;
        const full = e.k === 'attrs' ? [...path, ...(names as string[])] : (names as string[]);
        if (endsWith(full, target) && isTrue(b.value)) hit = true;
        else stack.push({ e: b.value, path: full.length > 64 ? [] : full });
      }
      if (e.k === 'let') stack.push({ e: e.body, path });
      continue;
    }
    const kids: Expr[] = [];
    pushChildren(e, kids); // last child first
    const childPath = e.k === 'lambda' || e.k === 'apply' || e.k === 'list' || e.k === 'if' || e.k === 'with' ? path : [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ e: kids[i]!, path: childPath });
  }
  return hit;
}

function endsWith(path: string[], suffix: string[]): boolean {
  if (path.length < suffix.length) return false;
  const off = path.length - suffix.length;
  return suffix.every((s, i) => path[off + i] === s);
}

/** `true`, or `true` through `mkForce`/`mkDefault`/`mkOverride n`/`lib.mkForce`. */
function isTrue(e: Expr): boolean {
  if (e.k === 'var') return e.name === 'true';
  if (e.k === 'apply') {
    const { head, args } = spine(e);
    const last = args[args.length - 1];
    return (head === 'mkForce' || head === 'mkDefault' || head === 'mkOverride') && last !== undefined && isTrue(last);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Commands

export interface TestCommands {
  /** One `nix-build -A nixosTests.<attr>` per test, to run at the root of a nixpkgs checkout. */
  nixBuild: string[];
  /** `@ofborg test a b c`, or null without tests. */
  ofborg: string | null;
}

/**
 * The commands that run the tests. An attribute is a dotted path (`vpn.server`) or a list of
 * names; names that are not plain Nix identifiers (a leading digit, a dot inside) are quoted,
 * and the shell argument is single-quoted when it needs to be.
 */
export function testCommands(attrs: readonly (string | readonly string[])[]): TestCommands {
  const paths: string[] = [];
  for (const a of attrs) {
    const names = typeof a === 'string' ? a.split('.') : [...a];
    if (names.length === 0 || names.some((n) => n === '')) continue;
    const path = names.map(nixAttrName).join('.');
    if (!paths.includes(path)) paths.push(path);
  }
  return {
    nixBuild: paths.map((p) => `nix-build -A ${shellWord(`nixosTests.${p}`)}`),
    ofborg: paths.length > 0 ? `@ofborg test ${paths.join(' ')}` : null,
  };
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_.\-/]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The VM tests of a module with the commands that run them, as the review asks for them. */
export function vmTestsFor(allTests: TestEntry[], modulePath: string, moduleText: string, ofborg: boolean): { tests: { attr: string }[]; nixBuild: string[]; ofborg: string | null } {
  const tests = findVmTests({ modulePath, moduleText, allTests }).tests.map((t) => ({ attr: t.attr }));
  const cmds = testCommands(tests.map((t) => t.attr));
  return { tests, nixBuild: cmds.nixBuild, ofborg: ofborg ? cmds.ofborg : null };
}
