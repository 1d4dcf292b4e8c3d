/**
 * `extract`: every systemd service a module defines, with its effective `serviceConfig` in the
 * defaults view and the values that differ under non-default conditions. Never throws for bad
 * input: problems become diagnostics and the rest of the file is still analysed.
 */
import type { Expr } from '../nix/ast.js';
import type { Diagnostic } from '../nix/diagnostics.js';
import type { FlatTree } from '../nix/parser.js';
import type { Budgets } from '../nix/eval.js';
import { DEFAULT_MAX_CHARS } from './limits.js';
import { evaluateModule } from './module.js';
import { type ModuleFacts, type Service, extractServices } from './services.js';

export interface FileResult {
  path: string;
  diagnostics: Diagnostic[];
  services: Service[];
}

export interface ExtractOptions {
  budgets?: Budgets;
  /** Files larger than this (in characters) are not analysed; a finding says so. */
  maxChars?: number;
  /** false: no `branches` (values under non-default conditions); the census needs only the defaults. */
  branches?: boolean;
  /** The flat tree, when another thread parsed the text already (see parseFile). */
  tree?: FlatTree | null;
}

export { DEFAULT_MAX_CHARS };

/** A file's extraction plus the module facts rules use (not part of the JSON contract). */
export interface Analysis {
  file: FileResult;
  facts: ModuleFacts;
  text: string;
  /** The file's syntax tree, for callers that read more of it (the VM-test lookup); absent when not parsed. */
  syntax?: Expr;
}

const NO_FACTS = (): ModuleFacts => ({ firewall: [], shipsUnits: false, options: [], services: new Map() });

export function extractText(path: string, text: string, opts: ExtractOptions = {}): FileResult {
  return analyseText(path, text, opts).file;
}

export function analyseText(path: string, text: string, opts: ExtractOptions = {}): Analysis {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  if (text.length > maxChars) {
    return {
      file: {
        path,
        diagnostics: [{ id: 'parse-too-large', line: 0, message: `the file has ${text.length} characters, more than the limit of ${maxChars}; it is not analysed` }],
        services: [],
      },
      facts: NO_FACTS(),
      text,
    };
  }
  try {
    const mod = evaluateModule(text, { budgets: opts.budgets, tree: opts.tree });
    const { services, diagnostics, facts } = extractServices(mod, { branches: opts.branches });
    return { file: { path, diagnostics: dedupe([...mod.diagnostics, ...mod.ev.diagnostics, ...diagnostics]), services }, facts, text, syntax: mod.parsed.root };
  } catch (e) {
    // A stack overflow on a pathological input, or a bug of ours: report it, never crash the run.
    const overflow = e instanceof RangeError && /call stack/i.test(e.message);
    return {
      file: {
        path,
        diagnostics: [
          overflow
            ? { id: 'eval-budget', line: 0, message: 'evaluation nested too deeply; the file is not analysed' }
            : { id: 'internal-error', line: 0, message: `nixos-harden failed on this file: ${(e as Error).message}` },
        ],
        services: [],
      },
      facts: NO_FACTS(),
      text,
    };
  }
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds
    .filter((d) => {
      const k = `${d.id}\u0000${d.line}\u0000${d.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.id.localeCompare(b.id));
}
