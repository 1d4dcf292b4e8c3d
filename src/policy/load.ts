/**
 * Reading `.github/nixos-harden.yml`: YAML → the zod schema of config.ts → the effective config.
 *
 * Every problem is reported at once (YAML syntax, every schema violation, bad globs, expired
 * waivers, `_extends` trouble), each with its path and, when known, its line. Nothing here throws
 * for bad input, and nothing does I/O: `_extends` is fetched through a callback, so the app reads
 * other repositories and the CLI reads files.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import { configSchema, knownKeysAt, type Config, type ConfigFile } from './config.js';
import { ROOT_PATH, formatPath, issueProblems, sortErrors, type ConfigError, type LocatedProblem } from './config-errors.js';

/** Where a repository keeps its config (read from the pull request's base branch). */
export const CONFIG_FILE = '.github/nixos-harden.yml';

/** At most this many configs above the repository's own (`a` extends `b` extends … ). */
export const MAX_EXTENDS_DEPTH = 5;

export type ConfigResult<C = Config> = { ok: true; config: C } | { ok: false; errors: ConfigError[] };

/** The text of an extended config, with the name that identifies it (for cycles, messages and its own `_extends`). */
export type ExtendsTarget = string | { text: string; source: string };

/**
 * Fetches the config named by an `_extends` value. `from` is the `source` of the config that
 * contains it (undefined for the repository's own when no source was given), so relative
 * references can be resolved. A plain string result is identified by `ref` itself. Undefined
 * means "not found"; a thrown error's message is reported.
 */
export type ResolveExtends = (
  ref: string,
  from: string | undefined,
) => Promise<ExtendsTarget | undefined> | ExtendsTarget | undefined;

export interface ParseOptions {
  /** The clock against which waiver expiry is checked. */
  now?: Date;
  /** A name for the text; when given, every error carries it as `source`. */
  source?: string;
}

export interface LoadOptions {
  now?: Date;
  /** The name of the repository's own config (the `from` of its `_extends`); its errors carry no source. */
  source?: string;
  resolveExtends?: ResolveExtends;
}

/** One file of the chain: its text parsed to plain data, with what is needed to find lines. */
interface Layer {
  raw: Record<string, unknown> | undefined;
  errors: ConfigError[];
  lineOf: (segments: readonly PropertyKey[]) => number | undefined;
  config?: ConfigFile;
}

/** Validates one config file. Does not follow `_extends` (see loadConfig). */
export function parseConfig(yamlText: string, opts: ParseOptions = {}): ConfigResult<ConfigFile> {
  const now = opts.now ?? new Date();
  const layer = readLayer(yamlText);
  const errors = [...layer.errors, ...waiverErrors(layer, now)].map((e) => withSource(e, opts.source));
  if (errors.length > 0 || !layer.config) return { ok: false, errors: sortErrors(errors) };
  return { ok: true, config: layer.config };
}

/** Validates a config and the configs it extends, and merges them into the effective config. */
export async function loadConfig(text: string, opts: LoadOptions = {}): Promise<ConfigResult> {
  const now = opts.now ?? new Date();
  const chain: { id: string; label: string | undefined; layer: Layer }[] = [];
  const errors: ConfigError[] = [];
  let current: { id: string; label: string | undefined; text: string } = { id: opts.source ?? ROOT_PATH, label: undefined, text };
  for (;;) {
    const layer = readLayer(current.text);
    const { label } = current;
    chain.push({ id: current.id, label, layer });
    errors.push(...layer.errors.map((e) => withSource(e, label)));
    const ref = layer.raw?._extends;
    if (typeof ref !== 'string' || ref.trim() === '') break;
    const at = (problem: string): void => {
      errors.push(withSource({ path: '_extends', problem, ...lineField(layer.lineOf(['_extends'])) }, label));
    };
    if (chain.length > MAX_EXTENDS_DEPTH) {
      at(`too many levels of _extends (at most ${MAX_EXTENDS_DEPTH}): ${chain.map((c) => c.id).join(' → ')} → ${ref}`);
      break;
    }
    if (!opts.resolveExtends) {
      at(`cannot follow _extends "${ref}" here`);
      break;
    }
    let target: ExtendsTarget | undefined;
    try {
      target = await opts.resolveExtends(ref, chain.length === 1 ? opts.source : current.id);
    } catch (e) {
      at(`cannot read "${ref}": ${(e as Error).message}`);
      break;
    }
    if (target === undefined) {
      at(`cannot find the config "${ref}"`);
      break;
    }
    const next = typeof target === 'string' ? { id: ref, text: target } : { id: target.source, text: target.text };
    if (chain.some((c) => c.id === next.id)) {
      at(`_extends cycle: ${[...chain.map((c) => c.id), next.id].join(' → ')}`);
      break;
    }
    current = { ...next, label: next.id };
  }

  // Lists replace, so only the nearest layer that sets `waivers` decides which waivers apply.
  const owner = chain.find((c) => c.layer.raw && 'waivers' in c.layer.raw);
  if (owner) errors.push(...waiverErrors(owner.layer, now).map((e) => withSource(e, owner.label)));
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors) };

  let merged: Record<string, unknown> = {};
  for (const { layer } of [...chain].reverse()) merged = deepMerge(merged, layer.raw ?? {}) as Record<string, unknown>;
  delete merged._extends;
  const result = configSchema.safeParse(merged, { reportInput: true });
  if (!result.success) return { ok: false, errors: sortErrors(schemaErrors(result.error.issues, () => undefined)) };
  const { _extends: _, ...config } = result.data;
  return { ok: true, config };
}

/** Objects merge key by key (the child wins); anything else, lists included, is replaced. */
export function deepMerge(parent: unknown, child: unknown): unknown {
  if (!isPlainObject(parent) || !isPlainObject(child)) return child;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parent)) define(out, k, v);
  for (const [k, v] of Object.entries(child)) define(out, k, Object.hasOwn(parent, k) ? deepMerge(parent[k], v) : v);
  return out;
}

function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function withSource(e: ConfigError, source: string | undefined): ConfigError {
  return source === undefined ? e : { ...e, source };
}

function lineField(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}

function readLayer(text: string): Layer {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const errors: ConfigError[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = e.pos[0] >= 0 ? lines.linePos(e.pos[0]) : undefined;
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    const message = e.message.split('\n')[0]!;
    errors.push({ path: ROOT_PATH, problem: `YAML syntax error${where}: ${message}`, ...lineField(pos?.line) });
  }
  const lineOf = (segments: readonly PropertyKey[]): number | undefined => {
    let node: unknown = doc.contents;
    let offset = (node as { range?: [number] } | null)?.range?.[0];
    for (const seg of segments) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
        node = node.items[seg];
        offset = (node as { range?: [number] }).range?.[0] ?? offset;
      } else break;
    }
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
  if (errors.length > 0) return { raw: undefined, errors, lineOf };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { raw: undefined, errors: [{ path: ROOT_PATH, problem: `YAML error: ${(e as Error).message}` }], lineOf };
  }
  if (data === null || data === undefined) data = {};
  if (!isPlainObject(data)) {
    errors.push({ path: ROOT_PATH, problem: `the config must be a mapping of keys, got ${Array.isArray(data) ? 'a list' : JSON.stringify(data)}`, ...lineField(lineOf([])) });
    return { raw: undefined, errors, lineOf };
  }
  const result = configSchema.safeParse(data, { reportInput: true });
  if (!result.success) return { raw: data, errors: schemaErrors(result.error.issues, lineOf), lineOf };
  return { raw: data, errors, lineOf, config: result.data };
}

function schemaErrors(issues: readonly z.core.$ZodIssue[], lineOf: (segments: readonly PropertyKey[]) => number | undefined): ConfigError[] {
  return issues.flatMap((issue) => issueProblems(issue, knownKeysAt)).map((p: LocatedProblem) => ({
    path: formatPath(p.segments),
    problem: p.problem,
    ...lineField(lineOf(p.segments)),
  }));
}

/** Waivers whose `expires` day (UTC) is before `now`'s: a config error, so they get renewed or removed. */
function waiverErrors(layer: Layer, now: Date): ConfigError[] {
  const waivers = layer.raw?.waivers;
  if (!Array.isArray(waivers)) return [];
  const today = now.toISOString().slice(0, 10);
  const date = z.iso.date();
  const errors: ConfigError[] = [];
  waivers.forEach((w: unknown, i) => {
    if (!isPlainObject(w) || typeof w.expires !== 'string' || !date.safeParse(w.expires).success) return;
    if (w.expires >= today) return;
    const what = [w.service, w.directive].filter((s) => typeof s === 'string').join(' ');
    const segments = ['waivers', i, 'expires'];
    errors.push({
      path: formatPath(segments),
      problem: `waiver expired on ${w.expires}${what ? ` (${what})` : ''}: remove it or set a later date`,
      ...lineField(layer.lineOf(segments)),
    });
  });
  return errors;
}
