/**
 * The Probot app: thin handlers around the pure review. Each reads the PR (fetch.ts), runs
 * `reviewPullRequest`, renders and publishes (publish.ts). Logs carry the repository and PR.
 */
import type { Context, Probot } from 'probot';
import { explain } from '../docs/render.js';
import { formatErrorsTable } from '../policy/config-errors.js';
import type { Config } from '../policy/config.js';
import { suggest } from '../policy/suggest.js';
import { commentableLines } from '../review/patch-lines.js';
import { analyseCached } from '../nixos/analysis-cache.js';
import { SUMMARY_MARKER, renderCheck, renderSummary } from '../review/render.js';
import { code, fenced, md } from '../review/escape.js';
import { type ReviewResult, type VmTests, reviewPullRequest } from '../review/review.js';
import { type GitHubApi, type PullRef, fetchConfig, fetchPullFiles, restText } from './fetch.js';
import { CHECK_NAME, type PublishApi, headIsCurrent, publish } from './publish.js';
import { ALL_TESTS_PATH, parseAllTests, vmTestsFor } from './vm-tests.js';
import { CommandLimiter, HELP_TEXT, type SlashCommand, parseSlashCommand } from './commands.js';

type Api = GitHubApi & PublishApi;

interface PullPayload {
  number: number;
  draft?: boolean;
  /** How many files the PR changes (GitHub lists at most 3 000 of them). */
  changed_files?: number;
  user: { login: string };
  base: { sha: string; ref: string };
  head: { sha: string; ref: string; repo: { name: string; owner: { login: string } } | null };
}

function pullRef(owner: string, repo: string, pr: PullPayload): PullRef {
  return {
    owner,
    repo,
    number: pr.number,
    base: { sha: pr.base.sha },
    head: { sha: pr.head.sha, owner: pr.head.repo?.owner.login ?? owner, repo: pr.head.repo?.name ?? repo },
  };
}

/** Reviews one PR at its current head and publishes the result. */
export async function reviewPull(api: Api, owner: string, repo: string, pr: PullPayload, log: Context['log']): Promise<void> {
  const now = new Date();
  const ref = pullRef(owner, repo, pr);
  const target = { owner, repo, number: pr.number, headSha: pr.head.sha };
  const loaded = await fetchConfig(api, owner, repo, pr.base.sha, now);
  if (!loaded.ok) {
    log.warn({ owner, repo, pr: pr.number, errors: loaded.errors.length }, 'invalid repository config');
    const table = formatErrorsTable(loaded.errors);
    await publish(api, target, {
      summary: `${SUMMARY_MARKER}\n### nixos-harden: the repository config is invalid\n\n${code('.github/nixos-harden.yml')} on the base branch has ${loaded.errors.length} problem(s); fix them to get reviews:\n\n${table}`,
      review: null,
      check: { conclusion: 'failure', title: 'Invalid .github/nixos-harden.yml', summary: table, text: '', annotations: [] },
      labels: { add: [], remove: [] },
    });
    return;
  }
  const config = loaded.config;
  const { files, changed } = await fetchPullFiles(api, ref, config);
  const vmTests = await vmTestLookup(api, owner, repo, pr.base.sha, config);
  const unlisted = typeof pr.changed_files === 'number' ? { listed: changed.length, total: pr.changed_files } : undefined;
  const result = reviewPullRequest({ files, config, headSha: pr.head.sha, now, vmTests, unlisted });
  const outcome = await publish(api, target, publication(result, pr.head.sha));
  log.info({ owner, repo, pr: pr.number, head: pr.head.sha, services: result.services.length, conclusion: result.conclusion, outcome: outcome.published ? 'published' : outcome.reason }, 'review done');
}

export function publication(result: ReviewResult, headSha: string) {
  const check = renderCheck(result, headSha);
  return {
    summary: renderSummary({ result, headSha }),
    review: result.comments.length > 0 ? { body: `nixos-harden found ${result.comments.length} loosened setting${result.comments.length === 1 ? '' : 's'} on lines of this change.`, comments: result.comments } : null,
    check: { conclusion: result.conclusion, ...check, annotations: result.annotations },
    labels: result.labels,
  };
}

/** The VM tests of modules, looked up in all-tests.nix at the base commit (one request). */
async function vmTestLookup(api: Api, owner: string, repo: string, baseSha: string, config: Config): Promise<(path: string, moduleText: string) => VmTests> {
  const none = { tests: [], nixBuild: [], ofborg: null };
  if (!config.vm_tests.request_on_tighten) return () => none;
  const text = await restText(api, owner, repo, ALL_TESTS_PATH, baseSha);
  const entries = text ? parseAllTests(text) : [];
  return (path: string, moduleText: string) => vmTestsFor(entries, path, moduleText, config.vm_tests.ofborg);
}

const limiter = new CommandLimiter();

/** Slash commands: only from users with write access, or the PR author for `suggest`. */
async function onComment(context: Context<'issue_comment.created'>): Promise<void> {
  const { payload } = context;
  if (!payload.issue.pull_request || !payload.comment.user || payload.comment.user.type === 'Bot') return;
  const command = parseSlashCommand(payload.comment.body);
  if (!command) return;
  const { owner, repo } = context.repo();
  const api = context.octokit as unknown as Api & { rest: { reactions: { createForIssueComment(p: Record<string, unknown>): Promise<unknown> }; repos: { getCollaboratorPermissionLevel(p: Record<string, unknown>): Promise<{ data: { permission: string } }> }; issues: { createComment(p: Record<string, unknown>): Promise<unknown> } } };
  const user = payload.comment.user.login;
  const perm = await api.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: user });
  const writer = perm.data.permission === 'admin' || perm.data.permission === 'write';
  const author = payload.issue.user.login === user;
  if (!(writer || (command.name === 'suggest' && author))) {
    context.log.info({ owner, repo, pr: payload.issue.number, user, command: command.name }, 'slash command ignored: no write access');
    return;
  }
  if (!limiter.allow(`${owner}/${repo}#${payload.issue.number}`)) {
    context.log.warn({ owner, repo, pr: payload.issue.number, user, command: command.name }, 'slash command ignored: too many on this pull request');
    return;
  }
  const react = (content: string) => api.rest.reactions.createForIssueComment({ owner, repo, comment_id: payload.comment.id, content });
  await react('eyes');
  const reply = await answer(api, owner, repo, payload.issue.number, command);
  await api.rest.issues.createComment({ owner, repo, issue_number: payload.issue.number, body: reply });
  await react('rocket');
}

async function answer(api: Api, owner: string, repo: string, number: number, command: SlashCommand): Promise<string> {
  switch (command.name) {
    case 'help':
      return HELP_TEXT;
    case 'explain': {
      const text = command.args[0] ? explain(command.args[0]) : undefined;
      return text ?? `${code(`/harden explain ${command.args[0] ?? ''}`)}: no such directive or rule.\n\n${HELP_TEXT}`;
    }
    case 'suggest': {
      const r = await suggestReply(api, owner, repo, number, command.args[0], command.args[1]);
      if (r.comments.length > 0) {
        await (api as unknown as { rest: { pulls: { createReview(p: Record<string, unknown>): Promise<unknown> } } }).rest.pulls.createReview({
          owner,
          repo,
          pull_number: number,
          commit_id: r.headSha,
          event: 'COMMENT',
          body: 'Hardening suggestions (`/harden suggest`).',
          comments: r.comments,
        });
      }
      return r.body;
    }
    default:
      return `Unknown command ${code(command.raw)}.\n\n${HELP_TEXT}`;
  }
}

interface SuggestComment {
  path: string;
  line: number;
  start_line?: number;
  side: 'RIGHT';
  start_side?: 'RIGHT';
  body: string;
}

/** Profile suggestions for the PR's services: suggestion blocks on diff lines, the rest as Nix. */
async function suggestReply(api: Api, owner: string, repo: string, number: number, service?: string, profile?: string): Promise<{ body: string; comments: SuggestComment[]; headSha: string }> {
  const pr = (await (api as unknown as { rest: { pulls: { get(p: Record<string, unknown>): Promise<{ data: PullPayload }> } } }).rest.pulls.get({ owner, repo, pull_number: number })).data;
  const loaded = await fetchConfig(api, owner, repo, pr.base.sha, new Date());
  if (!loaded.ok) return { body: `The repository config is invalid:\n\n${formatErrorsTable(loaded.errors)}`, comments: [], headSha: pr.head.sha };
  const { files } = await fetchPullFiles(api, pullRef(owner, repo, pr), loaded.config);
  const parts: string[] = [];
  const comments: SuggestComment[] = [];
  for (const f of files) {
    if (f.head === null) continue;
    const analysis = analyseCached(f.path, f.head);
    const lines = f.head.split('\n');
    const commentable = commentableLines(f.patch);
    for (const s of analysis.file.services) {
      if (service && s.name !== service) continue;
      let g;
      try {
        g = suggest(s, analysis, { profile: profile ?? loaded.config.profile, systemdVersion: loaded.config.systemd.version });
      } catch (e) {
        return { body: md((e as Error).message), comments: [], headSha: pr.head.sha };
      }
      parts.push(`#### ${code(`${s.name}.service`)}: profile ${code(g.profile)}${g.class ? ` (${md(g.class)})` : ''}`, '');
      if (g.note) parts.push(md(g.note), '');
      for (const r of g.relaxations) parts.push(`- relaxation ${code(r.id)}: ${r.because.map((b) => md(b.fact)).join('; ')}`);
      const outside: string[] = [];
      for (const e of g.edits) {
        // A suggestion replaces the lines it is attached to; an insertion keeps the line before it.
        const first = e.deleteCount > 0 ? e.line : e.line - 1;
        const last = e.deleteCount > 0 ? e.line + e.deleteCount - 1 : e.line - 1;
        const replacement = e.deleteCount > 0 ? e.insert : [lines[e.line - 2] ?? '', ...e.insert];
        const inDiff = first >= 1 && [...Array(last - first + 1).keys()].every((k) => commentable.has(first + k));
        if (inDiff) {
          comments.push({ path: f.path, line: last, ...(first < last ? { start_line: first, start_side: 'RIGHT' as const } : {}), side: 'RIGHT', body: `Profile ${code(g.profile)} for ${code(`${s.name}.service`)}:\n\n${fenced(replacement.join('\n'), 'suggestion')}` });
        } else outside.push(...e.insert.map((l) => l.trim()));
      }
      if (outside.length > 0) parts.push('', `Outside this PR's diff (add to ${code(f.path)}):`, '', fenced(outside.join('\n'), 'nix'));
      if (g.snippet) parts.push('', fenced(g.snippet, 'nix'));
      parts.push('');
    }
  }
  if (parts.length === 0) return { body: service ? `No service ${code(service)} in the modules this PR changes.` : 'This PR changes no module with a systemd service.', comments: [], headSha: pr.head.sha };
  return { body: `${parts.join('\n')}${comments.length > 0 ? `\n${comments.length} suggestion block(s) are in a review on the changed lines.` : ''}`, comments, headSha: pr.head.sha };
}

/** A 404, or GraphQL's NOT_FOUND (a repository or object that is gone). */
function isNotFound(e: unknown): boolean {
  const err = e as { status?: number; errors?: { type?: string }[] };
  return err.status === 404 || (Array.isArray(err.errors) && err.errors.some((x) => x.type === 'NOT_FOUND'));
}

/** Whether the PR was closed or got a new head since the delivery (asks GitHub; false if it cannot tell). */
async function pullIsGone(api: Api, owner: string, repo: string, pr: PullPayload): Promise<boolean> {
  try {
    return (await headIsCurrent(api, { owner, repo, number: pr.number, headSha: pr.head.sha })) !== 'current';
  } catch {
    return false;
  }
}

/** What went wrong, for the check run: a request that timed out, or what GitHub answered. */
export function describeFailure(e: unknown): string {
  const err = e as { status?: number; message?: string; name?: string; cause?: { name?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.cause?.name === 'TimeoutError' || /aborted due to timeout/i.test(err.message ?? '')) {
    return 'a request to GitHub timed out (no answer in time)';
  }
  const message = err.message ?? String(e);
  return `GitHub answered ${err.status ?? 'with an error'} (${message})`;
}

/**
 * Runs a review; when GitHub fails us (errors, rate limits past the bounded retries), a check run
 * says what could not be done, and the error is rethrown so the delivery is reported failed.
 */
async function reviewOrReport(api: Api, owner: string, repo: string, pr: PullPayload, log: Context['log']): Promise<void> {
  try {
    await reviewPull(api, owner, repo, pr, log);
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (isNotFound(e) && (await pullIsGone(api, owner, repo, pr))) {
      // The head branch was deleted (GitHub closes the PR) or pushed over while we read it: there
      // is nothing left to review, and no failure to report.
      log.info({ owner, repo, pr: pr.number, head: pr.head.sha }, 'pull request closed or moved on while it was read; not reviewed');
      return;
    }
    log.error({ owner, repo, pr: pr.number, head: pr.head.sha, status, err: (e as Error).message }, 'review failed');
    try {
      await api.rest.checks.create({
        owner,
        repo,
        name: CHECK_NAME,
        head_sha: pr.head.sha,
        status: 'completed',
        conclusion: 'neutral',
        output: {
          title: 'The review could not be completed',
          summary: `nixos-harden could not finish reviewing this commit: ${md(describeFailure(e)).slice(0, 400)}. Re-run this check to try again.`,
        },
      });
    } catch (e2) {
      log.error({ owner, repo, pr: pr.number, err: (e2 as Error).message }, 'could not report the failure either');
    }
    throw e;
  }
}

/**
 * Work on one pull request runs one at a time in this process, so that concurrent deliveries
 * (GitHub redelivers, pushes race) cannot both post a review for the same head.
 */
const queues = new Map<string, Promise<unknown>>();
export function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return next;
}

export default function app(probot: Probot): void {
  probot.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened', 'pull_request.ready_for_review'], async (context) => {
    const { owner, repo } = context.repo();
    const pr = context.payload.pull_request as unknown as PullPayload;
    await serialised(`${owner}/${repo}#${pr.number}`, () => reviewOrReport(context.octokit as unknown as Api, owner, repo, pr, context.log));
  });
  probot.on('check_run.rerequested', async (context) => {
    if (context.payload.check_run.name !== CHECK_NAME) return;
    const { owner, repo } = context.repo();
    for (const p of context.payload.check_run.pull_requests) {
      const pr = await (context.octokit as unknown as { rest: { pulls: { get(x: Record<string, unknown>): Promise<{ data: PullPayload }> } } }).rest.pulls.get({ owner, repo, pull_number: p.number });
      await serialised(`${owner}/${repo}#${p.number}`, () => reviewOrReport(context.octokit as unknown as Api, owner, repo, pr.data, context.log));
    }
  });
  probot.on('issue_comment.created', onComment);
}
