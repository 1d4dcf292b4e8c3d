/** What the census's analysing thread and its parse helper (./parse-worker.ts) exchange. */
import type { MessagePort } from 'node:worker_threads';

export interface ParseWorkerInput {
  /** Texts longer than this are not parsed (the analysis reports them as too large). */
  maxChars: number;
  port: MessagePort;
  /**
   * Int32: [POSTED] one past the last index posted (a message with an index at least as high as
   * any below it is queued), [AT] the next index the analysing thread will ask for.
   */
  counters: SharedArrayBuffer;
}

export const POSTED = 0;
export const AT = 1;

/** The texts, in the order the analysing thread will ask for them. */
export type TextsMessage = { texts: string[] };

/** One parsed file: its nodes, null when the parse ran out of its budget, 'skipped' when too large. */
export type ParsedMessage = { index: number; nodes: Int32Array | null | 'skipped' };
