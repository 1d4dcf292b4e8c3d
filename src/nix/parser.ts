/**
 * The tree-sitter parser for Nix: tree-sitter 0.25's N-API binding with the grammar that our own
 * binding (native/binding.cc, built by `npm ci`) compiles from the `tree-sitter-nix` sources.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type ParserType from 'tree-sitter';

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

let parser: ParserType | undefined;

/** The grammar's symbol and field tables, exported by our binding. */
export interface GrammarTables {
  symbolNames: string[];
  symbolNamed: boolean[];
  fieldNames: (string | null)[];
}

let tables: GrammarTables | undefined;

export function grammarTables(): GrammarTables {
  if (!tables) loadParser();
  return tables!;
}

/**
 * tree-sitter's JS wrapper patches the prototypes of its native classes when it is evaluated, so it
 * must be evaluated once per process. Test runners that evaluate modules afresh for each test file
 * (jest) would evaluate it again and break it; the loaded module is therefore kept where every such
 * context sees the same object: on the prototype of `process`.
 */
const SHARED = Symbol.for('nixos-harden.tree-sitter');

function loadTreeSitter(): typeof ParserType {
  const holder = Object.getPrototypeOf(process) as Record<symbol, unknown>;
  if (!holder[SHARED]) holder[SHARED] = require('tree-sitter');
  return holder[SHARED] as typeof ParserType;
}

function loadParser(): ParserType {
  if (parser) return parser;
  const Parser = loadTreeSitter();
  const bindingPath = join(packageRoot(), 'build', 'Release', 'tree_sitter_nix_napi.node');
  if (!existsSync(bindingPath)) {
    throw new Error(`nixos-harden: the Nix grammar binding is not built (${bindingPath}); run npm ci`);
  }
  const binding = require(bindingPath) as ParserType.Language & GrammarTables;
  tables = { symbolNames: binding.symbolNames, symbolNamed: binding.symbolNamed, fieldNames: binding.fieldNames };
  const language = binding;
  parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

/** Chunk size for feeding large inputs to tree-sitter through a callback. */
const CHUNK = 64 * 1024;

export function parseNix(text: string): ParserType.Tree {
  const p = loadParser();
  if (text.length <= CHUNK) return p.parse(text);
  // Large inputs go through the callback interface: tree-sitter reads the text in chunks.
  return p.parse((index: number) => (index < text.length ? text.slice(index, index + CHUNK) : ''));
}
