/**
 * Publishing a review: one sticky summary comment (found again by its hidden marker and edited in
 * place), at most one review per head commit with the inline comments, a check run whose
 * annotations go out 50 per request, and labels. Before anything is posted the PR's head is
 * checked again: when a newer push arrived, that push's review wins and this one is dropped.
 */
import { code, plain } from '../review/escape.js';
import { REVIEW_MARKER, SUMMARY_MARKER, fitBody } from '../review/render.js';
import type { Annotation, Conclusion, InlineComment } from '../review/review.js';

export const CHECK_NAME = 'nixos-harden';
const ANNOTATIONS_PER_REQUEST = 50;

/** The Octokit methods publishing uses. */
export interface PublishApi {
  paginate(method: unknown, params: Record<string, unknown>): Promise<unknown[]>;
  rest: {
    pulls: {
      get(p: Record<string, unknown>): Promise<{ data: { state?: string; head: { sha: string } } }>;
      listReviews: unknown;
      createReview(p: Record<string, unknown>): Promise<unknown>;
    };
    issues: {
      listComments: unknown;
      createComment(p: Record<string, unknown>): Promise<{ data: { id: number } }>;
      updateComment(p: Record<string, unknown>): Promise<unknown>;
      addLabels(p: Record<string, unknown>): Promise<unknown>;
      removeLabel(p: Record<string, unknown>): Promise<unknown>;
      listLabelsOnIssue: unknown;
    };
    checks: {
      create(p: Record<string, unknown>): Promise<{ data: { id: number } }>;
      update(p: Record<string, unknown>): Promise<unknown>;
    };
  };
}

export interface Target {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
}

export interface Publication {
  summary: string;
  review: { body: string; comments: InlineComment[] } | null;
  check: { conclusion: Conclusion; title: string; summary: string; text: string; annotations: Annotation[] };
  labels: { add: string[]; remove: string[] };
}

export type PublishOutcome = { published: true; commentId: number; reviewPosted: boolean; checkRunId: number } | { published: false; reason: 'stale' | 'closed' };

/** Whether the review still applies: the PR is open and its head is the commit reviewed. */
export async function headIsCurrent(api: PublishApi, t: Target): Promise<'current' | 'stale' | 'closed'> {
  const pr = await api.rest.pulls.get({ owner: t.owner, repo: t.repo, pull_number: t.number });
  if (pr.data.state === 'closed') return 'closed';
  return pr.data.head.sha === t.headSha ? 'current' : 'stale';
}

/** Creates or edits the one summary comment of the PR. */
export async function upsertSummary(api: PublishApi, t: Target, body: string): Promise<number> {
  const comments = (await api.paginate(api.rest.issues.listComments, { owner: t.owner, repo: t.repo, issue_number: t.number, per_page: 100 })) as { id: number; body?: string }[];
  const mine = comments.filter((c) => c.body?.includes(SUMMARY_MARKER));
  const text = fitBody(body, 'The summary is too long for one comment; the check run has the full report.');
  if (mine.length > 0) {
    const first = mine[0]!;
    if (first.body !== text) await api.rest.issues.updateComment({ owner: t.owner, repo: t.repo, comment_id: first.id, body: text });
    return first.id;
  }
  const created = await api.rest.issues.createComment({ owner: t.owner, repo: t.repo, issue_number: t.number, body: text });
  return created.data.id;
}

/** Posts the review of this head commit, unless one was already posted for it. */
export async function postReview(api: PublishApi, t: Target, review: Publication['review']): Promise<boolean> {
  if (!review || review.comments.length === 0) return false;
  const reviews = (await api.paginate(api.rest.pulls.listReviews, { owner: t.owner, repo: t.repo, pull_number: t.number, per_page: 100 })) as { commit_id?: string; body?: string }[];
  if (reviews.some((r) => r.commit_id === t.headSha && r.body?.includes(REVIEW_MARKER))) return false;
  const create = (body: string, comments: InlineComment[]) =>
    api.rest.pulls.createReview({
      owner: t.owner,
      repo: t.repo,
      pull_number: t.number,
      commit_id: t.headSha,
      event: 'COMMENT',
      body: fitBody(`${REVIEW_MARKER}\n${body}`, 'cut.'),
      comments: comments.map((c) => ({
        path: c.path,
        line: c.line,
        side: 'RIGHT',
        ...(c.startLine !== undefined && c.startLine < c.line ? { start_line: c.startLine, start_side: 'RIGHT' } : {}),
        body: fitBody(c.body, 'cut.'),
      })),
    });
  try {
    await create(review.body, review.comments);
  } catch (e) {
    // 422: GitHub refused an inline comment (a line that is no longer part of the diff). The
    // review is not lost: it is posted once more with the comments in its body instead.
    if ((e as { status?: number }).status !== 422) throw e;
    const inBody = review.comments.map((c) => `**${code(c.path)}, line ${c.line}**\n\n${c.body}`).join('\n\n');
    await create(`${review.body}\n\nGitHub did not accept these as comments on the lines, so here they are:\n\n${inBody}`, []);
  }
  return true;
}

/** Annotations are plain text: control characters dropped, mentions defused, lengths capped. */
export const toApi = (a: Annotation) => ({
  path: a.path,
  start_line: a.startLine,
  end_line: a.endLine,
  annotation_level: a.level,
  title: plain(a.title, 255),
  message: plain(a.message, 60_000),
});

/** Creates the check run; annotations beyond the first 50 are appended 50 at a time. */
export async function postCheck(api: PublishApi, t: Target, check: Publication['check']): Promise<number> {
  const first = check.annotations.slice(0, ANNOTATIONS_PER_REQUEST);
  const output = { title: check.title.slice(0, 255), summary: fitBody(check.summary, 'cut.', 65_535), ...(check.text ? { text: fitBody(check.text, 'cut.', 65_535) } : {}) };
  const created = await api.rest.checks.create({
    owner: t.owner,
    repo: t.repo,
    name: CHECK_NAME,
    head_sha: t.headSha,
    status: 'completed',
    conclusion: check.conclusion,
    completed_at: new Date().toISOString(),
    output: { ...output, annotations: first.map(toApi) },
  });
  for (let i = ANNOTATIONS_PER_REQUEST; i < check.annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    await api.rest.checks.update({
      owner: t.owner,
      repo: t.repo,
      check_run_id: created.data.id,
      output: { ...output, annotations: check.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST).map(toApi) },
    });
  }
  return created.data.id;
}

export async function applyLabels(api: PublishApi, t: Target, labels: Publication['labels']): Promise<void> {
  const current = ((await api.paginate(api.rest.issues.listLabelsOnIssue, { owner: t.owner, repo: t.repo, issue_number: t.number, per_page: 100 })) as { name: string }[]).map((l) => l.name);
  const add = labels.add.filter((l) => !current.includes(l));
  if (add.length > 0) await api.rest.issues.addLabels({ owner: t.owner, repo: t.repo, issue_number: t.number, labels: add });
  for (const l of labels.remove.filter((x) => current.includes(x))) {
    try {
      await api.rest.issues.removeLabel({ owner: t.owner, repo: t.repo, issue_number: t.number, name: l });
    } catch (e) {
      if ((e as { status?: number }).status !== 404) throw e;
    }
  }
}

export async function publish(api: PublishApi, t: Target, p: Publication): Promise<PublishOutcome> {
  const now = await headIsCurrent(api, t);
  if (now !== 'current') return { published: false, reason: now };
  const commentId = await upsertSummary(api, t, p.summary);
  const reviewPosted = await postReview(api, t, p.review);
  const checkRunId = await postCheck(api, t, p.check);
  await applyLabels(api, t, p.labels);
  return { published: true, commentId, reviewPosted, checkRunId };
}
