/**
 * Webhook deliveries as GitHub sends them. Payloads start from the community examples in
 * `@octokit/webhooks-examples`, take every field the fake server's model knows from the model,
 * and are validated against GitHub's webhook description (`@octokit/openapi-webhooks`); an
 * invalid payload throws, so a test never feeds the app something GitHub would not send.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { IssueRecord, PullRecord, RepoRecord } from './model.js';
import { addFormats, openApi, packageFile, SchemaSet, type Schema } from './openapi.js';
import type { GitHubServer } from './server.js';
import { nodeId, Shapes, type Urls } from './shapes.js';

type Json = Record<string, unknown>;

export interface Delivery {
  headers: Record<string, string>;
  body: string;
  id: string;
}

/** Headers and body of a delivery, signed like GitHub (`x-hub-signature-256`: HMAC-SHA256 of the raw body). */
export function signedDelivery(secret: string, event: string, payload: unknown, opts: { id?: string; hookId?: number } = {}): Delivery {
  const body = JSON.stringify(payload);
  const id = opts.id ?? randomUUID();
  const installation = (payload as { installation?: { id?: number } }).installation;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/fake',
    'x-github-event': event,
    'x-github-delivery': id,
    'x-github-hook-id': String(opts.hookId ?? 1),
    'x-github-hook-installation-target-type': 'integration',
    'x-github-hook-installation-target-id': String(installation?.id ?? 1),
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  };
  return { headers, body, id };
}

// ------------------------------------------------------------------------------------- schemas and examples

interface WebhookDocument {
  components: { schemas: Record<string, Schema> };
}

interface ExampleDefinition {
  name: string;
  examples: Json[];
}

let webhookSchemas: SchemaSet | undefined;
let examples: ExampleDefinition[] | undefined;

function schemas(): SchemaSet {
  if (!webhookSchemas) {
    const doc = JSON.parse(readFileSync(packageFile('@octokit/openapi-webhooks', 'generated/api.github.com.json'), 'utf8')) as WebhookDocument;
    const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
    addFormats(ajv);
    webhookSchemas = new SchemaSet(ajv as never, doc.components.schemas);
  }
  return webhookSchemas;
}

function exampleDefinitions(): ExampleDefinition[] {
  examples ??= JSON.parse(readFileSync(packageFile('@octokit/webhooks-examples', 'api.github.com/index.json'), 'utf8')) as ExampleDefinition[];
  return examples;
}

function schemaName(event: string, action: string | undefined): string {
  return `webhook-${event.replace(/_/g, '-')}${action ? `-${action.replace(/_/g, '-')}` : ''}`;
}

/** Problems GitHub's webhook description finds in a payload (empty when valid). */
export function webhookProblems(event: string, payload: Json): string[] {
  const name = schemaName(event, payload.action as string | undefined);
  const validate = schemas().validator(name, { $ref: `#/components/schemas/${name}` });
  if (validate(payload)) return [];
  return (validate.errors ?? []).slice(0, 15).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** Throws unless the payload is valid for `event`. */
export function assertValidWebhook(event: string, payload: Json): void {
  const problems = webhookProblems(event, payload);
  if (problems.length) throw new Error(`${event}.${String(payload.action)} payload does not match GitHub's webhook schema:\n  ${problems.join('\n  ')}`);
}

/** A valid example for event.action; else a valid one of the event, re-actioned; else the first. */
function example(event: string, action: string): Json {
  const def = exampleDefinitions().find((d) => d.name === event);
  if (!def) throw new Error(`no webhook examples for ${event}`);
  const sameAction = def.examples.filter((e) => e.action === action);
  const valid = sameAction.find((e) => webhookProblems(event, e).length === 0);
  if (valid) return structuredClone(valid);
  const other = def.examples.find((e) => {
    const copy = { ...e, action };
    return schemas().validator(schemaName(event, action), { $ref: `#/components/schemas/${schemaName(event, action)}` })(copy);
  });
  return structuredClone(other ?? sameAction[0] ?? def.examples[0]!);
}

// ------------------------------------------------------------------------------------- shared parts

function shapesFor(server: GitHubServer, urls?: Urls): Shapes {
  return new Shapes(openApi(), server.model, urls ?? { api: server.url, web: server.url });
}

function retarget<T>(value: T, pairs: [string, string][]): T {
  let text = JSON.stringify(value);
  for (const [from, to] of pairs) text = text.split(from).join(to);
  return JSON.parse(text) as T;
}

/** A webhook `repository`: the example's, with our identity and URLs. */
function webhookRepository(shapes: Shapes, template: Json, repo: RepoRecord): Json {
  const exampleFull = String(template.full_name);
  const out = retarget(template, [
    [`https://api.github.com/repos/${exampleFull}`, `${shapes.urls.api}/repos/${repo.fullName}`],
    [`https://github.com/${exampleFull}`, `${shapes.urls.web}/${repo.fullName}`],
    [`git://github.com/${exampleFull}`, `git://127.0.0.1/${repo.fullName}`],
    [`git@github.com:${exampleFull}`, `git@127.0.0.1:${repo.fullName}`],
    ['https://api.github.com', shapes.urls.api],
    ['https://github.com', shapes.urls.web],
  ]);
  const rest = shapes.repository(repo);
  for (const key of ['id', 'node_id', 'name', 'full_name', 'private', 'fork', 'default_branch', 'description', 'homepage', 'language', 'license', 'mirror_url', 'visibility', 'topics', 'archived', 'disabled']) {
    if (key in rest) out[key] = rest[key];
  }
  out.owner = shapes.user(repo.owner);
  const created = Math.floor(Date.parse(repo.createdAt) / 1000);
  out.created_at = typeof template.created_at === 'number' ? created : repo.createdAt;
  out.pushed_at = typeof template.pushed_at === 'number' ? created : repo.createdAt;
  out.updated_at = repo.createdAt;
  // Fields newer than the community examples.
  out.has_discussions ??= false;
  return out;
}

function installationOf(repo: RepoRecord): Json | undefined {
  return repo.installationId === undefined ? undefined : { id: repo.installationId, node_id: nodeId('Installation', repo.installationId) };
}

function organizationOf(shapes: Shapes, repo: RepoRecord): Json | undefined {
  const owner = shapes.model.user(repo.owner);
  if (owner?.type !== 'Organization') return undefined;
  const api = `${shapes.urls.api}/orgs/${owner.login}`;
  return {
    login: owner.login,
    id: owner.id,
    node_id: nodeId('Organization', owner.id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `${shapes.urls.web}/avatars/u/${owner.id}?v=4`,
    description: null,
  };
}

/** repository / installation / organization / sender, common to every repository event. */
function envelope(shapes: Shapes, payload: Json, repo: RepoRecord, sender: string): void {
  payload.repository = webhookRepository(shapes, payload.repository as Json, repo);
  const installation = installationOf(repo);
  if (installation) payload.installation = installation;
  else delete payload.installation;
  const org = organizationOf(shapes, repo);
  if (org) payload.organization = org;
  else delete payload.organization;
  delete payload.enterprise;
  payload.sender = shapes.user(sender);
}

function repoOf(server: GitHubServer, owner: string, repo: string): RepoRecord {
  return server.model.repoOrThrow(owner, repo);
}

// ------------------------------------------------------------------------------------- pull_request

export interface PullRequestPayloadOptions {
  action: 'opened' | 'synchronize' | 'reopened' | 'ready_for_review' | 'converted_to_draft';
  owner: string;
  repo: string;
  number: number;
  /** Who triggered it (default: the author). */
  sender?: string;
  /** For synchronize: the previous head (default: the head before the current one). */
  before?: string;
  urls?: Urls;
}

function webhookPull(shapes: Shapes, template: Json, repo: RepoRecord, issue: IssueRecord & { pull: PullRecord }): Json {
  const rest = shapes.pullRequest(repo, issue);
  const out: Json = { ...template };
  for (const [key, value] of Object.entries(rest)) {
    if (key === 'head' || key === 'base') continue;
    out[key] = value;
  }
  const [ho, hn] = issue.pull.headRepo.split('/') as [string, string];
  const headRepo = shapes.model.repo(ho, hn)!;
  const side = (name: 'head' | 'base', r: RepoRecord) => {
    const t = template[name] as Json;
    const restSide = rest[name] as Json;
    return { ...t, label: restSide.label, ref: restSide.ref, sha: restSide.sha, user: restSide.user, repo: webhookRepository(shapes, t.repo as Json, r) };
  };
  out.head = side('head', headRepo);
  out.base = side('base', repo);
  return out;
}

/** A `pull_request` payload for a pull request of the model. */
export function pullRequestPayload(server: GitHubServer, opts: PullRequestPayloadOptions): Json {
  const shapes = shapesFor(server, opts.urls);
  const repo = repoOf(server, opts.owner, opts.repo);
  const issue = server.model.pull(repo, opts.number);
  if (!issue) throw new Error(`no pull request #${opts.number} in ${repo.fullName}`);
  const payload = example('pull_request', opts.action);
  payload.action = opts.action;
  payload.number = issue.number;
  payload.pull_request = webhookPull(shapes, payload.pull_request as Json, repo, issue);
  if (opts.action === 'synchronize') {
    const heads = issue.pull.heads;
    payload.before = opts.before ?? heads[heads.length - 2] ?? issue.pull.base;
    payload.after = issue.pull.head;
  } else {
    delete payload.before;
    delete payload.after;
  }
  envelope(shapes, payload, repo, opts.sender ?? issue.author);
  assertValidWebhook('pull_request', payload);
  return payload;
}

// ------------------------------------------------------------------------------------- issue_comment

export interface IssueCommentPayloadOptions {
  action?: 'created' | 'edited' | 'deleted';
  owner: string;
  repo: string;
  /** An existing comment (see server.addIssueComment). */
  commentId: number;
  urls?: Urls;
}

/** An `issue_comment` payload for a comment of the model (on an issue or a pull request). */
export function issueCommentPayload(server: GitHubServer, opts: IssueCommentPayloadOptions): Json {
  const action = opts.action ?? 'created';
  const shapes = shapesFor(server, opts.urls);
  const repo = repoOf(server, opts.owner, opts.repo);
  const comment = server.model.issueComments.find((c) => c.repo === repo.fullName && c.id === opts.commentId);
  if (!comment) throw new Error(`no comment ${opts.commentId} in ${repo.fullName}`);
  const issue = repo.issues.get(comment.issueNumber)!;
  const payload = example('issue_comment', action);
  payload.action = action;
  const restComment = shapes.issueComment(repo, comment);
  payload.comment = { ...(payload.comment as Json), ...restComment };
  const restIssue = shapes.issue(repo, issue);
  const templateIssue = payload.issue as Json;
  const webIssue: Json = { ...templateIssue };
  for (const key of Object.keys(templateIssue)) if (key in restIssue) webIssue[key] = restIssue[key];
  for (const key of ['labels', 'assignee', 'assignees', 'milestone', 'closed_at', 'state_reason', 'body', 'title', 'number', 'id', 'node_id', 'user']) webIssue[key] = restIssue[key];
  webIssue.active_lock_reason = null;
  webIssue.performed_via_github_app = null;
  webIssue.reactions = { url: `${String(restIssue.url)}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, confused: 0, heart: 0, hooray: 0, eyes: 0, rocket: 0 };
  if (issue.pull) {
    webIssue.pull_request = restIssue.pull_request;
    webIssue.draft = issue.pull.draft;
  } else {
    delete webIssue.pull_request;
  }
  delete webIssue.repository;
  payload.issue = webIssue;
  if (action === 'edited') payload.changes = { body: { from: comment.history[comment.history.length - 1] ?? comment.body } };
  else delete payload.changes;
  envelope(shapes, payload, repo, comment.user);
  assertValidWebhook('issue_comment', payload);
  return payload;
}

// ------------------------------------------------------------------------------------- check_run

export interface CheckRunPayloadOptions {
  action: 'created' | 'completed' | 'rerequested' | 'requested_action';
  owner: string;
  repo: string;
  /** A check run of the model (created by the app). */
  checkRunId: number;
  /** Who clicked (default: the repository owner). */
  sender?: string;
  /** For requested_action. */
  identifier?: string;
  urls?: Urls;
}

/** A `check_run` payload for a check run of the model. */
export function checkRunPayload(server: GitHubServer, opts: CheckRunPayloadOptions): Json {
  const shapes = shapesFor(server, opts.urls);
  const repo = repoOf(server, opts.owner, opts.repo);
  const run = server.model.checkRuns.find((c) => c.repo === repo.fullName && c.id === opts.checkRunId);
  if (!run) throw new Error(`no check run ${opts.checkRunId} in ${repo.fullName}`);
  const payload = example('check_run', opts.action);
  payload.action = opts.action;
  const rest = shapes.checkRun(repo, run);
  const branch = [...repo.branches.entries()].find(([, sha]) => sha === run.headSha)?.[0] ?? null;
  const app = rest.app as Json;
  const templateRun = payload.check_run as Json;
  const suite = templateRun.check_suite as Json;
  payload.check_run = {
    ...templateRun,
    ...rest,
    check_suite: {
      ...suite,
      id: (rest.check_suite as Json).id,
      node_id: nodeId('CheckSuite', Number((rest.check_suite as Json).id)),
      head_branch: branch,
      head_sha: run.headSha,
      status: run.status === 'completed' ? 'completed' : 'in_progress',
      conclusion: run.conclusion,
      url: `${shapes.urls.api}/repos/${repo.fullName}/check-suites/${String((rest.check_suite as Json).id)}`,
      before: server.model.commits.get(run.headSha)?.parents[0] ?? '0000000000000000000000000000000000000000',
      after: run.headSha,
      pull_requests: rest.pull_requests,
      app,
      created_at: run.startedAt ?? server.model.now(),
      updated_at: run.completedAt ?? run.startedAt ?? server.model.now(),
    },
  };
  if (opts.action === 'requested_action') payload.requested_action = { identifier: opts.identifier ?? 'fix' };
  else delete payload.requested_action;
  delete payload.app;
  envelope(shapes, payload, repo, opts.sender ?? repo.owner);
  assertValidWebhook('check_run', payload);
  return payload;
}
