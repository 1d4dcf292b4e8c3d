/**
 * The directive catalogue: every family file concatenated, plus lookup helpers.
 *
 * Entries are plain frozen data (see ./types.ts); nothing registers itself on import.
 */
import type { Directive, Family } from './types.js';
import { IDENTITY } from './identity.js';
import { FILESYSTEM } from './filesystem.js';
import { KERNEL } from './kernel.js';
import { PRIVILEGES } from './privileges.js';
import { NETWORK } from './network.js';
import { SYSCALLS } from './syscalls.js';
import { DEVICES } from './devices.js';
import { IPC } from './ipc.js';
import { PROCESS } from './process.js';

export type { Directive, Family, Strictness, ValueKind } from './types.js';
export { SCORED_FIELDS, fieldsReading, type ScoredField } from './scored-fields.js';

/** The families in documentation order. */
export const FAMILIES: readonly Family[] = Object.freeze([
  'identity',
  'filesystem',
  'kernel',
  'privileges',
  'network',
  'syscalls',
  'devices',
  'ipc',
  'process',
] as const);

/** The entries of each family, in the order of their family file. */
export const BY_FAMILY: Readonly<Record<Family, readonly Directive[]>> = Object.freeze({
  identity: IDENTITY,
  filesystem: FILESYSTEM,
  kernel: KERNEL,
  privileges: PRIVILEGES,
  network: NETWORK,
  syscalls: SYSCALLS,
  devices: DEVICES,
  ipc: IPC,
  process: PROCESS,
});

/** Every catalogue entry, family by family. */
export const CATALOGUE: readonly Directive[] = Object.freeze(FAMILIES.flatMap((f) => BY_FAMILY[f]));

const BY_NAME: ReadonlyMap<string, Directive> = new Map(CATALOGUE.map((d) => [d.name, d]));

/** The entry for a verbatim systemd directive name (case-sensitive, as systemd is). */
export function directive(name: string): Directive | undefined {
  return BY_NAME.get(name);
}

/** Largest edit distance at which `didYouMean` still offers a suggestion. */
const MAX_SUGGESTION_DISTANCE = 3;

/**
 * The catalogue name closest to `name`, for "unknown directive" messages: compared
 * case-insensitively by edit distance (an adjacent swap counts as one edit), offered only when the
 * distance is at most 3 or the names differ only in case. Ties go to the earlier catalogue entry.
 * A name that is already in the catalogue returns itself.
 */
export function didYouMean(name: string): string | undefined {
  const wanted = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const d of CATALOGUE) {
    const candidate = d.name.toLowerCase();
    if (candidate === wanted) return d.name;
    const bound = best ? Math.min(best.distance - 1, MAX_SUGGESTION_DISTANCE) : MAX_SUGGESTION_DISTANCE;
    const distance = editDistance(wanted, candidate, bound);
    if (distance <= bound) best = { name: d.name, distance };
  }
  return best?.name;
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions). Returns a value
 * above `bound` as soon as the distance is known to exceed it.
 */
function editDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let prevMin = 0;
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prevPrev[j - 2] + 1);
      row.push(v);
      rowMin = Math.min(rowMin, v);
    }
    // Every alignment passes through this row, or jumps over it from the previous one by a swap.
    if (Math.min(rowMin, prevMin + 1) > bound) return bound + 1;
    prevPrev = prev;
    prev = row;
    prevMin = rowMin;
  }
  return prev[b.length];
}
