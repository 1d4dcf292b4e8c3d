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
import { flatTree, packageRoot } from '../nix/parser.js';
import { DEFAULT_MAX_CHARS } from '../nixos/limits.js';
import type { TestEntry } from '../github/vm-tests.js';
import type { PendingModule } from './census.js';
import { keyOf } from './key.js';
import { AT, type BeginMessage, type FilesMessage, type HelperMessage, POSTED, type ParseWorkerInput, type ReadFile, type TestsMessage } from './parse-protocol.js';
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
  // One path.relative call per directory, not per file (that was most of the listing's time on
  // a 1 900-file tree): a directory's path relative to root, as names, or null when hidden.
  const dirs = new Map<string, string[] | null>();
  const out: string[] = [];
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.nix') || e.name.startsWith('.')) continue;
    // parentPath from Node 20.12 on; `path` before.
    const parent = e.parentPath ?? (e as unknown as { path: string }).path;
    let parts = dirs.get(parent);
    if (parts === undefined) {
      const rel = relative(root, parent);
      parts = rel === '' ? [] : rel.split(sep);
      if (parts.some((part) => part.startsWith('.'))) parts = null;
      dirs.set(parent, parts);
    }
    if (parts !== null) out.push([...parts, e.name].join('/'));
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

interface Helper {
  begin(work: BeginMessage): void;
  /**
   * File i read, keyed and parsed, if the helper has posted it; else undefined (the caller reads
   * and parses it), and the helper then passes over it. Files must be asked for in order.
   */
  fileFor(i: number): ReadFile | undefined;
  /** all-tests.nix as the helper parsed it after the files; null if it could not. */
  allTests(): Promise<TestEntry[] | null>;
  stop(): void;
}

/**
 * The helper thread that reads, keys and parses the files ahead of this thread, then parses
 * all-tests.nix (./parse-worker.ts). It is started before the files are listed and given the
 * work with begin(). fileFor(i) never waits.
 */
function startHelper(): Helper {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const input: ParseWorkerInput = { maxChars: DEFAULT_MAX_CHARS, port: port1, counters: shared.buffer as SharedArrayBuffer };
  const worker = new Worker(helperScript('parse-worker.js'), { workerData: input, transferList: [port1] });
  let failed = false;
  worker.on('error', () => (failed = true)); // a helper that fails only costs time: everything is done here
  worker.unref(); // never what keeps the process alive (say, when listing the files failed)
  let current: FilesMessage | undefined;
  let tests: TestsMessage | undefined;
  const next = (): HelperMessage | undefined => {
    const m = receiveMessageOnPort(port2)?.message as HelperMessage | undefined;
    if (m?.t === 'tests') tests = m;
    return m;
  };
  return {
    begin(work) {
      port2.postMessage(work satisfies BeginMessage);
    },
    fileFor(i) {
      Atomics.store(shared, AT, i + 1);
      for (;;) {
        if (current) {
          if (i < current.start) return undefined; // passed over
          if (i < current.start + current.files.length) return current.files[i - current.start] ?? undefined;
          current = undefined;
        }
        if (Atomics.load(shared, POSTED) <= i) return undefined;
        const m = next();
        if (!m) return undefined;
        if (m.t === 'files') current = m;
      }
    },
    allTests() {
      while (!tests && next());
      if (tests || failed) return Promise.resolve(tests?.entries ?? null);
      return new Promise((resolvePromise) => {
        const done = () => {
          while (!tests && next());
          resolvePromise(tests?.entries ?? null);
        };
        port2.on('message', (m: HelperMessage) => {
          if (m.t === 'tests') {
            tests = m;
            done();
          }
        });
        port2.once('close', done);
        worker.once('exit', done);
      });
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
  const useCache = opts.cache !== false;
  const vkey = useCache ? versionKey() : '';
  const cacheFile = useCache ? join(opts.cacheDir ?? defaultCacheDir(root), `census-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`) : null;
  const cached = cacheFile ? readCache(cacheFile, vkey) : {};
  const threadsFor = (misses: number) => (misses === 0 ? 0 : Math.max(1, Math.min(opts.jobs ?? availableParallelism(), Math.ceil(misses / INLINE_BELOW))));
  const cold = Object.keys(cached).length === 0;
  // Nothing cached (a first run, or our code changed): every module will be analysed. With two
  // threads the helper is started now, so that it is up by the time the files are listed.
  let helper = cold && threadsFor(Infinity) === 2 ? startHelper() : null;

  const results = new Map<string, ModuleCensus>();
  let total = 0;
  let analysed = 0;
  let threads = 0;
  let allTestsText: string | null = null;
  // However this ends (a file that cannot be read, an analysis that throws), the helper stops.
  try {
    const paths = listModules(root, modulesDir);
    total = paths.length;
    const allTestsPath = join(root, 'nixos', 'tests', 'all-tests.nix');
    allTestsText = existsSync(allTestsPath) ? readFileSync(allTestsPath, 'utf8') : null;
    const base = createHash('sha256').update(`${vkey}\0${modulesDir}\0${allTestsText ?? '\u0001none'}`).digest();
    threads = threadsFor(total);
    if (helper && threads !== 2) {
      helper.stop(); // too few files for two threads
      helper = null;
    }
    opts.progress?.(0, total);
    let reported = 0;
    const report = (now: number) => {
      if (now !== reported) opts.progress?.(now, total);
      reported = now;
    };
    // The files to analyse. Cold with a helper: all of them, read by the helper; else every file
    // is read and keyed here first, and those found in the cache are done.
    let misses: { path: string; key?: string; text?: string }[];
    if (helper) misses = paths.map((path) => ({ path }));
    else {
      misses = [];
      for (const path of paths) {
        const text = readFileSync(join(root, path), 'utf8');
        const key = keyOf(base, path, text);
        const hit = cached[key];
        if (hit) results.set(key, hit);
        else misses.push({ key, path, text });
      }
      report(results.size);
      threads = threadsFor(misses.length);
    }
    const done = results.size;
    analysed = misses.length;

    if (threads === 2) {
      // This thread analyses every file in order; the helper reads, keys and parses them ahead
      // of it, and parses all-tests.nix last.
      helper ??= startHelper();
      helper.begin({ root, paths: misses.map((m) => m.path), base, allTestsText });
      const { analyseModule, addVmTests, parseAllTestsSafe } = await import('./census.js');
      const pending: { key: string; module: PendingModule }[] = [];
      for (let i = 0; i < misses.length; i++) {
        const m = misses[i]!;
        // A file read here already and changed since (a checkout, an editor): the helper's
        // tree is of another text, so it is not used.
        const posted = helper.fileFor(i);
        const got = posted && (m.key === undefined || posted.key === m.key) ? posted : undefined;
        const text = m.text ?? got?.text ?? readFileSync(join(root, m.path), 'utf8');
        const tree = got && got.nodes !== 'skipped' ? (got.nodes === null ? null : flatTree(got.nodes)) : undefined;
        const key = m.key ?? got?.key ?? keyOf(base, m.path, text);
        pending.push({ key, module: analyseModule(m.path, text, { modulesDir, tree, vmTests: allTestsText !== null }) });
        if ((i & 7) === 0) report(done + i + 1);
      }
      const allTests = allTestsText === null ? null : ((await helper.allTests()) ?? parseAllTestsSafe(allTestsText));
      for (const { key, module } of pending) results.set(key, addVmTests(module, allTests));
    } else if (misses.length > 0) {
      const files = misses as WorkerInput['files'];
      const counters = new SharedArrayBuffer(8);
      const shared = new Int32Array(counters);
      // Largest first, so that no thread is left with a big file at the end.
      files.sort((a, b) => b.text.length - a.text.length);
      // This thread and threads - 1 workers all analyse, taking files from one shared counter.
      const workerRuns = Array.from({ length: threads - 1 }, () =>
        runWorker({ files, allTestsText, modulesDir, counters }).catch(() => [] as { index: number; census: ModuleCensus }[]),
      );
      const { censusModule, parseAllTestsSafe } = await import('./census.js');
      const allTests = allTestsText === null ? null : parseAllTestsSafe(allTestsText);
      const out: (ModuleCensus | undefined)[] = new Array(files.length);
      for (let i = Atomics.add(shared, 0, 1); i < files.length; i = Atomics.add(shared, 0, 1)) {
        out[i] = censusModule(files[i]!.path, files[i]!.text, allTests, modulesDir);
        Atomics.add(shared, 1, 1);
        if ((i & 7) === 0) report(done + Atomics.load(shared, 1));
      }
      for (const r of (await Promise.all(workerRuns)).flat()) out[r.index] = r.census;
      // A worker that died lost what it had done (it posts its results at the end): done again here.
      files.forEach((f, i) => {
        out[i] ??= censusModule(f.path, f.text, allTests, modulesDir);
        results.set(f.key, out[i]!);
      });
    }
    report(total);
  } finally {
    helper?.stop();
  }
  if (cacheFile && analysed > 0) {
    const entries: Record<string, ModuleCensus> = {};
    for (const [k, v] of results) entries[k] = v;
    writeCache(cacheFile, vkey, entries);
  }
  const census = assemble([...results.values()], { root: rootArg, modulesDir, allTests: allTestsText !== null });
  return { census, stats: { modules: total, cached: total - analysed, analysed, threads, workers: Math.max(0, threads - 1), cacheFile } };
}
