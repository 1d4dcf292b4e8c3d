/**
 * A census helper thread that only parses: tree-sitter runs here, ahead of the analysing thread,
 * and each file's flat tree is transferred back (no copy) on the given port, in file order. The
 * thread is started before the files are read, so that it is up when they are; the texts then
 * come in on the same port. Files the analysing thread has gone past (it parses what is not
 * ready rather than wait) are passed over.
 */
import { workerData } from 'node:worker_threads';
import { DEFAULT_PARSE_BUDGET_MS } from '../nix/ast.js';
import { parseNix } from '../nix/parser.js';
import { AT, POSTED, type ParseWorkerInput, type ParsedMessage, type TextsMessage } from './parse-protocol.js';

const { maxChars, port, counters } = workerData as ParseWorkerInput;
const shared = new Int32Array(counters);
port.once('message', ({ texts }: TextsMessage) => {
  for (let i = 0; i < texts.length; i++) {
    const at = Atomics.load(shared, AT);
    if (i < at) i = at; // parsed on the analysing thread already
    if (i >= texts.length) break;
    const text = texts[i]!;
    let message: ParsedMessage;
    if (text.length > maxChars) message = { index: i, nodes: 'skipped' };
    else {
      const tree = parseNix(text, DEFAULT_PARSE_BUDGET_MS);
      message = { index: i, nodes: tree ? tree.nodes : null };
    }
    port.postMessage(message, message.nodes instanceof Int32Array ? [message.nodes.buffer as ArrayBuffer] : []);
    Atomics.store(shared, POSTED, i + 1);
  }
  port.close();
});
