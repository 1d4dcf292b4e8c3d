#!/usr/bin/env node
// Injection harness: measures `diff` on real (held-out) NixOS modules by
//   A. injecting one loosening at a time (one line edited) and checking that the diff reports
//      exactly that loosening, on that service, directive and line, and nothing else;
//   B. applying rewrites that keep every value (swaps, reformatting, multi-line lists, `let`
//      wrapping, dotted keys) and checking that the diff reports no change at all.
// See README.md next to this file.
//
//   node scripts/injection/measure.mjs [--heldout DIR] [--json] [--only SUBSTRING]
//        [--per-kind N] [--deletions] [--verbose] [--dump DIR]
//
// Plain Node ESM, no dependencies; calls the built library (dist/) in-process, so run
// `npx tsc -p tsconfig.build.json` first.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const DIST = join(REPO, 'dist', 'src');

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const opts = { heldout: '/tmp/fidelity/heldout', json: false, only: null, perKind: 3, deletions: false, verbose: false, dump: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--heldout': opts.heldout = resolve(next()); break;
      case '--json': opts.json = true; break;
      case '--only': opts.only = next(); break;
      case '--per-kind': {
        opts.perKind = Number(next());
        if (!Number.isInteger(opts.perKind) || opts.perKind < 1) usage('--per-kind needs a positive integer');
        break;
      }
      case '--deletions': opts.deletions = true; break;
      case '--verbose': opts.verbose = true; break;
      case '--dump': opts.dump = resolve(next()); break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  return opts;
}

function usage(problem) {
  const text = `usage: node scripts/injection/measure.mjs [--heldout DIR] [--json] [--only SUBSTRING]
       [--per-kind N] [--deletions] [--verbose] [--dump DIR]

  --heldout DIR      held-out modules (*.nix), default /tmp/fidelity/heldout
  --json             machine-readable output
  --only SUBSTRING   only modules whose file name contains SUBSTRING
  --per-kind N       refactor sites tried per module and rewrite kind (default 3)
  --deletions        also inject, as a separate count, the deletion of every binding whose
                     absence (systemd's default) is looser, where the main injection was an edit
  --verbose          list every case, not only the failures
  --dump DIR         write the text of every failing case (with --verbose: of every case) to DIR
                     (keep DIR outside the repository)
`;
  if (problem) {
    process.stderr.write(`${problem}\n\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

// ---------------------------------------------------------------- library (dist)

async function loadLibrary() {
  const need = ['nixos/extract.js', 'hardening/diff.js', 'hardening/compare.js', 'hardening/catalogue/index.js', 'nix/ast.js'];
  for (const f of need) {
    if (!existsSync(join(DIST, f))) {
      process.stderr.write(`missing ${join(DIST, f)}: build first (npx tsc -p tsconfig.build.json)\n`);
      process.exit(2);
    }
  }
  const imp = (f) => import(pathToFileURL(join(DIST, f)).href);
  const [ex, df, cmp, cat, ast] = await Promise.all(need.map(imp));
  return {
    extractText: ex.extractText,
    diffFiles: df.diffFiles,
    compare: cmp.compare,
    sideMeaning: cmp.sideMeaning,
    directive: cat.directive,
    parseFile: ast.parseFile,
  };
}

// ---------------------------------------------------------------- text helpers

class Text {
  constructor(text) {
    this.text = text;
    this.starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 1-based line of an offset. */
  lineOf(off) {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  lineStart(line) { return this.starts[line - 1]; }
  lineEnd(line) {
    const next = this.starts[line];
    return next === undefined ? this.text.length : next - 1; // offset of the '\n' (or EOF)
  }
  line(line) { return this.text.slice(this.lineStart(line), this.lineEnd(line)); }
  indent(line) { return /^[ \t]*/.exec(this.line(line))[0]; }
  get lines() { return this.starts.length; }
}

/** Replaces [start, end) of text by s. */
const splice = (text, start, end, s) => text.slice(0, start) + s + text.slice(end);

/** Nix literal of a JSON value (strings escaped for Nix). */
function nixLiteral(v) {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v).replace(/\$\{/g, '\\${');
  if (Array.isArray(v)) return v.length === 0 ? '[ ]' : `[ ${v.map(nixLiteral).join(' ')} ]`;
  throw new Error(`no Nix literal for ${JSON.stringify(v)}`);
}

const canon = (v) => JSON.stringify(v);
const show = (v) => (v === undefined ? '-' : v !== null && typeof v === 'object' && !Array.isArray(v) && 'unknown' in v ? `unknown(${v.unknown})` : JSON.stringify(v));

/** Up to n items spread evenly over xs. */
function spread(xs, n) {
  if (xs.length <= n) return xs;
  if (n === 1) return [xs[0]];
  const out = [];
  for (let i = 0; i < n; i++) out.push(xs[Math.round((i * (xs.length - 1)) / (n - 1))]);
  return [...new Set(out)];
}

// ---------------------------------------------------------------- syntax tree helpers

const isNode = (x) => x !== null && typeof x === 'object' && typeof x.k === 'string' && x.span && typeof x.span.start === 'number';

/**
 * Indexes the syntax tree: every node's parent, every binding with the attrset (or let) it sits
 * in, and the spans of strings (whose contents a reformatting must not touch).
 */
function indexTree(root) {
  const parent = new Map();
  const bindings = []; // { b, owner }
  const strings = []; // [start, end]
  const lists = [];
  const stack = [[root, null]];
  while (stack.length > 0) {
    const [node, par] = stack.pop();
    if (par) parent.set(node, par);
    if (node.k === 'str' || node.k === 'path') strings.push([node.span.start, node.span.end]);
    if (node.k === 'list') lists.push(node);
    if ((node.k === 'attrs' || node.k === 'let' || node.k === 'letattrs') && node.bindings) {
      for (const b of node.bindings) {
        parent.set(b, node);
        bindings.push({ b, owner: node });
        if (b.k === 'bind') {
          stack.push([b.value, b]);
          for (const key of b.path) if (key.k === 'dynamic') stack.push([key.expr, b]);
        } else if (b.from) stack.push([b.from, b]);
      }
    }
    for (const [key, val] of Object.entries(node)) {
      if (key === 'span' || key === 'bindings') continue;
      if (Array.isArray(val)) {
        for (const x of val) {
          if (isNode(x) && x.k !== 'static' && x.k !== 'dynamic') stack.push([x, node]);
          else if (x && typeof x === 'object' && x.k === 'dynamic') stack.push([x.expr, node]);
        }
      } else if (isNode(val)) stack.push([val, node]);
    }
  }
  return { root, parent, bindings, strings, lists };
}

const staticPath = (b) => (b.k === 'bind' && b.path.every((k) => k.k === 'static') ? b.path.map((k) => k.name) : null);

/** The last name of a variable or selection (`lib.mkDefault` → mkDefault). */
function calleeName(e) {
  if (e.k === 'var') return e.name;
  if (e.k === 'select' && e.path.length > 0) {
    const last = e.path[e.path.length - 1];
    return last.k === 'static' ? last.name : null;
  }
  return null;
}

const PRIORITY_WRAPPERS = new Set(['mkDefault', 'mkForce', 'mkOptionDefault', 'mkImageMediaOverride', 'mkVMOverride']);

/**
 * Strips priority wrappers (`mkDefault x`, `mkOverride 900 x`) and conditions (`mkIf c x`): the
 * expression whose value is set. Editing inside them keeps the priority and the condition.
 */
function unwrap(e) {
  const wrappers = [];
  for (;;) {
    if (e.k !== 'apply') return { inner: e, wrappers };
    const n = calleeName(e.fn);
    if (n && PRIORITY_WRAPPERS.has(n)) {
      wrappers.push(n);
      e = e.arg;
      continue;
    }
    if (e.fn.k === 'apply' && (calleeName(e.fn.fn) === 'mkOverride' || calleeName(e.fn.fn) === 'mkIf')) {
      wrappers.push(calleeName(e.fn.fn));
      e = e.arg;
      continue;
    }
    return { inner: e, wrappers };
  }
}

/** Whether any variable named `name` occurs below node (a `rec` set's other bindings may read it). */
function mentions(node, name) {
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (n === null || typeof n !== 'object') continue;
    if (Array.isArray(n)) {
      stack.push(...n);
      continue;
    }
    if (n.k === 'var' && n.name === name) return true;
    for (const [k, v] of Object.entries(n)) if (k !== 'span' && v && typeof v === 'object') stack.push(v);
  }
  return false;
}

/** Whether a node sits in an operand of `//` (another operand may define the same attribute). */
function underUpdate(parent, node) {
  for (let n = parent.get(node); n; n = parent.get(n)) if (n.k === 'binary' && n.op === '//') return true;
  return false;
}

const NOT_LITERAL = Symbol('not a literal');

/** The JSON value of a literal expression, or NOT_LITERAL. */
function literalJson(e) {
  switch (e.k) {
    case 'int':
    case 'float':
      return e.v;
    case 'str':
      return e.parts.every((p) => typeof p === 'string') ? e.parts.join('') : NOT_LITERAL;
    case 'var':
      return e.name === 'true' ? true : e.name === 'false' ? false : e.name === 'null' ? null : NOT_LITERAL;
    case 'unary':
      return e.op === '-' && e.arg.k === 'int' ? -e.arg.v : NOT_LITERAL;
    case 'list': {
      const out = [];
      for (const i of e.items) {
        const v = literalJson(i);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out.push(v);
      }
      return out;
    }
    default:
      return NOT_LITERAL;
  }
}

/**
 * A binding that is alone on its line: `Name = value;` (or a dotted `a.b.Name = value;`), nothing
 * but white space before it and white space or a comment after it.
 */
function singleLineBinding(tx, bi) {
  const { b } = bi;
  if (b.k !== 'bind') return false;
  const l = tx.lineOf(b.span.start);
  if (tx.lineOf(b.span.end - 1) !== l) return false;
  if (tx.text.slice(tx.lineStart(l), b.span.start).trim() !== '') return false;
  const rest = tx.text.slice(b.span.end, tx.lineEnd(l)).trim();
  return rest === '' || rest.startsWith('#');
}

/** Whether a line starts inside a string (its leading white space is string content). */
function lineStartsInString(tx, strings, line) {
  const off = tx.lineStart(line);
  return strings.some(([s, e]) => s < off && off < e);
}

/** Whether a node sits (at any depth) below a binding whose path names serviceConfig. */
function underServiceConfig(parent, node) {
  for (let n = node; n; n = parent.get(n)) {
    if (n.k === 'bind' && n.path.some((k) => k.k === 'static' && k.name === 'serviceConfig')) return true;
  }
  return false;
}

// ---------------------------------------------------------------- A. injected loosenings

const ABSENT = Symbol('absent');

const ADD_MEMBERS = {
  capabilities: ['CAP_SYS_ADMIN', 'CAP_NET_RAW', 'CAP_SYS_PTRACE', 'CAP_DAC_OVERRIDE'],
  families: ['AF_PACKET', 'AF_NETLINK', 'AF_BLUETOOTH'],
  syscalls: ['@privileged', '@mount', '@debug', '@raw-io'],
  namespaces: ['user', 'net', 'mnt'],
  architectures: ['x86', 'x32'],
  filesystems: ['ext4', 'tmpfs'],
  interfaces: ['eth0', 'lo'],
};

function addMembersFor(d) {
  const s = d.strictness;
  if (s.universe) return ADD_MEMBERS[s.universe] ?? ['injected'];
  if (d.kind === 'paths') return ['/injected-path'];
  if (d.kind === 'entries') return d.name === 'DeviceAllow' ? ['/dev/sda rw', '/dev/mem rw'] : ['injected entry'];
  if (d.name === 'SupplementaryGroups') return ['wheel'];
  if (d.name.startsWith('IPAddress') || d.name.startsWith('SocketBind')) return ['any'];
  return ['injected'];
}

const words = (s) => s.split(/\s+/).filter(Boolean);

/**
 * Candidate loosened values of a directive's value, most natural first; each is a JSON value or
 * ABSENT (delete the binding). The caller keeps the first that `compare` calls loosened.
 */
function candidates(d, v, meaning) {
  const out = [];
  const push = (after, how) => out.push({ after, how });
  const s = d.strictness;
  switch (s.kind) {
    case 'true-stricter':
    case 'false-stricter':
      push(s.kind !== 'true-stricter', s.kind === 'true-stricter' ? 'true→false' : 'false→true');
      break;
    case 'order': {
      const cur = meaning?.kind === 'word' ? meaning.v : null;
      const i = cur === null ? -1 : s.order.indexOf(cur);
      for (let j = i - 1; j >= 0; j--) {
        const w = s.order[j];
        const lit = d.boolValues && w === d.boolValues.yes ? true : d.boolValues && w === d.boolValues.no ? false : w;
        push(lit, `${cur}→${w}`);
      }
      break;
    }
    case 'umask': {
      const cur = meaning?.kind === 'umask' ? meaning.v : null;
      if (cur === null) break;
      const fmt = (n) => n.toString(8).padStart(4, '0');
      if ((cur & 0o022) !== cur) push(fmt(cur & 0o022), `${fmt(cur)}→${fmt(cur & 0o022)}`);
      for (let bit = 0o400; bit >= 1; bit >>= 1) if (cur & bit) push(fmt(cur & ~bit), `${fmt(cur)}→${fmt(cur & ~bit)}`);
      break;
    }
    case 'user':
      push('root', `${show(v)}→"root"`);
      break;
    case 'allow-set':
    case 'deny-set': {
      const removals = [];
      const adds = [];
      if (Array.isArray(v)) {
        // Remove one element: deny entries ("~…") first, from the end.
        const order = [...v.keys()].sort((a, b) => Number(String(v[b]).startsWith('~')) - Number(String(v[a]).startsWith('~')) || b - a);
        for (const i of order) removals.push({ after: v.filter((_, j) => j !== i), how: `remove element ${show(v[i])}` });
        for (const m of addMembersFor(d)) if (!v.includes(m)) adds.push({ after: [...v, m], how: `add element ${show(m)}` });
      } else if (typeof v === 'string') {
        const ws = words(v);
        if (d.kind !== 'entries' && ws.length > 0) {
          for (let i = ws.length - 1; i >= 0; i--) {
            let rest = ws.filter((_, j) => j !== i);
            if (i === 0 && ws[0].startsWith('~') && ws[0] !== '~' && rest.length > 0) rest = ['~' + rest[0], ...rest.slice(1)]; // keep the deny marker
            if (i === 0 && ws[0].startsWith('~') && ws[0] !== '~' && rest.length === 0) rest = ['~'];
            removals.push({ after: rest.join(' '), how: `remove word ${show(ws[i])}` });
          }
        }
        for (const m of addMembersFor(d)) {
          if (ws.includes(m)) continue;
          if (v.trim() === '') adds.push({ after: m, how: `${show(v)}→${show(m)}` });
          else if (d.kind === 'entries') adds.push({ after: [v, m], how: `add entry ${show(m)}` });
          else adds.push({ after: `${v} ${m}`, how: `add word ${show(m)}` });
        }
      } else if (typeof v === 'boolean') {
        push(!v, `${v}→${!v}`);
      } else if (v === null) {
        for (const m of addMembersFor(d)) adds.push({ after: m, how: `null→${show(m)}` });
      }
      const invert = meaning?.kind === 'set' && meaning.invert;
      // A deny list (or a deny-set directive) is loosened by taking an entry out; an allow list by adding one.
      const first = s.kind === 'deny-set' || invert ? removals : adds;
      const second = first === removals ? adds : removals;
      out.push(...first, ...second);
      break;
    }
    default:
      break;
  }
  push(ABSENT, 'delete the binding (systemd default)');
  return out;
}

/**
 * For a directive bound to a list literal over several lines (`Name = [` ... `];`): a loosening
 * made by editing one element line only — deleting a line that holds one element alone, or
 * appending a member after the last element. The diff must report it at the binding's line.
 */
function listLineSite(lib, mod, atLine, d, name, ov, L) {
  const { tx } = mod;
  const bi = atLine.find((x) => {
    const p = staticPath(x.b);
    return p && p[p.length - 1] === name && x.owner.k === 'attrs' && tx.text.slice(tx.lineStart(L), x.b.span.start).trim() === '';
  });
  if (!bi) return null;
  const { inner } = unwrap(bi.b.value);
  if (inner.k !== 'list' || inner.items.length === 0) return null;
  const lit = literalJson(inner);
  if (lit === NOT_LITERAL || canon(lit) !== canon(ov.value)) return null;
  if (bi.owner.rec && bi.owner.bindings.some((o) => o !== bi.b && mentions(o, name))) return null;
  const m = lib.sideMeaning(d, { value: ov.value });
  const alone = (it) => {
    const l = tx.lineOf(it.span.start);
    if (tx.lineOf(it.span.end - 1) !== l || l === L) return false;
    const before = tx.text.slice(tx.lineStart(l), it.span.start).trim();
    const after = tx.text.slice(it.span.end, tx.lineEnd(l)).trim();
    return before === '' && (after === '' || after.startsWith('#'));
  };
  for (const c of candidates(d, ov.value, m)) {
    if (c.after === ABSENT || !Array.isArray(c.after)) continue;
    if (lib.compare(name, { value: ov.value }, { value: c.after }) !== 'loosened') continue;
    let text = null;
    let edited = 0;
    if (c.after.length === lit.length - 1) {
      const i = lit.findIndex((_, j) => canon(lit.filter((__, k) => k !== j)) === canon(c.after));
      const it = inner.items[i];
      if (i < 0 || !alone(it)) continue;
      edited = tx.lineOf(it.span.start);
      text = splice(tx.text, tx.lineStart(edited), Math.min(tx.lineEnd(edited) + 1, tx.text.length), '');
    } else if (c.after.length === lit.length + 1 && canon(c.after.slice(0, -1)) === canon(lit)) {
      const last = inner.items[inner.items.length - 1];
      edited = tx.lineOf(last.span.end - 1);
      if (edited === tx.lineOf(inner.span.end - 1)) continue; // the closing bracket's line: not an element line
      text = splice(tx.text, last.span.end, last.span.end, ` ${nixLiteral(c.after[c.after.length - 1])}`);
    } else continue;
    const newLine = text.length < tx.text.length ? '(line deleted)' : new Text(text).line(edited).trim();
    return { pass: 'list-line', how: c.how, after: c.after, rhs: `list element line ${edited}`, text, newLine, source: tx.line(edited).trim() };
  }
  return null;
}

function injectionSites(lib, mod) {
  const { tx, tree, orig } = mod;
  const byLine = new Map();
  for (const bi of tree.bindings) {
    if (bi.b.k !== 'bind') continue;
    const l = tx.lineOf(bi.b.span.start);
    if (!byLine.has(l)) byLine.set(l, []);
    byLine.get(l).push(bi);
  }
  // Directive names read through a selection somewhere (`defaultServiceConfig.SystemCallFilter ++ …`):
  // an edit of such a binding may legitimately change other services too.
  const selected = new Set();
  (function walk(n) {
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    if (n.k === 'select' && n.path.length > 0 && n.path[n.path.length - 1].k === 'static') selected.add(n.path[n.path.length - 1].name);
    for (const [k, v] of Object.entries(n)) if (k !== 'span' && v && typeof v === 'object') walk(v);
  })(mod.tree.root);
  const stats = { considered: 0, unknownValue: 0, notSingleLine: 0, shared: 0, notInjectable: 0 };
  const notInjectable = [];
  const skipped = [];
  const sites = [];
  const done = new Set();
  for (const svc of orig.services) {
    if (svc.pattern) continue;
    for (const [name, ov] of Object.entries(svc.options)) {
      const d = lib.directive(name);
      if (!d || d.strictness.kind === 'none') continue;
      stats.considered++;
      if ('unknown' in ov) {
        stats.unknownValue++;
        skipped.push({ module: mod.name, service: svc.name, directive: name, line: ov.line, reason: `value unknown: ${ov.unknown}` });
        continue;
      }
      const L = ov.line;
      const bi = (byLine.get(L) ?? []).find((x) => {
        const p = staticPath(x.b);
        return p && p[p.length - 1] === name && x.owner.k === 'attrs' && singleLineBinding(tx, x);
      });
      const key = `${L}\u0000${name}`;
      const readElsewhere = selected.has(name);
      // Every service (pattern ones too) that takes this directive from this line changes with it.
      const expected = orig.services
        .filter((s) => s.options[name] && s.options[name].line === L && 'value' in s.options[name] && canon(s.options[name].value) === canon(ov.value))
        .map((s) => `${s.scope}/${s.name}`);
      if (!bi) {
        stats.notSingleLine++;
        skipped.push({ module: mod.name, service: svc.name, directive: name, line: L, reason: 'not a single-line binding of this directive at the reported line', source: tx.line(L).trim() });
        // Extra pass: a list literal written over several lines, loosened by editing one element line.
        if (!done.has(key)) {
          done.add(key);
          const site = listLineSite(lib, mod, byLine.get(L) ?? [], d, name, ov, L);
          if (site) {
            sites.push({ module: mod.name, service: svc.name, scope: svc.scope, directive: name, line: L, value: ov.value, source: tx.line(L).trim(), expected, readElsewhere, ...site });
          }
        }
        continue;
      }
      if (done.has(key)) {
        stats.shared++;
        continue;
      }
      done.add(key);
      const { inner, wrappers } = unwrap(bi.b.value);
      const lit = literalJson(inner);
      const base = { module: mod.name, service: svc.name, scope: svc.scope, directive: name, line: L, value: ov.value, source: tx.line(L).trim(), expected, readElsewhere };
      if (bi.owner.rec && bi.owner.bindings.some((o) => o !== bi.b && mentions(o, name))) {
        stats.notInjectable++;
        notInjectable.push({ ...base, reason: `other bindings of the rec attrset read ${name}: an edit would change them too` });
        continue;
      }
      if (lit !== NOT_LITERAL && canon(lit) !== canon(ov.value)) {
        stats.notInjectable++;
        notInjectable.push({ ...base, reason: `the literal on the line (${show(lit)}) is not the extracted value: other definitions contribute` });
        continue;
      }
      // The meaning only orders the candidates (remove from a deny list, add to an allow list);
      // compare() is the judge of which candidate is looser.
      const m = lib.sideMeaning(d, { value: ov.value });
      const cands = candidates(d, ov.value, m);
      // Deleting a binding in an operand of `//` may uncover another definition instead of the default.
      const deletable = !underUpdate(tree.parent, bi.owner);
      const loosened = cands.filter((c) => (c.after !== ABSENT || deletable) && lib.compare(name, { value: ov.value }, c.after === ABSENT ? { absent: true } : { value: c.after }) === 'loosened');
      if (loosened.length === 0) {
        stats.notInjectable++;
        notInjectable.push({ ...base, reason: `compare finds no looser value among ${cands.filter((c) => c.after !== ABSENT || deletable).map((c) => c.how).join('; ')}${deletable ? '' : ' (no deletion: the attrset is an operand of //)'}` });
        continue;
      }
      const edit = (c) => {
        if (c.after === ABSENT) {
          const start = tx.lineStart(L);
          const end = Math.min(tx.lineEnd(L) + 1, tx.text.length);
          return { text: splice(tx.text, start, end, ''), newLine: '(line deleted)' };
        }
        // Replace the literal inside priority wrappers, or the whole value expression.
        const target = lit !== NOT_LITERAL ? inner : bi.b.value;
        const text = splice(tx.text, target.span.start, target.span.end, nixLiteral(c.after));
        return { text, newLine: new Text(text).line(L).trim() };
      };
      const primary = loosened[0];
      const rhs = lit !== NOT_LITERAL ? (wrappers.length ? `literal inside ${wrappers.join('/')}` : 'literal') : 'expression replaced by a literal';
      sites.push({ ...base, pass: primary.after === ABSENT ? 'delete' : 'edit', how: primary.how, after: primary.after === ABSENT ? null : primary.after, rhs, ...edit(primary) });
      const del = loosened.find((c) => c.after === ABSENT);
      if (del && primary.after !== ABSENT) sites.push({ ...base, pass: 'extra-delete', how: del.how, after: null, rhs, ...edit(del) });
    }
  }
  return { sites, stats, notInjectable, skipped };
}

const diagKeys = (fr, parse) => fr.diagnostics.filter((d) => d.id.startsWith('parse-') === parse).map((d) => `${d.id}|${d.message}`);

/** Diagnostics of `after` that `before` does not have (ignoring lines, which edits shift). */
function newDiagnostics(before, after, parse) {
  const have = new Map();
  for (const k of diagKeys(before, parse)) have.set(k, (have.get(k) ?? 0) + 1);
  const out = [];
  for (const k of diagKeys(after, parse)) {
    const n = have.get(k) ?? 0;
    if (n > 0) have.set(k, n - 1);
    else out.push(k);
  }
  return out;
}
const newParseDiagnostics = (before, after) => newDiagnostics(before, after, true);

const changesOf = (diffs) =>
  diffs
    .filter((s) => s.status !== 'unchanged')
    .flatMap((s) =>
      s.changes.length === 0
        ? [{ service: `${s.scope}/${s.name}`, status: s.status }]
        : s.changes.map((c) => ({ service: `${s.scope}/${s.name}`, status: s.status, directive: c.directive, before: c.before, after: c.after, verdict: c.verdict, line: c.line, when: c.when })),
    );

const VERDICT = { equal: null, incomparable: 'changed', loosened: 'loosened', tightened: 'tightened', unknown: 'unknown' };
const sideOf = (shown) => (shown === null ? { absent: true } : shown !== null && typeof shown === 'object' && !Array.isArray(shown) && 'unknown' in shown ? { unknown: shown.unknown } : { value: shown });

/**
 * Classifies the diff of one injection. Besides the change itself, a change under a condition
 * (`when`) of the same service, directive and line is accepted as a consequence (the edit replaced
 * or deleted a value that also applies under that condition, e.g. a let-bound list built with
 * `optionals`): its new value must be the injected one and its verdict the one compare() gives
 * for its two sides. When the module reads the directive through a selection
 * (`defaultServiceConfig.SystemCallFilter ++ [ … ]`), a loosening of the same directive in
 * another service is accepted as a consequence too.
 */
function judgeInjection(lib, site, changes) {
  const exp = new Set(site.expected);
  const hit = (c) => exp.has(c.service) && c.directive === site.directive && c.when === null;
  const consequence = (c) =>
    (exp.has(c.service) && c.directive === site.directive && c.when !== null && c.line === site.line &&
      canon(c.after) === canon(site.after) && c.verdict === VERDICT[lib.compare(site.directive, sideOf(c.before), sideOf(c.after))]) ||
    // Another service whose value of the directive is computed from the edited binding.
    (site.readElsewhere && !exp.has(c.service) && c.directive === site.directive && c.verdict === 'loosened');
  const own = changes.filter(hit);
  const conseq = changes.filter((c) => !hit(c) && consequence(c));
  const others = changes.filter((c) => !hit(c) && !consequence(c));
  const covered = new Set(own.map((c) => c.service));
  if (own.length === 0) {
    if (changes.some((c) => c.directive === site.directive)) return { outcome: 'wrong', why: 'wrong service (or only under a condition)' };
    if (changes.length > 0) return { outcome: 'wrong', why: 'wrong directive' };
    return { outcome: 'missed', why: 'no change reported' };
  }
  const bad = own.find((c) => c.verdict !== 'loosened');
  if (bad) return { outcome: 'wrong', why: `verdict ${bad.verdict}` };
  const badLine = own.find((c) => c.line !== site.line);
  if (badLine) return { outcome: 'wrong', why: `line ${badLine.line}, injected at ${site.line}` };
  if (covered.size < exp.size) return { outcome: 'wrong', why: `only ${[...covered].join(', ')} of ${[...exp].join(', ')} reported` };
  if (others.length > 0) return { outcome: 'extra', why: `${others.length} other change(s)` };
  return { outcome: 'correct', why: '', consequences: conseq.length };
}

// ---------------------------------------------------------------- B. refactors

/** Lines the extractor reports any option (directive) of any service at. */
function optionLines(orig) {
  const s = new Set();
  for (const svc of orig.services) {
    for (const o of Object.values(svc.options)) s.add(o.line);
    for (const br of svc.branches) for (const o of Object.values(br.options)) s.add(o.line);
  }
  return s;
}

function refactorSites(mod, perKind) {
  const { tx, tree, orig } = mod;
  const optLines = optionLines(orig);
  const out = [];
  const directiveBinding = (bi) =>
    bi.b.k === 'bind' && bi.owner.k === 'attrs' && singleLineBinding(tx, bi) && staticPath(bi.b) && optLines.has(tx.lineOf(bi.b.span.start)) && underServiceConfig(tree.parent, bi.b);
  const directives = tree.bindings.filter(directiveBinding).sort((a, b) => a.b.span.start - b.b.span.start);

  // (1) swap two adjacent single-line directive bindings of one attrset.
  {
    const cands = [];
    for (let i = 0; i + 1 < directives.length; i++) {
      const a = directives[i];
      const b = directives[i + 1];
      const la = tx.lineOf(a.b.span.start);
      const lb = tx.lineOf(b.b.span.start);
      if (a.owner !== b.owner || lb !== la + 1) continue;
      cands.push([la, lb]);
    }
    for (const [la, lb] of spread(cands, perKind)) {
      const A = tx.line(la);
      const B = tx.line(lb);
      const text = tx.text.slice(0, tx.lineStart(la)) + B + '\n' + A + tx.text.slice(tx.lineEnd(lb));
      out.push({ kind: 'swap', line: la, what: `swap lines ${la}-${lb}: ${A.trim()} <-> ${B.trim()}`, text });
    }
  }

  // serviceConfig attrsets written as `serviceConfig = { ... };` over several lines.
  const blocks = tree.bindings
    .filter((bi) => {
      const p = staticPath(bi.b);
      return bi.b.k === 'bind' && p && p[p.length - 1] === 'serviceConfig' && bi.b.value.k === 'attrs' && tx.lineOf(bi.b.value.span.end - 1) > tx.lineOf(bi.b.value.span.start);
    })
    .map((bi) => bi.b.value);

  // (2a) reindent a serviceConfig block (never the inside of a string).
  for (const blk of spread(blocks, perKind)) {
    const first = tx.lineOf(blk.span.start) + 1;
    const last = tx.lineOf(blk.span.end - 1);
    let text = '';
    let touched = 0;
    for (let l = 1; l <= tx.lines; l++) {
      let s = tx.line(l);
      if (l >= first && l <= last && s.trim() !== '' && !lineStartsInString(tx, tree.strings, l)) {
        s = '    ' + s;
        touched++;
      }
      text += s + (l < tx.lines ? '\n' : '');
    }
    if (touched > 0) out.push({ kind: 'reindent', line: first - 1, what: `indent ${touched} lines of the serviceConfig block at lines ${first - 1}-${last} by 4 more spaces`, text });
  }

  // (2b) blank lines and comments between the bindings of a serviceConfig block, trailing comments.
  for (const blk of spread(blocks, perKind)) {
    const bl = tx.lineOf(blk.span.start);
    const edits = []; // [offset, insert]
    edits.push([tx.lineEnd(bl), ' # refactor check: opening comment']);
    let n = 0;
    for (const b of blk.bindings) {
      const l = tx.lineOf(b.span.start);
      if (tx.text.slice(tx.lineStart(l), b.span.start).trim() !== '' || lineStartsInString(tx, tree.strings, l)) continue;
      const ind = tx.indent(l);
      edits.push([tx.lineStart(l), `\n${ind}# refactor check: comment ${++n}\n${ind}/* block comment */\n`]);
      if (singleLineBinding(tx, { b }) && !tx.text.slice(b.span.end, tx.lineEnd(l)).includes('#')) edits.push([b.span.end, '   # trailing comment']);
    }
    if (n === 0) continue;
    let text = tx.text;
    for (const [off, ins] of edits.sort((a, b) => b[0] - a[0])) text = splice(text, off, off, ins);
    out.push({ kind: 'comments', line: bl, what: `blank lines and comments around ${n} bindings of the serviceConfig block at line ${bl}`, text });
  }

  // (3) a single-line list of a directive binding written over several lines.
  {
    const cands = [];
    for (const list of tree.lists) {
      if (list.items.length < 2) continue;
      const l = tx.lineOf(list.span.start);
      if (tx.lineOf(list.span.end - 1) !== l) continue;
      let owner = tree.parent.get(list);
      while (owner && owner.k !== 'bind') owner = tree.parent.get(owner);
      if (!owner || !optLines.has(tx.lineOf(owner.span.start)) || !underServiceConfig(tree.parent, owner)) continue;
      // Only lists whose text is exactly `[ item item ... ]` (no parentheses or comments lost).
      let rest = tx.text.slice(list.span.start + 1, list.span.end - 1);
      for (const it of [...list.items].sort((a, b) => b.span.start - a.span.start)) {
        rest = rest.slice(0, it.span.start - list.span.start - 1) + rest.slice(it.span.end - list.span.start - 1);
      }
      if (rest.trim() !== '' || tx.text[list.span.start] !== '[') continue;
      cands.push(list);
    }
    for (const list of spread(cands, perKind)) {
      const l = tx.lineOf(list.span.start);
      const ind = tx.indent(l);
      const items = list.items.map((it) => `${ind}  ${tx.text.slice(it.span.start, it.span.end)}`);
      const text = splice(tx.text, list.span.start, list.span.end, `[\n${items.join('\n')}\n${ind}]`);
      out.push({ kind: 'multiline-list', line: l, what: `list at line ${l} over ${items.length + 2} lines: ${tx.line(l).trim()}`, text });
    }
  }

  // (4) `Name = value;` → `Name = let v = value; in v;`
  for (const bi of spread(directives, perKind)) {
    const v = bi.b.value;
    const l = tx.lineOf(bi.b.span.start);
    const text = splice(tx.text, v.span.start, v.span.end, `let refactorTmp = ${tx.text.slice(v.span.start, v.span.end)}; in refactorTmp`);
    out.push({ kind: 'let', line: l, what: `line ${l}: ${tx.line(l).trim()} → let-bound`, text });
  }

  // (6) `serviceConfig = { Name = value; }` inside `systemd.services.X = { ... }` → a dotted
  // `systemd.services.X.serviceConfig.Name = value;` next to it (through literal, non-rec attrsets only).
  {
    const cands = [];
    for (const bi of directives) {
      let path = staticPath(bi.b);
      let owner = bi.owner;
      let top = null;
      let ok = !owner.rec;
      while (ok && owner.k === 'attrs') {
        const ob = tree.parent.get(owner);
        if (!ob || ob.k !== 'bind' || ob.value !== owner) break;
        const op = staticPath(ob);
        const container = tree.parent.get(ob);
        if (!op || !container || container.k !== 'attrs' || container.rec) break;
        path = [...op, ...path];
        top = { b: ob, owner: container };
        if (path[0] === 'systemd') break;
        owner = container;
      }
      if (!top || !path.includes('serviceConfig') || path.indexOf('serviceConfig') === path.length - 1) continue;
      const endLine = tx.lineOf(top.b.span.end - 1);
      const after = tx.text.slice(top.b.span.end, tx.lineEnd(endLine)).trim();
      if (after !== '' && !after.startsWith('#')) continue;
      cands.push({ bi, path, top, endLine });
    }
    for (const c of spread(cands, perKind)) {
      const l = tx.lineOf(c.bi.b.span.start);
      const ind = tx.indent(tx.lineOf(c.top.b.span.start));
      const value = tx.text.slice(c.bi.b.value.span.start, c.bi.b.span.end); // `value;` (without the old key)
      const keyText = c.path.map((p) => (/^[A-Za-z_][A-Za-z0-9_'-]*$/.test(p) ? p : JSON.stringify(p))).join('.');
      const added = `${ind}${keyText} = ${value}`;
      // Insert after the end line of the enclosing binding, then delete the original line.
      let text = splice(tx.text, tx.lineEnd(c.endLine), tx.lineEnd(c.endLine), '\n' + added);
      text = splice(text, tx.lineStart(l), Math.min(tx.lineEnd(l) + 1, tx.text.length), '');
      out.push({ kind: 'dotted', line: l, what: `line ${l}: ${tx.line(l).trim()} → after line ${c.endLine}: ${added.trim()}`, text });
    }
  }
  return out;
}

// ---------------------------------------------------------------- main

/** Writes a failing variant to the --dump directory; returns its path (or undefined). */
function dump(opts, module, tag, text) {
  if (!opts.dump) return undefined;
  mkdirSync(opts.dump, { recursive: true });
  const p = join(opts.dump, `${module.replace(/\.nix$/, '')}.${tag.replace(/[^A-Za-z0-9_.-]/g, '_')}.nix`);
  writeFileSync(p, text);
  return p;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const lib = await loadLibrary();
  if (!existsSync(opts.heldout)) {
    process.stderr.write(`no held-out directory ${opts.heldout}\n`);
    process.exit(2);
  }
  const files = readdirSync(opts.heldout)
    .filter((f) => f.endsWith('.nix') && (!opts.only || f.includes(opts.only)))
    .sort();
  const t0 = Date.now();

  const inj = {
    considered: 0, unknownValue: 0, notSingleLine: 0, shared: 0, notInjectable: 0,
    injected: 0, correct: 0, withConsequences: 0, wrong: 0, missed: 0, extra: 0, brokeParse: 0,
    mainDeletes: 0,
    wrongWhy: {},
  };
  const injDel = { injected: 0, correct: 0, withConsequences: 0, wrong: 0, missed: 0, extra: 0, brokeParse: 0 };
  const injList = { injected: 0, correct: 0, withConsequences: 0, wrong: 0, missed: 0, extra: 0, brokeParse: 0 };
  const byStrictness = {};
  const injFailures = [];
  const injCases = [];
  const notInjectable = [];
  const skipped = [];
  const newDiags = [];
  const ref = { applied: 0, noChange: 0, changed: 0, brokeParse: 0, byKind: {} };
  const refFailures = [];
  const refCases = [];
  const modules = [];

  for (const f of files) {
    const path = join(opts.heldout, f);
    const text = readFileSync(path, 'utf8');
    const orig = lib.extractText(path, text);
    const tx = new Text(text);
    const tree = indexTree(lib.parseFile(text).root);
    const mod = { name: f, path, text, tx, tree, orig };
    const mrow = { module: f, services: orig.services.filter((s) => !s.pattern).length, injected: 0, correct: 0, refactors: 0, refactorsClean: 0 };
    modules.push(mrow);

    // A. injections
    const { sites, stats, notInjectable: ni, skipped: sk } = injectionSites(lib, mod);
    for (const k of Object.keys(stats)) inj[k] += stats[k];
    notInjectable.push(...ni);
    skipped.push(...sk);
    for (const site of sites) {
      if (site.pass === 'extra-delete' && !opts.deletions) continue;
      const after = lib.extractText(path, site.text);
      const main = site.pass === 'edit' || site.pass === 'delete';
      const bucket = site.pass === 'extra-delete' ? injDel : site.pass === 'list-line' ? injList : inj;
      bucket.injected++;
      if (site.pass === 'delete') inj.mainDeletes++;
      const fresh = newParseDiagnostics(orig, after);
      const rec = {
        module: f, service: site.service, directive: site.directive, line: site.line, pass: site.pass, rhs: site.rhs, after: site.after,
        injected: `${site.how}: ${site.source}  ⇒  ${site.newLine}`, expected: site.expected,
      };
      if (fresh.length > 0) {
        bucket.brokeParse++;
        injFailures.push({ ...rec, outcome: 'broke-parse', why: fresh.join('; '), diff: [], dumped: dump(opts, f, `inj-${site.directive}-L${site.line}-${site.pass}`, site.text) });
        continue;
      }
      const otherDiags = newDiagnostics(orig, after, false);
      if (otherDiags.length > 0) newDiags.push({ module: f, case: `injection ${site.directive} line ${site.line} (${site.pass})`, diagnostics: otherDiags });
      const changes = changesOf(lib.diffFiles(orig, after));
      const j = judgeInjection(lib, site, changes);
      if (j.consequences) bucket.withConsequences++;
      bucket[j.outcome]++;
      if (main) {
        mrow.injected++;
        if (j.outcome === 'correct') mrow.correct++;
        const sk = lib.directive(site.directive).strictness.kind;
        byStrictness[sk] ??= { injected: 0, correct: 0 };
        byStrictness[sk].injected++;
        if (j.outcome === 'correct') byStrictness[sk].correct++;
        if (j.outcome !== 'correct') inj.wrongWhy[j.why.replace(/\d+/g, 'N')] = (inj.wrongWhy[j.why.replace(/\d+/g, 'N')] ?? 0) + 1;
      }
      const full = { ...rec, outcome: j.outcome, why: j.why, diff: changes };
      if (j.outcome !== 'correct' || opts.verbose) full.dumped = dump(opts, f, `inj-${site.directive}-L${site.line}-${site.pass}`, site.text);
      if (j.outcome !== 'correct') injFailures.push(full);
      if (opts.verbose) injCases.push(full);
    }

    // B. refactors
    for (const r of refactorSites(mod, opts.perKind)) {
      if (r.text === text) continue;
      const after = lib.extractText(path, r.text);
      const k = (ref.byKind[r.kind] ??= { applied: 0, noChange: 0, changed: 0, brokeParse: 0 });
      const fresh = newParseDiagnostics(orig, after);
      const rec = { module: f, kind: r.kind, line: r.line, what: r.what };
      if (fresh.length > 0) {
        ref.brokeParse++;
        k.brokeParse++;
        refFailures.push({ ...rec, outcome: 'broke-parse', why: fresh.join('; '), diff: [], dumped: dump(opts, f, `ref-${r.kind}-L${r.line}`, r.text) });
        continue;
      }
      const otherDiags = newDiagnostics(orig, after, false);
      if (otherDiags.length > 0) newDiags.push({ module: f, case: `refactor ${r.kind} line ${r.line}`, diagnostics: otherDiags });
      ref.applied++;
      k.applied++;
      mrow.refactors++;
      const svcKey = (s) => `${s.scope}/${s.name}`;
      const lost = orig.services.filter((s) => !after.services.some((a) => svcKey(a) === svcKey(s))).length;
      const changes = changesOf(lib.diffFiles(orig, after));
      if (changes.length === 0 && lost === 0) {
        ref.noChange++;
        k.noChange++;
        mrow.refactorsClean++;
        if (opts.verbose) refCases.push({ ...rec, outcome: 'no-change', diff: [], dumped: dump(opts, f, `ref-${r.kind}-L${r.line}`, r.text) });
      } else {
        ref.changed++;
        k.changed++;
        const full = { ...rec, outcome: 'changed', diff: changes, dumped: dump(opts, f, `ref-${r.kind}-L${r.line}`, r.text) };
        refFailures.push(full);
        if (opts.verbose) refCases.push(full);
      }
    }
  }
  const seconds = (Date.now() - t0) / 1000;

  const result = {
    heldout: opts.heldout,
    modules: files.length,
    seconds,
    injection: { ...inj, byStrictness, listLines: injList, deletions: opts.deletions ? injDel : undefined },
    refactor: ref,
    perModule: modules,
    failures: {
      injection: injFailures,
      refactor: refFailures,
    },
    notInjectable,
    skipped,
    newDiagnostics: newDiags,
    cases: opts.verbose ? { injection: injCases, refactor: refCases } : undefined,
  };
  if (opts.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  process.stdout.write(report(result, opts));
}

function pct(a, b) {
  return b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`;
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')).join('\n') + '\n';
}

function report(r, opts) {
  const i = r.injection;
  let out = `Injection harness: ${r.modules} modules from ${r.heldout} (${r.seconds.toFixed(1)} s)\n\n`;
  out += 'A. Injected loosenings (one line edited; the diff must report exactly that loosening)\n';
  out += `   directives considered (catalogue, strictness ≠ none, non-pattern services): ${i.considered}\n`;
  out += `   skipped: value unknown ${i.unknownValue}, binding not a single-line \`Name = value;\` at the reported line ${i.notSingleLine}, same line already injected for another service ${i.shared}\n`;
  out += `   not injectable (compare finds no looser value, or other definitions contribute): ${i.notInjectable}\n\n`;
  const rows = [['', 'injected', 'correct', '(+cond)', 'wrong', 'missed', 'extra', 'broke-parse', 'correct%']];
  rows.push(['main pass', i.injected, i.correct, i.withConsequences, i.wrong, i.missed, i.extra, i.brokeParse, pct(i.correct, i.injected)]);
  {
    const d = i.listLines;
    rows.push(['multi-line list lines', d.injected, d.correct, d.withConsequences, d.wrong, d.missed, d.extra, d.brokeParse, pct(d.correct, d.injected)]);
  }
  if (i.deletions) {
    const d = i.deletions;
    rows.push(['extra deletions', d.injected, d.correct, d.withConsequences, d.wrong, d.missed, d.extra, d.brokeParse, pct(d.correct, d.injected)]);
  }
  out += table(rows).replace(/^/gm, '   ');
  out += `   (main pass: the brief's single-line \`Name = value;\` edits; multi-line list lines: an extra pass over the skipped\n`;
  out += `    bindings whose value is a list literal over several lines, one element line deleted or extended, expected at the binding's line;\n`;
  out += `    extra deletions (--deletions): the deletion of every binding of the main pass whose absence is looser)\n`;
  out += `   (+cond: of the correct ones, those whose diff also showed the same change under a condition, or in a service that\n`;
  out += `    reads the edited binding through a selection, checked as a consequence)\n`;
  out += `   main pass: ${i.mainDeletes} of the injections are deletions (no looser value than the default could be written)\n`;
  out += '\n   by strictness kind (main pass):\n';
  const srows = [['', 'injected', 'correct']];
  for (const [k, v] of Object.entries(i.byStrictness).sort()) srows.push([k, v.injected, v.correct]);
  out += table(srows).replace(/^/gm, '     ');
  if (Object.keys(i.wrongWhy).length) {
    out += '\n   failure reasons (main pass):\n';
    for (const [k, v] of Object.entries(i.wrongWhy).sort((a, b) => b[1] - a[1])) out += `     ${String(v).padStart(4)}  ${k}\n`;
  }

  out += '\nB. Refactors that keep every value (the diff must report no change)\n';
  const rrows = [['kind', 'applied', 'no change', 'changed', 'broke-parse']];
  for (const [k, v] of Object.entries(r.refactor.byKind)) rrows.push([k, v.applied, v.noChange, v.changed, v.brokeParse]);
  rrows.push(['total', r.refactor.applied, r.refactor.noChange, r.refactor.changed, r.refactor.brokeParse]);
  out += table(rrows).replace(/^/gm, '   ');
  out += `   (broke-parse: the rewrite added a parse diagnostic; not counted as applied — a harness problem)\n`;

  const fmtChange = (c) =>
    c.directive === undefined
      ? `${c.service} ${c.status}`
      : `${c.service} ${c.directive}: ${show(c.before)} → ${show(c.after)} ${c.verdict} (line ${c.line}${c.when ? `, when ${c.when}` : ''})`;

  const fi = r.failures.injection;
  out += `\nInjection failures (${fi.length}):\n`;
  for (const x of fi) {
    out += ` - [${x.outcome}] ${x.module} ${x.service} ${x.directive} line ${x.line} (${x.pass}, ${x.rhs}): ${x.why}\n`;
    out += `     injected: ${x.injected}\n`;
    if (x.dumped) out += `     variant: ${x.dumped}\n`;
    if (x.expected.length > 1) out += `     expected in: ${x.expected.join(', ')}\n`;
    if (x.diff.length === 0) out += '     diff: no change\n';
    for (const c of x.diff) out += `     diff: ${fmtChange(c)}\n`;
  }
  const fr = r.failures.refactor;
  out += `\nRefactor failures (${fr.length}):\n`;
  for (const x of fr) {
    out += ` - [${x.outcome}] ${x.module} ${x.kind} at line ${x.line}: ${x.what}\n`;
    if (x.outcome === 'broke-parse') out += `     ${x.why}\n`;
    if (x.dumped) out += `     variant: ${x.dumped}\n`;
    for (const c of x.diff) out += `     diff: ${fmtChange(c)}\n`;
  }
  out += `\nCases whose variant has new non-parse diagnostics (informational; an eval-error here would make the variant suspect) (${r.newDiagnostics.length}):\n`;
  for (const x of r.newDiagnostics) out += ` - ${x.module} ${x.case}: ${x.diagnostics.join('; ')}\n`;
  out += `\nNot injectable (${r.notInjectable.length}):\n`;
  for (const x of r.notInjectable) out += ` - ${x.module} ${x.service} ${x.directive} line ${x.line} = ${show(x.value)}: ${x.reason}\n     ${x.source}\n`;
  if (opts.verbose) {
    out += `\nSkipped (value unknown, or no single-line binding at the reported line) (${r.skipped.length}):\n`;
    for (const x of r.skipped) out += ` - ${x.module} ${x.service} ${x.directive} line ${x.line}: ${x.reason}${x.source !== undefined ? `\n     ${x.source}` : ''}\n`;
  }
  if (opts.verbose && r.cases) {
    out += '\nAll injection cases:\n';
    for (const x of r.cases.injection) out += ` - [${x.outcome}] ${x.module} ${x.service} ${x.directive} line ${x.line}: ${x.injected}\n`;
    out += '\nAll refactor cases:\n';
    for (const x of r.cases.refactor) out += ` - [${x.outcome}] ${x.module} ${x.kind}: ${x.what}\n`;
  }
  return out;
}

await main();
