/**
 * The real `systemd-analyze security --offline` (systemd 252), the reference for the scorer.
 * Many units go to one invocation: it prints one JSON array per unit it loads.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ToolRow {
  json_field: string;
  badness: number;
  weight: number;
  range: number;
}

/** Per unit: its rows, or null when systemd refused to load it. */
export type ToolResult = ToolRow[] | null;

export function requireSystemd252(): void {
  const run = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new Error(
      'systemd-analyze is not installed: the scorer conformance test needs systemd 252 (apt-get install systemd). It must not be skipped.',
    );
  }
  const version = run.stdout.split('\n')[0]?.split(' ')[1];
  if (version !== '252') throw new Error(`the conformance reference is systemd 252, found: ${run.stdout.split('\n')[0]}`);
}

/**
 * Scores unit texts with the real tool. A unit may bring its own file name (DynamicUser= without
 * User= runs as the unit's name, which the user check reads); each goes in its own directory.
 */
export function runTool(units: readonly (string | { name: string; text: string })[]): ToolResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'sas-conformance-'));
  try {
    const files = units.map((u, i) => {
      const sub = join(dir, String(i));
      mkdirSync(sub);
      const file = join(sub, typeof u === 'string' ? `u${i}.service` : u.name);
      writeFileSync(file, typeof u === 'string' ? u : u.text);
      return file;
    });
    const run = spawnSync('systemd-analyze', ['security', '--offline=yes', '--json=short', ...files], {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_ANALYZE_DEBUG: '1' },
      maxBuffer: 1024 * 1024 * 1024,
    });
    if (run.error) throw run.error;
    // "Unit u7.service has a bad unit file setting." for each unit it refused; the others are
    // printed in argument order, one JSON array per line.
    const refused = new Set<number>();
    const names = files.map((f) => f.slice(f.lastIndexOf('/') + 1));
    const seen = new Map<string, number>();
    for (const line of run.stderr.split('\n')) {
      const words = line.split(' ');
      if (words[0] === 'Unit' && line.endsWith('has a bad unit file setting.')) {
        // The n-th refusal of a name is the n-th unit with that name, in argument order.
        const name = words[1]!;
        const k = seen.get(name) ?? 0;
        seen.set(name, k + 1);
        const idx = names.map((n, i) => (n === name ? i : -1)).filter((i) => i >= 0)[k];
        if (idx !== undefined) refused.add(idx);
      }
    }
    const arrays = run.stdout.split('\n').filter((l) => l.startsWith('['));
    if (arrays.length + refused.size !== units.length) {
      throw new Error(`systemd-analyze printed ${arrays.length} results and refused ${refused.size} of ${units.length} units:\n${run.stderr.slice(0, 4000)}`);
    }
    let next = 0;
    return units.map((_, i) => (refused.has(i) ? null : (JSON.parse(arrays[next++] as string) as ToolRow[])));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);

/** §1.2 over the tool's own rows; NA (UINT64_MAX, which JSON.parse rounds) is any badness above the range. */
export function toolExposure(rows: readonly ToolRow[]): number {
  let sum = 0;
  let weights = 0;
  for (const r of rows) {
    if (r.badness > r.range) continue;
    sum += ceilDiv(r.badness * r.weight, r.range);
    weights += r.weight;
  }
  return ceilDiv(sum * 100, weights);
}

