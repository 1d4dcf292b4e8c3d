/**
 * The tree-sitter parser for Nix: our own binding (native/binding.cc, built by `npm ci`) compiles
 * tree-sitter 0.25's runtime (vendored by the npm package `tree-sitter`) with the grammar's C
 * sources (from the npm package `tree-sitter-nix`) and returns a whole tree in one call.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The directory holding package.json, found by walking up from this file (src/ or dist/src/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'binding.gyp'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('nixos-harden: cannot find the package root');
    dir = parent;
  }
}

/** The grammar's symbol and field tables, exported by our binding. */
export interface GrammarTables {
  symbolNames: string[];
  symbolNamed: boolean[];
  fieldNames: (string | null)[];
}

/** What our binding exports (native/binding.cc). */
interface Binding extends GrammarTables {
  /** Integers per node in the flat tree that `parse` returns. */
  nodeInts: number;
  /** Which meaning those integers have (see {@link FlatTree}); absent before format 2. */
  flatFormat?: number;
  parse(text: string, budgetMs?: number): { nodes: Int32Array | null; cancelled: boolean };
}

/** The flat-tree format this code reads (native/binding.cc's flatFormat). */
const FLAT_FORMAT = 2;

let binding: Binding | undefined;

function loadBinding(): Binding {
  if (binding) return binding;
  const bindingPath = join(packageRoot(), 'build', 'Release', 'tree_sitter_nix_napi.node');
  if (!existsSync(bindingPath)) {
    throw new Error(`nixos-harden: the Nix grammar binding is not built (${bindingPath}); run npm ci`);
  }
  const loaded = require(bindingPath) as Binding;
  if (loaded.flatFormat !== FLAT_FORMAT) {
    // A checkout updated without rebuilding: the old binary would silently give empty trees.
    throw new Error(
      `nixos-harden: the Nix grammar binding (${bindingPath}) writes syntax trees in format ${loaded.flatFormat ?? 1}, this code reads format ${FLAT_FORMAT}; rebuild it with npm ci (or npm run install)`,
    );
  }
  binding = loaded;
  return binding;
}

export function grammarTables(): GrammarTables {
  return loadBinding();
}

/**
 * The concrete syntax tree of a text, flattened: `nodeInts` integers per node in preorder
 * (symbol, field id, start index, end index, start row, start column, next sibling's index or -1,
 * flags: 1 named, 2 missing, 4 an error in it or below, 8 has children, the first being the next
 * node). Indexes and columns are JS string indexes (UTF-16).
 */
export interface FlatTree {
  nodes: Int32Array;
  nodeInts: number;
}

export const FLAG_NAMED = 1;
export const FLAG_MISSING = 2;
export const FLAG_HAS_ERROR = 4;
export const FLAG_HAS_CHILDREN = 8;

/** A flat tree from nodes another thread's parseNix returned. */
export function flatTree(nodes: Int32Array): FlatTree {
  return { nodes, nodeInts: loadBinding().nodeInts };
}

/**
 * Parses Nix text with tree-sitter-nix. Null when tree-sitter gave up because the parse took longer
 * than `budgetMs` (pathological input: the caller reports it as a finding).
 */
export function parseNix(text: string, budgetMs = 0): FlatTree | null {
  const r = loadBinding().parse(text, budgetMs);
  return r.nodes ? flatTree(r.nodes) : null;
}
