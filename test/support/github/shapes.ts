/**
 * JSON bodies in GitHub's shapes. Each starts from the example GitHub publishes for that schema in
 * its REST description and overrides every field that our model knows, so fields we do not model
 * still have GitHub's types. The server's self-check validates these against the schemas.
 */
import type { OpenApi } from './openapi.js';
import {
  type AnnotationRecord,
  type CheckRunRecord,
  type FileChange,
  type InstallationRecord,
  type IssueCommentRecord,
  type IssueRecord,
  type LabelRecord,
  type Model,
  type PullRecord,
  type ReactionRecord,
  type RepoRecord,
  type ReviewCommentRecord,
  type ReviewRecord,
  type TokenRecord,
} from './model.js';

export interface Urls {
  /** REST base, e.g. http://127.0.0.1:PORT or http://127.0.0.1:PORT/api/v3 */
  api: string;
  /** "Web" base for html_url fields. */
  web: string;
}

type Json = Record<string, unknown>;

export function nodeId(kind: string, id: number): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64');
}

/** Replaces the example's URLs and names with ours, throughout a JSON value. */
function retarget<T>(value: T, pairs: [string, string][]): T {
  let text = JSON.stringify(value);
  for (const [from, to] of pairs) text = text.split(from).join(to);
  return JSON.parse(text) as T;
}

export class Shapes {
  constructor(
    readonly api: OpenApi,
    readonly model: Model,
    readonly urls: Urls,
  ) {}

  user(login: string): Json {
    const u = this.model.ensureUser(login);
    const api = `${this.urls.api}/users/${encodeURIComponent(u.login)}`;
    return {
      login: u.login,
      id: u.id,
      node_id: nodeId(u.type === 'Organization' ? 'Organization' : u.type === 'Bot' ? 'Bot' : 'User', u.id),
      avatar_url: `${this.urls.web}/avatars/u/${u.id}?v=4`,
      gravatar_id: '',
      url: api,
      html_url: u.type === 'Bot' ? `${this.urls.web}/apps/${u.login.replace(/\[bot\]$/, '')}` : `${this.urls.web}/${u.login}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: u.type,
      user_view_type: 'public',
      site_admin: false,
    };
  }

  private repoPairs(repo: RepoRecord, exampleFull: string): [string, string][] {
    return [
      [`https://api.github.com/repos/${exampleFull}`, `${this.urls.api}/repos/${repo.fullName}`],
      [`https://github.com/${exampleFull}`, `${this.urls.web}/${repo.fullName}`],
      [`git:github.com/${exampleFull}`, `git://127.0.0.1/${repo.fullName}`],
      [`git@github.com:${exampleFull}`, `git@127.0.0.1:${repo.fullName}`],
      [`https://svn.github.com/${exampleFull}`, `${this.urls.web}/${repo.fullName}`],
      ['https://api.github.com', this.urls.api],
      ['https://github.com', this.urls.web],
    ];
  }

  /** `repository` (as embedded in pull requests). */
  repository(repo: RepoRecord): Json {
    const example = this.api.example<Json>('pull-request');
    const base = retarget((example.base as Json).repo as Json, this.repoPairs(repo, 'octocat/Hello-World'));
    return this.fillRepo(base, repo);
  }

  /** `full-repository` (GET /repos/{owner}/{repo}). */
  fullRepository(repo: RepoRecord): Json {
    const example = this.api.example<Json>('full-repository');
    const out = this.fillRepo(retarget(example, this.repoPairs(repo, 'octocat/Hello-World')), repo);
    delete out.organization;
    delete out.template_repository;
    if (repo.forkOf) {
      const [o, n] = repo.forkOf.split('/') as [string, string];
      const parent = this.model.repo(o, n)!;
      out.parent = this.repository(parent);
      out.source = this.repository(parent);
    } else {
      delete out.parent;
      delete out.source;
    }
    out.permissions = { admin: false, maintain: false, push: false, triage: false, pull: true };
    out.subscribers_count = 0;
    out.network_count = 0;
    out.has_discussions = false;
    return out;
  }

  private fillRepo(out: Json, repo: RepoRecord): Json {
    Object.assign(out, {
      id: repo.id,
      node_id: nodeId('Repository', repo.id),
      name: repo.name,
      full_name: repo.fullName,
      owner: this.user(repo.owner),
      private: repo.private,
      visibility: repo.private ? 'private' : 'public',
      fork: repo.forkOf !== undefined,
      description: null,
      homepage: null,
      language: null,
      mirror_url: null,
      license: null,
      default_branch: repo.defaultBranch,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      pushed_at: repo.createdAt,
      topics: [],
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers: 0,
      watchers_count: 0,
      size: 0,
      open_issues: [...repo.issues.values()].filter((i) => i.state === 'open').length,
      open_issues_count: [...repo.issues.values()].filter((i) => i.state === 'open').length,
      archived: false,
      disabled: false,
    });
    return out;
  }

  label(repo: RepoRecord, label: LabelRecord): Json {
    return {
      id: label.id,
      node_id: nodeId('Label', label.id),
      url: `${this.urls.api}/repos/${repo.fullName}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      description: label.description,
      color: label.color,
      default: label.default,
    };
  }

  pullRequest(repo: RepoRecord, issue: IssueRecord & { pull: PullRecord }): Json {
    const pr = issue.pull;
    const [headOwner, headName] = pr.headRepo.split('/') as [string, string];
    const headRepo = this.model.repo(headOwner, headName)!;
    const example = retarget(this.api.example<Json>('pull-request'), this.repoPairs(repo, 'octocat/Hello-World'));
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const html = `${this.urls.web}/${repo.fullName}`;
    const files = this.model.changedFiles(pr.base, pr.head);
    const commits = this.commitCount(pr.base, pr.head);
    const review = this.model.reviewComments.filter((c) => c.repo === repo.fullName && c.pullNumber === issue.number).length;
    const comments = this.model.issueComments.filter((c) => c.repo === repo.fullName && c.issueNumber === issue.number).length;
    Object.assign(example, {
      url: `${api}/pulls/${issue.number}`,
      id: issue.id,
      node_id: nodeId('PullRequest', issue.id),
      html_url: `${html}/pull/${issue.number}`,
      diff_url: `${html}/pull/${issue.number}.diff`,
      patch_url: `${html}/pull/${issue.number}.patch`,
      issue_url: `${api}/issues/${issue.number}`,
      commits_url: `${api}/pulls/${issue.number}/commits`,
      review_comments_url: `${api}/pulls/${issue.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${issue.number}/comments`,
      statuses_url: `${api}/statuses/${pr.head}`,
      number: issue.number,
      state: issue.state,
      locked: false,
      title: issue.title,
      user: this.user(issue.author),
      body: issue.body,
      labels: this.model.issueLabels(repo, issue).map((l) => this.label(repo, l)),
      milestone: null,
      active_lock_reason: null,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.state === 'closed' ? issue.updatedAt : null,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: {
        label: `${headRepo.owner}:${pr.headRef}`,
        ref: pr.headRef,
        sha: pr.head,
        user: this.user(headRepo.owner),
        repo: this.repository(headRepo),
      },
      base: {
        label: `${repo.owner}:${pr.baseRef}`,
        ref: pr.baseRef,
        sha: pr.base,
        user: this.user(repo.owner),
        repo: this.repository(repo),
      },
      _links: {
        self: { href: `${api}/pulls/${issue.number}` },
        html: { href: `${html}/pull/${issue.number}` },
        issue: { href: `${api}/issues/${issue.number}` },
        comments: { href: `${api}/issues/${issue.number}/comments` },
        review_comments: { href: `${api}/pulls/${issue.number}/comments` },
        review_comment: { href: `${api}/pulls/comments{/number}` },
        commits: { href: `${api}/pulls/${issue.number}/commits` },
        statuses: { href: `${api}/statuses/${pr.head}` },
      },
      author_association: this.model.authorAssociation(repo, issue.author),
      auto_merge: null,
      draft: pr.draft,
      merged: pr.merged,
      mergeable: true,
      rebaseable: true,
      mergeable_state: 'clean',
      merged_by: null,
      comments,
      review_comments: review,
      maintainer_can_modify: false,
      commits,
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
      changed_files: files.length,
    });
    return example;
  }

  private commitCount(base: string, head: string): number {
    let n = 0;
    let sha: string | undefined = head;
    while (sha && sha !== base && n < 10000) {
      n++;
      sha = this.model.commits.get(sha)?.parents[0];
    }
    return n;
  }

  issue(repo: RepoRecord, issue: IssueRecord): Json {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const example = retarget(this.api.example<Json>('issue'), this.repoPairs(repo, 'octocat/Hello-World'));
    Object.assign(example, {
      id: issue.id,
      node_id: nodeId('Issue', issue.id),
      url: `${api}/issues/${issue.number}`,
      repository_url: api,
      labels_url: `${api}/issues/${issue.number}/labels{/name}`,
      comments_url: `${api}/issues/${issue.number}/comments`,
      events_url: `${api}/issues/${issue.number}/events`,
      html_url: `${this.urls.web}/${repo.fullName}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`,
      number: issue.number,
      state: issue.state,
      title: issue.title,
      body: issue.body,
      user: this.user(issue.author),
      labels: this.model.issueLabels(repo, issue).map((l) => this.label(repo, l)),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: this.model.issueComments.filter((c) => c.repo === repo.fullName && c.issueNumber === issue.number).length,
      closed_at: issue.state === 'closed' ? issue.updatedAt : null,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_by: null,
      author_association: this.model.authorAssociation(repo, issue.author),
      state_reason: null,
      repository: this.repository(repo),
    });
    if (issue.pull) {
      example.pull_request = {
        url: `${api}/pulls/${issue.number}`,
        html_url: `${this.urls.web}/${repo.fullName}/pull/${issue.number}`,
        diff_url: `${this.urls.web}/${repo.fullName}/pull/${issue.number}.diff`,
        patch_url: `${this.urls.web}/${repo.fullName}/pull/${issue.number}.patch`,
        merged_at: null,
      };
    } else {
      delete example.pull_request;
    }
    return example;
  }

  issueComment(repo: RepoRecord, c: IssueCommentRecord): Json {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const issue = repo.issues.get(c.issueNumber);
    return {
      id: c.id,
      node_id: nodeId('IssueComment', c.id),
      url: `${api}/issues/comments/${c.id}`,
      html_url: `${this.urls.web}/${repo.fullName}/${issue?.pull ? 'pull' : 'issues'}/${c.issueNumber}#issuecomment-${c.id}`,
      body: c.body,
      user: this.user(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      issue_url: `${api}/issues/${c.issueNumber}`,
      author_association: this.model.authorAssociation(repo, c.user),
      performed_via_github_app: c.user === this.model.botLogin ? this.integration() : null,
      reactions: this.reactionRollup(`${api}/issues/comments/${c.id}/reactions`, this.model.reactions.filter((r) => r.repo === repo.fullName && r.commentId === c.id)),
    };
  }

  private reactionRollup(url: string, reactions: ReactionRecord[]): Json {
    const count = (content: string) => reactions.filter((r) => r.content === content).length;
    return {
      url,
      total_count: reactions.length,
      '+1': count('+1'),
      '-1': count('-1'),
      laugh: count('laugh'),
      confused: count('confused'),
      heart: count('heart'),
      hooray: count('hooray'),
      eyes: count('eyes'),
      rocket: count('rocket'),
    };
  }

  reaction(r: ReactionRecord): Json {
    return { id: r.id, node_id: nodeId('Reaction', r.id), user: this.user(r.user), content: r.content, created_at: r.createdAt };
  }

  review(repo: RepoRecord, r: ReviewRecord): Json {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const html = `${this.urls.web}/${repo.fullName}/pull/${r.pullNumber}#pullrequestreview-${r.id}`;
    const out: Json = {
      id: r.id,
      node_id: nodeId('PullRequestReview', r.id),
      user: this.user(r.user),
      body: r.body,
      state: r.state,
      html_url: html,
      pull_request_url: `${api}/pulls/${r.pullNumber}`,
      _links: { html: { href: html }, pull_request: { href: `${api}/pulls/${r.pullNumber}` } },
      commit_id: r.commitId,
      author_association: this.model.authorAssociation(repo, r.user),
    };
    if (r.submittedAt) out.submitted_at = r.submittedAt;
    return out;
  }

  reviewComment(repo: RepoRecord, c: ReviewCommentRecord): Json {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const html = `${this.urls.web}/${repo.fullName}/pull/${c.pullNumber}#discussion_r${c.id}`;
    const out: Json = {
      url: `${api}/pulls/comments/${c.id}`,
      pull_request_review_id: c.reviewId,
      id: c.id,
      node_id: nodeId('PullRequestReviewComment', c.id),
      diff_hunk: c.diffHunk,
      path: c.path,
      position: c.position,
      original_position: c.position,
      commit_id: c.commitId,
      original_commit_id: c.commitId,
      user: this.user(c.user),
      body: c.body,
      created_at: c.createdAt,
      updated_at: c.createdAt,
      html_url: html,
      pull_request_url: `${api}/pulls/${c.pullNumber}`,
      author_association: this.model.authorAssociation(repo, c.user),
      _links: { self: { href: `${api}/pulls/comments/${c.id}` }, html: { href: html }, pull_request: { href: `${api}/pulls/${c.pullNumber}` } },
      start_line: c.startLine,
      original_start_line: c.startLine,
      start_side: c.startLine === null ? null : c.startSide,
      line: c.line,
      original_line: c.line,
      side: c.side,
      subject_type: c.subjectType,
      reactions: this.reactionRollup(`${api}/pulls/comments/${c.id}/reactions`, []),
    };
    if (c.inReplyTo !== undefined) out.in_reply_to_id = c.inReplyTo;
    return out;
  }

  integration(): Json {
    const app = this.model.app;
    return {
      id: app.id,
      slug: app.slug,
      client_id: `Iv1.${app.id.toString(16).padStart(16, '0')}`,
      node_id: nodeId('Integration', app.id),
      owner: this.user(app.owner),
      name: app.name,
      description: null,
      external_url: `${this.urls.web}/apps/${app.slug}`,
      html_url: `${this.urls.web}/apps/${app.slug}`,
      created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-01-01T00:00:00Z',
      permissions: { checks: 'write', contents: 'read', issues: 'write', metadata: 'read', pull_requests: 'write' },
      events: ['check_run', 'issue_comment', 'pull_request'],
    };
  }

  checkRun(repo: RepoRecord, c: CheckRunRecord): Json {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const pulls = [...repo.issues.values()].filter(
      (i): i is IssueRecord & { pull: PullRecord } => i.pull !== undefined && i.pull.head === c.headSha && i.pull.headRepo === repo.fullName && i.state === 'open',
    );
    return {
      id: c.id,
      head_sha: c.headSha,
      node_id: nodeId('CheckRun', c.id),
      external_id: c.externalId,
      url: `${api}/check-runs/${c.id}`,
      html_url: `${this.urls.web}/${repo.fullName}/runs/${c.id}`,
      details_url: c.detailsUrl ?? `${this.urls.web}/apps/${this.model.app.slug}`,
      status: c.status,
      conclusion: c.conclusion,
      started_at: c.startedAt,
      completed_at: c.completedAt,
      output: {
        title: c.output.title,
        summary: c.output.summary,
        text: c.output.text,
        annotations_count: c.annotations.length,
        annotations_url: `${api}/check-runs/${c.id}/annotations`,
      },
      name: c.name,
      check_suite: { id: c.id + 1 },
      app: this.integration(),
      pull_requests: pulls.map((p) => ({
        url: `${api}/pulls/${p.number}`,
        id: p.id,
        number: p.number,
        head: { ref: p.pull.headRef, sha: p.pull.head, repo: { id: repo.id, url: api, name: repo.name } },
        base: { ref: p.pull.baseRef, sha: p.pull.base, repo: { id: repo.id, url: api, name: repo.name } },
      })),
    };
  }

  annotation(repo: RepoRecord, a: AnnotationRecord, headSha: string): Json {
    return {
      path: a.path,
      start_line: a.start_line,
      end_line: a.end_line,
      start_column: a.start_column ?? null,
      end_column: a.end_column ?? null,
      annotation_level: a.annotation_level,
      title: a.title ?? null,
      message: a.message,
      raw_details: a.raw_details ?? null,
      blob_href: `${this.urls.web}/${repo.fullName}/blob/${headSha}/${a.path}`,
    };
  }

  diffEntry(repo: RepoRecord, headSha: string, f: FileChange): Json {
    const out: Json = {
      sha: f.sha,
      filename: f.filename,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      changes: f.changes,
      blob_url: `${this.urls.web}/${repo.fullName}/blob/${headSha}/${encodePath(f.filename)}`,
      raw_url: `${this.urls.web}/${repo.fullName}/raw/${headSha}/${encodePath(f.filename)}`,
      contents_url: `${this.urls.api}/repos/${repo.fullName}/contents/${encodePath(f.filename)}?ref=${headSha}`,
    };
    if (f.patch !== undefined) out.patch = f.patch;
    if (f.previousFilename !== undefined) out.previous_filename = f.previousFilename;
    return out;
  }

  contentEntry(repo: RepoRecord, ref: string, e: { name: string; path: string; type: 'file' | 'dir'; sha: string; size: number }): Json {
    const self = `${this.urls.api}/repos/${repo.fullName}/contents/${encodePath(e.path)}?ref=${encodeURIComponent(ref)}`;
    const git = `${this.urls.api}/repos/${repo.fullName}/git/${e.type === 'dir' ? 'trees' : 'blobs'}/${e.sha}`;
    const html = `${this.urls.web}/${repo.fullName}/${e.type === 'dir' ? 'tree' : 'blob'}/${ref}/${encodePath(e.path)}`;
    return {
      type: e.type,
      size: e.size,
      name: e.name,
      path: e.path,
      sha: e.sha,
      url: self,
      git_url: git,
      html_url: html,
      download_url: e.type === 'file' ? `${this.urls.web}/${repo.fullName}/raw/${ref}/${encodePath(e.path)}` : null,
      _links: { self, git, html },
    };
  }

  contentFile(repo: RepoRecord, ref: string, path: string, blobSha: string, content: Buffer, inline: boolean): Json {
    const name = path.split('/').pop()!;
    const entry = this.contentEntry(repo, ref, { name, path, type: 'file', sha: blobSha, size: content.length });
    const base64 = content.toString('base64');
    return {
      ...entry,
      encoding: inline ? 'base64' : 'none',
      // GitHub wraps base64 content at 60 columns with "\n".
      content: inline ? (base64.match(/.{1,60}/g) ?? []).join('\n') + (base64.length ? '\n' : '') : '',
    };
  }

  collaboratorPermission(repo: RepoRecord, login: string): Json {
    const permission = this.model.permission(repo, login);
    const flags = {
      admin: permission === 'admin',
      maintain: permission === 'admin',
      push: permission === 'admin' || permission === 'write',
      triage: permission !== 'none' && permission !== 'read' ? true : false,
      pull: permission !== 'none',
    };
    return {
      permission,
      role_name: permission,
      user: { ...this.user(login), permissions: flags, role_name: permission },
    };
  }

  installation(inst: InstallationRecord): Json {
    const example = retarget(this.api.example<Json>('installation'), [['https://api.github.com', this.urls.api], ['https://github.com', this.urls.web]]);
    Object.assign(example, {
      id: inst.id,
      account: this.user(inst.account),
      repository_selection: inst.repositorySelection,
      access_tokens_url: `${this.urls.api}/app/installations/${inst.id}/access_tokens`,
      repositories_url: `${this.urls.api}/installation/repositories`,
      html_url: `${this.urls.web}/settings/installations/${inst.id}`,
      app_id: this.model.app.id,
      client_id: `Iv1.${this.model.app.id.toString(16).padStart(16, '0')}`,
      target_id: this.model.user(inst.account)!.id,
      target_type: this.model.user(inst.account)!.type === 'Organization' ? 'Organization' : 'User',
      permissions: inst.permissions,
      events: inst.events,
      app_slug: this.model.app.slug,
      suspended_by: null,
      suspended_at: null,
    });
    return example;
  }

  installationToken(t: TokenRecord, inst: InstallationRecord): Json {
    const out: Json = {
      token: t.token,
      expires_at: t.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions: t.permissions,
      repository_selection: t.repositories ? 'selected' : inst.repositorySelection,
    };
    if (t.repositories) {
      out.repositories = [...t.repositories].map((full) => {
        const [o, n] = full.split('/') as [string, string];
        return this.repository(this.model.repo(o, n)!);
      });
    }
    return out;
  }
}

export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
