/**
 * The census's helper thread when there are two: it reads, keys and parses the files ahead of
 * the analysing thread, which then does nothing but analyse. Each file's text, cache key and flat
 * tree go back on the given port, in file order, a few files a message (the trees transferred,
 * not copied); after the files, all-tests.nix is parsed here too, so that the analysing thread
 * never waits for it. The thread is started before the files are listed, so that it is up when
 * they are. Files the analysing thread has gone past (it reads and parses what is not ready
 * rather than wait) are passed over.
 */
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { workerData } from 'node:worker_threads';
import { DEFAULT_PARSE_BUDGET_MS } from '../nix/ast.js';
import { parseNix } from '../nix/parser.js';
import { keyOf } from './key.js';
import { AT, type BeginMessage, type FilesMessage, POSTED, type ParseWorkerInput, type ReadFile, type TestsMessage } from './parse-protocol.js';

const { maxChars, port, counters } = workerData as ParseWorkerInput;
const shared = new Int32Array(counters);

// This thread only has to stay ahead of the analysing one; where they and V8's compiler and
// garbage-collector threads compete for the cores, the others should go first. On Linux a
// priority is per thread, so this lowers only this one (elsewhere it would be the whole process).
// Measured on the 2-core VM: the cold census 4–6 % faster (faster in 22 of 25 alternating pairs).
if (process.platform === 'linux') {
  try {
    setPriority(10);
  } catch {
    /* not allowed: no matter */
  }
}

/** Files a message holds at most; fewer while the analysing thread is close behind. */
const BATCH = 16;
/** How far ahead of the analysing thread a file must be to wait in a batch. */
const LEAD = 8;

function readOne(root: string, path: string, base: Uint8Array): ReadFile | null {
  let text: string;
  try {
    text = readFileSync(join(root, path), 'utf8');
  } catch {
    return null;
  }
  const tree = text.length > maxChars ? 'skipped' : parseNix(text, DEFAULT_PARSE_BUDGET_MS);
  return { key: keyOf(base, path, text), text, nodes: tree === 'skipped' || tree === null ? tree : tree.nodes };
}

port.once('message', async ({ root, paths, base, allTestsText }: BeginMessage) => {
  let batch: (ReadFile | null)[] = [];
  let start = 0;
  const flush = (end: number) => {
    if (batch.length === 0) return;
    const transfer = batch.flatMap((f) => (f && f.nodes instanceof Int32Array ? [f.nodes.buffer as ArrayBuffer] : []));
    port.postMessage({ t: 'files', start, files: batch } satisfies FilesMessage, transfer);
    Atomics.store(shared, POSTED, end);
    batch = [];
  };
  for (let i = 0; i < paths.length; i++) {
    const at = Atomics.load(shared, AT);
    if (i < at) {
      // Read and parsed on the analysing thread already: so is what waits in the batch.
      batch = [];
      i = at;
      if (i >= paths.length) break;
    }
    if (batch.length === 0) start = i;
    batch.push(readOne(root, paths[i]!, base));
    if (batch.length >= BATCH || i + 1 - Atomics.load(shared, AT) < LEAD) flush(i + 1);
  }
  flush(paths.length);
  Atomics.store(shared, POSTED, paths.length);
  if (allTestsText !== null) {
    let entries: TestsMessage['entries'] = null;
    try {
      const { parseAllTests } = await import('../github/vm-tests.js');
      entries = parseAllTests(allTestsText);
    } catch {
      /* the analysing thread parses it */
    }
    port.postMessage({ t: 'tests', entries } satisfies TestsMessage);
  }
  port.close();
});
