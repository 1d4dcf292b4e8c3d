/** The Nix layer's public face: parse and evaluate one file. */
import { parseFile, type ParsedFile } from './ast.js';
import { makeStdlib } from './builtins.js';
import { DEFAULT_BUDGETS, Evaluator, type Budgets } from './eval.js';
import type { Value } from './values.js';

export interface EvaluatedFile {
  parsed: ParsedFile;
  ev: Evaluator;
  lib: Value;
  value: Value;
}

/** Parses and evaluates a file's top-level expression (functions stay unapplied). */
export function evaluateText(text: string, budgets: Budgets = DEFAULT_BUDGETS): EvaluatedFile {
  const parsed = parseFile(text);
  const ev = new Evaluator(text, budgets);
  const std = makeStdlib(ev);
  ev.root = std.root;
  const value = ev.eval(parsed.root, ev.root);
  return { parsed, ev, lib: std.lib, value };
}

export { parseFile } from './ast.js';
export { Evaluator, DEFAULT_BUDGETS, type Budgets } from './eval.js';
export { render, settle, DEFAULTS_VIEW, flipView, type View, type Rendered, type Json } from './render.js';
export * from './values.js';
