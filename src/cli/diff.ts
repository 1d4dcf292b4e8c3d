/** `nixos-harden diff`: what a change does to the sandbox of each service. */
import { basename } from 'node:path';
import type { ServiceDiff } from '../hardening/diff.js';
import { diffFiles } from '../hardening/diff.js';
import { extractText } from '../nixos/extract.js';
import { UsageError, flag, parseArgs } from './args.js';
import { readText } from './files.js';
import { changedNixFiles, parseRange } from './git.js';
import type { Io } from './io.js';
import { readCliConfig } from './config.js';
import { pathMatcher } from '../policy/glob.js';
import { serviceScore } from './scoring.js';
import { diffToSarif } from '../review/sarif.js';
import { packageVersion } from '../census/run.js';

export const DIFF_HELP = `nixos-harden diff BEFORE AFTER | --git REPO BASE..HEAD [--format text|json|sarif] [--fail-on loosened]

Compares two versions of NixOS modules and prints, per service, the serviceConfig directives
whose meaning changed, with a verdict (loosened, tightened, changed, unknown) and the exposure
score before and after. A rewrite that keeps every value (reordering, let, //, mkMerge, dotted or
nested keys) shows no change. With --git, every .nix file changed between the two revisions that the
config's paths select (default nixos/modules/services/**) is compared; --path PREFIX (repeatable)
selects files below PREFIX instead. --config FILE (default .github/nixos-harden.yml if present).
--fail-on loosened makes the exit status 1 when anything was loosened. --format sarif prints a
SARIF 2.1.0 log for GitHub code scanning.`;

export async function runDiff(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, {
    format: { value: true, choices: ['text', 'json', 'sarif'] },
    'fail-on': { value: true, choices: ['loosened', 'changed'] },
    git: { value: true },
    path: { value: true, multiple: true },
    config: { value: true },
    help: { value: false },
  });
  if (p.flags.has('help')) {
    io.stdout.write(DIFF_HELP + '\n');
    return 0;
  }
  const loaded = await readCliConfig(flag(p, 'config'), io, 'diff');
  if (typeof loaded === 'number') return loaded;
  const { config } = loaded;
  const diffs: ServiceDiff[] = [];
  const repo = flag(p, 'git');
  if (repo) {
    if (p.positionals.length !== 1) throw new UsageError('--git REPO needs one BASE..HEAD range');
    const { base, head } = parseRange(p.positionals[0]!);
    // --path narrows to prefixes; otherwise the config's paths and ignore globs decide.
    const prefixes = p.flags.get('path') ?? [];
    const inScope = prefixes.length > 0 ? () => true : pathMatcher(config.paths, config.ignore);
    for (const pair of changedNixFiles(repo, base, head, prefixes).filter((x) => inScope(x.path))) {
      const b = pair.before === undefined ? undefined : extractText(pair.path, pair.before);
      const a = pair.after === undefined ? undefined : extractText(pair.path, pair.after);
      diffs.push(...diffFiles(b, a, serviceScore));
    }
  } else {
    if (p.positionals.length !== 2) throw new UsageError('diff needs BEFORE and AFTER (or --git REPO BASE..HEAD)');
    const [bp, ap] = p.positionals as [string, string];
    const b = extractText(ap, readText(bp));
    const a = extractText(ap, readText(ap));
    diffs.push(...diffFiles(b, a, serviceScore));
  }
  if ((flag(p, 'format') ?? 'text') === 'json') io.stdout.write(JSON.stringify({ services: diffs }, null, 2) + '\n');
  else if (flag(p, 'format') === 'sarif') io.stdout.write(JSON.stringify(diffToSarif(diffs, packageVersion()), null, 2) + '\n');
  else io.stdout.write(formatDiffText(diffs));
  const failOn = flag(p, 'fail-on');
  if (failOn === 'loosened' && diffs.some((d) => d.changes.some((c) => c.verdict === 'loosened'))) return 1;
  if (failOn === 'changed' && diffs.some((d) => d.status !== 'unchanged')) return 1;
  return 0;
}

const fmt = (v: unknown): string => (v !== null && typeof v === 'object' && 'unknown' in (v as object) ? `unknown (${(v as { unknown: string }).unknown})` : v === null ? 'not set' : JSON.stringify(v));
const score = (n: number | null) => (n === null ? '?' : n.toFixed(1));

export function formatDiffText(diffs: ServiceDiff[]): string {
  const out: string[] = [];
  const shown = diffs.filter((d) => d.status !== 'unchanged');
  if (shown.length === 0) return 'No change to the sandbox of any service.\n';
  for (const d of shown) {
    out.push(`${basename(d.file)}: ${d.name}.service ${d.status} (exposure ${score(d.score.before)} → ${score(d.score.after)})`);
    for (const c of d.changes) {
      out.push(`  ${c.verdict.padEnd(9)} ${c.directive}: ${fmt(c.before)} → ${fmt(c.after)} (line ${c.line}${c.when ? `, when ${c.when}` : ''})`);
    }
  }
  return out.join('\n') + '\n';
}
