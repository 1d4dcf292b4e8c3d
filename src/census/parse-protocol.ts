/** What the census's analysing thread and its reading and parsing helper (./parse-worker.ts) exchange. */
import type { MessagePort } from 'node:worker_threads';
import type { TestEntry } from '../github/vm-tests.js';

export interface ParseWorkerInput {
  /** Texts longer than this are not parsed (the analysis reports them as too large). */
  maxChars: number;
  port: MessagePort;
  /**
   * Int32: [POSTED] one past the last file posted (every file below it is queued or was passed
   * over), [AT] the next file the analysing thread will ask for.
   */
  counters: SharedArrayBuffer;
}

export const POSTED = 0;
export const AT = 1;

/**
 * The work, sent once the files are listed: read, key and parse the files in this order, then
 * parse the tree's all-tests.nix if it has one.
 */
export interface BeginMessage {
  root: string;
  paths: string[];
  /** What every cache key starts with (see ./key.ts). */
  base: Uint8Array;
  allTestsText: string | null;
}

/** One file, read and keyed; nodes: its flat tree, null when the parse ran out of its budget, 'skipped' when too large. */
export interface ReadFile {
  key: string;
  text: string;
  nodes: Int32Array | null | 'skipped';
}

/** Files start, start + 1, …, in order; null for a file that could not be read (the analysing thread reads it and reports). */
export type FilesMessage = { t: 'files'; start: number; files: (ReadFile | null)[] };

/** all-tests.nix, parsed after every file: null when that failed (the analysing thread parses it). */
export type TestsMessage = { t: 'tests'; entries: TestEntry[] | null };

export type HelperMessage = FilesMessage | TestsMessage;
