/**
 * A census worker: takes modules from the counter it shares with the other threads of the run
 * until none are left, and posts its results back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { censusModule, parseAllTestsSafe } from './census.js';
import type { WorkerInput, WorkerMessage } from './run.js';

const input = workerData as WorkerInput;
const shared = new Int32Array(input.counters);
const allTests = input.allTestsText === null ? null : parseAllTestsSafe(input.allTestsText);
const results: WorkerMessage = { t: 'done', results: [] };
for (let i = Atomics.add(shared, 0, 1); i < input.files.length; i = Atomics.add(shared, 0, 1)) {
  const f = input.files[i]!;
  results.results.push({ index: i, census: censusModule(f.path, f.text, allTests, input.modulesDir) });
  Atomics.add(shared, 1, 1);
}
parentPort!.postMessage(results);
