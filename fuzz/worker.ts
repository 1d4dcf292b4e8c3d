/** A fuzz worker thread: runs its share of the indices and posts the partial result. */
import { parentPort, workerData } from 'node:worker_threads';
import { runPart } from './fuzz.js';

const { seed, inputs, part, parts } = workerData as { seed: number; inputs: number; part: number; parts: number };
const result = runPart(seed, inputs, part, parts, (progress) => parentPort!.postMessage({ progress }));
parentPort!.postMessage({ result });
