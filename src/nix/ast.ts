/**
 * Our own compact syntax tree for Nix, converted once from tree-sitter's concrete tree so that the
 * evaluator never crosses into native code. Long chains of one binary operator (`a + b + c ...`)
 * become one n-ary node, so a 100 000-term concatenation is not 100 000 levels deep.
 */
import { FLAG_HAS_CHILDREN, FLAG_HAS_ERROR, FLAG_MISSING, FLAG_NAMED, type FlatTree, grammarTables, parseNix } from './parser.js';
import type { Diagnostic } from './diagnostics.js';

export interface Span {
  /** 1-based line of the first character. */
  line: number;
  /** 0-based column (UTF-16 code units) of the first character. */
  col: number;
  /** Offsets into the source text (UTF-16 code units). */
  start: number;
  end: number;
}

export type AttrKey =
  | { k: 'static'; name: string; span: Span }
  | { k: 'dynamic'; expr: Expr; span: Span };

export type Binding =
  | { k: 'bind'; path: AttrKey[]; value: Expr; span: Span }
  | { k: 'inherit'; from: Expr | undefined; names: AttrKey[]; span: Span };

export interface Formal {
  name: string;
  default: Expr | undefined;
  span: Span;
}

export type StrPart = string | Expr;

export type Expr =
  | { k: 'int'; v: number; span: Span }
  | { k: 'float'; v: number; span: Span }
  | { k: 'str'; parts: StrPart[]; span: Span }
  | { k: 'path'; parts: StrPart[]; span: Span }
  | { k: 'spath'; name: string; span: Span }
  | { k: 'uri'; v: string; span: Span }
  | { k: 'var'; name: string; span: Span }
  | { k: 'select'; expr: Expr; path: AttrKey[]; default: Expr | undefined; span: Span }
  | { k: 'has'; expr: Expr; path: AttrKey[]; span: Span }
  | { k: 'apply'; fn: Expr; arg: Expr; span: Span }
  | { k: 'unary'; op: '!' | '-'; arg: Expr; span: Span }
  | { k: 'binary'; op: BinaryOp; operands: Expr[]; span: Span }
  | { k: 'if'; cond: Expr; then: Expr; else: Expr; span: Span }
  | { k: 'let'; bindings: Binding[]; body: Expr; span: Span }
  | { k: 'with'; env: Expr; body: Expr; span: Span }
  | { k: 'assert'; cond: Expr; body: Expr; span: Span }
  | { k: 'attrs'; rec: boolean; bindings: Binding[]; span: Span }
  | { k: 'letattrs'; bindings: Binding[]; span: Span }
  | { k: 'list'; items: Expr[]; span: Span }
  | {
      k: 'lambda';
      param: string | undefined;
      formals: Formal[] | undefined;
      ellipsis: boolean;
      body: Expr;
      span: Span;
    }
  | { k: 'error'; reason: string; span: Span };

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '++' | '//' | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '&&' | '||' | '->';

/** Operators whose chains are flattened into one n-ary node. */
const FLATTENED = new Set<string>(['+', '++', '//', '&&', '||']);

export interface ParsedFile {
  text: string;
  root: Expr;
  diagnostics: Diagnostic[];
}

export interface ParseOptions {
  /** Deepest syntax tree accepted; deeper subtrees become error nodes with a `parse-too-deep` finding. */
  maxDepth?: number;
  /** Milliseconds tree-sitter may take; past them the file is not analysed (`parse-budget`). */
  budgetMs?: number;
  /**
   * The text's flat tree when another thread parsed it already (null: that parse ran out of its
   * budget). Undefined: parse here.
   */
  tree?: FlatTree | null;
}

const DEFAULT_MAX_DEPTH = 1500;

/**
 * tree-sitter parses real modules in well under a millisecond per kilobyte; inputs built to be
 * slow (megabytes of nesting) are stopped here rather than holding a worker for seconds.
 */
export const DEFAULT_PARSE_BUDGET_MS = 2000;

/** Parses Nix text into our syntax tree. Syntax errors become diagnostics; never throws for bad input. */
export function parseFile(text: string, options: ParseOptions = {}): ParsedFile {
  const budget = options.budgetMs ?? DEFAULT_PARSE_BUDGET_MS;
  const tree = options.tree !== undefined ? options.tree : parseNix(text, budget);
  if (!tree) {
    const span = { line: 1, col: 0, start: 0, end: text.length };
    return {
      text,
      root: { k: 'error', reason: 'not parsed', span },
      diagnostics: [{ id: 'parse-budget', line: 0, message: `parsing took longer than ${budget} ms; the file is not analysed` }],
    };
  }
  const conv = new Converter(new TreeView(tree, text), options.maxDepth ?? DEFAULT_MAX_DEPTH);
  const root = conv.root(0);
  return { text, root, diagnostics: conv.diagnostics };
}

/** A node of the flat tree: its index (0 is the root). */
type Node = number;

const ERROR_SYMBOL = 65535;

/**
 * Read access to the flat tree our binding returns (one native call per file), by node index:
 * no object per node. The binding links each node to its next sibling and flags the nodes with
 * children (the first child follows its parent in preorder). Anonymous leaves other than missing
 * tokens have no position (row and column 0).
 */
class TreeView {
  private readonly nodes: Int32Array;
  private readonly ints: number;
  private readonly symbolNames: readonly string[];
  private readonly fieldNames: readonly (string | null)[];

  constructor(tree: FlatTree, readonly source: string) {
    const { symbolNames, fieldNames } = grammarTables();
    this.symbolNames = symbolNames;
    this.fieldNames = fieldNames;
    this.nodes = tree.nodes;
    this.ints = tree.nodeInts;
  }

  private isError(n: Node): boolean {
    return this.nodes[n * this.ints] === ERROR_SYMBOL;
  }
  type(n: Node): string {
    const id = this.nodes[n * this.ints]!;
    return id === ERROR_SYMBOL ? 'ERROR' : this.symbolNames[id] ?? 'ERROR';
  }
  named(n: Node): boolean {
    return this.isError(n) || (this.nodes[n * this.ints + 7]! & FLAG_NAMED) !== 0;
  }
  isMissing(n: Node): boolean {
    return (this.nodes[n * this.ints + 7]! & FLAG_MISSING) !== 0;
  }
  hasError(n: Node): boolean {
    return (this.nodes[n * this.ints + 7]! & FLAG_HAS_ERROR) !== 0 || this.isError(n) || this.isMissing(n);
  }
  start(n: Node): number {
    return this.nodes[n * this.ints + 2]!;
  }
  end(n: Node): number {
    return this.nodes[n * this.ints + 3]!;
  }
  private positioned(n: Node): boolean {
    return this.named(n) || this.isMissing(n);
  }
  row(n: Node): number {
    return this.positioned(n) ? this.nodes[n * this.ints + 4]! : 0;
  }
  column(n: Node): number {
    return this.positioned(n) ? this.nodes[n * this.ints + 5]! : 0;
  }
  text(n: Node): string {
    return this.source.slice(this.start(n), this.end(n));
  }
  field(n: Node): string | null {
    return this.fieldNames[this.nodes[n * this.ints + 1]!] ?? null;
  }
  /** The first child, or -1. */
  first(n: Node): Node {
    return (this.nodes[n * this.ints + 7]! & FLAG_HAS_CHILDREN) !== 0 ? n + 1 : -1;
  }
  /** The next sibling, or -1. */
  next(n: Node): Node {
    return this.nodes[n * this.ints + 6]!;
  }
  childForFieldName(n: Node, name: string): Node | null {
    for (let c = this.first(n); c >= 0; c = this.next(c)) if (this.field(c) === name) return c;
    return null;
  }
}

class Converter {
  readonly diagnostics: Diagnostic[] = [];
  private depth = 0;
  private tooDeepReported = false;
  private errorCount = 0;

  private readonly text: string;

  constructor(private readonly t: TreeView, private readonly maxDepth: number) {
    this.text = t.source;
  }

  root(node: Node): Expr {
    this.collectErrors(node);
    const child = this.t.childForFieldName(node, 'expression');
    if (child === null) return { k: 'error', reason: 'empty file', span: this.span(node) };
    return this.expr(child);
  }

  /** Reports ERROR and MISSING nodes; iterative, so deep trees do not recurse. */
  private collectErrors(root: Node): void {
    const t = this.t;
    if (!t.hasError(root)) return;
    let reported = 0;
    const stack: Node[] = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (t.type(node) === 'ERROR' || t.isMissing(node)) {
        if (reported < 20) {
          const line = t.row(node) + 1;
          const snippet = this.text.slice(t.start(node), Math.min(t.end(node), t.start(node) + 40)).split('\n')[0];
          this.diagnostics.push(
            t.isMissing(node)
              ? { id: 'parse-missing', line, message: `syntax error: missing ${t.type(node)}` }
              : { id: 'parse-error', line, message: `syntax error: cannot parse ${JSON.stringify(snippet)}` },
          );
        }
        reported++;
        continue;
      }
      const children: Node[] = [];
      for (let ch = t.first(node); ch >= 0; ch = t.next(ch)) if (t.hasError(ch) && !this.isTrailingComma(ch, node)) children.push(ch);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
    if (reported > 20) this.diagnostics.push({ id: 'parse-error', line: 1, message: `${reported - 20} more syntax errors not shown` });
    this.diagnostics.sort((a, b) => a.line - b.line);
  }

  /**
   * `{ a, b, }:` is valid Nix (nixfmt writes formals that way), but tree-sitter-nix 0.0.2 does not
   * know it: after two or more formals it reads the last comma as one before a formal whose name
   * is MISSING (an empty formal), after a single formal as an ERROR holding just the comma. Either
   * is a trailing comma when it is the last child of the formals and follows a formal (not `...`).
   */
  private isTrailingComma(node: Node, parent: Node): boolean {
    const t = this.t;
    if (t.next(node) >= 0 || t.type(parent) !== 'formals') return false;
    if (t.type(node) === 'formal') {
      if (t.start(node) !== t.end(node)) return false;
      const name = t.childForFieldName(node, 'name');
      return name !== null && t.isMissing(name) && t.childForFieldName(node, 'default') === null;
    }
    if (t.type(node) !== 'ERROR' || t.first(node) >= 0 || t.text(node) !== ',') return false;
    let before = -1;
    for (let c = t.first(parent); c >= 0 && c !== node; c = t.next(c)) if (t.named(c) && t.type(c) !== 'comment') before = c;
    return before >= 0 && t.type(before) === 'formal' && t.start(before) !== t.end(before);
  }

  private span(node: Node): Span {
    const t = this.t;
    return { line: t.row(node) + 1, col: t.column(node), start: t.start(node), end: t.end(node) };
  }

  private error(node: Node, reason: string): Expr {
    this.errorCount++;
    return { k: 'error', reason, span: this.span(node) };
  }

  private expr(node: Node): Expr {
    if (this.depth >= this.maxDepth) {
      if (!this.tooDeepReported) {
        this.tooDeepReported = true;
        this.diagnostics.push({
          id: 'parse-too-deep',
          line: this.t.row(node) + 1,
          message: `expression nested deeper than ${this.maxDepth} levels; the rest is not analysed`,
        });
      }
      return this.error(node, 'nested too deeply');
    }
    this.depth++;
    try {
      return this.convert(node);
    } finally {
      this.depth--;
    }
  }

  private field(node: Node, name: string): Expr {
    const child = this.t.childForFieldName(node, name);
    return child !== null ? this.expr(child) : this.error(node, `missing ${name}`);
  }

  private convert(node: Node): Expr {
    const t = this.t;
    const span = this.span(node);
    switch (t.type(node)) {
      case 'integer_expression': {
        const v = Number(t.text(node));
        return Number.isSafeInteger(v) ? { k: 'int', v, span } : this.error(node, 'integer out of range');
      }
      case 'float_expression':
        return { k: 'float', v: Number(t.text(node)), span };
      case 'string_expression':
        return { k: 'str', parts: this.stringParts(node, false), span };
      case 'indented_string_expression':
        return { k: 'str', parts: this.stringParts(node, true), span };
      case 'path_expression':
      case 'hpath_expression':
        return { k: 'path', parts: this.pathParts(node), span };
      case 'spath_expression':
        return { k: 'spath', name: t.text(node).slice(1, -1), span };
      case 'uri_expression':
        return { k: 'uri', v: t.text(node), span };
      case 'variable_expression': {
        const name = t.childForFieldName(node, 'name');
        return { k: 'var', name: t.text(name ?? node), span };
      }
      case 'parenthesized_expression':
        return this.field(node, 'expression');
      case 'select_expression': {
        const def = t.childForFieldName(node, 'default');
        return {
          k: 'select',
          expr: this.field(node, 'expression'),
          path: this.attrpath(t.childForFieldName(node, 'attrpath')),
          default: def !== null ? this.expr(def) : undefined,
          span,
        };
      }
      case 'has_attr_expression':
        return { k: 'has', expr: this.field(node, 'expression'), path: this.attrpath(t.childForFieldName(node, 'attrpath')), span };
      case 'apply_expression':
        return { k: 'apply', fn: this.field(node, 'function'), arg: this.field(node, 'argument'), span };
      case 'unary_expression': {
        const operator = t.childForFieldName(node, 'operator');
        const op = operator !== null && t.type(operator) === '-' ? '-' : '!';
        return { k: 'unary', op, arg: this.field(node, 'argument'), span };
      }
      case 'binary_expression':
        return this.binary(node);
      case 'if_expression':
        return {
          k: 'if',
          cond: this.field(node, 'condition'),
          then: this.field(node, 'consequence'),
          else: this.field(node, 'alternative'),
          span,
        };
      case 'let_expression':
        return { k: 'let', bindings: this.bindingSet(node), body: this.field(node, 'body'), span };
      case 'with_expression':
        return { k: 'with', env: this.field(node, 'environment'), body: this.field(node, 'body'), span };
      case 'assert_expression':
        return { k: 'assert', cond: this.field(node, 'condition'), body: this.field(node, 'body'), span };
      case 'attrset_expression':
        return { k: 'attrs', rec: false, bindings: this.bindingSet(node), span };
      case 'rec_attrset_expression':
        return { k: 'attrs', rec: true, bindings: this.bindingSet(node), span };
      case 'let_attrset_expression':
        return { k: 'letattrs', bindings: this.bindingSet(node), span };
      case 'list_expression':
        return { k: 'list', items: this.exprsOf(node), span };
      case 'function_expression':
        return this.lambda(node);
      case 'ERROR':
        return this.error(node, 'syntax error');
      default:
        if (t.isMissing(node)) return this.error(node, 'missing syntax');
        return this.error(node, `unsupported syntax ${t.type(node)}`);
    }
  }

  /** Flattens a chain of one associative operator without recursing along the chain. */
  private binary(node: Node): Expr {
    const t = this.t;
    const opNode = t.childForFieldName(node, 'operator');
    const op = (opNode !== null ? t.type(opNode) : '+') as BinaryOp;
    const span = this.span(node);
    if (!FLATTENED.has(op)) {
      return { k: 'binary', op, operands: [this.field(node, 'left'), this.field(node, 'right')], span };
    }
    // Collect the chain: operands may nest on the left (left-associative) or right (right-associative).
    const leaves: Node[] = [];
    const stack: Node[] = [node];
    let guard = 0;
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (++guard > 10_000_000) break;
      const nOp = t.type(n) === 'binary_expression' ? t.childForFieldName(n, 'operator') : null;
      if (nOp !== null && t.type(nOp) === op) {
        const right = t.childForFieldName(n, 'right');
        const left = t.childForFieldName(n, 'left');
        if (right !== null) stack.push(right);
        if (left !== null) stack.push(left);
      } else {
        leaves.push(n);
      }
    }
    return { k: 'binary', op, operands: leaves.map((l) => this.expr(l)), span };
  }

  private lambda(node: Node): Expr {
    const t = this.t;
    const span = this.span(node);
    const universalNode = t.childForFieldName(node, 'universal');
    const universal = universalNode !== null ? t.text(universalNode) : undefined;
    const formalsNode = t.childForFieldName(node, 'formals');
    let formals: Formal[] | undefined;
    let ellipsis = false;
    if (formalsNode !== null) {
      formals = [];
      for (let f = t.first(formalsNode); f >= 0; f = t.next(f)) {
        if (!t.named(f)) continue;
        if (t.type(f) === 'ellipses') ellipsis = true;
        else if (t.type(f) === 'formal' && !this.isTrailingComma(f, formalsNode)) {
          const def = t.childForFieldName(f, 'default');
          const name = t.childForFieldName(f, 'name');
          formals.push({ name: name !== null ? t.text(name) : '', default: def !== null ? this.expr(def) : undefined, span: this.span(f) });
        }
      }
    }
    return { k: 'lambda', param: universal, formals, ellipsis, body: this.field(node, 'body'), span };
  }

  private bindingSet(node: Node): Binding[] {
    const t = this.t;
    let set = t.first(node);
    while (set >= 0 && !(t.named(set) && t.type(set) === 'binding_set')) set = t.next(set);
    if (set < 0) return [];
    const out: Binding[] = [];
    for (let b = t.first(set); b >= 0; b = t.next(b)) {
      if (!t.named(b)) continue;
      const span = this.span(b);
      const type = t.type(b);
      if (type === 'binding') {
        out.push({ k: 'bind', path: this.attrpath(t.childForFieldName(b, 'attrpath')), value: this.field(b, 'expression'), span });
      } else if (type === 'inherit') {
        out.push({ k: 'inherit', from: undefined, names: this.inheritedAttrs(b), span });
      } else if (type === 'inherit_from') {
        out.push({ k: 'inherit', from: this.field(b, 'expression'), names: this.inheritedAttrs(b), span });
      }
    }
    return out;
  }

  private inheritedAttrs(node: Node): AttrKey[] {
    return this.attrpath(this.t.childForFieldName(node, 'attrs'));
  }

  /** The attribute names below a node (an attrpath, or the names of an inherit), comments left out. */
  private attrpath(node: Node | null): AttrKey[] {
    const out: AttrKey[] = [];
    if (node === null) return out;
    const t = this.t;
    for (let c = t.first(node); c >= 0; c = t.next(c)) if (t.named(c) && t.type(c) !== 'comment') out.push(this.attrKey(c));
    return out;
  }

  /** The expressions below a node (a list's items), comments left out. */
  private exprsOf(node: Node): Expr[] {
    const out: Expr[] = [];
    const t = this.t;
    for (let c = t.first(node); c >= 0; c = t.next(c)) if (t.named(c) && t.type(c) !== 'comment') out.push(this.expr(c));
    return out;
  }

  private attrKey(node: Node): AttrKey {
    const t = this.t;
    const span = this.span(node);
    const type = t.type(node);
    if (type === 'identifier') return { k: 'static', name: t.text(node), span };
    if (type === 'string_expression') {
      const parts = this.stringParts(node, false);
      if (parts.every((p) => typeof p === 'string')) return { k: 'static', name: parts.join(''), span };
      return { k: 'dynamic', expr: { k: 'str', parts, span }, span };
    }
    if (type === 'interpolation') return { k: 'dynamic', expr: this.field(node, 'expression'), span };
    return { k: 'dynamic', expr: this.error(node, 'bad attribute name'), span };
  }

  private pathParts(node: Node): StrPart[] {
    const t = this.t;
    const parts: StrPart[] = [];
    for (let c = t.first(node); c >= 0; c = t.next(c)) {
      if (!t.named(c)) continue;
      const type = t.type(c);
      if (type === 'path_fragment') parts.push(t.text(c));
      else if (type === 'interpolation') parts.push(this.field(c, 'expression'));
    }
    if (parts.length === 0) parts.push(t.text(node));
    return parts;
  }

  /**
   * String parts with escapes decoded. For indented strings the common indentation is removed the
   * way Nix does it: the first line is dropped when it holds only spaces, the least indentation of
   * the lines with content (interpolations count as content) is stripped, and a last line of only
   * spaces is dropped.
   */
  private stringParts(node: Node, indented: boolean): StrPart[] {
    // Raw pieces: literal text (not yet unescaped, so indentation can be measured) or expressions.
    type Piece = { lit: string; escaped: boolean } | { expr: Expr };
    const pieces: Piece[] = [];
    const t = this.t;
    const bodyStart = t.start(node) + (indented ? 2 : 1);
    const bodyEnd = t.end(node) - (indented ? 2 : 1);
    let pos = bodyStart;
    for (let c = t.first(node); c >= 0; c = t.next(c)) {
      if (!t.named(c)) continue;
      const type = t.type(c);
      if (type === 'comment') continue;
      if (t.start(c) > pos) pieces.push({ lit: this.text.slice(pos, t.start(c)), escaped: false });
      if (type === 'string_fragment') pieces.push({ lit: t.text(c), escaped: false });
      else if (type === 'escape_sequence') pieces.push({ lit: unescape(t.text(c), indented), escaped: true });
      // The grammar splits `\$` and `''$` into a dollar_escape (the backslash or quotes) followed by a
      // fragment holding the `$`; the escape itself contributes nothing.
      else if (type === 'dollar_escape') pieces.push({ lit: '', escaped: true });
      else if (type === 'interpolation') pieces.push({ expr: this.field(c, 'expression') });
      pos = Math.max(pos, t.end(c));
    }
    if (bodyEnd > pos) pieces.push({ lit: this.text.slice(pos, bodyEnd), escaped: false });

    if (indented) stripIndentation(pieces);
    const parts: StrPart[] = [];
    for (const p of pieces) {
      if ('expr' in p) parts.push(p.expr);
      else if (p.lit !== '') {
        const last = parts[parts.length - 1];
        if (typeof last === 'string') parts[parts.length - 1] = last + p.lit;
        else parts.push(p.lit);
      }
    }
    return parts;
  }
}

function unescape(seq: string, indented: boolean): string {
  if (indented) {
    // ''' -> '' ; ''$ -> $ ; ''\n -> newline; ''\x -> x
    if (seq === "'''") return "''";
    if (seq.startsWith("''\\")) return escapeChar(seq.slice(3));
    if (seq.startsWith("''")) return seq.slice(2);
    return seq;
  }
  if (seq.startsWith('\\')) return escapeChar(seq.slice(1));
  return seq;
}

function escapeChar(c: string): string {
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    default:
      return c;
  }
}

type IndentPiece = { lit: string; escaped: boolean } | { expr: Expr };

function stripIndentation(pieces: IndentPiece[]): void {
  // Measure the minimal indentation over lines with content.
  let min = Infinity;
  let atLineStart = true;
  let indent = 0;
  for (const p of pieces) {
    if ('expr' in p || p.escaped) {
      if (atLineStart) {
        min = Math.min(min, indent);
        atLineStart = false;
      }
      continue;
    }
    for (const ch of p.lit) {
      if (atLineStart) {
        if (ch === ' ') indent++;
        else if (ch === '\n') indent = 0;
        else {
          min = Math.min(min, indent);
          atLineStart = false;
        }
      } else if (ch === '\n') {
        atLineStart = true;
        indent = 0;
      }
    }
  }
  if (min === Infinity) min = 0;

  // Strip: remove up to `min` leading spaces of every line (only in unescaped literal text).
  let col = 0;
  let lineStart = true;
  for (const p of pieces) {
    if ('expr' in p || p.escaped) {
      lineStart = false;
      continue;
    }
    let out = '';
    for (const ch of p.lit) {
      if (lineStart && ch === ' ' && col < min) {
        col++;
        continue;
      }
      if (ch === '\n') {
        lineStart = true;
        col = 0;
      } else {
        lineStart = false;
      }
      out += ch;
    }
    p.lit = out;
  }
  // Drop a first line of only spaces (the text right after the opening quotes).
  const first = pieces[0];
  if (first && !('expr' in first) && !first.escaped) {
    const nl = first.lit.indexOf('\n');
    if (nl >= 0 && /^ *$/.test(first.lit.slice(0, nl))) first.lit = first.lit.slice(nl + 1);
  }
  // Drop a last line of only spaces (before the closing quotes).
  const last = pieces[pieces.length - 1];
  if (last && !('expr' in last) && !last.escaped) {
    const nl = last.lit.lastIndexOf('\n');
    const tail = last.lit.slice(nl + 1);
    if (/^ *$/.test(tail) && (nl >= 0 || pieces.length === 1)) last.lit = last.lit.slice(0, nl + 1);
  }
}
