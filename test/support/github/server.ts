/**
 * A GitHub-compatible HTTP server for end-to-end tests, as strict as GitHub.
 *
 *   const gh = await startGitHubServer();
 *   gh.addRepo({ owner: 'octo', repo: 'nixpkgs' });
 *   const base = gh.commit('octo', 'nixpkgs', { files: { 'a.nix': '…' } });
 *   …
 *   // Probot: new Probot({ appId: gh.app.id, privateKey: gh.app.privateKey, baseUrl: gh.url, … })
 *   gh.assertNoViolations();
 *   await gh.close();
 *
 * Every REST request is matched to an operation of GitHub's OpenAPI description (unknown → 404 and
 * a violation), its body validated against the operation's schema (invalid → 422 and a
 * violation), and answered by rest.ts over the in-memory model (model.ts). GraphQL goes through
 * graphql.ts. Every response carries GitHub's rate-limit headers.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate, publicKeyFrom, type Auth } from './auth.js';
import { handleGraphQL } from './graphql.js';
import { HttpError, errorBody, invalidRequest, type Reply } from './http.js';
import {
  Model,
  type CheckRunRecord,
  type FileContent,
  type IssueCommentRecord,
  type ModelLimits,
  type OpenPullRequestOptions,
  type Permission,
  type ReactionRecord,
  type ReviewCommentRecord,
  type ReviewRecord,
  type UserType,
} from './model.js';
import { openApi, type Operation, type RouteMatch } from './openapi.js';
import { HANDLERS } from './rest.js';
import { Shapes, type Urls } from './shapes.js';

export interface GitHubServerOptions {
  /** The GitHub App. A 2048-bit key pair is generated when no private key is given. */
  appId?: number;
  appSlug?: string;
  privateKey?: string;
  /** Tokens accepted as-is (like GITHUB_TOKEN or a PAT), acting as `login` (default github-actions[bot]). */
  tokens?: { token: string; login?: string; permissions?: Record<string, 'read' | 'write'> }[];
  /** Requests per hour per token (GitHub: 5000 for installations; 60 unauthenticated). */
  rateLimit?: { core?: number; graphql?: number };
  limits?: Partial<ModelLimits>;
  /** Check the fake's own responses against GitHub's response schemas (default true). */
  validateResponses?: boolean;
  now?: () => Date;
}

export interface RequestLogEntry {
  method: string;
  /** Path without the /api/v3 prefix, /repositories/:id rewritten to /repos/:owner/:repo, no query. */
  path: string;
  /** The request URL exactly as received. */
  url: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number;
  operationId?: string;
  /** True when a fault answered this request. */
  fault?: boolean;
  response?: unknown;
}

export type ViolationKind =
  | 'no-operation'
  | 'unimplemented'
  | 'invalid-json'
  | 'invalid-body'
  | 'unauthorized'
  | 'forbidden'
  | 'unprocessable'
  | 'graphql-invalid'
  | 'graphql-unimplemented'
  | 'response-schema'
  | 'server-crash';

export interface Violation {
  kind: ViolationKind;
  method: string;
  path: string;
  operationId?: string;
  status: number;
  message: string;
}

export interface FaultRequest {
  method: string;
  path: string;
  operationId?: string;
  graphql: boolean;
  body: unknown;
}

/**
 * Which requests a fault applies to: an operationId ('pulls/create-review', or 'graphql'), a path
 * ('/repos/o/r/pulls/1'), a RegExp tested on 'METHOD /path', an object of those, or a predicate.
 */
export type FaultMatcher =
  | string
  | RegExp
  | { method?: string; path?: string | RegExp; operationId?: string; graphql?: boolean }
  | ((req: FaultRequest) => boolean);

export interface FaultSpec {
  /** Status to answer with; omit to only delay (with delayMs) and then answer normally. */
  status?: number;
  /**
   * Shapes the reply like GitHub's: a secondary rate limit (default for 429: `retry-after`), a
   * primary one (default for 403: `x-ratelimit-remaining: 0` and a reset time; for GraphQL use
   * status 200 to get `RATE_LIMITED` errors), a plain error body, or never answering.
   */
  kind?: 'secondary-rate-limit' | 'rate-limit' | 'error' | 'hang';
  headers?: Record<string, string>;
  /** The reply's body, or a function of the request that builds it. */
  body?: unknown;
  /** How many matching requests to affect (default 1; Infinity for all). */
  times?: number;
  delayMs?: number;
  /** Seconds, for rate limits: `retry-after` (secondary) or until `x-ratelimit-reset` (primary). */
  retryAfter?: number;
}

export interface FaultHandle {
  /** Requests this fault has answered so far. */
  readonly hits: number;
  readonly remaining: number;
  cancel(): void;
}

interface Fault {
  matcher: FaultMatcher;
  spec: FaultSpec;
  left: number;
  hits: number;
}

interface RateBucket {
  limit: number;
  used: number;
  resetAt: Date;
}

/** What the app posted, for assertions. */
export interface StateView {
  readonly issueComments: readonly IssueCommentRecord[];
  readonly reviews: readonly ReviewRecord[];
  readonly reviewComments: readonly ReviewCommentRecord[];
  readonly checkRuns: readonly CheckRunRecord[];
  readonly reactions: readonly ReactionRecord[];
  commentsOn(owner: string, repo: string, number: number): IssueCommentRecord[];
  reviewsOn(owner: string, repo: string, number: number): ReviewRecord[];
  checkRunsFor(owner: string, repo: string, headSha: string): CheckRunRecord[];
  reactionsOn(owner: string, repo: string, commentId: number): string[];
  /** Label names on an issue or pull request, as displayed. */
  labelsOn(owner: string, repo: string, number: number): string[];
  /** Label names defined in the repository. */
  repoLabels(owner: string, repo: string): string[];
}

export interface GitHubServer {
  /** Base URL for Probot's `baseUrl` (GraphQL at /graphql); `${url}/api/v3` also works (GraphQL at /api/graphql). */
  readonly url: string;
  /** GHE-style base: `${url}/api/v3`; with GHE_HOST=host:port and GHE_PROTOCOL=http Probot uses this. */
  readonly gheUrl: string;
  /** host:port for GHE_HOST. */
  readonly host: string;
  readonly app: { id: number; slug: string; clientId: string; privateKey: string; botLogin: string };
  readonly model: Model;
  readonly requests: RequestLogEntry[];
  readonly violations: Violation[];
  readonly state: StateView;

  addUser(login: string, type?: UserType): void;
  addInstallation(opts: { id: number; account: string; permissions?: Record<string, 'read' | 'write'>; repositories?: string[] }): void;
  addRepo(opts: {
    owner: string;
    repo: string;
    defaultBranch?: string;
    private?: boolean;
    /** Defaults to the owner's installation (created on first use); null for a repository the app is not installed on. */
    installationId?: number | null;
    forkOf?: { owner: string; repo: string };
    files?: Record<string, FileContent>;
  }): { id: number; fullName: string; installationId?: number };
  /** Records a commit (files: path → content, null deletes) and returns its sha. */
  commit(owner: string, repo: string, opts: { parent?: string; files: Record<string, FileContent | null>; message?: string; branch?: string }): string;
  setBranch(owner: string, repo: string, branch: string, sha: string): void;
  openPullRequest(opts: OpenPullRequestOptions): number;
  /** A new head for an open pull request (a `synchronize`). */
  pushToPullRequest(owner: string, repo: string, number: number, head: string, base?: string): void;
  /** Closes a pull request, and with deleteHeadBranch deletes its head branch (GitHub closes a PR whose head branch is deleted). */
  closePullRequest(owner: string, repo: string, number: number, opts?: { deleteHeadBranch?: boolean }): void;
  addIssue(opts: { owner: string; repo: string; number?: number; author: string; title?: string; body?: string | null }): number;
  /** A comment someone else wrote (e.g. a slash command); returns its id. */
  addIssueComment(owner: string, repo: string, number: number, user: string, body: string): number;
  addLabel(owner: string, repo: string, name: string, color?: string): void;
  setPermission(owner: string, repo: string, user: string, permission: Permission): void;
  installationId(owner: string, repo: string): number | undefined;

  fail(matcher: FaultMatcher, spec?: FaultSpec): FaultHandle;
  clearFaults(): void;
  /** Returns and forgets the violations recorded so far. */
  takeViolations(): Violation[];
  /** Throws, listing them, if any request was not as GitHub would accept it. */
  assertNoViolations(): void;
  close(): Promise<void>;
}

const STATUS_TEXT_FAULT: Record<number, string> = {
  500: 'Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const VIOLATION_FOR_STATUS: Record<number, ViolationKind> = {
  400: 'invalid-json',
  401: 'unauthorized',
  403: 'forbidden',
  422: 'unprocessable',
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function matches(matcher: FaultMatcher, r: FaultRequest): boolean {
  if (typeof matcher === 'function') return matcher(r);
  if (typeof matcher === 'string') {
    if (matcher.startsWith('/')) return r.path === matcher;
    return matcher === 'graphql' ? r.graphql : r.operationId === matcher;
  }
  if (matcher instanceof RegExp) return matcher.test(`${r.method} ${r.path}`);
  if (matcher.method && matcher.method.toUpperCase() !== r.method) return false;
  if (matcher.operationId && matcher.operationId !== r.operationId) return false;
  if (matcher.graphql !== undefined && matcher.graphql !== r.graphql) return false;
  if (matcher.path !== undefined) {
    if (typeof matcher.path === 'string' ? matcher.path !== r.path : !matcher.path.test(r.path)) return false;
  }
  return true;
}

export async function startGitHubServer(opts: GitHubServerOptions = {}): Promise<GitHubServer> {
  const appId = opts.appId ?? 123;
  const slug = opts.appSlug ?? 'nixos-harden';
  const clientId = `Iv1.${appId.toString(16).padStart(16, '0')}`;
  const privateKey =
    opts.privateKey ??
    generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
      .privateKey;
  const publicKey: KeyObject = publicKeyFrom(privateKey);
  const model = new Model({ app: { id: appId, slug }, limits: opts.limits, now: opts.now });
  const api = openApi();
  const validateResponses = opts.validateResponses ?? true;
  const requests: RequestLogEntry[] = [];
  const violations: Violation[] = [];
  const faults: Fault[] = [];
  const buckets = new Map<string, { core: RateBucket; graphql: RateBucket }>();

  for (const t of opts.tokens ?? []) {
    model.tokens.set(t.token, {
      token: t.token,
      login: t.login ?? 'github-actions[bot]',
      expiresAt: new Date(8.64e15),
      permissions: t.permissions ?? { checks: 'write', contents: 'write', issues: 'write', metadata: 'read', pull_requests: 'write' },
    });
    model.ensureUser(t.login ?? 'github-actions[bot]');
  }

  function bucketFor(auth: Auth): { key: string; buckets: { core: RateBucket; graphql: RateBucket } } {
    const key = auth.kind === 'token' ? auth.token.token : auth.kind;
    let b = buckets.get(key);
    if (!b) {
      const reset = new Date(model.nowDate().getTime() + 3600_000);
      const unauth = auth.kind === 'none';
      b = {
        core: { limit: unauth ? 60 : opts.rateLimit?.core ?? 5000, used: 0, resetAt: reset },
        graphql: { limit: unauth ? 0 : opts.rateLimit?.graphql ?? 5000, used: 0, resetAt: reset },
      };
      buckets.set(key, b);
    }
    for (const bucket of [b.core, b.graphql]) {
      if (bucket.resetAt.getTime() <= model.nowDate().getTime()) {
        bucket.used = 0;
        bucket.resetAt = new Date(model.nowDate().getTime() + 3600_000);
      }
    }
    return { key, buckets: b };
  }

  function rateHeaders(bucket: RateBucket | undefined, resource: string): Record<string, string> {
    const b = bucket ?? { limit: 60, used: 0, resetAt: new Date(model.nowDate().getTime() + 3600_000) };
    return {
      'x-ratelimit-limit': String(b.limit),
      'x-ratelimit-remaining': String(Math.max(0, b.limit - b.used)),
      'x-ratelimit-reset': String(Math.floor(b.resetAt.getTime() / 1000)),
      'x-ratelimit-used': String(b.used),
      'x-ratelimit-resource': resource,
    };
  }

  function violate(entry: RequestLogEntry, kind: ViolationKind, status: number, message: string): void {
    violations.push({ kind, method: entry.method, path: entry.path, operationId: entry.operationId, status, message });
  }

  function send(res: ServerResponse, entry: RequestLogEntry, reply: Reply, rate: Record<string, string>): void {
    const headers: Record<string, string> = {
      'x-github-request-id': randomUUID().toUpperCase().slice(0, 23),
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      ...rate,
      ...reply.headers,
    };
    let payload: string | Buffer = '';
    if (reply.text !== undefined) {
      headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8';
      payload = reply.text;
    } else if (reply.body !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      payload = JSON.stringify(reply.body);
      entry.response = reply.body;
    }
    entry.status = reply.status;
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  function faultReply(fault: Fault, r: FaultRequest, auth: Auth | undefined): Reply {
    const { spec } = fault;
    const kind = spec.kind ?? (spec.status === 429 ? 'secondary-rate-limit' : spec.status === 403 ? 'rate-limit' : 'error');
    const status = spec.status ?? (kind === 'secondary-rate-limit' || kind === 'rate-limit' ? 403 : 500);
    const headers: Record<string, string> = {};
    let body: unknown = typeof spec.body === 'function' ? (spec.body as (r: FaultRequest) => unknown)(r) : spec.body;
    if (kind === 'secondary-rate-limit') {
      headers['retry-after'] = String(spec.retryAfter ?? 1);
      body ??= errorBody(status, `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${randomUUID().toUpperCase().slice(0, 23)}.`, 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits');
    } else if (kind === 'rate-limit') {
      headers['x-ratelimit-remaining'] = '0';
      headers['x-ratelimit-reset'] = String(Math.floor(model.nowDate().getTime() / 1000) + (spec.retryAfter ?? 1));
      const who = auth?.kind === 'token' && auth.token.installationId !== undefined ? `installation ID ${auth.token.installationId}` : 'this token';
      body ??= r.graphql
        ? { errors: [{ type: 'RATE_LIMITED', message: `API rate limit already exceeded for ${who}.` }] }
        : errorBody(status, `API rate limit exceeded for ${who}.`, 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api');
    } else {
      body ??= errorBody(status, STATUS_TEXT_FAULT[status] ?? 'Server Error');
    }
    return { status, body, headers: { ...headers, ...spec.headers } };
  }

  function selfUrl(req: IncomingMessage, prefix: string, path: string, search: string): URL {
    const origin = `http://${req.headers.host ?? `127.0.0.1:${port}`}`;
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    const repo = m ? model.repo(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)) : undefined;
    // GitHub's Link headers point at /repositories/:id/… for repository resources.
    const linkPath = repo && m ? `/repositories/${repo.id}${m[3] ?? ''}` : path;
    return new URL(`${origin}${prefix}${linkPath}${search}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let prefix = '';
    let path = url.pathname;
    if (path === '/api/v3' || path.startsWith('/api/v3/')) {
      prefix = '/api/v3';
      path = path.slice(prefix.length) || '/';
    }
    const graphql = (prefix === '' && (path === '/graphql' || path === '/api/graphql'));
    const entry: RequestLogEntry = {
      method,
      path,
      url: req.url ?? '/',
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: undefined,
      status: 0,
    };
    requests.push(entry);
    const urls: Urls = { api: `http://${req.headers.host ?? `127.0.0.1:${port}`}${path === '/api/graphql' ? '/api/v3' : prefix}`, web: `http://${req.headers.host ?? `127.0.0.1:${port}`}` };
    let rate: Record<string, string> = rateHeaders(undefined, graphql ? 'graphql' : 'core');

    // Body: JSON when there is one.
    let body: unknown;
    if (raw.length) {
      const text = raw.toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        entry.body = text;
        violate(entry, 'invalid-json', 400, 'request body is not JSON');
        send(res, entry, { status: 400, body: errorBody(400, 'Problems parsing JSON') }, rate);
        return;
      }
    }
    entry.body = body;

    // Route.
    let match: RouteMatch | undefined;
    if (!graphql) {
      const repositories = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
      match = api.match(method, path);
      if (repositories) {
        const repo = model.repoById(Number(repositories[1]));
        const rewritten = repo ? `/repos/${repo.owner}/${repo.name}${repositories[2] ?? ''}` : undefined;
        const viaRepo = rewritten ? api.match(method, rewritten) : undefined;
        if (viaRepo && (!match || match.operation.template.startsWith('/repos/'))) {
          match = viaRepo;
          path = rewritten!;
          entry.path = path;
        }
      }
      entry.operationId = match?.operation.operationId;
    } else {
      entry.operationId = 'graphql';
    }

    // Faults come first: GitHub's infrastructure answers before the application does.
    let auth: Auth | undefined;
    try {
      auth = authenticate(req.headers, model, publicKey, clientId);
    } catch {
      auth = undefined;
    }
    const faultReq: FaultRequest = { method, path, operationId: entry.operationId, graphql, body };
    const fault = faults.find((f) => f.left > 0 && matches(f.matcher, faultReq));
    if (fault) {
      fault.left--;
      fault.hits++;
      entry.fault = true;
      if (fault.spec.delayMs) await sleep(fault.spec.delayMs);
      if (fault.spec.kind === 'hang') {
        res.on('close', () => undefined);
        return; // never answered; close() destroys the socket
      }
      if (fault.spec.status !== undefined || fault.spec.kind !== undefined) {
        send(res, entry, faultReply(fault, faultReq, auth), rate);
        return;
      }
      entry.fault = false;
    }

    try {
      auth = authenticate(req.headers, model, publicKey, clientId);
      const { buckets: b } = bucketFor(auth);
      const bucket = graphql ? b.graphql : b.core;
      if (graphql) {
        rate = rateHeaders(bucket, 'graphql');
        await handleGraphQLRequest(res, entry, method, body, auth, urls, bucket);
        return;
      }
      if (!match) {
        violate(entry, 'no-operation', 404, `${method} ${path} matches no operation of GitHub's REST description`);
        send(res, entry, { status: 404, body: errorBody(404, 'Not Found', 'https://docs.github.com/rest') }, rate);
        return;
      }
      if (bucket.used >= bucket.limit) {
        rate = rateHeaders(bucket, 'core');
        const who = auth.kind === 'token' && auth.token.installationId !== undefined ? `installation ID ${auth.token.installationId}` : 'this token';
        send(res, entry, { status: 403, body: errorBody(403, `API rate limit exceeded for ${who}.`, 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api') }, rate);
        return;
      }
      bucket.used++;
      rate = rateHeaders(bucket, 'core');
      const reply = restReply(match, entry, url, req, prefix, path, body, auth, urls);
      send(res, entry, reply, rate);
    } catch (e) {
      if (e instanceof HttpError) {
        const kind = VIOLATION_FOR_STATUS[e.status];
        if (kind) violate(entry, kind, e.status, String(e.body.message ?? ''));
        send(res, entry, { status: e.status, body: e.body, headers: e.headers }, rate);
        return;
      }
      throw e;
    }
  }

  function restReply(
    match: RouteMatch,
    entry: RequestLogEntry,
    url: URL,
    req: IncomingMessage,
    prefix: string,
    path: string,
    body: unknown,
    auth: Auth,
    urls: Urls,
  ): Reply {
    const op: Operation = match.operation;
    const errors = api.validateRequest(op, body);
    if (errors.length) {
      violate(entry, 'invalid-body', 422, errors.join(' '));
      return { status: 422, body: invalidRequest(errors, op.documentationUrl).body };
    }
    const handler = HANDLERS[op.operationId];
    if (!handler) {
      violate(entry, 'unimplemented', 404, `the fake GitHub server does not implement ${op.operationId} (${op.method} ${op.template})`);
      return { status: 404, body: errorBody(404, 'Not Found', op.documentationUrl) };
    }
    const reply = handler({
      model,
      shapes: new Shapes(api, model, urls),
      op,
      params: match.params,
      url: selfUrl(req, prefix, path, url.search),
      body,
      headers: req.headers,
      auth,
    });
    if (validateResponses && reply.body !== undefined && reply.status < 300) {
      const problems = api.validateResponse(op, reply.status, reply.body);
      if (problems.length) violate(entry, 'response-schema', reply.status, `fake server bug: ${problems.join('; ')}`);
    }
    return reply;
  }

  async function handleGraphQLRequest(
    res: ServerResponse,
    entry: RequestLogEntry,
    method: string,
    body: unknown,
    auth: Auth,
    urls: Urls,
    bucket: RateBucket,
  ): Promise<void> {
    if (method !== 'POST') {
      violate(entry, 'no-operation', 404, `${method} ${entry.path}: GraphQL takes POST`);
      send(res, entry, { status: 404, body: errorBody(404, 'Not Found') }, rateHeaders(bucket, 'graphql'));
      return;
    }
    if (auth.kind !== 'token') {
      violate(entry, 'unauthorized', 401, 'GraphQL needs a token');
      send(res, entry, { status: 401, body: errorBody(401, 'This endpoint requires you to be authenticated.', 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql') }, rateHeaders(bucket, 'graphql'));
      return;
    }
    if (bucket.used >= bucket.limit) {
      const who = auth.token.installationId !== undefined ? `installation ID ${auth.token.installationId}` : 'this token';
      send(res, entry, { status: 200, body: { errors: [{ type: 'RATE_LIMITED', message: `API rate limit already exceeded for ${who}.` }] } }, rateHeaders(bucket, 'graphql'));
      return;
    }
    const cost = 1;
    bucket.used += cost;
    const reply = await handleGraphQL(body, {
      model,
      auth,
      urls,
      rateLimit: bucket,
      unimplemented: (what) => violate(entry, 'graphql-unimplemented', 200, `the fake GitHub server does not model ${what}`),
    }, cost);
    for (const message of reply.invalid ?? []) violate(entry, 'graphql-invalid', reply.status, message);
    send(res, entry, { status: reply.status, body: reply.body }, rateHeaders(bucket, 'graphql'));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      violations.push({ kind: 'server-crash', method: req.method ?? '', path: req.url ?? '', status: 500, message: `fake server crashed: ${(e as Error).stack ?? String(e)}` });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(errorBody(500, 'Server Error')));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;

  const repoOf = (owner: string, repo: string) => model.repoOrThrow(owner, repo);

  const state: StateView = {
    get issueComments() {
      return model.issueComments;
    },
    get reviews() {
      return model.reviews;
    },
    get reviewComments() {
      return model.reviewComments;
    },
    get checkRuns() {
      return model.checkRuns;
    },
    get reactions() {
      return model.reactions;
    },
    commentsOn: (owner, repo, number) => model.issueComments.filter((c) => c.repo === repoOf(owner, repo).fullName && c.issueNumber === number),
    reviewsOn: (owner, repo, number) => model.reviews.filter((r) => r.repo === repoOf(owner, repo).fullName && r.pullNumber === number),
    checkRunsFor: (owner, repo, headSha) => model.checkRuns.filter((c) => c.repo === repoOf(owner, repo).fullName && c.headSha === headSha),
    reactionsOn: (owner, repo, commentId) => model.reactions.filter((r) => r.repo === repoOf(owner, repo).fullName && r.commentId === commentId).map((r) => r.content),
    labelsOn: (owner, repo, number) => {
      const r = repoOf(owner, repo);
      const issue = r.issues.get(number);
      if (!issue) throw new Error(`no issue #${number} in ${r.fullName}`);
      return model.issueLabels(r, issue).map((l) => l.name);
    },
    repoLabels: (owner, repo) => [...repoOf(owner, repo).labels.values()].map((l) => l.name),
  };

  return {
    url: `http://${host}`,
    gheUrl: `http://${host}/api/v3`,
    host,
    app: { id: appId, slug, clientId, privateKey, botLogin: model.botLogin },
    model,
    requests,
    violations,
    state,
    addUser: (login, type) => void model.ensureUser(login, type),
    addInstallation: (o) => void model.addInstallation(o),
    addRepo: (o) => {
      const r = model.addRepo(o);
      return { id: r.id, fullName: r.fullName, installationId: r.installationId };
    },
    commit: (owner, repo, o) => model.commit(owner, repo, o),
    setBranch: (owner, repo, branch, sha) => {
      const r = model.repoOrThrow(owner, repo);
      if (!r.shas.has(sha)) throw new Error(`${sha} is not a commit of ${r.fullName}`);
      r.branches.set(branch, sha);
    },
    openPullRequest: (o) => model.openPullRequest(o).number,
    pushToPullRequest: (owner, repo, number, head, base) => model.pushToPullRequest(owner, repo, number, head, base),
    closePullRequest: (owner, repo, number, opts) => model.closePullRequest(owner, repo, number, opts),
    addIssue: (o) => model.addIssue(o).number,
    addIssueComment: (owner, repo, number, user, text) => {
      const r = model.repoOrThrow(owner, repo);
      if (!r.issues.has(number)) throw new Error(`no issue #${number} in ${r.fullName}`);
      model.ensureUser(user);
      const now = model.now();
      const comment = { id: model.id(), repo: r.fullName, issueNumber: number, body: text, user, createdAt: now, updatedAt: now, history: [] };
      model.issueComments.push(comment);
      return comment.id;
    },
    addLabel: (owner, repo, name, color) => void model.ensureLabel(model.repoOrThrow(owner, repo), name, color),
    setPermission: (owner, repo, user, permission) => model.setPermission(owner, repo, user, permission),
    installationId: (owner, repo) => model.repo(owner, repo)?.installationId,
    fail(matcher, spec = {}) {
      const fault: Fault = { matcher, spec, left: spec.times ?? 1, hits: 0 };
      faults.push(fault);
      return {
        get hits() {
          return fault.hits;
        },
        get remaining() {
          return fault.left;
        },
        cancel: () => {
          fault.left = 0;
        },
      };
    },
    clearFaults: () => void faults.splice(0),
    takeViolations: () => violations.splice(0),
    assertNoViolations() {
      if (violations.length === 0) return;
      const lines = violations.map((v) => `  ${v.kind}: ${v.method} ${v.path}${v.operationId ? ` (${v.operationId})` : ''} → ${v.status}: ${v.message}`);
      throw new Error(`GitHub would not have accepted ${violations.length} request(s):\n${lines.join('\n')}`);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

