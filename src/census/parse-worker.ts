/**
 * A census helper thread that only parses: tree-sitter runs here, ahead of the analysing thread,
 * and each file's flat tree is transferred back (no copy) on the given port, in file order.
 * [0] of the shared counters is the number of trees posted so far.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { DEFAULT_PARSE_BUDGET_MS } from '../nix/ast.js';
import { parseNix } from '../nix/parser.js';

export interface ParseWorkerInput {
  texts: string[];
  /** Texts longer than this are not parsed (the analysis reports them as too large). */
  maxChars: number;
  port: MessagePort;
  counters: SharedArrayBuffer;
}

/** One parsed file: its nodes, null when the parse ran out of its budget, 'skipped' when too large. */
export type ParsedMessage = { nodes: Int32Array | null | 'skipped' };

const { texts, maxChars, port, counters } = workerData as ParseWorkerInput;
const posted = new Int32Array(counters);
for (let i = 0; i < texts.length; i++) {
  const text = texts[i]!;
  let message: ParsedMessage;
  if (text.length > maxChars) message = { nodes: 'skipped' };
  else {
    const tree = parseNix(text, DEFAULT_PARSE_BUDGET_MS);
    message = { nodes: tree ? tree.nodes : null };
  }
  port.postMessage(message, message.nodes instanceof Int32Array ? [message.nodes.buffer as ArrayBuffer] : []);
  Atomics.store(posted, 0, i + 1);
  Atomics.notify(posted, 0);
}
port.close();
