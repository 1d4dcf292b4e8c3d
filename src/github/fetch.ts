/**
 * Reading a pull request from GitHub in as few requests as possible: the changed files
 * (paginated, up to GitHub's 3 000), the base and head texts of every relevant module in one
 * GraphQL query with aliases (REST for what GraphQL truncates), the config from the base branch,
 * and what the VM-test lookup needs, from the base commit.
 */
import type { Config } from '../policy/config.js';
import { CONFIG_FILE, loadConfig } from '../policy/load.js';
import type { ConfigError } from '../policy/config-errors.js';
import { pathMatcher } from '../policy/glob.js';
import type { PrFile } from '../review/review.js';

/** The slice of Octokit this module uses (so tests and the CLI can provide their own). */
export interface GitHubApi {
  rest: {
    pulls: { listFiles: unknown };
    repos: { getContent(p: { owner: string; repo: string; path: string; ref?: string; mediaType?: { format: string } }): Promise<{ data: unknown }> };
  };
  paginate(method: unknown, params: Record<string, unknown>): Promise<unknown[]>;
  graphql<T>(query: string, vars?: Record<string, unknown>): Promise<T>;
}

export interface PullRef {
  owner: string;
  repo: string;
  number: number;
  base: { sha: string };
  head: { sha: string; owner: string; repo: string };
}

/** Files larger than this are not analysed (a problem is reported instead). */
export const MAX_FILE_BYTES = 1024 * 1024;
/** GraphQL truncates blob text around this size; larger files are read through REST. */
const GRAPHQL_TEXT_LIMIT = 500_000;
/** Aliases per GraphQL query. */
const ALIASES_PER_QUERY = 100;

interface ListedFile {
  filename: string;
  status: string;
  previous_filename?: string;
  patch?: string;
  changes?: number;
}

interface Blob {
  text: string | null;
  isBinary: boolean;
  isTruncated: boolean;
  byteSize: number;
}

/** `path` quoted for a GraphQL string literal. */
const gqlString = (s: string) => JSON.stringify(s);

export async function readBlobs(api: GitHubApi, wanted: { owner: string; repo: string; rev: string; path: string }[]): Promise<(Blob | null)[]> {
  const out: (Blob | null)[] = new Array(wanted.length).fill(null);
  for (let start = 0; start < wanted.length; start += ALIASES_PER_QUERY) {
    const chunk = wanted.slice(start, start + ALIASES_PER_QUERY);
    // One `repository` block per repository (a fork's head lives in another one).
    const byRepo = new Map<string, { owner: string; repo: string; items: { i: number; rev: string; path: string }[] }>();
    chunk.forEach((w, k) => {
      const key = `${w.owner}/${w.repo}`;
      if (!byRepo.has(key)) byRepo.set(key, { owner: w.owner, repo: w.repo, items: [] });
      byRepo.get(key)!.items.push({ i: start + k, rev: w.rev, path: w.path });
    });
    const blocks = [...byRepo.values()].map(
      (r, j) =>
        `r${j}: repository(owner: ${gqlString(r.owner)}, name: ${gqlString(r.repo)}) {\n` +
        r.items.map((it) => `  f${it.i}: object(expression: ${gqlString(`${it.rev}:${it.path}`)}) { ... on Blob { text isBinary isTruncated byteSize } }`).join('\n') +
        '\n}',
    );
    const data = await api.graphql<Record<string, Record<string, Blob | null> | null>>(`query {\n${blocks.join('\n')}\n}`);
    for (const repoData of Object.values(data ?? {})) {
      for (const [alias, blob] of Object.entries(repoData ?? {})) out[Number(alias.slice(1))] = blob;
    }
  }
  return out;
}

async function restText(api: GitHubApi, owner: string, repo: string, path: string, ref: string): Promise<string | null> {
  try {
    const r = await api.rest.repos.getContent({ owner, repo, path, ref, mediaType: { format: 'raw' } });
    return typeof r.data === 'string' ? r.data : null;
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw e;
  }
}

export interface FetchedPull {
  files: PrFile[];
  /** All changed files (for counting and for the config-change check). */
  changed: ListedFile[];
}

export async function fetchPullFiles(api: GitHubApi, pr: PullRef, config: Config): Promise<FetchedPull> {
  const changed = (await api.paginate(api.rest.pulls.listFiles, { owner: pr.owner, repo: pr.repo, pull_number: pr.number, per_page: 100 })) as ListedFile[];
  const inScope = pathMatcher(config.paths, config.ignore);
  const relevant = changed.filter((f) => f.filename.endsWith('.nix') && (inScope(f.filename) || (f.previous_filename !== undefined && inScope(f.previous_filename))));
  const wanted: { owner: string; repo: string; rev: string; path: string; file: number; side: 'base' | 'head' }[] = [];
  relevant.forEach((f, file) => {
    if (f.status !== 'added') wanted.push({ owner: pr.owner, repo: pr.repo, rev: pr.base.sha, path: f.previous_filename ?? f.filename, file, side: 'base' });
    if (f.status !== 'removed') wanted.push({ owner: pr.head.owner, repo: pr.head.repo, rev: pr.head.sha, path: f.filename, file, side: 'head' });
  });
  const blobs = wanted.length > 0 ? await readBlobs(api, wanted) : [];
  const files: PrFile[] = relevant.map((f) => ({ path: f.filename, status: f.status, previousPath: f.previous_filename, patch: f.patch, base: null, head: null }));
  for (let k = 0; k < wanted.length; k++) {
    const w = wanted[k]!;
    const blob = blobs[k] ?? null;
    const target = files[w.file]!;
    if (blob === null) {
      // GitHub listed the file as changed but has no such blob at that commit (the head branch or
      // the fork is gone): say so rather than review it as an added or deleted file.
      target.problem = `the ${w.side} version could not be read from GitHub (not found at ${w.rev.slice(0, 12)})`;
      continue;
    }
    let text: string | null = blob?.text ?? null;
    if (blob && blob.byteSize > MAX_FILE_BYTES) {
      target.problem = `the ${w.side} version has ${blob.byteSize} bytes, more than the limit of ${MAX_FILE_BYTES}; not analysed`;
      continue;
    }
    if (blob?.isBinary) {
      target.problem = `the ${w.side} version is binary`;
      continue;
    }
    if (blob && (blob.isTruncated || (blob.text === null && blob.byteSize > 0) || blob.byteSize > GRAPHQL_TEXT_LIMIT)) {
      text = await restText(api, w.owner, w.repo, w.path, w.rev);
    }
    if (w.side === 'base') target.base = text;
    else target.head = text;
  }
  return { files, changed };
}

/** The repository config at a commit (the base branch: a PR cannot weaken what reviews it). */
export async function fetchConfig(
  api: GitHubApi,
  owner: string,
  repo: string,
  ref: string,
  now: Date,
): Promise<{ ok: true; config: Config; found: boolean } | { ok: false; errors: ConfigError[] }> {
  const text = await restText(api, owner, repo, CONFIG_FILE, ref);
  const result = await loadConfig(text ?? '', {
    now,
    source: CONFIG_FILE,
    resolveExtends: async (ref2) => {
      // `_extends: owner/repo` or `owner/repo:path`, read from that repository's default branch.
      const m = /^([\w.-]+)\/([\w.-]+)(?::(.+))?$/.exec(ref2);
      if (!m) return (await restText(api, owner, repo, ref2, ref)) ?? undefined;
      const t = await restText(api, m[1]!, m[2]!, m[3] ?? CONFIG_FILE, 'HEAD');
      return t === null ? undefined : { text: t, source: ref2 };
    },
  });
  return result.ok ? { ok: true, config: result.config, found: text !== null } : { ok: false, errors: result.errors };
}

export { restText };
