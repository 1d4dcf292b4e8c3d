/**
 * The fake GitHub's in-memory world: users, repositories with commits and file trees, pull
 * requests, installations and tokens, and everything the app posts (comments, reviews, check
 * runs, reactions, labels). Plain data plus the few rules that are about the data itself (which
 * commits a repository can see, what a pull request changed); HTTP lives in rest.ts.
 */
import { createHash } from 'node:crypto';
import { computePatch, type FilePatch, type Side } from './patch.js';

export type Permission = 'admin' | 'write' | 'read' | 'none';
export type UserType = 'User' | 'Bot' | 'Organization';
export type FileContent = string | Uint8Array;

export interface UserRecord {
  login: string;
  id: number;
  type: UserType;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface CommitRecord {
  sha: string;
  parents: string[];
  /** path → blob sha */
  files: Map<string, string>;
  message: string;
  date: string;
  treeSha: string;
}

export interface BlobRecord {
  sha: string;
  content: Buffer;
}

export interface PullRecord {
  base: string;
  head: string;
  baseRef: string;
  headRef: string;
  /** `owner/name` of the repository the head branch lives in. */
  headRepo: string;
  draft: boolean;
  merged: boolean;
  /** Every head this pull request has had, oldest first. */
  heads: string[];
}

export interface IssueRecord {
  number: number;
  id: number;
  title: string;
  body: string | null;
  author: string;
  state: 'open' | 'closed';
  /** Lower-cased label names. */
  labels: string[];
  createdAt: string;
  updatedAt: string;
  pull?: PullRecord;
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  private: boolean;
  forkOf?: string;
  /** branch name → sha */
  branches: Map<string, string>;
  /** Commits reachable in this repository (its own, its fork parent's at fork time, PR heads). */
  shas: Set<string>;
  installationId?: number;
  collaborators: Map<string, Permission>;
  /** lower-cased name → label */
  labels: Map<string, LabelRecord>;
  issues: Map<number, IssueRecord>;
  nextNumber: number;
  createdAt: string;
}

export interface IssueCommentRecord {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
  /** Earlier bodies, oldest first. */
  history: string[];
}

export interface ReviewCommentRecord {
  id: number;
  reviewId: number;
  repo: string;
  pullNumber: number;
  path: string;
  body: string;
  user: string;
  commitId: string;
  line: number | null;
  side: Side | null;
  startLine: number | null;
  startSide: Side | null;
  position: number | null;
  subjectType: 'line' | 'file';
  diffHunk: string;
  inReplyTo?: number;
  createdAt: string;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'PENDING' | 'DISMISSED';

export interface ReviewRecord {
  id: number;
  repo: string;
  pullNumber: number;
  user: string;
  body: string;
  state: ReviewState;
  commitId: string;
  submittedAt?: string;
  comments: ReviewCommentRecord[];
}

export interface AnnotationRecord {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckRunRecord {
  id: number;
  repo: string;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: AnnotationRecord[];
  actions: unknown[];
  appId: number;
  /** Bodies of every create/update request, in order. */
  updates: unknown[];
}

export interface ReactionRecord {
  id: number;
  repo: string;
  commentId: number;
  user: string;
  content: string;
  createdAt: string;
}

export interface InstallationRecord {
  id: number;
  account: string;
  permissions: Record<string, 'read' | 'write'>;
  repositorySelection: 'all' | 'selected';
  /** For `selected`: full names. */
  repositories: Set<string>;
  events: string[];
}

export interface TokenRecord {
  token: string;
  installationId?: number;
  /** Static tokens (options): the login they act as; installation tokens act as the app's bot. */
  login?: string;
  expiresAt: Date;
  permissions: Record<string, 'read' | 'write'>;
  repositories?: Set<string>;
}

/** One file of a pull request, as `pulls/list-files` reports it. */
export interface FileChange {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed';
  previousFilename?: string;
  sha: string;
  additions: number;
  deletions: number;
  changes: number;
  binary: boolean;
  /** Absent for binary files, pure renames and diffs over the size limit (as on GitHub). */
  patch?: string;
}

export interface ModelLimits {
  /** `patch` is omitted when a file's additions + deletions exceed this (GitHub: undocumented). */
  patchMaxChangedLines: number;
  /** `pulls/list-files` never lists more than this. */
  maxFiles: number;
}

export const DEFAULT_PERMISSIONS: Record<string, 'read' | 'write'> = {
  checks: 'write',
  contents: 'read',
  issues: 'write',
  metadata: 'read',
  pull_requests: 'write',
};

export function gitBlobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** git's heuristic, roughly: a NUL in the first 8000 bytes, or bytes that are not UTF-8. */
export function isBinary(content: Buffer): boolean {
  if (content.subarray(0, 8000).includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content);
    return false;
  } catch {
    return true;
  }
}

export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What opening a pull request takes (the model's and the server's openPullRequest). */
export interface OpenPullRequestOptions {
  owner: string;
  repo: string;
  number?: number;
  base: string;
  head: string;
  baseRef?: string;
  headRef?: string;
  author: string;
  headRepo?: { owner: string; repo: string };
  title?: string;
  body?: string | null;
  draft?: boolean;
}

export class Model {
  readonly users = new Map<string, UserRecord>();
  readonly repos = new Map<string, RepoRecord>();
  readonly commits = new Map<string, CommitRecord>();
  readonly blobs = new Map<string, BlobRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly issueComments: IssueCommentRecord[] = [];
  readonly reviews: ReviewRecord[] = [];
  readonly reviewComments: ReviewCommentRecord[] = [];
  readonly checkRuns: CheckRunRecord[] = [];
  readonly reactions: ReactionRecord[] = [];
  readonly limits: ModelLimits;
  readonly app: { id: number; slug: string; name: string; owner: string };
  private nextId = 1000;
  private commitCounter = 0;
  private readonly clock: () => Date;

  constructor(opts: { app: { id: number; slug: string; name?: string; owner?: string }; limits?: Partial<ModelLimits>; now?: () => Date }) {
    this.clock = opts.now ?? (() => new Date());
    this.limits = { patchMaxChangedLines: 2000, maxFiles: 3000, ...opts.limits };
    this.app = { name: opts.app.slug, owner: 'app-owner', ...opts.app };
    this.ensureUser(this.app.owner, 'Organization');
    this.ensureUser(this.botLogin, 'Bot');
  }

  get botLogin(): string {
    return `${this.app.slug}[bot]`;
  }

  id(): number {
    return this.nextId++;
  }

  now(): string {
    return iso(this.clock());
  }

  nowDate(): Date {
    return this.clock();
  }

  // ---------------------------------------------------------------- users and repositories

  ensureUser(login: string, type?: UserType): UserRecord {
    const key = login.toLowerCase();
    let user = this.users.get(key);
    if (!user) {
      user = { login, id: this.id(), type: type ?? (login.endsWith('[bot]') ? 'Bot' : 'User') };
      this.users.set(key, user);
    } else if (type) {
      user.type = type;
    }
    return user;
  }

  user(login: string): UserRecord | undefined {
    return this.users.get(login.toLowerCase());
  }

  addInstallation(opts: {
    id: number;
    account: string;
    permissions?: Record<string, 'read' | 'write'>;
    repositories?: string[];
    events?: string[];
  }): InstallationRecord {
    this.ensureUser(opts.account);
    const record: InstallationRecord = {
      id: opts.id,
      account: opts.account,
      permissions: opts.permissions ?? { ...DEFAULT_PERMISSIONS },
      repositorySelection: opts.repositories ? 'selected' : 'all',
      repositories: new Set(opts.repositories ?? []),
      events: opts.events ?? ['check_run', 'issue_comment', 'pull_request'],
    };
    this.installations.set(record.id, record);
    return record;
  }

  addRepo(opts: {
    owner: string;
    repo: string;
    defaultBranch?: string;
    private?: boolean;
    installationId?: number | null;
    forkOf?: { owner: string; repo: string };
    files?: Record<string, FileContent>;
  }): RepoRecord {
    const fullName = `${opts.owner}/${opts.repo}`;
    if (this.repos.has(fullName.toLowerCase())) throw new Error(`repository ${fullName} exists`);
    this.ensureUser(opts.owner);
    const repo: RepoRecord = {
      id: this.id(),
      owner: opts.owner,
      name: opts.repo,
      fullName,
      defaultBranch: opts.defaultBranch ?? 'main',
      private: opts.private ?? false,
      branches: new Map(),
      shas: new Set(),
      collaborators: new Map([[opts.owner.toLowerCase(), 'admin']]),
      labels: new Map(),
      issues: new Map(),
      nextNumber: 1,
      createdAt: this.now(),
    };
    if (opts.forkOf) {
      const parent = this.repoOrThrow(opts.forkOf.owner, opts.forkOf.repo);
      repo.forkOf = parent.fullName;
      repo.private = parent.private;
      for (const sha of parent.shas) repo.shas.add(sha);
      for (const [b, sha] of parent.branches) repo.branches.set(b, sha);
      repo.defaultBranch = opts.defaultBranch ?? parent.defaultBranch;
    }
    if (opts.installationId !== null) {
      const installationId = opts.installationId ?? (opts.forkOf ? undefined : this.defaultInstallationFor(opts.owner));
      if (installationId !== undefined) {
        repo.installationId = installationId;
        const installation = this.installations.get(installationId) ?? this.addInstallation({ id: installationId, account: opts.owner });
        if (installation.repositorySelection === 'selected') installation.repositories.add(fullName);
      }
    }
    this.repos.set(fullName.toLowerCase(), repo);
    if (opts.files) this.commit(opts.owner, opts.repo, { files: opts.files, message: 'Initial commit', branch: repo.defaultBranch });
    return repo;
  }

  private defaultInstallationFor(account: string): number {
    for (const inst of this.installations.values()) if (inst.account.toLowerCase() === account.toLowerCase()) return inst.id;
    return this.addInstallation({ id: this.id(), account }).id;
  }

  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repoById(id: number): RepoRecord | undefined {
    for (const r of this.repos.values()) if (r.id === id) return r;
    return undefined;
  }

  repoOrThrow(owner: string, name: string): RepoRecord {
    const repo = this.repo(owner, name);
    if (!repo) throw new Error(`no repository ${owner}/${name}; call addRepo first`);
    return repo;
  }

  setPermission(owner: string, name: string, login: string, permission: Permission): void {
    this.ensureUser(login);
    this.repoOrThrow(owner, name).collaborators.set(login.toLowerCase(), permission);
  }

  /** The effective permission of a user: explicit, else read on public repositories. */
  permission(repo: RepoRecord, login: string): Permission {
    const explicit = repo.collaborators.get(login.toLowerCase());
    if (explicit) return explicit;
    return repo.private ? 'none' : 'read';
  }

  authorAssociation(repo: RepoRecord, login: string): string {
    if (login.toLowerCase() === repo.owner.toLowerCase()) return 'OWNER';
    const explicit = repo.collaborators.get(login.toLowerCase());
    if (explicit && explicit !== 'none') return 'COLLABORATOR';
    return 'NONE';
  }

  // ---------------------------------------------------------------- git objects

  /** Records a commit; `files` maps paths to contents, `null` deletes. Returns its sha. */
  commit(
    owner: string,
    name: string,
    opts: { parent?: string; files: Record<string, FileContent | null>; message?: string; branch?: string },
  ): string {
    const repo = this.repoOrThrow(owner, name);
    const parentSha = opts.parent ?? (opts.branch ? repo.branches.get(opts.branch) : undefined);
    const files = new Map<string, string>();
    if (parentSha) {
      if (!repo.shas.has(parentSha)) throw new Error(`commit ${parentSha} is not in ${repo.fullName}`);
      for (const [p, s] of this.commits.get(parentSha)!.files) files.set(p, s);
    }
    for (const [path, content] of Object.entries(opts.files)) {
      const clean = path.replace(/^\/+/, '');
      if (content === null) {
        files.delete(clean);
        continue;
      }
      const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
      const sha = gitBlobSha(buffer);
      this.blobs.set(sha, { sha, content: buffer });
      files.set(clean, sha);
    }
    const sorted = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const treeSha = createHash('sha1').update(JSON.stringify(sorted)).digest('hex');
    const message = opts.message ?? 'commit';
    const sha = createHash('sha1')
      .update(`tree ${treeSha}\nparent ${parentSha ?? ''}\n${this.commitCounter++}\n\n${message}`)
      .digest('hex');
    this.commits.set(sha, { sha, parents: parentSha ? [parentSha] : [], files: new Map(sorted), message, date: this.now(), treeSha });
    repo.shas.add(sha);
    const branch = opts.branch ?? (repo.branches.has(repo.defaultBranch) ? undefined : repo.defaultBranch);
    if (branch) repo.branches.set(branch, sha);
    return sha;
  }

  /** Resolves a ref as GitHub does for `?ref=`: a full or abbreviated sha, a branch, `refs/heads/x`, `refs/pull/N/head`. */
  resolveRef(repo: RepoRecord, ref: string | undefined): string | undefined {
    if (ref === undefined || ref === '') return repo.branches.get(repo.defaultBranch);
    const heads = ref.replace(/^refs\/heads\//, '').replace(/^heads\//, '');
    if (repo.branches.has(heads)) return repo.branches.get(heads);
    const pull = /^(?:refs\/)?pull\/(\d+)\/(head|merge)$/.exec(ref);
    if (pull) return repo.issues.get(Number(pull[1]))?.pull?.head;
    if (/^[0-9a-f]{40}$/i.test(ref)) return repo.shas.has(ref.toLowerCase()) ? ref.toLowerCase() : undefined;
    if (/^[0-9a-f]{7,39}$/i.test(ref)) {
      const matches = [...repo.shas].filter((s) => s.startsWith(ref.toLowerCase()));
      return matches.length === 1 ? matches[0] : undefined;
    }
    return undefined;
  }

  fileAt(sha: string, path: string): BlobRecord | undefined {
    const blobSha = this.commits.get(sha)?.files.get(path);
    return blobSha ? this.blobs.get(blobSha) : undefined;
  }

  /** Entries directly below `dir` ('' for the root) at a commit. */
  directoryAt(sha: string, dir: string): { name: string; path: string; type: 'file' | 'dir'; sha: string; size: number }[] | undefined {
    const commit = this.commits.get(sha);
    if (!commit) return undefined;
    const prefix = dir === '' ? '' : `${dir.replace(/\/+$/, '')}/`;
    const seen = new Map<string, { name: string; path: string; type: 'file' | 'dir'; sha: string; size: number }>();
    for (const [path, blobSha] of commit.files) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const [name, ...more] = rest.split('/');
      if (!name || seen.has(name)) continue;
      if (more.length === 0) {
        seen.set(name, { name, path, type: 'file', sha: blobSha, size: this.blobs.get(blobSha)!.content.length });
      } else {
        const subtree = createHash('sha1').update(`${sha}:${prefix}${name}`).digest('hex');
        seen.set(name, { name, path: `${prefix}${name}`, type: 'dir', sha: subtree, size: 0 });
      }
    }
    if (seen.size === 0 && dir !== '') return undefined;
    return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  isAncestor(ancestor: string, sha: string): boolean {
    const stack = [sha];
    const seen = new Set<string>();
    while (stack.length) {
      const s = stack.pop()!;
      if (s === ancestor) return true;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...(this.commits.get(s)?.parents ?? []));
    }
    return false;
  }

  // ---------------------------------------------------------------- issues and pull requests

  addIssue(opts: { owner: string; repo: string; number?: number; author: string; title?: string; body?: string | null }): IssueRecord {
    const repo = this.repoOrThrow(opts.owner, opts.repo);
    const number = opts.number ?? repo.nextNumber;
    if (repo.issues.has(number)) throw new Error(`#${number} exists in ${repo.fullName}`);
    repo.nextNumber = Math.max(repo.nextNumber, number + 1);
    this.ensureUser(opts.author);
    const now = this.now();
    const issue: IssueRecord = {
      number,
      id: this.id(),
      title: opts.title ?? `Issue ${number}`,
      body: opts.body ?? null,
      author: opts.author,
      state: 'open',
      labels: [],
      createdAt: now,
      updatedAt: now,
    };
    repo.issues.set(number, issue);
    return issue;
  }

  openPullRequest(opts: OpenPullRequestOptions): IssueRecord {
    const repo = this.repoOrThrow(opts.owner, opts.repo);
    const headRepo = opts.headRepo ? this.repoOrThrow(opts.headRepo.owner, opts.headRepo.repo) : repo;
    if (!repo.shas.has(opts.base)) throw new Error(`base ${opts.base} is not a commit of ${repo.fullName}`);
    if (!headRepo.shas.has(opts.head)) throw new Error(`head ${opts.head} is not a commit of ${headRepo.fullName}`);
    const issue = this.addIssue({ owner: opts.owner, repo: opts.repo, number: opts.number, author: opts.author, title: opts.title ?? 'Pull request', body: opts.body });
    issue.pull = {
      base: opts.base,
      head: opts.head,
      baseRef: opts.baseRef ?? repo.defaultBranch,
      headRef: opts.headRef ?? `pr-${issue.number}`,
      headRepo: headRepo.fullName,
      draft: opts.draft ?? false,
      merged: false,
      heads: [opts.head],
    };
    // GitHub keeps refs/pull/N/head in the base repository, so the head is reachable there too.
    repo.shas.add(opts.head);
    if (!opts.headRepo) headRepo.branches.set(issue.pull.headRef, opts.head);
    return issue;
  }

  /** A push to the pull request's branch: a new head (and optionally a new base). */
  pushToPullRequest(owner: string, name: string, number: number, head: string, base?: string): void {
    const repo = this.repoOrThrow(owner, name);
    const pull = repo.issues.get(number)?.pull;
    if (!pull) throw new Error(`no pull request #${number} in ${repo.fullName}`);
    const [headOwner, headName] = pull.headRepo.split('/') as [string, string];
    if (!this.repoOrThrow(headOwner, headName).shas.has(head)) throw new Error(`head ${head} is not a commit of ${pull.headRepo}`);
    pull.head = head;
    pull.heads.push(head);
    if (base) pull.base = base;
    repo.shas.add(head);
    if (pull.headRepo === repo.fullName) repo.branches.set(pull.headRef, head);
    repo.issues.get(number)!.updatedAt = this.now();
  }

  /** Closes a pull request; with deleteHeadBranch its head branch goes too (the commits stay, as on GitHub). */
  closePullRequest(owner: string, name: string, number: number, opts: { deleteHeadBranch?: boolean } = {}): void {
    const repo = this.repoOrThrow(owner, name);
    const issue = repo.issues.get(number);
    if (!issue?.pull) throw new Error(`no pull request #${number} in ${repo.fullName}`);
    issue.state = 'closed';
    issue.updatedAt = this.now();
    if (opts.deleteHeadBranch) {
      const [headOwner, headName] = issue.pull.headRepo.split('/') as [string, string];
      this.repoOrThrow(headOwner, headName).branches.delete(issue.pull.headRef);
    }
  }

  pull(repo: RepoRecord, number: number): (IssueRecord & { pull: PullRecord }) | undefined {
    const issue = repo.issues.get(number);
    return issue?.pull ? (issue as IssueRecord & { pull: PullRecord }) : undefined;
  }

  /** What a pull request (or any two commits) changed, as GitHub lists it. */
  changedFiles(baseSha: string, headSha: string): FileChange[] {
    const base = this.commits.get(baseSha)?.files ?? new Map<string, string>();
    const head = this.commits.get(headSha)?.files ?? new Map<string, string>();
    const added: string[] = [];
    const removed: string[] = [];
    const changes = new Map<string, FileChange>();
    for (const path of new Set([...base.keys(), ...head.keys()])) {
      const before = base.get(path);
      const after = head.get(path);
      if (before === after) continue;
      if (!before) added.push(path);
      else if (!after) removed.push(path);
      else changes.set(path, this.fileChange(path, 'modified', before, after));
    }
    // Exact renames: a removed and an added path with the same blob.
    for (const path of removed) {
      const blob = base.get(path)!;
      const target = added.find((a) => head.get(a) === blob && !changes.has(a));
      if (target) {
        changes.set(target, {
          filename: target,
          status: 'renamed',
          previousFilename: path,
          sha: blob,
          additions: 0,
          deletions: 0,
          changes: 0,
          binary: isBinary(this.blobs.get(blob)!.content),
        });
      } else {
        changes.set(path, this.fileChange(path, 'removed', blob, undefined));
      }
    }
    for (const path of added) if (!changes.has(path)) changes.set(path, this.fileChange(path, 'added', undefined, head.get(path)!));
    return [...changes.values()].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
  }

  private fileChange(path: string, status: FileChange['status'], before: string | undefined, after: string | undefined): FileChange {
    const oldBlob = before ? this.blobs.get(before)!.content : Buffer.alloc(0);
    const newBlob = after ? this.blobs.get(after)!.content : Buffer.alloc(0);
    const binary = isBinary(oldBlob) || isBinary(newBlob);
    const change: FileChange = { filename: path, status, sha: (after ?? before)!, additions: 0, deletions: 0, changes: 0, binary };
    if (binary) return change;
    const patch: FilePatch = computePatch(oldBlob.toString('utf8'), newBlob.toString('utf8'));
    change.additions = patch.additions;
    change.deletions = patch.deletions;
    change.changes = patch.additions + patch.deletions;
    if (change.changes <= this.limits.patchMaxChangedLines) change.patch = patch.patch;
    return change;
  }

  // ---------------------------------------------------------------- labels

  ensureLabel(repo: RepoRecord, name: string, color = 'ededed', description: string | null = null): LabelRecord {
    const key = name.toLowerCase();
    let label = repo.labels.get(key);
    if (!label) {
      label = { id: this.id(), name, color, description, default: false };
      repo.labels.set(key, label);
    }
    return label;
  }

  issueLabels(repo: RepoRecord, issue: IssueRecord): LabelRecord[] {
    return issue.labels.map((key) => repo.labels.get(key)).filter((l): l is LabelRecord => l !== undefined);
  }
}
