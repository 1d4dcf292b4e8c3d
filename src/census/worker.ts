/** A census worker: analyses the slice of modules it is given and posts the results back. */
import { parentPort, workerData } from 'node:worker_threads';
import { censusModule, parseAllTestsSafe } from './census.js';
import type { WorkerInput, WorkerMessage } from './run.js';

const input = workerData as WorkerInput;
const allTests = input.allTestsText === null ? null : parseAllTestsSafe(input.allTestsText);
const results: WorkerMessage & { t: 'done' } = { t: 'done', results: [] };
let sinceProgress = 0;
for (const f of input.files) {
  results.results.push({ key: f.key, census: censusModule(f.path, f.text, allTests, input.modulesDir) });
  if (++sinceProgress === 16) {
    parentPort!.postMessage({ t: 'progress', n: sinceProgress } satisfies WorkerMessage);
    sinceProgress = 0;
  }
}
if (sinceProgress > 0) parentPort!.postMessage({ t: 'progress', n: sinceProgress } satisfies WorkerMessage);
parentPort!.postMessage(results);
