/**
 * GitHub's GraphQL endpoint over the model. Every query is parsed and validated against GitHub's
 * published schema (`@octokit/graphql-schema`) with graphql-js, then executed with resolvers over
 * the model: `repository { object(expression: "rev:path") { … on Blob/Tree/Commit } ref
 * defaultBranchRef pullRequest }`, `rateLimit`. A field the fake does not model is an error and a
 * violation, never a silent null.
 */
import { readFileSync } from 'node:fs';
import {
  GraphQLError,
  buildClientSchema,
  execute,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import type { Auth } from './auth.js';
import { isBinary, type Model, type RepoRecord } from './model.js';
import { packageFile } from './openapi.js';
import { nodeId, type Urls } from './shapes.js';

/** GitHub truncates Blob.text at this many bytes (undocumented; 512,000 reported). */
export const BLOB_TEXT_LIMIT = 512_000;

let schema: GraphQLSchema | undefined;

export function githubSchema(): GraphQLSchema {
  if (!schema) {
    const file = packageFile('@octokit/graphql-schema', 'schema.json');
    schema = buildClientSchema(JSON.parse(readFileSync(file, 'utf8')) as IntrospectionQuery);
  }
  return schema;
}

export interface GraphQLContext {
  model: Model;
  auth: Auth;
  urls: Urls;
  /** Records something the fake does not model. */
  unimplemented(what: string): void;
  rateLimit: { limit: number; used: number; resetAt: Date };
}

export interface GraphQLReply {
  status: number;
  body: Record<string, unknown>;
  /** Validation or syntax errors: the request itself was wrong. */
  invalid?: string[];
}

class TypedError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

type Obj = Record<string, unknown>;

function canRead(ctx: GraphQLContext, repo: RepoRecord): boolean {
  if (!repo.private) return true;
  if (ctx.auth.kind !== 'token') return false;
  const token = ctx.auth.token;
  if (token.installationId === undefined) return true;
  const inst = ctx.model.installations.get(token.installationId);
  if (!inst) return false;
  const covered = inst.repositorySelection === 'all' ? inst.account.toLowerCase() === repo.owner.toLowerCase() : inst.repositories.has(repo.fullName);
  return covered && (!token.repositories || token.repositories.has(repo.fullName));
}

function truncateUtf8(buffer: Buffer, limit: number): string {
  let end = Math.min(limit, buffer.length);
  // Do not cut a multi-byte character: back up to a lead byte.
  while (end > 0 && end < buffer.length && (buffer[end]! & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString('utf8');
}

function blobNode(ctx: GraphQLContext, repo: RepoRecord, sha: string, commitSha: string, path: string): Obj {
  const blob = ctx.model.blobs.get(sha)!;
  const binary = isBinary(blob.content);
  const truncated = !binary && blob.content.length > BLOB_TEXT_LIMIT;
  return {
    __typename: 'Blob',
    id: nodeId('Blob', parseInt(sha.slice(0, 8), 16)),
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    byteSize: blob.content.length,
    isBinary: binary,
    isTruncated: truncated,
    text: binary ? null : truncated ? truncateUtf8(blob.content, BLOB_TEXT_LIMIT) : blob.content.toString('utf8'),
    commitResourcePath: `/${repo.fullName}/blob/${commitSha}/${path}`,
    commitUrl: `${ctx.urls.web}/${repo.fullName}/blob/${commitSha}/${path}`,
    repository: () => repoNode(ctx, repo),
  };
}

function treeNode(ctx: GraphQLContext, repo: RepoRecord, commitSha: string, dir: string, oid: string): Obj {
  return {
    __typename: 'Tree',
    id: nodeId('Tree', parseInt(oid.slice(0, 8), 16)),
    oid,
    abbreviatedOid: oid.slice(0, 7),
    commitResourcePath: `/${repo.fullName}/tree/${commitSha}/${dir}`,
    commitUrl: `${ctx.urls.web}/${repo.fullName}/tree/${commitSha}/${dir}`,
    repository: () => repoNode(ctx, repo),
    entries: () =>
      (ctx.model.directoryAt(commitSha, dir) ?? []).map((e) => ({
        __typename: 'TreeEntry',
        name: e.name,
        path: e.path,
        type: e.type === 'dir' ? 'tree' : 'blob',
        mode: e.type === 'dir' ? 0o40000 : 0o100644,
        oid: e.sha,
        size: e.size,
        extension: e.type === 'file' && e.name.includes('.') ? `.${e.name.split('.').pop()}` : null,
        isGenerated: false,
        lineCount: e.type === 'file' ? lineCount(ctx.model.blobs.get(e.sha)!.content) : null,
        object: () => (e.type === 'dir' ? treeNode(ctx, repo, commitSha, e.path, e.sha) : blobNode(ctx, repo, e.sha, commitSha, e.path)),
        repository: () => repoNode(ctx, repo),
      })),
  };
}

function lineCount(content: Buffer): number | null {
  if (isBinary(content)) return null;
  const text = content.toString('utf8');
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function commitNode(ctx: GraphQLContext, repo: RepoRecord, sha: string): Obj {
  const commit = ctx.model.commits.get(sha)!;
  return {
    __typename: 'Commit',
    id: nodeId('Commit', parseInt(sha.slice(0, 8), 16)),
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    message: commit.message,
    messageHeadline: commit.message.split('\n')[0],
    committedDate: commit.date,
    authoredDate: commit.date,
    commitResourcePath: `/${repo.fullName}/commit/${sha}`,
    commitUrl: `${ctx.urls.web}/${repo.fullName}/commit/${sha}`,
    url: `${ctx.urls.web}/${repo.fullName}/commit/${sha}`,
    tree: () => treeNode(ctx, repo, sha, '', commit.treeSha),
    repository: () => repoNode(ctx, repo),
  };
}

/** `object(expression: "rev:path")`, `"rev:"` (root tree) or `"rev"` (commit); null when missing. */
function resolveObject(ctx: GraphQLContext, repo: RepoRecord, args: { expression?: string; oid?: string }): Obj | null {
  if (args.oid !== undefined) {
    if (ctx.model.blobs.has(args.oid)) return blobNode(ctx, repo, args.oid, args.oid, '');
    if (repo.shas.has(args.oid)) return commitNode(ctx, repo, args.oid);
    return null;
  }
  const expression = args.expression ?? '';
  const colon = expression.indexOf(':');
  const rev = colon < 0 ? expression : expression.slice(0, colon);
  const sha = rev === 'HEAD' ? ctx.model.resolveRef(repo, undefined) : ctx.model.resolveRef(repo, rev);
  if (!sha) return null;
  if (colon < 0) return commitNode(ctx, repo, sha);
  const path = expression.slice(colon + 1).replace(/^\/+|\/+$/g, '');
  if (path === '') return treeNode(ctx, repo, sha, '', ctx.model.commits.get(sha)!.treeSha);
  const blobSha = ctx.model.commits.get(sha)?.files.get(path);
  if (blobSha) return blobNode(ctx, repo, blobSha, sha, path);
  const dir = ctx.model.directoryAt(sha, path);
  if (dir) {
    const parent = path.split('/').slice(0, -1).join('/');
    const oid = ctx.model.directoryAt(sha, parent)?.find((e) => e.path === path)?.sha ?? '';
    return treeNode(ctx, repo, sha, path, oid);
  }
  return null;
}

function refNode(ctx: GraphQLContext, repo: RepoRecord, branch: string): Obj | null {
  const sha = repo.branches.get(branch);
  if (!sha) return null;
  return {
    __typename: 'Ref',
    id: nodeId('Ref', repo.id),
    name: branch,
    prefix: 'refs/heads/',
    target: () => commitNode(ctx, repo, sha),
    repository: () => repoNode(ctx, repo),
  };
}

function actorNode(ctx: GraphQLContext, login: string): Obj {
  const user = ctx.model.ensureUser(login);
  return {
    __typename: user.type === 'Organization' ? 'Organization' : user.type === 'Bot' ? 'Bot' : 'User',
    login: user.type === 'Bot' ? user.login.replace(/\[bot\]$/, '') : user.login,
    id: nodeId(user.type, user.id),
    databaseId: user.id,
    url: `${ctx.urls.web}/${user.login}`,
  };
}

function pullNode(ctx: GraphQLContext, repo: RepoRecord, number: number): Obj {
  const issue = ctx.model.pull(repo, number);
  if (!issue) throw new TypedError('NOT_FOUND', `Could not resolve to a PullRequest with the number of ${number}.`);
  const pr = issue.pull;
  const [ho, hn] = pr.headRepo.split('/') as [string, string];
  const headRepo = ctx.model.repo(ho, hn)!;
  return {
    __typename: 'PullRequest',
    id: nodeId('PullRequest', issue.id),
    databaseId: issue.id,
    number: issue.number,
    title: issue.title,
    body: issue.body ?? '',
    state: issue.state === 'open' ? 'OPEN' : 'CLOSED',
    isDraft: pr.draft,
    merged: pr.merged,
    headRefOid: pr.head,
    baseRefOid: pr.base,
    headRefName: pr.headRef,
    baseRefName: pr.baseRef,
    isCrossRepository: headRepo !== repo,
    author: () => actorNode(ctx, issue.author),
    headRepository: () => repoNode(ctx, headRepo),
    baseRepository: () => repoNode(ctx, repo),
    repository: () => repoNode(ctx, repo),
    url: `${ctx.urls.web}/${repo.fullName}/pull/${issue.number}`,
  };
}

function repoNode(ctx: GraphQLContext, repo: RepoRecord): Obj {
  return {
    __typename: 'Repository',
    id: nodeId('Repository', repo.id),
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner: repo.fullName,
    isPrivate: repo.private,
    isFork: repo.forkOf !== undefined,
    url: `${ctx.urls.web}/${repo.fullName}`,
    owner: () => actorNode(ctx, repo.owner),
    defaultBranchRef: () => refNode(ctx, repo, repo.defaultBranch),
    ref: (args: { qualifiedName: string }) => refNode(ctx, repo, args.qualifiedName.replace(/^refs\/heads\//, '')),
    object: (args: { expression?: string; oid?: string }) => resolveObject(ctx, repo, args),
    pullRequest: (args: { number: number }) => pullNode(ctx, repo, args.number),
    parent: () => {
      if (!repo.forkOf) return null;
      const [o, n] = repo.forkOf.split('/') as [string, string];
      return repoNode(ctx, ctx.model.repo(o, n)!);
    },
  };
}

function rootValue(ctx: GraphQLContext, cost: number): Obj {
  return {
    repository: (args: { owner: string; name: string }) => {
      const repo = ctx.model.repo(args.owner, args.name);
      if (!repo || !canRead(ctx, repo)) {
        throw new TypedError('NOT_FOUND', `Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`);
      }
      return repoNode(ctx, repo);
    },
    rateLimit: () => ({
      __typename: 'RateLimit',
      cost,
      limit: ctx.rateLimit.limit,
      remaining: ctx.rateLimit.limit - ctx.rateLimit.used,
      used: ctx.rateLimit.used,
      nodeCount: 0,
      resetAt: ctx.rateLimit.resetAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    }),
  };
}

const fieldResolver: GraphQLFieldResolver<unknown, GraphQLContext> = (source, args, ctx, info) => {
  if (source && typeof source === 'object' && info.fieldName in source) {
    const value = (source as Obj)[info.fieldName];
    return typeof value === 'function' ? (value as (a: unknown) => unknown)(args) : value;
  }
  const what = `${info.parentType.name}.${info.fieldName}`;
  ctx.unimplemented(what);
  throw new Error(`The fake GitHub server does not model ${what}`);
};

/** GitHub words graphql-js's commonest validation error its own way. */
function githubValidationError(e: GraphQLError): Obj {
  const out: Obj = { message: e.message, locations: e.locations };
  const m = /^Cannot query field "([^"]+)" on type "([^"]+)"/.exec(e.message);
  if (m) {
    out.message = `Field '${m[1]}' doesn't exist on type '${m[2]}'`;
    out.extensions = { code: 'undefinedField', typeName: m[2], fieldName: m[1] };
  } else {
    out.extensions = { code: 'invalidQuery' };
  }
  return out;
}

/** Handles one POST /graphql body. `cost` is charged by the caller before this runs. */
export async function handleGraphQL(body: unknown, ctx: GraphQLContext, cost: number): Promise<GraphQLReply> {
  const request = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  if (typeof request.query !== 'string') {
    const message = 'A query attribute must be specified and must be a string.';
    return { status: 200, body: { errors: [{ message }] }, invalid: [message] };
  }
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (e) {
    const err = e as GraphQLError;
    return { status: 200, body: { errors: [{ message: `Parse error: ${err.message}`, locations: err.locations }] }, invalid: [err.message] };
  }
  const errors = validate(githubSchema(), document);
  if (errors.length) {
    return { status: 200, body: { errors: errors.map(githubValidationError) }, invalid: errors.map((e) => e.message) };
  }
  const result = await execute({
    schema: githubSchema(),
    document,
    rootValue: rootValue(ctx, cost),
    contextValue: ctx,
    variableValues: (request.variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
    fieldResolver,
  });
  const out: Obj = {};
  if (result.errors?.length) {
    out.errors = result.errors.map((e) => {
      const original = e.originalError;
      const error: Obj = { message: e.message, locations: e.locations, path: e.path };
      if (original instanceof TypedError) error.type = original.type;
      return error;
    });
  }
  if (result.data !== undefined) out.data = result.data;
  const invalid = result.errors?.filter((e) => e.path === undefined).map((e) => e.message);
  return { status: 200, body: out, invalid: invalid?.length ? invalid : undefined };
}
