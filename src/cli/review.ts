/**
 * `nixos-harden review --git REPO BASE..HEAD`: exactly the pull-request pipeline over a local
 * git repository, printing what the app would post (summary, inline comments, check run).
 */
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../policy/load.js';
import { CONFIG_FILE } from '../policy/load.js';
import { formatErrorsTable } from '../policy/config-errors.js';
import { REVIEW_MARKER, renderCheck, renderSummary } from '../review/render.js';
import { type PrFile, reviewPullRequest } from '../review/review.js';
import { ALL_TESTS_PATH, parseAllTests, vmTestsFor } from '../github/vm-tests.js';
import { UsageError, flag, parseArgs } from './args.js';
import { parseRange } from './git.js';
import type { Io } from './io.js';
import { reviewToSarif } from '../review/sarif.js';
import { packageVersion } from '../census/run.js';

export const REVIEW_HELP = `nixos-harden review --git REPO BASE..HEAD [--format text|json|sarif]

Runs the pull-request review over two revisions of a local git repository (a nixpkgs checkout,
say) and prints what the GitHub App would post: the summary comment, the inline comments with
their suggestion blocks, and the check run. The policy is read from BASE's
.github/nixos-harden.yml, as the app reads it from the base branch. --format sarif prints the check
run's annotations as a SARIF 2.1.0 log for GitHub code scanning.`;

function git(repo: string, args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

function show(repo: string, rev: string, path: string): string | null {
  try {
    return git(repo, ['show', `${rev}:${path}`]);
  } catch {
    return null;
  }
}

export async function runReview(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, { git: { value: true }, format: { value: true, choices: ['text', 'json', 'sarif'] }, help: { value: false } });
  if (p.flags.has('help')) {
    io.stdout.write(REVIEW_HELP + '\n');
    return 0;
  }
  const repo = flag(p, 'git');
  if (!repo || p.positionals.length !== 1) throw new UsageError('review needs --git REPO and one BASE..HEAD range');
  const { base, head } = parseRange(p.positionals[0]!);
  const baseSha = git(repo, ['rev-parse', base]).trim();
  const headSha = git(repo, ['rev-parse', head]).trim();
  const loaded = await loadConfig(show(repo, baseSha, CONFIG_FILE) ?? '', { source: CONFIG_FILE });
  if (!loaded.ok) {
    io.stderr.write(`nixos-harden review: ${CONFIG_FILE} at ${base} is invalid:\n\n${formatErrorsTable(loaded.errors)}`);
    return 1;
  }
  const names = git(repo, ['diff', '--name-status', '-z', '-M', baseSha, headSha, '--']).split('\0').filter(Boolean);
  const files: PrFile[] = [];
  for (let i = 0; i < names.length; ) {
    const status = names[i++]!;
    const renamed = status.startsWith('R');
    const previous = renamed ? names[i++]! : undefined;
    const path = names[i++]!;
    if (!path.endsWith('.nix')) continue;
    const patch = git(repo, ['diff', '-U3', baseSha, headSha, '--', ...(previous ? [previous] : []), path]);
    files.push({
      path,
      status: status.startsWith('A') ? 'added' : status.startsWith('D') ? 'removed' : renamed ? 'renamed' : 'modified',
      previousPath: previous,
      patch: patch.slice(patch.indexOf('@@')),
      base: status.startsWith('A') ? null : show(repo, baseSha, previous ?? path),
      head: status.startsWith('D') ? null : show(repo, headSha, path),
    });
  }
  const allTests = show(repo, baseSha, ALL_TESTS_PATH);
  const entries = allTests ? parseAllTests(allTests) : [];
  const vmTests = (path: string, moduleText: string) => vmTestsFor(entries, path, moduleText, loaded.config.vm_tests.ofborg);
  const result = reviewPullRequest({ files, config: loaded.config, headSha, vmTests });
  const summary = renderSummary({ result, headSha });
  const check = renderCheck(result, headSha);
  if (flag(p, 'format') === 'sarif') {
    io.stdout.write(JSON.stringify(reviewToSarif(result, packageVersion()), null, 2) + '\n');
  } else if ((flag(p, 'format') ?? 'text') === 'json') {
    io.stdout.write(JSON.stringify({ summary, comments: result.comments, check: { conclusion: result.conclusion, ...check, annotations: result.annotations }, labels: result.labels }, null, 2) + '\n');
  } else {
    io.stdout.write(`=== summary comment ===\n${summary.replace(REVIEW_MARKER, '')}\n\n`);
    io.stdout.write(`=== review: ${result.comments.length} inline comment(s) ===\n`);
    for (const c of result.comments) io.stdout.write(`--- ${c.path}:${c.line}\n${c.body}\n\n`);
    io.stdout.write(`=== check run nixos-harden: ${result.conclusion} — ${check.title} (${result.annotations.length} annotation(s)) ===\n`);
    for (const a of result.annotations) io.stdout.write(`${a.level}: ${a.path}:${a.startLine}: ${a.title}: ${a.message}\n`);
    io.stdout.write(`\n=== labels: +${result.labels.add.join(', +') || ' none'} ===\n`);
  }
  return 0;
}
