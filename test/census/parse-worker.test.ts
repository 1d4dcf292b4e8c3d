/**
 * The census's reading and parsing helper (src/census/parse-worker.ts, run as built) on its own:
 * what it sends back for readable, broken and missing files, that it passes over the files the
 * analysing thread has taken already, and that it parses all-tests.nix last. runCensus falls back
 * to doing everything on its own thread, so its tests alone would not notice a helper that fails.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { keyOf } from '../../src/census/key.js';
import { AT, type BeginMessage, type FilesMessage, type HelperMessage, POSTED, type ParseWorkerInput, type TestsMessage } from '../../src/census/parse-protocol.js';
import { parseAllTests } from '../../src/github/vm-tests.js';
import { parseNix, packageRoot } from '../../src/nix/parser.js';

const script = join(packageRoot(), 'dist', 'src', 'census', 'parse-worker.js');

/** Runs the helper on `paths` below `root` and collects what it sends until it closes its port. */
async function runHelper(root: string, paths: string[], allTestsText: string | null, startAt = 0): Promise<{ files: Map<number, FilesMessage['files'][number]>; tests: TestsMessage | undefined; posted: number }> {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  Atomics.store(shared, AT, startAt);
  const { port1, port2 } = new MessageChannel();
  const input: ParseWorkerInput = { maxChars: 1 << 20, port: port1, counters: shared.buffer as SharedArrayBuffer };
  const worker = new Worker(script, { workerData: input, transferList: [port1] });
  const files = new Map<number, FilesMessage['files'][number]>();
  let tests: TestsMessage | undefined;
  let last = -1;
  const closed = new Promise<void>((resolve, reject) => {
    port2.on('message', (m: HelperMessage) => {
      if (m.t === 'tests') tests = m;
      else {
        expect(m.start).toBeGreaterThan(last); // in file order
        m.files.forEach((f, i) => files.set(m.start + i, f));
        last = m.start + m.files.length - 1;
      }
    });
    port2.on('close', resolve);
    worker.on('error', reject);
  });
  const base = new Uint8Array([1, 2, 3]);
  port2.postMessage({ root, paths, base, allTestsText } satisfies BeginMessage);
  await closed;
  await worker.terminate();
  return { files, tests, posted: Atomics.load(shared, POSTED) };
}

describe('the census helper thread', () => {
  const root = mkdtempSync(join(tmpdir(), 'nh-helper-'));
  const texts: Record<string, string> = {
    'm/a.nix': '{ ... }: { systemd.services.a.serviceConfig.PrivateTmp = true; }\n',
    'm/b.nix': '{ ... }: { systemd.services.b = ',
    'm/c.nix': '{ lib, ... }: { }\n',
  };
  for (const [p, t] of Object.entries(texts)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), t);
  }
  const paths = ['m/a.nix', 'm/b.nix', 'm/missing.nix', 'm/c.nix'];
  const allTestsText = '{ pkgs, ... }: { a = runTest ./a.nix; b = handleTest ./b { }; }';

  it('sends each file read, keyed and parsed, in order, then all-tests.nix', async () => {
    const { files, tests, posted } = await runHelper(root, paths, allTestsText);
    expect([...files.keys()]).toEqual([0, 1, 2, 3]);
    expect(posted).toBe(paths.length);
    for (const i of [0, 1, 3]) {
      const f = files.get(i)!;
      const path = paths[i]!;
      expect(f.text).toBe(texts[path]);
      expect(f.key).toBe(keyOf(new Uint8Array([1, 2, 3]), path, texts[path]!));
      // The same tree this thread's parser gives (the broken file's too: tree-sitter recovers).
      expect(Array.from(f.nodes as Int32Array)).toEqual(Array.from(parseNix(texts[path]!)!.nodes));
    }
    expect(files.get(2)).toBeNull(); // could not be read: the analysing thread reads it and reports
    expect(tests?.entries).toEqual(parseAllTests(allTestsText));
  });

  it('passes over the files the analysing thread has taken, and sends no tests without all-tests.nix', async () => {
    const { files, tests } = await runHelper(root, paths, null, 2);
    expect([...files.keys()]).toEqual([2, 3]);
    expect(files.get(3)!.text).toBe(texts['m/c.nix']);
    expect(tests).toBeUndefined();
  });
});
