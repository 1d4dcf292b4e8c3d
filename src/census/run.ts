/**
 * The edge of the census: lists and reads the modules of a tree, looks each up in a cache keyed
 * by content hash, analyses the misses on worker threads, and assembles the census. Loads the
 * analyser only when something has to be analysed, so a warm run stays fast.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { type FlatTree, flatTree, packageRoot } from '../nix/parser.js';
import { DEFAULT_MAX_CHARS } from '../nixos/limits.js';
import { AT, POSTED, type ParseWorkerInput, type ParsedMessage, type TextsMessage } from './parse-protocol.js';
import { CENSUS_FORMAT, type Census, type ModuleCensus, assemble } from './summary.js';

export interface WorkerInput {
  files: { key: string; path: string; text: string }[];
  allTestsText: string | null;
  modulesDir: string;
  /**
   * Int32 counters shared by every thread of the run: [0] the next file to take, [1] files done.
   * Threads take files one at a time, so a thread that starts late or gets the slow files simply
   * takes fewer.
   */
  counters: SharedArrayBuffer;
}

export type WorkerMessage = { t: 'done'; results: { index: number; census: ModuleCensus }[] };

export interface RunOptions {
  modulesDir?: string;
  jobs?: number;
  /** false: neither read nor write the cache. */
  cache?: boolean;
  cacheDir?: string;
  /** Called as modules are done (done, total). */
  progress?: (done: number, total: number) => void;
}

export interface RunStats {
  modules: number;
  cached: number;
  analysed: number;
  /** Threads that analysed modules: this one plus the worker threads it started. */
  threads: number;
  workers: number;
  cacheFile: string | null;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** A helper script: next to this module when built, from dist/ when running from sources (tests). */
function helperScript(name: string): string {
  const own = join(HERE, name);
  if (existsSync(own)) return own;
  return join(packageRoot(), 'dist', 'src', 'census', name);
}

/** The package's version, for reports and SARIF logs. */
export function packageVersion(): string {
  try {
    return String(JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version);
  } catch {
    return '0.0.0';
  }
}

let versionKeyMemo: string | undefined;

/**
 * A key of our own code: the census format, the package version, and a hash of the code that
 * analyses (the built or source tree this module runs from) and the bundled profiles.
 */
export function versionKey(): string {
  if (versionKeyMemo) return versionKeyMemo;
  const root = packageRoot();
  const h = createHash('sha256');
  h.update(`census ${CENSUS_FORMAT}\0`);
  try {
    h.update(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version + '\0');
  } catch {
    /* no package.json: the code hash still keys the cache */
  }
  const srcDir = dirname(HERE); // dist/src or src
  for (const dir of [srcDir, join(root, 'policies')]) {
    if (!existsSync(dir)) continue;
    for (const f of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
      if (!/\.(js|ts|json|yml)$/.test(f)) continue;
      const p = join(dir, f);
      h.update(f + '\0');
      h.update(readFileSync(p));
    }
  }
  return (versionKeyMemo = h.digest('hex').slice(0, 32));
}

/** Every .nix file below dir, as sorted paths relative to root with posix separators. */
export function listModules(root: string, modulesDir: string): string[] {
  const dir = join(root, modulesDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  const out: string[] = [];
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.nix')) continue;
    // parentPath from Node 20.12 on; `path` before.
    const parent = e.parentPath ?? (e as unknown as { path: string }).path;
    const rel = relative(root, join(parent, e.name)).split(sep).join('/');
    if (rel.split('/').some((part) => part.startsWith('.'))) continue;
    out.push(rel);
  }
  return out.sort();
}

interface CacheFile {
  key: string;
  entries: Record<string, ModuleCensus>;
}

export function defaultCacheDir(root: string): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  return xdg ? join(xdg, 'nixos-harden') : join(root, '.cache', 'nixos-harden');
}

function readCache(file: string, key: string): Record<string, ModuleCensus> {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    return c.key === key && c.entries && typeof c.entries === 'object' ? c.entries : {};
  } catch {
    return {};
  }
}

function writeCache(file: string, key: string, entries: Record<string, ModuleCensus>): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, entries } satisfies CacheFile));
    renameSync(tmp, file);
  } catch {
    /* a cache that cannot be written only costs time */
  }
}

function runWorker(input: WorkerInput): Promise<{ index: number; census: ModuleCensus }[]> {
  return new Promise((resolvePromise, reject) => {
    const w = new Worker(helperScript('worker.js'), { workerData: input });
    let done = false;
    w.on('message', (m: WorkerMessage) => {
      done = true;
      resolvePromise(m.results);
    });
    w.on('error', reject);
    w.on('exit', (code) => {
      if (!done) reject(new Error(`census worker exited with code ${code} before finishing`));
    });
  });
}

/**
 * A helper thread that parses the texts, in order, ahead of this thread (./parse-worker.ts). It is
 * started before the files are read and given them with begin(). treeFor(i) never waits: it is
 * text i's tree if the helper has posted it, else undefined (the caller parses), and the helper
 * then passes over i. Trees must be asked for in order.
 */
function startParseAhead(): { begin(texts: string[]): void; treeFor(i: number): FlatTree | null | undefined; stop(): void } {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const input: ParseWorkerInput = { maxChars: DEFAULT_MAX_CHARS, port: port1, counters: shared.buffer as SharedArrayBuffer };
  const worker = new Worker(helperScript('parse-worker.js'), { workerData: input, transferList: [port1] });
  worker.on('error', () => undefined); // a helper that fails only costs time: everything is parsed here
  worker.unref(); // never what keeps the process alive (say, when reading the files failed)
  // A message read ahead of the tree asked for (only when the helper passed over that tree).
  let ahead: ParsedMessage | undefined;
  const tree = (m: ParsedMessage): FlatTree | null | undefined => (m.nodes === 'skipped' ? undefined : m.nodes === null ? null : flatTree(m.nodes));
  return {
    begin(texts) {
      port2.postMessage({ texts } satisfies TextsMessage);
    },
    treeFor(i) {
      Atomics.store(shared, AT, i + 1);
      if (ahead) {
        if (ahead.index > i) return undefined;
        const m = ahead;
        ahead = undefined;
        if (m.index === i) return tree(m);
      }
      if (Atomics.load(shared, POSTED) <= i) return undefined;
      for (;;) {
        const m = receiveMessageOnPort(port2)?.message as ParsedMessage | undefined;
        if (!m) return undefined;
        if (m.index === i) return tree(m);
        if (m.index > i) {
          ahead = m;
          return undefined;
        }
      }
    },
    stop() {
      port2.close();
      void worker.terminate();
    },
  };
}

/** Fewer misses than this are analysed on this thread alone: starting a worker costs more. */
const INLINE_BELOW = 48;

export async function runCensus(rootArg: string, opts: RunOptions = {}): Promise<{ census: Census; stats: RunStats }> {
  const root = resolve(rootArg);
  const modulesDir = (opts.modulesDir ?? 'nixos/modules').replace(/\/+$/, '');
  const paths = listModules(root, modulesDir);
  const allTestsPath = join(root, 'nixos', 'tests', 'all-tests.nix');
  const allTestsText = existsSync(allTestsPath) ? readFileSync(allTestsPath, 'utf8') : null;
  const useCache = opts.cache !== false;
  const vkey = useCache ? versionKey() : '';
  const base = createHash('sha256').update(`${vkey}\0${modulesDir}\0${allTestsText ?? '\u0001none'}`).digest();
  const cacheFile = useCache ? join(opts.cacheDir ?? defaultCacheDir(root), `census-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`) : null;
  const cached = cacheFile ? readCache(cacheFile, vkey) : {};
  const threadsFor = (misses: number) => (misses === 0 ? 0 : Math.max(1, Math.min(opts.jobs ?? availableParallelism(), Math.ceil(misses / INLINE_BELOW))));
  // Nothing cached (a first run, or our code changed): every module will be analysed, so the
  // parse helper is started now and is up by the time the files are read.
  let helper = Object.keys(cached).length === 0 && threadsFor(paths.length) === 2 ? startParseAhead() : null;

  const results = new Map<string, ModuleCensus>();
  const misses: WorkerInput['files'] = [];
  const total = paths.length;
  let threads = 0;
  // However this ends (a file that cannot be read, an analysis that throws), the helper stops.
  try {
    for (const path of paths) {
      const text = readFileSync(join(root, path), 'utf8');
      const key = createHash('sha256').update(base).update(path).update('\0').update(text).digest('base64url');
      const hit = cached[key];
      if (hit) results.set(key, hit);
      else misses.push({ key, path, text });
    }
    let done = results.size;
    opts.progress?.(done, total);
    const tick = (n: number) => {
      done += n;
      opts.progress?.(done, total);
    };

    threads = threadsFor(misses.length);
    if (misses.length > 0) {
      const counters = new SharedArrayBuffer(8);
      const shared = new Int32Array(counters);
      // Largest first, so that no thread is left with a big file at the end.
      const files = [...misses].sort((a, b) => b.text.length - a.text.length);
      // Two threads: this one analyses every file while a helper parses ahead of it (tree-sitter
      // needs no warm-up, so that helper is cheap to start). More: this thread and threads - 1
      // workers all analyse, taking files from one shared counter.
      const parseAhead = threads === 2 ? (helper ??= startParseAhead()) : null;
      parseAhead?.begin(files.map((f) => f.text));
      const workerRuns = parseAhead
        ? []
        : Array.from({ length: threads - 1 }, () => runWorker({ files, allTestsText, modulesDir, counters }).catch(() => [] as { index: number; census: ModuleCensus }[]));
      const { censusModule, parseAllTestsSafe } = await import('./census.js');
      const allTests = allTestsText === null ? null : parseAllTestsSafe(allTestsText);
      const analysed: (ModuleCensus | undefined)[] = new Array(files.length);
      const before = done;
      let reported = done;
      const report = () => {
        const now = before + Atomics.load(shared, 1);
        if (now !== reported) tick(now - reported);
        reported = now;
      };
      for (let i = Atomics.add(shared, 0, 1); i < files.length; i = Atomics.add(shared, 0, 1)) {
        analysed[i] = censusModule(files[i]!.path, files[i]!.text, allTests, modulesDir, parseAhead?.treeFor(i));
        Atomics.add(shared, 1, 1);
        if ((i & 7) === 0) report();
      }
      for (const r of (await Promise.all(workerRuns)).flat()) analysed[r.index] = r.census;
      // A worker that died lost what it had done (it posts its results at the end): done again here.
      files.forEach((f, i) => {
        analysed[i] ??= censusModule(f.path, f.text, allTests, modulesDir);
        results.set(f.key, analysed[i]!);
      });
      if (total > reported) tick(total - reported);
    }
  } finally {
    helper?.stop();
  }
  if (cacheFile && misses.length > 0) {
    const entries: Record<string, ModuleCensus> = {};
    for (const [k, v] of results) entries[k] = v;
    writeCache(cacheFile, vkey, entries);
  }
  const census = assemble([...results.values()], { root: rootArg, modulesDir, allTests: allTestsText !== null });
  return { census, stats: { modules: total, cached: total - misses.length, analysed: misses.length, threads, workers: Math.max(0, threads - 1), cacheFile } };
}
