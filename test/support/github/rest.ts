/**
 * REST handlers, one per operationId of GitHub's description. Each enforces what GitHub enforces
 * beyond the JSON schema (which the server has already checked): access and app permissions,
 * review comments only on diff lines, body and annotation limits, pagination.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Auth } from './auth.js';
import { newInstallationToken } from './auth.js';
import {
  HttpError,
  errorBody,
  forbidden,
  invalidRequest,
  notFound,
  paginate,
  toSentence,
  unprocessable,
  validationFailed,
  type Reply,
} from './http.js';
import {
  type AnnotationRecord,
  type CheckRunRecord,
  type FileChange,
  type IssueRecord,
  type Model,
  type PullRecord,
  type RepoRecord,
  type ReviewCommentRecord,
  type ReviewRecord,
} from './model.js';
import type { Operation } from './openapi.js';
import { diffHunk, findLine, lineAtPosition, parsePatch, type ParsedPatch, type PatchLine, type Side } from './patch.js';
import { type Shapes } from './shapes.js';

export const MAX_BODY = 65536;
const MAX_ANNOTATION_TITLE = 255;
const MAX_ANNOTATION_BYTES = 65535;
const CONTENTS_INLINE_MAX = 1024 * 1024;
const CONTENTS_MAX = 100 * 1024 * 1024;
const DIFF_MAX_FILES = 300;

/** Everything a handler may use. */
export interface RestContext {
  model: Model;
  shapes: Shapes;
  op: Operation;
  params: Record<string, string>;
  /** The URL as the client can follow it (for Link headers). */
  url: URL;
  body: unknown;
  headers: IncomingHttpHeaders;
  auth: Auth;
}

type Handler = (ctx: RestContext) => Reply;
type Level = 'read' | 'write';
type Json = Record<string, unknown>;

// ------------------------------------------------------------------------------------- access

/** Who posts: the app's bot for installation tokens, the token's login for static tokens. */
function actor(ctx: RestContext): string {
  if (ctx.auth.kind === 'token') return ctx.auth.token.installationId !== undefined ? ctx.model.botLogin : ctx.auth.token.login ?? 'github-actions[bot]';
  throw new HttpError(401, errorBody(401, 'Requires authentication', ctx.op.documentationUrl));
}

/**
 * The repository of the request, as the caller may see it. `perms` lists app permissions of which
 * one must be granted at `level` (GitHub: e.g. issues OR pull_requests for PR comments).
 */
function repoFor(ctx: RestContext, level: Level, perms: string[]): RepoRecord {
  const repo = ctx.model.repo(ctx.params.owner ?? '', ctx.params.repo ?? '');
  if (!repo) throw notFound(ctx.op.documentationUrl);
  const auth = ctx.auth;
  if (auth.kind === 'none') {
    if (repo.private) throw notFound(ctx.op.documentationUrl);
    if (level === 'write') throw new HttpError(401, errorBody(401, 'Requires authentication', ctx.op.documentationUrl));
    return repo;
  }
  if (auth.kind === 'app') {
    throw new HttpError(401, errorBody(401, 'A JSON web token could not be decoded', ctx.op.documentationUrl));
  }
  const token = auth.token;
  if (token.installationId === undefined) return repo; // static token: full access
  const installation = ctx.model.installations.get(token.installationId)!;
  const covered =
    (installation.repositorySelection === 'all'
      ? repo.owner.toLowerCase() === installation.account.toLowerCase()
      : installation.repositories.has(repo.fullName)) && (!token.repositories || token.repositories.has(repo.fullName));
  if (!covered) {
    if (repo.private) throw notFound(ctx.op.documentationUrl);
    if (level === 'write') throw forbidden('Resource not accessible by integration', ctx.op.documentationUrl);
    return repo; // public repositories are readable with any token
  }
  const granted = perms.some((p) => {
    const have = token.permissions[p];
    return have === 'write' || (level === 'read' && have === 'read');
  });
  if (perms.length && !granted && !(level === 'read' && !repo.private)) {
    throw forbidden('Resource not accessible by integration', ctx.op.documentationUrl);
  }
  return repo;
}

function requireApp(ctx: RestContext): void {
  if (ctx.auth.kind !== 'app') {
    throw new HttpError(401, errorBody(401, 'A JSON web token could not be decoded', ctx.op.documentationUrl));
  }
}

function intParam(ctx: RestContext, name: string): number {
  const value = Number(ctx.params[name]);
  if (!Number.isInteger(value)) throw notFound(ctx.op.documentationUrl);
  return value;
}

function issueOf(ctx: RestContext, repo: RepoRecord, name = 'issue_number'): IssueRecord {
  const issue = repo.issues.get(intParam(ctx, name));
  if (!issue) throw notFound(ctx.op.documentationUrl);
  return issue;
}

function pullOf(ctx: RestContext, repo: RepoRecord): IssueRecord & { pull: PullRecord } {
  const pull = ctx.model.pull(repo, intParam(ctx, 'pull_number'));
  if (!pull) throw notFound(ctx.op.documentationUrl);
  return pull;
}

function bodyOf(ctx: RestContext): Json {
  return (ctx.body ?? {}) as Json;
}

function chars(s: string): number {
  return [...s].length;
}

function paged<T>(ctx: RestContext, items: T[], map: (item: T) => unknown, max?: number): Reply {
  const { page, link } = paginate(max === undefined ? items : items.slice(0, max), { selfUrl: ctx.url });
  const headers: Record<string, string> = link ? { link } : {};
  return { status: 200, body: page.map(map), headers };
}

function accepts(ctx: RestContext, ...kinds: string[]): boolean {
  const accept = String(ctx.headers.accept ?? '');
  return kinds.some((k) => accept.includes(`application/vnd.github.${k}`) || accept.includes(`application/vnd.github.v3.${k}`));
}

// ------------------------------------------------------------------------------------- apps

const createInstallationToken: Handler = (ctx) => {
  requireApp(ctx);
  const installation = ctx.model.installations.get(intParam(ctx, 'installation_id'));
  if (!installation) throw notFound(ctx.op.documentationUrl);
  const body = bodyOf(ctx);
  const requested = (body.permissions ?? undefined) as Record<string, 'read' | 'write'> | undefined;
  if (requested) {
    for (const [perm, level] of Object.entries(requested)) {
      const have = installation.permissions[perm];
      if (!have || (level === 'write' && have !== 'write')) {
        throw unprocessable(['The permissions requested are not granted to this installation.'], ctx.op.documentationUrl);
      }
    }
  }
  let repositories: Set<string> | undefined;
  const names = (body.repositories as string[] | undefined) ?? [];
  const ids = (body.repository_ids as number[] | undefined) ?? [];
  if (names.length || ids.length) {
    repositories = new Set();
    for (const name of names) {
      const repo = ctx.model.repo(installation.account, name);
      if (!repo || repo.installationId !== installation.id) {
        throw unprocessable(['There is at least one repository that does not exist or is not accessible to the parent installation.'], ctx.op.documentationUrl);
      }
      repositories.add(repo.fullName);
    }
    for (const id of ids) {
      const repo = ctx.model.repoById(id);
      if (!repo || repo.installationId !== installation.id) {
        throw unprocessable(['There is at least one repository that does not exist or is not accessible to the parent installation.'], ctx.op.documentationUrl);
      }
      repositories.add(repo.fullName);
    }
  }
  const token = {
    token: newInstallationToken(),
    installationId: installation.id,
    expiresAt: new Date(ctx.model.nowDate().getTime() + 3600_000),
    permissions: requested ?? { ...installation.permissions },
    repositories,
  };
  ctx.model.tokens.set(token.token, token);
  return { status: 201, body: ctx.shapes.installationToken(token, installation) };
};

const getAuthenticatedApp: Handler = (ctx) => {
  requireApp(ctx);
  return { status: 200, body: ctx.shapes.integration() };
};

const getRepoInstallation: Handler = (ctx) => {
  requireApp(ctx);
  const repo = ctx.model.repo(ctx.params.owner ?? '', ctx.params.repo ?? '');
  const installation = repo?.installationId !== undefined ? ctx.model.installations.get(repo.installationId) : undefined;
  if (!installation) throw notFound(ctx.op.documentationUrl);
  return { status: 200, body: ctx.shapes.installation(installation) };
};

// ------------------------------------------------------------------------------------- repos, contents

const getRepo: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['metadata']);
  return { status: 200, body: ctx.shapes.fullRepository(repo) };
};

const getContent: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['contents']);
  const ref = ctx.url.searchParams.get('ref') ?? undefined;
  const sha = ctx.model.resolveRef(repo, ref);
  if (!sha) {
    if (ref === undefined) throw notFound(ctx.op.documentationUrl, 'This repository is empty.');
    throw notFound(ctx.op.documentationUrl, `No commit found for the ref ${ref}`);
  }
  const path = (ctx.params.path ?? '').replace(/^\/+|\/+$/g, '');
  const refName = ref ?? repo.defaultBranch;
  const blob = ctx.model.fileAt(sha, path);
  if (blob) {
    const tooLarge = (limit: string) =>
      new HttpError(403, errorBody(403, `This API returns blobs up to ${limit} in size. The requested blob is too large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in size.`, ctx.op.documentationUrl, { errors: [{ resource: 'Blob', field: 'data', code: 'too_large' }] }));
    if (blob.content.length > CONTENTS_MAX) throw tooLarge('100 MB');
    if (accepts(ctx, 'raw')) {
      return { status: 200, text: blob.content, contentType: 'text/plain; charset=utf-8', headers: { 'x-github-media-type': 'github.v3; param=raw' } };
    }
    const inline = blob.content.length <= CONTENTS_INLINE_MAX;
    // GitHub: 1–100 MB only through the raw or object media types (object: empty content).
    if (!inline && !accepts(ctx, 'object')) throw tooLarge('1 MB');
    return { status: 200, body: ctx.shapes.contentFile(repo, refName, path, blob.sha, blob.content, inline) };
  }
  const entries = ctx.model.directoryAt(sha, path);
  if (!entries) throw notFound(ctx.op.documentationUrl);
  const listing = entries.slice(0, 1000).map((e) => ctx.shapes.contentEntry(repo, refName, e));
  if (accepts(ctx, 'object')) {
    const self = ctx.shapes.contentEntry(repo, refName, { name: path.split('/').pop() ?? '', path, type: 'dir', sha, size: 0 });
    return { status: 200, body: { ...self, entries: listing } };
  }
  return { status: 200, body: listing };
};

const getCollaboratorPermission: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['metadata']);
  const login = ctx.params.username ?? '';
  if (!ctx.model.user(login)) throw notFound(ctx.op.documentationUrl);
  return { status: 200, body: ctx.shapes.collaboratorPermission(repo, login) };
};

const getTree: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['contents']);
  const wanted = ctx.params.tree_sha ?? '';
  let sha = ctx.model.resolveRef(repo, wanted);
  if (!sha) for (const s of repo.shas) if (ctx.model.commits.get(s)?.treeSha === wanted) sha = s;
  if (!sha) throw notFound(ctx.op.documentationUrl);
  const commit = ctx.model.commits.get(sha)!;
  const recursive = ctx.url.searchParams.has('recursive');
  const api = `${ctx.shapes.urls.api}/repos/${repo.fullName}/git`;
  const tree: Json[] = [];
  const dirs = new Set<string>();
  for (const [path, blobSha] of commit.files) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    if (recursive || parts.length === 1) {
      tree.push({ path, mode: '100644', type: 'blob', sha: blobSha, size: ctx.model.blobs.get(blobSha)!.content.length, url: `${api}/blobs/${blobSha}` });
    }
  }
  for (const dir of dirs) {
    if (!recursive && dir.includes('/')) continue;
    const treeSha = ctx.model.directoryAt(sha, dir.split('/').slice(0, -1).join('/'))?.find((e) => e.path === dir)?.sha ?? '';
    tree.push({ path: dir, mode: '040000', type: 'tree', sha: treeSha, url: `${api}/trees/${treeSha}` });
  }
  tree.sort((a, b) => (String(a.path) < String(b.path) ? -1 : 1));
  return { status: 200, body: { sha: commit.treeSha, url: `${api}/trees/${commit.treeSha}`, tree, truncated: false } };
};

// ------------------------------------------------------------------------------------- pulls

function unifiedDiff(ctx: RestContext, files: FileChange[], base: string, head: string): string {
  return files
    .map((f) => {
      const from = f.previousFilename ?? f.filename;
      const before = ctx.model.commits.get(base)?.files.get(from)?.slice(0, 7) ?? '0000000';
      const after = ctx.model.commits.get(head)?.files.get(f.filename)?.slice(0, 7) ?? '0000000';
      const lines = [`diff --git a/${from} b/${f.filename}`];
      if (f.status === 'added') lines.push('new file mode 100644', `index 0000000..${after}`);
      else if (f.status === 'removed') lines.push('deleted file mode 100644', `index ${before}..0000000`);
      else if (f.status === 'renamed') lines.push('similarity index 100%', `rename from ${from}`, `rename to ${f.filename}`);
      else lines.push(`index ${before}..${after} 100644`);
      if (f.binary) lines.push(`Binary files ${f.status === 'added' ? '/dev/null' : `a/${from}`} and ${f.status === 'removed' ? '/dev/null' : `b/${f.filename}`} differ`);
      else if (f.patch !== undefined) {
        lines.push(f.status === 'added' ? '--- /dev/null' : `--- a/${from}`, f.status === 'removed' ? '+++ /dev/null' : `+++ b/${f.filename}`, f.patch);
      }
      return `${lines.join('\n')}\n`;
    })
    .join('');
}

const getPull: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['pull_requests']);
  const pull = pullOf(ctx, repo);
  if (accepts(ctx, 'diff', 'patch')) {
    const files = ctx.model.changedFiles(pull.pull.base, pull.pull.head);
    if (files.length > DIFF_MAX_FILES) {
      throw new HttpError(406, errorBody(406, `Sorry, the diff exceeded the maximum number of files (${DIFF_MAX_FILES}). Consider using 'List pull requests files' API or locally cloning the repository instead.`, ctx.op.documentationUrl, { errors: [{ resource: 'PullRequest', field: 'diff', code: 'too_large' }] }));
    }
    return { status: 200, text: unifiedDiff(ctx, files, pull.pull.base, pull.pull.head), contentType: 'application/vnd.github.diff; charset=utf-8' };
  }
  return { status: 200, body: ctx.shapes.pullRequest(repo, pull) };
};

const listPullFiles: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['pull_requests']);
  const pull = pullOf(ctx, repo);
  const files = ctx.model.changedFiles(pull.pull.base, pull.pull.head);
  return paged(ctx, files, (f) => ctx.shapes.diffEntry(repo, pull.pull.head, f), ctx.model.limits.maxFiles);
};

interface CommentInput {
  path?: string;
  line?: number;
  side?: string;
  start_line?: number;
  start_side?: string;
  position?: number;
  subject_type?: string;
  body?: string;
}

interface Placed {
  target?: PatchLine;
  line: number | null;
  side: Side | null;
  startLine: number | null;
  startSide: Side | null;
  position: number | null;
  subjectType: 'line' | 'file';
  diffHunk: string;
}

/** GitHub's review-thread checks; returns the thread's placement or the error fields. */
function place(files: FileChange[], c: CommentInput): { ok: Placed } | { errors: { field: string; code: string; message?: string; sentence: string }[] } {
  const file = files.find((f) => f.filename === c.path);
  if (!file) return { errors: [{ field: 'path', code: 'invalid', sentence: 'Path could not be resolved' }] };
  if (c.subject_type === 'file') {
    return { ok: { line: null, side: null, startLine: null, startSide: null, position: null, subjectType: 'file', diffHunk: file.patch?.split('\n')[0] ?? '' } };
  }
  const parsed: ParsedPatch = parsePatch(file.patch ?? '');
  const errors: { field: string; code: string; message?: string; sentence: string }[] = [];
  const side: Side = c.side === 'LEFT' ? 'LEFT' : 'RIGHT';
  let target: PatchLine | undefined;
  if (c.line === undefined && c.position !== undefined) {
    target = lineAtPosition(parsed, c.position);
    if (!target) {
      return { errors: [{ field: 'pull_request_review_thread.position', code: 'custom', message: 'pull_request_review_thread.position is invalid', sentence: 'Pull request review thread position is invalid' }] };
    }
  } else if (c.line !== undefined) {
    target = findLine(parsed, side, c.line);
  }
  if (!target) {
    errors.push({ field: 'pull_request_review_thread.line', code: 'custom', message: 'pull_request_review_thread.line must be part of the diff', sentence: 'Pull request review thread line must be part of the diff' });
  }
  let startLine: number | null = null;
  let startSide: Side | null = null;
  if (c.start_line !== undefined) {
    startSide = c.start_side === 'LEFT' ? 'LEFT' : c.start_side === 'RIGHT' ? 'RIGHT' : side;
    const start = findLine(parsed, startSide, c.start_line);
    if (!start || (target && start.hunk !== target.hunk)) {
      errors.push({ field: 'pull_request_review_thread.start_line', code: 'custom', message: 'pull_request_review_thread.start_line must be part of the same hunk as the line.', sentence: 'Pull request review thread start line must be part of the same hunk as the line.' });
    } else if (target && start.position >= target.position) {
      errors.push({ field: 'pull_request_review_thread.start_line', code: 'custom', message: 'pull_request_review_thread.start_line must precede the end line.', sentence: 'Pull request review thread start line must precede the end line.' });
    }
    startLine = c.start_line;
  }
  if (!target) errors.push({ field: 'pull_request_review_thread.diff_hunk', code: 'missing_field', sentence: "Pull request review thread diff hunk can't be blank" });
  if (errors.length) return { errors };
  const t = target!;
  const placedSide: Side = c.line === undefined ? (t.kind === '-' ? 'LEFT' : 'RIGHT') : side;
  return {
    ok: {
      target: t,
      line: c.line ?? (placedSide === 'LEFT' ? t.oldLine! : t.newLine!),
      side: placedSide,
      startLine,
      startSide,
      position: t.position,
      subjectType: 'line',
      diffHunk: diffHunk(parsed, t),
    },
  };
}

/** The commit a review addresses: the head, or an earlier head of the pull request. */
function reviewCommit(ctx: RestContext, pull: PullRecord, commitId: unknown): string | undefined {
  if (commitId === undefined) return pull.head;
  const sha = String(commitId);
  if (sha === pull.head || pull.heads.includes(sha)) return sha;
  if (ctx.model.commits.has(sha) && ctx.model.isAncestor(sha, pull.head) && !ctx.model.isAncestor(sha, pull.base)) return sha;
  return undefined;
}

const createReview: Handler = (ctx) => {
  const repo = repoFor(ctx, 'write', ['pull_requests']);
  const pull = pullOf(ctx, repo);
  const body = bodyOf(ctx);
  const user = actor(ctx);
  const doc = ctx.op.documentationUrl;
  const commitId = reviewCommit(ctx, pull.pull, body.commit_id);
  if (!commitId) throw unprocessable(['Commit is not part of the pull request'], doc);
  const text = typeof body.body === 'string' ? body.body : '';
  const comments = (body.comments as CommentInput[] | undefined) ?? [];
  const event = body.event as string | undefined;
  if (chars(text) > MAX_BODY || comments.some((c) => chars(c.body ?? '') > MAX_BODY)) {
    throw unprocessable([`Body is too long (maximum is ${MAX_BODY} characters)`], doc);
  }
  if ((event === 'REQUEST_CHANGES' && text.trim() === '') || (event === 'COMMENT' && text.trim() === '' && comments.length === 0)) {
    throw unprocessable([`Review Can not ${event === 'COMMENT' ? 'comment' : 'request changes'} without a body`], doc);
  }
  if ((event === 'APPROVE' || event === 'REQUEST_CHANGES') && user.toLowerCase() === pull.author.toLowerCase()) {
    throw unprocessable([`Review Can not ${event === 'APPROVE' ? 'approve' : 'request changes on'} your own pull request`], doc);
  }
  if (!event && ctx.model.reviews.some((r) => r.repo === repo.fullName && r.pullNumber === pull.number && r.user === user && r.state === 'PENDING')) {
    throw unprocessable(['User can only have one pending review per pull request'], doc);
  }
  const files = ctx.model.changedFiles(pull.pull.base, commitId);
  const placed: Placed[] = [];
  for (const c of comments) {
    const result = place(files, c);
    if ('errors' in result) throw unprocessable([toSentence(result.errors.map((e) => e.sentence))], doc);
    placed.push(result.ok);
  }
  const now = ctx.model.now();
  const review: ReviewRecord = {
    id: ctx.model.id(),
    repo: repo.fullName,
    pullNumber: pull.number,
    user,
    body: text,
    state: event === 'APPROVE' ? 'APPROVED' : event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : event === 'COMMENT' ? 'COMMENTED' : 'PENDING',
    commitId,
    comments: [],
  };
  if (review.state !== 'PENDING') review.submittedAt = now;
  comments.forEach((c, i) => {
    const p = placed[i]!;
    const record: ReviewCommentRecord = {
      id: ctx.model.id(),
      reviewId: review.id,
      repo: repo.fullName,
      pullNumber: pull.number,
      path: c.path!,
      body: c.body ?? '',
      user,
      commitId,
      line: p.line,
      side: p.side,
      startLine: p.startLine,
      startSide: p.startSide,
      position: p.position,
      subjectType: p.subjectType,
      diffHunk: p.diffHunk,
      createdAt: now,
    };
    review.comments.push(record);
    ctx.model.reviewComments.push(record);
  });
  ctx.model.reviews.push(review);
  return { status: 200, body: ctx.shapes.review(repo, review) };
};

const listReviews: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['pull_requests']);
  const pull = pullOf(ctx, repo);
  const reviews = ctx.model.reviews.filter((r) => r.repo === repo.fullName && r.pullNumber === pull.number);
  return paged(ctx, reviews, (r) => ctx.shapes.review(repo, r));
};

const getReview: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['pull_requests']);
  const pull = pullOf(ctx, repo);
  const review = ctx.model.reviews.find((r) => r.repo === repo.fullName && r.pullNumber === pull.number && r.id === intParam(ctx, 'review_id'));
  if (!review) throw notFound(ctx.op.documentationUrl);
  return { status: 200, body: ctx.shapes.review(repo, review) };
};

const submitReview: Handler = (ctx) => {
  const repo = repoFor(ctx, 'write', ['pull_requests']);
  const pull = pullOf(ctx, repo);
  const review = ctx.model.reviews.find((r) => r.repo === repo.fullName && r.pullNumber === pull.number && r.id === intParam(ctx, 'review_id'));
  if (!review) throw notFound(ctx.op.documentationUrl);
  if (review.state !== 'PENDING') throw unprocessable(['Can not submit a non-pending review'], ctx.op.documentationUrl);
  const body = bodyOf(ctx);
  const event = body.event as string;
  if (typeof body.body === 'string') {
    if (chars(body.body) > MAX_BODY) throw unprocessable([`Body is too long (maximum is ${MAX_BODY} characters)`], ctx.op.documentationUrl);
    review.body = body.body;
  }
  review.state = event === 'APPROVE' ? 'APPROVED' : event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : 'COMMENTED';
  review.submittedAt = ctx.model.now();
  return { status: 200, body: ctx.shapes.review(repo, review) };
};

const createReviewComment: Handler = (ctx) => {
  const repo = repoFor(ctx, 'write', ['pull_requests']);
  const pull = pullOf(ctx, repo);
  const body = bodyOf(ctx) as CommentInput & { commit_id?: string; in_reply_to?: number };
  const user = actor(ctx);
  const doc = ctx.op.documentationUrl;
  if (chars(body.body ?? '') > MAX_BODY) {
    throw validationFailed([{ resource: 'PullRequestReviewComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${MAX_BODY} characters)` }], doc);
  }
  const now = ctx.model.now();
  let record: ReviewCommentRecord;
  if (body.in_reply_to !== undefined) {
    const parent = ctx.model.reviewComments.find((c) => c.repo === repo.fullName && c.pullNumber === pull.number && c.id === body.in_reply_to);
    if (!parent) throw notFound(doc);
    record = { ...parent, id: ctx.model.id(), reviewId: 0, body: body.body ?? '', user, inReplyTo: parent.inReplyTo ?? parent.id, createdAt: now };
  } else {
    const commitId = reviewCommit(ctx, pull.pull, body.commit_id);
    if (!commitId) throw validationFailed([{ resource: 'PullRequestReviewComment', code: 'invalid', field: 'commit_id' }], doc);
    if (body.line === undefined && body.position === undefined && body.subject_type !== 'file') {
      throw validationFailed([{ resource: 'PullRequestReviewComment', code: 'missing_field', field: 'line' }], doc);
    }
    const result = place(ctx.model.changedFiles(pull.pull.base, commitId), body);
    if ('errors' in result) {
      throw validationFailed(
        result.errors.map((e) => ({ resource: 'PullRequestReviewComment', code: e.code, field: e.field, ...(e.message ? { message: e.message } : {}) })),
        doc,
      );
    }
    const p = result.ok;
    record = {
      id: ctx.model.id(),
      reviewId: 0,
      repo: repo.fullName,
      pullNumber: pull.number,
      path: body.path!,
      body: body.body ?? '',
      user,
      commitId,
      line: p.line,
      side: p.side,
      startLine: p.startLine,
      startSide: p.startSide,
      position: p.position,
      subjectType: p.subjectType,
      diffHunk: p.diffHunk,
      createdAt: now,
    };
  }
  // GitHub wraps a single comment in its own COMMENTED review.
  const review: ReviewRecord = { id: ctx.model.id(), repo: repo.fullName, pullNumber: pull.number, user, body: '', state: 'COMMENTED', commitId: record.commitId, submittedAt: now, comments: [record] };
  record.reviewId = review.id;
  ctx.model.reviews.push(review);
  ctx.model.reviewComments.push(record);
  return { status: 201, body: ctx.shapes.reviewComment(repo, record) };
};

const listReviewComments: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['pull_requests']);
  const pull = pullOf(ctx, repo);
  const comments = ctx.model.reviewComments.filter((c) => c.repo === repo.fullName && c.pullNumber === pull.number);
  return paged(ctx, comments, (c) => ctx.shapes.reviewComment(repo, c));
};

// ------------------------------------------------------------------------------------- issues, comments, reactions

function checkCommentBody(ctx: RestContext, body: string): void {
  if (chars(body) > MAX_BODY) {
    throw validationFailed([{ resource: 'IssueComment', code: 'unprocessable', field: 'data', message: `Body is too long (maximum is ${MAX_BODY} characters)` }], ctx.op.documentationUrl);
  }
}

const ISSUE_PERMS = ['issues', 'pull_requests'];

function issuePerms(issue: IssueRecord | undefined): string[] {
  return issue?.pull ? ['issues', 'pull_requests'] : ['issues'];
}

const getIssue: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ISSUE_PERMS);
  return { status: 200, body: ctx.shapes.issue(repo, issueOf(ctx, repo)) };
};

const listIssueComments: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ISSUE_PERMS);
  const issue = issueOf(ctx, repo);
  const since = ctx.url.searchParams.get('since');
  const comments = ctx.model.issueComments.filter((c) => c.repo === repo.fullName && c.issueNumber === issue.number && (!since || c.updatedAt >= since));
  return paged(ctx, comments, (c) => ctx.shapes.issueComment(repo, c));
};

const createIssueComment: Handler = (ctx) => {
  const owner = ctx.model.repo(ctx.params.owner ?? '', ctx.params.repo ?? '');
  const issue = owner?.issues.get(Number(ctx.params.issue_number));
  const repo = repoFor(ctx, 'write', issuePerms(issue));
  const target = issueOf(ctx, repo);
  const text = String(bodyOf(ctx).body);
  checkCommentBody(ctx, text);
  const now = ctx.model.now();
  const comment = { id: ctx.model.id(), repo: repo.fullName, issueNumber: target.number, body: text, user: actor(ctx), createdAt: now, updatedAt: now, history: [] };
  ctx.model.issueComments.push(comment);
  target.updatedAt = now;
  return { status: 201, body: ctx.shapes.issueComment(repo, comment) };
};

function findComment(ctx: RestContext, repo: RepoRecord) {
  const comment = ctx.model.issueComments.find((c) => c.repo === repo.fullName && c.id === intParam(ctx, 'comment_id'));
  if (!comment) throw notFound(ctx.op.documentationUrl);
  return comment;
}

const getIssueComment: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ISSUE_PERMS);
  return { status: 200, body: ctx.shapes.issueComment(repo, findComment(ctx, repo)) };
};

const updateIssueComment: Handler = (ctx) => {
  const repo = repoFor(ctx, 'write', ISSUE_PERMS);
  const comment = findComment(ctx, repo);
  const text = String(bodyOf(ctx).body);
  checkCommentBody(ctx, text);
  comment.history.push(comment.body);
  comment.body = text;
  comment.updatedAt = ctx.model.now();
  return { status: 200, body: ctx.shapes.issueComment(repo, comment) };
};

const createIssueCommentReaction: Handler = (ctx) => {
  const repo = repoFor(ctx, 'write', ISSUE_PERMS);
  const comment = findComment(ctx, repo);
  const content = String(bodyOf(ctx).content);
  const user = actor(ctx);
  const existing = ctx.model.reactions.find((r) => r.repo === repo.fullName && r.commentId === comment.id && r.user === user && r.content === content);
  if (existing) return { status: 200, body: ctx.shapes.reaction(existing) };
  const reaction = { id: ctx.model.id(), repo: repo.fullName, commentId: comment.id, user, content, createdAt: ctx.model.now() };
  ctx.model.reactions.push(reaction);
  return { status: 201, body: ctx.shapes.reaction(reaction) };
};

const listIssueCommentReactions: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ISSUE_PERMS);
  const comment = findComment(ctx, repo);
  const content = ctx.url.searchParams.get('content');
  const reactions = ctx.model.reactions.filter((r) => r.repo === repo.fullName && r.commentId === comment.id && (!content || r.content === content));
  return paged(ctx, reactions, (r) => ctx.shapes.reaction(r));
};

// ------------------------------------------------------------------------------------- labels

function labelNames(body: unknown): string[] {
  const list = Array.isArray(body) ? body : typeof body === 'string' ? [body] : ((body as Json | undefined)?.labels as unknown[] | undefined) ?? [];
  return list.map((l) => (typeof l === 'string' ? l : String((l as Json).name)));
}

function checkLabelName(ctx: RestContext, name: string): void {
  if (name.trim() === '') throw validationFailed([{ resource: 'Label', code: 'missing_field', field: 'name' }], ctx.op.documentationUrl);
  if (chars(name) > 50) throw validationFailed([{ resource: 'Label', code: 'custom', field: 'name', message: 'name is too long (maximum is 50 characters)' }], ctx.op.documentationUrl);
}

const addLabels: Handler = (ctx) => {
  const repo = repoFor(ctx, 'write', ISSUE_PERMS);
  const issue = issueOf(ctx, repo);
  for (const name of labelNames(ctx.body)) {
    checkLabelName(ctx, name);
    const label = ctx.model.ensureLabel(repo, name);
    const key = label.name.toLowerCase();
    if (!issue.labels.includes(key)) issue.labels.push(key);
  }
  return { status: 200, body: ctx.model.issueLabels(repo, issue).map((l) => ctx.shapes.label(repo, l)) };
};

const setLabels: Handler = (ctx) => {
  const repo = repoFor(ctx, 'write', ISSUE_PERMS);
  const issue = issueOf(ctx, repo);
  issue.labels = [];
  for (const name of labelNames(ctx.body)) {
    checkLabelName(ctx, name);
    const key = ctx.model.ensureLabel(repo, name).name.toLowerCase();
    if (!issue.labels.includes(key)) issue.labels.push(key);
  }
  return { status: 200, body: ctx.model.issueLabels(repo, issue).map((l) => ctx.shapes.label(repo, l)) };
};

const removeLabel: Handler = (ctx) => {
  const repo = repoFor(ctx, 'write', ISSUE_PERMS);
  const issue = issueOf(ctx, repo);
  const key = (ctx.params.name ?? '').toLowerCase();
  if (!issue.labels.includes(key)) throw notFound(ctx.op.documentationUrl, 'Label does not exist');
  issue.labels = issue.labels.filter((l) => l !== key);
  return { status: 200, body: ctx.model.issueLabels(repo, issue).map((l) => ctx.shapes.label(repo, l)) };
};

const listLabelsOnIssue: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ISSUE_PERMS);
  const issue = issueOf(ctx, repo);
  return paged(ctx, ctx.model.issueLabels(repo, issue), (l) => ctx.shapes.label(repo, l));
};

const listRepoLabels: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ISSUE_PERMS);
  return paged(ctx, [...repo.labels.values()], (l) => ctx.shapes.label(repo, l));
};

const createLabel: Handler = (ctx) => {
  const repo = repoFor(ctx, 'write', ISSUE_PERMS);
  const body = bodyOf(ctx);
  const name = String(body.name);
  checkLabelName(ctx, name);
  if (repo.labels.has(name.toLowerCase())) throw validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }], ctx.op.documentationUrl);
  const color = body.color === undefined ? 'ededed' : String(body.color).replace(/^#/, '');
  if (!/^[0-9a-fA-F]{6}$/.test(color)) throw validationFailed([{ resource: 'Label', code: 'invalid', field: 'color' }], ctx.op.documentationUrl);
  const label = ctx.model.ensureLabel(repo, name, color.toLowerCase(), (body.description as string | undefined) ?? null);
  return { status: 201, body: ctx.shapes.label(repo, label) };
};

// ------------------------------------------------------------------------------------- checks

function invalidAnnotations(ctx: RestContext): HttpError {
  return validationFailed([{ resource: 'CheckRun', code: 'invalid', field: 'annotations' }], ctx.op.documentationUrl);
}

function checkAnnotations(ctx: RestContext, annotations: AnnotationRecord[]): void {
  for (const a of annotations) {
    if (a.start_line > a.end_line) throw invalidAnnotations(ctx);
    if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line) throw invalidAnnotations(ctx);
    if (a.title !== undefined && chars(a.title) > MAX_ANNOTATION_TITLE) throw invalidAnnotations(ctx);
    if (Buffer.byteLength(a.message) > MAX_ANNOTATION_BYTES) throw invalidAnnotations(ctx);
    if (a.raw_details !== undefined && Buffer.byteLength(a.raw_details) > MAX_ANNOTATION_BYTES) throw invalidAnnotations(ctx);
  }
}

/** Applies a create/update body to a check run (schema already checked). */
function applyCheckBody(ctx: RestContext, run: CheckRunRecord, body: Json): void {
  if (body.conclusion === 'stale') throw unprocessable(['Conclusion stale can only be set by GitHub'], ctx.op.documentationUrl);
  const output = body.output as (Json & { annotations?: AnnotationRecord[] }) | undefined;
  if (output?.annotations) checkAnnotations(ctx, output.annotations);
  const status = body.conclusion !== undefined ? 'completed' : (body.status as CheckRunRecord['status'] | undefined);
  if (status === 'completed' && body.conclusion === undefined && run.conclusion === null) {
    throw invalidRequest([`"conclusion" wasn't supplied.`], ctx.op.documentationUrl);
  }
  if (body.completed_at !== undefined && body.conclusion === undefined && run.conclusion === null) {
    throw invalidRequest([`"conclusion" wasn't supplied.`], ctx.op.documentationUrl);
  }
  if (body.name !== undefined) run.name = String(body.name);
  if (body.details_url !== undefined) run.detailsUrl = String(body.details_url);
  if (body.external_id !== undefined) run.externalId = String(body.external_id);
  if (body.started_at !== undefined) run.startedAt = String(body.started_at);
  if (status) run.status = status;
  if (status === 'in_progress' && !run.startedAt) run.startedAt = ctx.model.now();
  if (body.conclusion !== undefined) run.conclusion = String(body.conclusion);
  if (run.status === 'completed') run.completedAt = (body.completed_at as string | undefined) ?? run.completedAt ?? ctx.model.now();
  if (output) {
    if (output.title !== undefined) run.output.title = String(output.title);
    if (output.summary !== undefined) run.output.summary = String(output.summary);
    if (output.text !== undefined) run.output.text = String(output.text);
    if (output.annotations) run.annotations.push(...output.annotations.map((a) => ({ ...a })));
  }
  if (body.actions !== undefined) run.actions = body.actions as unknown[];
  run.updates.push(structuredClone(body));
}

function checkRunOf(ctx: RestContext, repo: RepoRecord): CheckRunRecord {
  const run = ctx.model.checkRuns.find((c) => c.repo === repo.fullName && c.id === intParam(ctx, 'check_run_id'));
  if (!run) throw notFound(ctx.op.documentationUrl);
  return run;
}

const createCheckRun: Handler = (ctx) => {
  const repo = repoFor(ctx, 'write', ['checks']);
  if (ctx.auth.kind === 'token' && ctx.auth.token.installationId === undefined && !ctx.auth.token.login?.startsWith('github-actions')) {
    throw forbidden('You must authenticate via a GitHub App.', ctx.op.documentationUrl);
  }
  const body = bodyOf(ctx);
  const headSha = String(body.head_sha);
  if (!repo.shas.has(headSha)) throw unprocessable([`No commit found for SHA: ${headSha}`], ctx.op.documentationUrl);
  const run: CheckRunRecord = {
    id: ctx.model.id(),
    repo: repo.fullName,
    name: String(body.name),
    headSha,
    status: 'queued',
    conclusion: null,
    startedAt: ctx.model.now(),
    completedAt: null,
    detailsUrl: null,
    externalId: '',
    output: { title: null, summary: null, text: null },
    annotations: [],
    actions: [],
    appId: ctx.model.app.id,
    updates: [],
  };
  applyCheckBody(ctx, run, body);
  ctx.model.checkRuns.push(run);
  return { status: 201, body: ctx.shapes.checkRun(repo, run) };
};

const updateCheckRun: Handler = (ctx) => {
  const repo = repoFor(ctx, 'write', ['checks']);
  const run = checkRunOf(ctx, repo);
  applyCheckBody(ctx, run, bodyOf(ctx));
  return { status: 200, body: ctx.shapes.checkRun(repo, run) };
};

const getCheckRun: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['checks']);
  return { status: 200, body: ctx.shapes.checkRun(repo, checkRunOf(ctx, repo)) };
};

const listCheckRunAnnotations: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['checks']);
  const run = checkRunOf(ctx, repo);
  return paged(ctx, run.annotations, (a) => ctx.shapes.annotation(repo, a, run.headSha));
};

const listCheckRunsForRef: Handler = (ctx) => {
  const repo = repoFor(ctx, 'read', ['checks']);
  const sha = ctx.model.resolveRef(repo, ctx.params.ref);
  if (!sha) throw unprocessable([`No commit found for SHA: ${ctx.params.ref ?? ''}`], ctx.op.documentationUrl);
  const q = ctx.url.searchParams;
  let runs = ctx.model.checkRuns.filter((c) => c.repo === repo.fullName && c.headSha === sha);
  const name = q.get('check_name');
  const status = q.get('status');
  const appId = q.get('app_id');
  if (name) runs = runs.filter((r) => r.name === name);
  if (status) runs = runs.filter((r) => r.status === status);
  if (appId) runs = runs.filter((r) => String(r.appId) === appId);
  if ((q.get('filter') ?? 'latest') === 'latest') {
    const latest = new Map<string, CheckRunRecord>();
    for (const r of runs) latest.set(r.name, r);
    runs = [...latest.values()];
  }
  runs = [...runs].sort((a, b) => b.id - a.id);
  const { page, link } = paginate(runs, { selfUrl: ctx.url });
  const headers: Record<string, string> = link ? { link } : {};
  return { status: 200, body: { total_count: runs.length, check_runs: page.map((r) => ctx.shapes.checkRun(repo, r)) }, headers };
};

// ------------------------------------------------------------------------------------- table

export const HANDLERS: Record<string, Handler> = {
  'apps/create-installation-access-token': createInstallationToken,
  'apps/get-authenticated': getAuthenticatedApp,
  'apps/get-repo-installation': getRepoInstallation,
  'repos/get': getRepo,
  'repos/get-content': getContent,
  'repos/get-collaborator-permission-level': getCollaboratorPermission,
  'git/get-tree': getTree,
  'pulls/get': getPull,
  'pulls/list-files': listPullFiles,
  'pulls/create-review': createReview,
  'pulls/list-reviews': listReviews,
  'pulls/get-review': getReview,
  'pulls/submit-review': submitReview,
  'pulls/create-review-comment': createReviewComment,
  'pulls/list-review-comments': listReviewComments,
  'issues/get': getIssue,
  'issues/list-comments': listIssueComments,
  'issues/create-comment': createIssueComment,
  'issues/get-comment': getIssueComment,
  'issues/update-comment': updateIssueComment,
  'issues/add-labels': addLabels,
  'issues/set-labels': setLabels,
  'issues/remove-label': removeLabel,
  'issues/list-labels-on-issue': listLabelsOnIssue,
  'issues/list-labels-for-repo': listRepoLabels,
  'issues/create-label': createLabel,
  'reactions/create-for-issue-comment': createIssueCommentReaction,
  'reactions/list-for-issue-comment': listIssueCommentReactions,
  'checks/create': createCheckRun,
  'checks/update': updateCheckRun,
  'checks/get': getCheckRun,
  'checks/list-for-ref': listCheckRunsForRef,
  'checks/list-annotations': listCheckRunAnnotations,
};

