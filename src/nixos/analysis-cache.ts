/**
 * Analyses by content, kept in memory: the app reads the same base-branch modules for every pull
 * request against that base and every push to it, and a re-run reads the same head again; each
 * text (with its path) is analysed once per process. Entries are shared between callers, which
 * must not change them. A result cut short by a time budget depends on how loaded the machine was,
 * so it is not kept.
 */
import { createHash } from 'node:crypto';
import { type Analysis, type ExtractOptions, analyseText } from './extract.js';

const DEFAULT_ENTRIES = 128;
/** Larger texts are analysed every time: their analyses (syntax tree included) are large too. */
const MAX_CACHED_CHARS = 256 * 1024;

const entries = new Map<string, Analysis>();
let limit = DEFAULT_ENTRIES;
const stats = { hits: 0, misses: 0 };

export function analyseCached(path: string, text: string, opts: ExtractOptions = {}): Analysis {
  // Non-default budgets or limits give other results: not cached.
  if (opts.budgets !== undefined || opts.maxChars !== undefined || opts.branches !== undefined || text.length > MAX_CACHED_CHARS) return analyseText(path, text, opts);
  const key = createHash('sha256').update(path).update('\0').update(text).digest('base64url');
  const hit = entries.get(key);
  if (hit) {
    stats.hits++;
    entries.delete(key); // most recently used last
    entries.set(key, hit);
    return hit;
  }
  stats.misses++;
  const analysis = analyseText(path, text);
  if (!analysis.file.diagnostics.some((d) => d.id === 'eval-budget' || d.id === 'parse-budget')) {
    entries.set(key, analysis);
    while (entries.size > limit) entries.delete(entries.keys().next().value!);
  }
  return analysis;
}

/** Hits and misses so far, and the entries held. */
export function analysisCacheStats(): { hits: number; misses: number; entries: number } {
  return { ...stats, entries: entries.size };
}

/** Empties the cache and sets how many analyses it keeps (tests; memory-tight deployments). */
export function resetAnalysisCache(maxEntries = DEFAULT_ENTRIES): void {
  entries.clear();
  limit = Math.max(0, maxEntries);
  stats.hits = 0;
  stats.misses = 0;
}
