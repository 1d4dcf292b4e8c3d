/**
 * The fake GitHub server must be as strict as GitHub: these tests pin the behaviour the app's
 * end-to-end tests rely on (token flow, pagination, contents, review/annotation/body limits,
 * GraphQL, request validation against GitHub's OpenAPI description, webhook payloads, faults).
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, Probot, ProbotOctokit } from 'probot';
import { parsePatch } from './github/patch.js';
import { startGitHubServer, type GitHubServer } from './github/server.js';
import { checkRunPayload, issueCommentPayload, pullRequestPayload, signedDelivery, webhookProblems } from './github/webhooks.js';

const OWNER = 'octo';
const REPO = 'nixpkgs';
const TOKEN = 'ghs_statictokenfortests000000000000000';

function appJwt(privateKey: string, iss: number | string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ iat: now - 30, exp: now + 570, iss, ...claims })}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), privateKey).toString('base64url')}`;
}

interface Call {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

async function call(gh: GitHubServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Call> {
  const res = await fetch(path.startsWith('http') ? path : gh.url + path, {
    method,
    headers: { authorization: `token ${TOKEN}`, accept: 'application/vnd.github+json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

const lines = (n: number, tag = 'line') => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`).join('\n') + '\n';

/** A repository with a pull request that changes line 10 and line 40 of a 50-line module. */
function scenario(gh: GitHubServer) {
  gh.addRepo({ owner: OWNER, repo: REPO });
  const before = lines(50);
  const after = before.replace('line 10\n', 'line 10 changed\n').replace('line 40\n', 'line 40 changed\n');
  const base = gh.commit(OWNER, REPO, { files: { 'nixos/modules/a.nix': before, 'README.md': 'readme\n' }, message: 'base' });
  const head = gh.commit(OWNER, REPO, { parent: base, files: { 'nixos/modules/a.nix': after }, message: 'head', branch: 'harden' });
  const number = gh.openPullRequest({ owner: OWNER, repo: REPO, base, head, headRef: 'harden', author: 'alice' });
  return { base, head, number };
}

describe('fake GitHub server', () => {
  let gh: GitHubServer;

  beforeEach(async () => {
    gh = await startGitHubServer({ tokens: [{ token: TOKEN }] });
  });

  afterEach(async () => {
    await gh.close();
  });

  describe('app authentication', () => {
    it('exchanges an RS256 JWT signed by the app key for an installation token', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
      const own = await startGitHubServer({ appId: 4242, privateKey });
      try {
        own.addRepo({ owner: OWNER, repo: REPO, files: { 'a.nix': '{ }\n' } });
        const installation = own.installationId(OWNER, REPO)!;
        const res = await call(own, 'POST', `/app/installations/${installation}/access_tokens`, undefined, { authorization: `bearer ${appJwt(privateKey, 4242)}` });
        expect(res.status).toBe(201);
        expect(res.json.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
        expect(Date.parse(res.json.expires_at) - Date.now()).toBeGreaterThan(3500_000);
        expect(res.json.permissions).toMatchObject({ checks: 'write', pull_requests: 'write', contents: 'read' });

        const repo = await call(own, 'GET', `/repos/${OWNER}/${REPO}/contents/a.nix`, undefined, { authorization: `token ${res.json.token}` });
        expect(repo.status).toBe(200);
        expect(own.requests.map((r) => r.operationId)).toEqual(['apps/create-installation-access-token', 'repos/get-content']);
        own.assertNoViolations();
      } finally {
        await own.close();
      }
    });

    it('answers 401 to a JWT signed by another key, an expired one, or a bad token', async () => {
      gh.addRepo({ owner: OWNER, repo: REPO });
      const installation = gh.installationId(OWNER, REPO)!;
      const { privateKey: other } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
      const wrongKey = await call(gh, 'POST', `/app/installations/${installation}/access_tokens`, undefined, { authorization: `bearer ${appJwt(other, gh.app.id)}` });
      expect(wrongKey.status).toBe(401);
      expect(wrongKey.json).toEqual({ message: 'A JSON web token could not be decoded', documentation_url: 'https://docs.github.com/rest', status: '401' });
      const now = Math.floor(Date.now() / 1000);
      const tooLong = await call(gh, 'POST', `/app/installations/${installation}/access_tokens`, undefined, {
        authorization: `bearer ${appJwt(gh.app.privateKey, gh.app.id, { iat: now, exp: now + 3600 })}`,
      });
      expect(tooLong.status).toBe(401);
      expect(tooLong.json.message).toMatch(/'exp'\) is too far in the future/);
      const expired = await call(gh, 'POST', `/app/installations/${installation}/access_tokens`, undefined, {
        authorization: `bearer ${appJwt(gh.app.privateKey, gh.app.id, { iat: now - 700, exp: now - 100 })}`,
      });
      expect(expired.status).toBe(401);
      const bad = await call(gh, 'GET', `/repos/${OWNER}/${REPO}`, undefined, { authorization: 'token ghs_nope' });
      expect(bad.status).toBe(401);
      expect(bad.json.message).toBe('Bad credentials');
      const missing = await call(gh, 'POST', `/app/installations/999999/access_tokens`, undefined, { authorization: `bearer ${appJwt(gh.app.privateKey, gh.app.id)}` });
      expect(missing.status).toBe(404);
      expect(gh.takeViolations().map((v) => v.kind)).toEqual(['unauthorized', 'unauthorized', 'unauthorized', 'unauthorized']);
    });

    it('scopes installation tokens to their installation and permissions', async () => {
      gh.addInstallation({ id: 7, account: OWNER, permissions: { metadata: 'read', contents: 'read', pull_requests: 'read' } });
      gh.addRepo({ owner: OWNER, repo: REPO, installationId: 7, private: true });
      gh.addRepo({ owner: 'someone', repo: 'secret', private: true, installationId: null });
      const { base } = { base: gh.commit(OWNER, REPO, { files: { 'a.nix': 'x\n' } }) };
      gh.openPullRequest({ owner: OWNER, repo: REPO, number: 3, base, head: base, author: 'alice' });
      const token = (await call(gh, 'POST', '/app/installations/7/access_tokens', undefined, { authorization: `bearer ${appJwt(gh.app.privateKey, gh.app.id)}` })).json.token;
      const auth = { authorization: `token ${token}` };
      expect((await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/3`, undefined, auth)).status).toBe(200);
      expect((await call(gh, 'GET', '/repos/someone/secret', undefined, auth)).status).toBe(404);
      const write = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/3/comments`, { body: 'hi' }, auth);
      expect(write.status).toBe(403);
      expect(write.json.message).toBe('Resource not accessible by integration');
      expect(gh.takeViolations().map((v) => v.kind)).toEqual(['forbidden']);
    });
  });

  describe('rate limits, pagination and routing', () => {
    it('puts x-ratelimit-* headers on every response, errors included', async () => {
      gh.addRepo({ owner: OWNER, repo: REPO });
      const ok = await call(gh, 'GET', `/repos/${OWNER}/${REPO}`);
      const missing = await call(gh, 'GET', `/repos/${OWNER}/nope`);
      const unknown = await call(gh, 'GET', '/no/such/route');
      for (const res of [ok, missing, unknown]) {
        expect(res.headers.get('x-ratelimit-limit')).toMatch(/^\d+$/);
        expect(res.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
        expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d{10}$/);
        expect(res.headers.get('x-ratelimit-resource')).toBe('core');
      }
      expect(Number(missing.headers.get('x-ratelimit-remaining'))).toBe(Number(ok.headers.get('x-ratelimit-remaining')) - 1);
      expect(missing.json).toEqual({ message: 'Not Found', documentation_url: expect.stringContaining('docs.github.com'), status: '404' });
      expect(unknown.status).toBe(404);
      expect(gh.takeViolations()).toEqual([expect.objectContaining({ kind: 'no-operation', path: '/no/such/route' })]);
    });

    it('answers 403 with remaining 0 once the hourly budget is spent', async () => {
      const small = await startGitHubServer({ tokens: [{ token: TOKEN }], rateLimit: { core: 2 } });
      try {
        small.addRepo({ owner: OWNER, repo: REPO });
        await call(small, 'GET', `/repos/${OWNER}/${REPO}`);
        await call(small, 'GET', `/repos/${OWNER}/${REPO}`);
        const third = await call(small, 'GET', `/repos/${OWNER}/${REPO}`);
        expect(third.status).toBe(403);
        expect(third.headers.get('x-ratelimit-remaining')).toBe('0');
        expect(third.json.message).toMatch(/API rate limit exceeded/);
      } finally {
        await small.close();
      }
    });

    it('paginates with Link headers (default 30, max 100 per page, at most 3000 files)', async () => {
      gh.addRepo({ owner: OWNER, repo: REPO });
      const base = gh.commit(OWNER, REPO, { files: { 'README.md': 'x\n' } });
      const files = Object.fromEntries(Array.from({ length: 75 }, (_, i) => [`m/f${String(i).padStart(3, '0')}.nix`, `{ a = ${i}; }\n`]));
      const head = gh.commit(OWNER, REPO, { parent: base, files });
      const n = gh.openPullRequest({ owner: OWNER, repo: REPO, base, head, author: 'alice' });

      const first = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/${n}/files`);
      expect(first.json).toHaveLength(30);
      const link = first.headers.get('link')!;
      const repoId = gh.model.repo(OWNER, REPO)!.id;
      expect(link).toBe(
        `<${gh.url}/repositories/${repoId}/pulls/${n}/files?page=2>; rel="next", <${gh.url}/repositories/${repoId}/pulls/${n}/files?page=3>; rel="last"`,
      );
      const next = /<([^>]+)>; rel="next"/.exec(link)![1]!;
      const second = await call(gh, 'GET', next);
      expect(second.status).toBe(200);
      expect(second.json[0].filename).toBe('m/f030.nix');
      expect(second.headers.get('link')).toContain('rel="prev"');

      const big = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/${n}/files?per_page=500`);
      expect(big.json).toHaveLength(75);
      expect(gh.requests[2]).toMatchObject({ method: 'GET', path: `/repos/${OWNER}/${REPO}/pulls/${n}/files`, query: { per_page: '500' }, status: 200, operationId: 'pulls/list-files' });
      expect(gh.requests[1]!.path).toBe(`/repos/${OWNER}/${REPO}/pulls/${n}/files`); // followed /repositories/:id link
      expect(big.headers.get('link')).toBeNull();
      const last = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/${n}/files?per_page=50&page=2`);
      expect(last.json).toHaveLength(25);
      expect(last.headers.get('link')).toContain('per_page=50&page=1>; rel="prev"');
      gh.assertNoViolations();
    });

    it('never lists more than 3000 files of a pull request', async () => {
      gh.addRepo({ owner: OWNER, repo: REPO });
      const base = gh.commit(OWNER, REPO, { files: { 'README.md': 'x\n' } });
      const head = gh.commit(OWNER, REPO, { parent: base, files: Object.fromEntries(Array.from({ length: 3005 }, (_, i) => [`f/${String(i).padStart(4, '0')}`, `${i}\n`])) });
      const n = gh.openPullRequest({ owner: OWNER, repo: REPO, base, head, author: 'alice' });
      const page = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/${n}/files?per_page=100&page=30`);
      expect(page.json).toHaveLength(100);
      expect(page.headers.get('link')).not.toContain('rel="next"');
      expect((await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/${n}/files?per_page=100&page=31`)).json).toEqual([]);
    });

    it('accepts the GHE-style /api/v3 prefix and keeps it in Link headers', async () => {
      gh.addRepo({ owner: OWNER, repo: REPO });
      for (let i = 0; i < 35; i++) gh.addLabel(OWNER, REPO, `label-${i}`);
      const res = await call(gh, 'GET', `/api/v3/repos/${OWNER}/${REPO}/labels`);
      expect(res.status).toBe(200);
      expect(res.json).toHaveLength(30);
      expect(res.headers.get('link')).toContain(`${gh.url}/api/v3/repositories/`);
      gh.assertNoViolations();
    });

    it('computes files with real unified-diff patches and GitHub statuses', async () => {
      const { number, head } = scenario(gh);
      const head2 = gh.commit(OWNER, REPO, { parent: head, files: { 'README.md': null, 'nixos/new.nix': '{ }\n', 'img.png': new Uint8Array([0x89, 0x50, 0, 1, 2]) } });
      gh.pushToPullRequest(OWNER, REPO, number, head2);
      const res = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/${number}/files`);
      const byName = Object.fromEntries((res.json as any[]).map((f) => [f.filename, f]));
      expect(byName['README.md']).toMatchObject({ status: 'removed', additions: 0, deletions: 1, patch: '@@ -1 +0,0 @@\n-readme' });
      expect(byName['nixos/new.nix']).toMatchObject({ status: 'added', additions: 1, deletions: 0, patch: '@@ -0,0 +1 @@\n+{ }' });
      expect(byName['img.png'].status).toBe('added');
      expect(byName['img.png']).not.toHaveProperty('patch');
      const a = byName['nixos/modules/a.nix'];
      expect(a).toMatchObject({ status: 'modified', additions: 2, deletions: 2, changes: 4 });
      expect(a.patch.split('\n').filter((l: string) => l.startsWith('@@'))).toEqual(['@@ -7,7 +7,7 @@', '@@ -37,7 +37,7 @@']);
      gh.assertNoViolations();
    });

    it('omits the patch of a file whose diff is too large', async () => {
      const small = await startGitHubServer({ tokens: [{ token: TOKEN }], limits: { patchMaxChangedLines: 10 } });
      try {
        small.addRepo({ owner: OWNER, repo: REPO });
        const base = small.commit(OWNER, REPO, { files: { 'big.nix': lines(20) } });
        const head = small.commit(OWNER, REPO, { parent: base, files: { 'big.nix': lines(20, 'changed') } });
        const n = small.openPullRequest({ owner: OWNER, repo: REPO, base, head, author: 'alice' });
        const [file] = (await call(small, 'GET', `/repos/${OWNER}/${REPO}/pulls/${n}/files`)).json;
        expect(file).toMatchObject({ filename: 'big.nix', changes: 40 });
        expect(file).not.toHaveProperty('patch');
      } finally {
        await small.close();
      }
    });
  });

  describe('contents', () => {
    it('returns base64 JSON, raw text with the raw media type, and 404s', async () => {
      const { head } = scenario(gh);
      const path = 'nixos%2Fmodules%2Fa.nix';
      const json = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/contents/${path}?ref=${head}`);
      expect(json.status).toBe(200);
      expect(json.json).toMatchObject({ type: 'file', encoding: 'base64', path: 'nixos/modules/a.nix', name: 'a.nix' });
      expect(json.json.content).toMatch(/^([A-Za-z0-9+/=]{1,60}\n)+$/);
      expect(Buffer.from(json.json.content, 'base64').toString()).toContain('line 10 changed');

      const raw = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/contents/${path}?ref=harden`, undefined, { accept: 'application/vnd.github.v3.raw' });
      expect(raw.status).toBe(200);
      expect(raw.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(raw.text).toBe(lines(50).replace('line 10\n', 'line 10 changed\n').replace('line 40\n', 'line 40 changed\n'));

      const unencoded = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/contents/nixos/modules/a.nix`, undefined, { accept: 'application/vnd.github.raw+json' });
      expect(unencoded.text).toBe(lines(50)); // default branch: the base

      const dir = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/contents/nixos`);
      expect(dir.json).toEqual([expect.objectContaining({ type: 'dir', name: 'modules', path: 'nixos/modules' })]);

      expect((await call(gh, 'GET', `/repos/${OWNER}/${REPO}/contents/nope.nix`)).status).toBe(404);
      const badRef = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/contents/${path}?ref=0123456789abcdef0123456789abcdef01234567`);
      expect(badRef.status).toBe(404);
      expect(badRef.json.message).toMatch(/No commit found for the ref/);
      gh.assertNoViolations();
    });

    it('serves the pull request as a diff with the diff media type', async () => {
      const { number } = scenario(gh);
      const res = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/${number}`, undefined, { accept: 'application/vnd.github.v3.diff' });
      expect(res.text).toMatch(/^diff --git a\/nixos\/modules\/a.nix b\/nixos\/modules\/a.nix\nindex [0-9a-f]{7}\.\.[0-9a-f]{7} 100644\n--- a\/nixos\/modules\/a.nix\n\+\+\+ b\/nixos\/modules\/a.nix\n@@ -7,7 \+7,7 @@/);
    });
  });

  describe('reviews and review comments', () => {
    const review = (comments: unknown[], extra: Record<string, unknown> = {}) => ({ event: 'COMMENT', body: 'nixos-harden review', comments, ...extra });

    it('accepts comments on added and context lines (RIGHT) and deleted lines (LEFT)', async () => {
      const { number, head } = scenario(gh);
      const res = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/pulls/${number}/reviews`, review([
        { path: 'nixos/modules/a.nix', line: 10, side: 'RIGHT', body: 'added line' },
        { path: 'nixos/modules/a.nix', line: 7, side: 'RIGHT', body: 'context line' },
        { path: 'nixos/modules/a.nix', line: 10, side: 'LEFT', body: 'deleted line' },
        { path: 'nixos/modules/a.nix', start_line: 8, line: 11, side: 'RIGHT', body: '```suggestion\nx\n```' },
      ], { commit_id: head }));
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ state: 'COMMENTED', commit_id: head, body: 'nixos-harden review' });
      const [stored] = gh.state.reviewsOn(OWNER, REPO, number);
      expect(stored!.comments.map((c) => [c.line, c.side, c.startLine])).toEqual([[10, 'RIGHT', null], [7, 'RIGHT', null], [10, 'LEFT', null], [11, 'RIGHT', 8]]);
      expect(stored!.comments[0]!.diffHunk.split('\n')[0]).toBe('@@ -7,7 +7,7 @@');
      const listed = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/${number}/comments`);
      expect(listed.json).toHaveLength(4);
      gh.assertNoViolations();
    });

    it('rejects the whole review with 422 if any line is outside the diff', async () => {
      const { number } = scenario(gh);
      const res = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/pulls/${number}/reviews`, review([
        { path: 'nixos/modules/a.nix', line: 10, side: 'RIGHT', body: 'fine' },
        { path: 'nixos/modules/a.nix', line: 25, side: 'RIGHT', body: 'outside every hunk' },
      ]));
      expect(res.status).toBe(422);
      expect(res.json).toEqual({
        message: 'Unprocessable Entity',
        errors: ["Pull request review thread line must be part of the diff and Pull request review thread diff hunk can't be blank"],
        documentation_url: expect.stringContaining('docs.github.com/rest/pulls/reviews'),
        status: '422',
      });
      expect(gh.state.reviews).toHaveLength(0);
      expect(gh.state.reviewComments).toHaveLength(0);
      expect(gh.takeViolations()).toEqual([expect.objectContaining({ kind: 'unprocessable', operationId: 'pulls/create-review' })]);
    });

    it.each([
      ['a LEFT line outside the hunks', { line: 25, side: 'LEFT' }, 'must be part of the diff'],
      ['an added-only line number on the LEFT', { line: 51, side: 'LEFT' }, 'must be part of the diff'],
      ['a range spanning two hunks', { start_line: 10, line: 40, side: 'RIGHT' }, 'start line must be part of the same hunk as the line.'],
      ['a range ending before it starts', { start_line: 11, line: 9, side: 'RIGHT' }, 'start line must precede the end line.'],
      ['a file not in the pull request', { path: 'README.md', line: 1, side: 'RIGHT' }, 'Path could not be resolved'],
    ])('rejects %s', async (_name, placement, message) => {
      const { number } = scenario(gh);
      const res = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/pulls/${number}/reviews`, review([{ path: 'nixos/modules/a.nix', body: 'x', ...placement }]));
      expect(res.status).toBe(422);
      expect(res.json.errors[0]).toContain(message);
      expect(gh.state.reviews).toHaveLength(0);
      gh.takeViolations();
    });

    it('answers a single review comment outside the diff with Validation Failed', async () => {
      const { number, head } = scenario(gh);
      const res = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/pulls/${number}/comments`, { body: 'x', commit_id: head, path: 'nixos/modules/a.nix', line: 25, side: 'RIGHT' });
      expect(res.status).toBe(422);
      expect(res.json.message).toBe('Validation Failed');
      expect(res.json.errors).toEqual([
        { resource: 'PullRequestReviewComment', code: 'custom', field: 'pull_request_review_thread.line', message: 'pull_request_review_thread.line must be part of the diff' },
        { resource: 'PullRequestReviewComment', code: 'missing_field', field: 'pull_request_review_thread.diff_hunk' },
      ]);
      const ok = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/pulls/${number}/comments`, { body: 'x', commit_id: head, path: 'nixos/modules/a.nix', line: 40, side: 'RIGHT' });
      expect(ok.status).toBe(201);
      expect(ok.json).toMatchObject({ line: 40, side: 'RIGHT', path: 'nixos/modules/a.nix', commit_id: head });
      expect(gh.takeViolations().map((v) => v.kind)).toEqual(['unprocessable']);
    });

    it('rejects bodies over 65536 characters in comments and reviews', async () => {
      const { number } = scenario(gh);
      const max = 'x'.repeat(65536);
      expect((await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/${number}/comments`, { body: max })).status).toBe(201);
      const tooLong = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/${number}/comments`, { body: `${max}y` });
      expect(tooLong.status).toBe(422);
      expect(tooLong.json.errors).toEqual([{ resource: 'IssueComment', code: 'unprocessable', field: 'data', message: 'Body is too long (maximum is 65536 characters)' }]);
      const id = gh.state.issueComments[0]!.id;
      expect((await call(gh, 'PATCH', `/repos/${OWNER}/${REPO}/issues/comments/${id}`, { body: `${max}y` })).status).toBe(422);
      expect((await call(gh, 'POST', `/repos/${OWNER}/${REPO}/pulls/${number}/reviews`, review([], { body: `${max}y` }))).status).toBe(422);
      expect(gh.state.issueComments.map((c) => c.body.length)).toEqual([65536]);
      expect(gh.takeViolations().map((v) => v.kind)).toEqual(['unprocessable', 'unprocessable', 'unprocessable']);
    });
  });

  describe('issue comments, reactions, permissions, labels', () => {
    it('creates, edits and lists comments with ids; reactions answer 201 then 200', async () => {
      const { number } = scenario(gh);
      const created = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/${number}/comments`, { body: '<!-- nixos-harden -->\nsummary' });
      expect(created.status).toBe(201);
      expect(created.json.user.login).toBe('github-actions[bot]');
      const edited = await call(gh, 'PATCH', `/repos/${OWNER}/${REPO}/issues/comments/${created.json.id}`, { body: '<!-- nixos-harden -->\nv2' });
      expect(edited.json).toMatchObject({ id: created.json.id, body: '<!-- nixos-harden -->\nv2' });
      expect(gh.state.commentsOn(OWNER, REPO, number)).toEqual([expect.objectContaining({ id: created.json.id, history: ['<!-- nixos-harden -->\nsummary'] })]);
      const listed = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/issues/${number}/comments`);
      expect(listed.json.map((c: any) => c.id)).toEqual([created.json.id]);

      const slash = gh.addIssueComment(OWNER, REPO, number, 'bob', '/harden help');
      const r1 = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/comments/${slash}/reactions`, { content: 'eyes' });
      const r2 = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/comments/${slash}/reactions`, { content: 'eyes' });
      const r3 = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/comments/${slash}/reactions`, { content: 'rocket' });
      expect([r1.status, r2.status, r3.status]).toEqual([201, 200, 201]);
      expect(r2.json.id).toBe(r1.json.id);
      expect(gh.state.reactionsOn(OWNER, REPO, slash)).toEqual(['eyes', 'rocket']);
      expect((await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/comments/999999/reactions`, { content: 'eyes' })).status).toBe(404);
      gh.assertNoViolations();
    });

    it('reports collaborator permissions', async () => {
      scenario(gh);
      gh.setPermission(OWNER, REPO, 'maintainer', 'write');
      gh.setPermission(OWNER, REPO, 'outsider', 'none');
      const perm = async (user: string) => (await call(gh, 'GET', `/repos/${OWNER}/${REPO}/collaborators/${user}/permission`)).json;
      expect((await perm('maintainer')).permission).toBe('write');
      expect((await perm(OWNER)).permission).toBe('admin');
      expect((await perm('alice')).permission).toBe('read');
      expect((await perm('outsider')).permission).toBe('none');
      expect((await call(gh, 'GET', `/repos/${OWNER}/${REPO}/collaborators/ghost/permission`)).status).toBe(404);
      gh.assertNoViolations();
    });

    it('adds, lists, creates and removes labels', async () => {
      const { number } = scenario(gh);
      const added = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/${number}/labels`, { labels: ['hardening: regression'] });
      expect(added.json.map((l: any) => l.name)).toEqual(['hardening: regression']);
      expect((await call(gh, 'POST', `/repos/${OWNER}/${REPO}/labels`, { name: 'hardening: tightened', color: '0e8a16' })).status).toBe(201);
      const dup = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/labels`, { name: 'Hardening: Tightened', color: '0e8a16' });
      expect(dup.json.errors).toEqual([{ resource: 'Label', code: 'already_exists', field: 'name' }]);
      expect((await call(gh, 'GET', `/repos/${OWNER}/${REPO}/labels`)).json.map((l: any) => l.name)).toEqual(['hardening: regression', 'hardening: tightened']);
      const removed = await call(gh, 'DELETE', `/repos/${OWNER}/${REPO}/issues/${number}/labels/${encodeURIComponent('hardening: regression')}`);
      expect(removed.json).toEqual([]);
      const again = await call(gh, 'DELETE', `/repos/${OWNER}/${REPO}/issues/${number}/labels/${encodeURIComponent('hardening: regression')}`);
      expect(again.status).toBe(404);
      expect(again.json.message).toBe('Label does not exist');
      expect(gh.state.labelsOn(OWNER, REPO, number)).toEqual([]);
      expect(gh.takeViolations().map((v) => v.kind)).toEqual(['unprocessable']);
    });
  });

  describe('check runs', () => {
    const annotations = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ path: 'nixos/modules/a.nix', start_line: i + 1, end_line: i + 1, annotation_level: 'warning', message: `finding ${i}` }));

    it('rejects more than 50 annotations per request and appends them on update', async () => {
      const { head } = scenario(gh);
      const tooMany = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'nixos-harden', head_sha: head, status: 'in_progress', output: { title: 't', summary: 's', annotations: annotations(51) } });
      expect(tooMany.status).toBe(422);
      expect(tooMany.json.message).toBe('Invalid request.\n\nNo more than 50 items are allowed; 51 were supplied.');
      expect(gh.takeViolations()).toEqual([expect.objectContaining({ kind: 'invalid-body', operationId: 'checks/create' })]);
      expect(gh.state.checkRuns).toHaveLength(0);

      const created = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'nixos-harden', head_sha: head, status: 'in_progress', output: { title: 't', summary: 's', annotations: annotations(50) } });
      expect(created.status).toBe(201);
      const updated = await call(gh, 'PATCH', `/repos/${OWNER}/${REPO}/check-runs/${created.json.id}`, { conclusion: 'failure', output: { title: 't', summary: 'done', annotations: annotations(30) } });
      expect(updated.status).toBe(200);
      expect(updated.json).toMatchObject({ status: 'completed', conclusion: 'failure', output: { annotations_count: 80, summary: 'done' } });
      expect(gh.state.checkRunsFor(OWNER, REPO, head)[0]!.annotations).toHaveLength(80);
      const list = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/commits/${head}/check-runs`);
      expect(list.json).toMatchObject({ total_count: 1, check_runs: [{ id: created.json.id, name: 'nixos-harden' }] });
      const page = await call(gh, 'GET', `/repos/${OWNER}/${REPO}/check-runs/${created.json.id}/annotations?per_page=100`);
      expect(page.json).toHaveLength(80);
      gh.assertNoViolations();
    });

    it('enforces the summary, annotation title and conclusion rules', async () => {
      const { head } = scenario(gh);
      const long = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'n', head_sha: head, output: { title: 't', summary: 'x'.repeat(65536) } });
      expect(long.status).toBe(422);
      expect(long.json.message).toContain('Only 65535 characters are allowed; 65536 were supplied.');
      const title = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'n', head_sha: head, output: { title: 't', summary: 's', annotations: [{ ...annotations(1)[0], title: 'x'.repeat(256) }] } });
      expect(title.status).toBe(422);
      expect(title.json.errors).toEqual([{ resource: 'CheckRun', code: 'invalid', field: 'annotations' }]);
      const columns = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'n', head_sha: head, output: { title: 't', summary: 's', annotations: [{ ...annotations(1)[0], end_line: 3, start_column: 1, end_column: 2 }] } });
      expect(columns.status).toBe(422);
      const noConclusion = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'n', head_sha: head, status: 'completed' });
      expect(noConclusion.status).toBe(422);
      const unknownSha = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'n', head_sha: 'f'.repeat(40) });
      expect(unknownSha.status).toBe(422);
      expect(gh.takeViolations().map((v) => v.kind)).toEqual(['invalid-body', 'unprocessable', 'unprocessable', 'unprocessable', 'unprocessable']);
    });
  });

  describe('request validation against GitHub\'s OpenAPI description', () => {
    it('flags an invalid body with a 422 in GitHub\'s words and a violation', async () => {
      const { number, head } = scenario(gh);
      const id = gh.addIssueComment(OWNER, REPO, number, 'bob', '/harden help');
      const badEnum = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/comments/${id}/reactions`, { content: 'smile' });
      expect(badEnum.status).toBe(422);
      expect(badEnum.json.message).toMatch(/^Invalid request\.\n\nFor 'properties\/content', "smile" is not a member of/);
      const missing = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/${number}/comments`, { text: 'wrong key' });
      expect(missing.json.message).toBe('Invalid request.\n\n"body" wasn\'t supplied.');
      const wrongType = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/pulls/${number}/reviews`, { event: 'COMMENT', body: 'b', comments: [{ path: 'a', body: 'b', line: '10' }] });
      expect(wrongType.status).toBe(422);
      const nullLine = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/pulls/${number}/comments`, { body: 'x', commit_id: head, path: 'nixos/modules/a.nix', line: 10, start_line: null });
      expect(nullLine.status).toBe(422);
      const badJson = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/${number}/comments`, '{"body": ');
      expect(badJson.status).toBe(400);
      expect(badJson.json.message).toBe('Problems parsing JSON');
      expect(gh.takeViolations().map((v) => v.kind)).toEqual(['invalid-body', 'invalid-body', 'invalid-body', 'invalid-body', 'invalid-json']);
      expect(gh.state.issueComments).toHaveLength(1);
    });

    it('answers 404 for a wrong method, a trailing slash or an unimplemented operation, and records each', async () => {
      scenario(gh);
      expect((await call(gh, 'PUT', `/repos/${OWNER}/${REPO}/pulls/1/files`)).status).toBe(404);
      expect((await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/1/`)).status).toBe(404);
      expect((await call(gh, 'GET', `/repos/${OWNER}/${REPO}/releases`)).status).toBe(404);
      const kinds = gh.takeViolations().map((v) => v.kind);
      expect(kinds).toEqual(['no-operation', 'no-operation', 'unimplemented']);
      expect(() => gh.assertNoViolations()).not.toThrow();
      await call(gh, 'GET', '/nope');
      expect(() => gh.assertNoViolations()).toThrow(/no-operation: GET \/nope/);
      gh.takeViolations();
    });
  });

  describe('GraphQL', () => {
    const gql = (gh: GitHubServer, query: string, variables?: Record<string, unknown>, path = '/graphql') => call(gh, 'POST', path, { query, variables });

    it('resolves batched object(expression:) aliases, with truncation, binaries and missing paths', async () => {
      const { base, head } = scenario(gh);
      const huge = 'é'.repeat(300_000); // 600,000 bytes
      const extra = gh.commit(OWNER, REPO, { parent: head, files: { 'big.nix': huge, 'bin.dat': new Uint8Array([0, 1, 2, 3]) } });
      const res = await gql(
        gh,
        `query($owner: String!, $name: String!) {
          repository(owner: $owner, name: $name) {
            f0: object(expression: "${base}:nixos/modules/a.nix") { ... on Blob { text isBinary isTruncated byteSize oid } }
            f1: object(expression: "${head}:nixos/modules/a.nix") { ... on Blob { text isBinary isTruncated byteSize oid } }
            f2: object(expression: "${extra}:big.nix") { ... on Blob { text isBinary isTruncated byteSize } }
            f3: object(expression: "${extra}:bin.dat") { ... on Blob { text isBinary isTruncated byteSize } }
            f4: object(expression: "${head}:missing.nix") { ... on Blob { text } }
            f5: object(expression: "harden:nixos") { __typename ... on Tree { entries { name type } } }
          }
          rateLimit { cost remaining }
        }`,
        { owner: OWNER, name: REPO },
      );
      expect(res.status).toBe(200);
      expect(res.json.errors).toBeUndefined();
      const r = res.json.data.repository;
      expect(r.f0).toEqual({ text: lines(50), isBinary: false, isTruncated: false, byteSize: lines(50).length, oid: gh.model.commits.get(base)!.files.get('nixos/modules/a.nix') });
      expect(r.f1.text).toContain('line 40 changed');
      expect(r.f2.isTruncated).toBe(true);
      expect(r.f2.byteSize).toBe(600_000);
      expect(Buffer.byteLength(r.f2.text)).toBe(512_000);
      expect(r.f3).toEqual({ text: null, isBinary: true, isTruncated: false, byteSize: 4 });
      expect(r.f4).toBeNull();
      expect(r.f5).toEqual({ __typename: 'Tree', entries: [{ name: 'modules', type: 'tree' }] });
      expect(res.json.data.rateLimit).toEqual({ cost: 1, remaining: 4999 });
      expect(res.headers.get('x-ratelimit-resource')).toBe('graphql');
      gh.assertNoViolations();
    });

    it('is also served at /api/graphql (GHE base URL)', async () => {
      scenario(gh);
      const res = await gql(gh, `{ repository(owner: "${OWNER}", name: "${REPO}") { defaultBranchRef { name } } }`, undefined, '/api/graphql');
      expect(res.json).toEqual({ data: { repository: { defaultBranchRef: { name: 'main' } } } });
    });

    it('returns GitHub-style errors for invalid queries and records them', async () => {
      scenario(gh);
      const unknownField = await gql(gh, `{ repository(owner: "${OWNER}", name: "${REPO}") { object(expression: "main:a") { ... on Blob { txt } } } }`);
      expect(unknownField.status).toBe(200);
      expect(unknownField.json.data).toBeUndefined();
      expect(unknownField.json.errors[0]).toMatchObject({ message: "Field 'txt' doesn't exist on type 'Blob'", extensions: { code: 'undefinedField', typeName: 'Blob', fieldName: 'txt' } });
      const syntax = await gql(gh, '{ repository(owner: "a" ');
      expect(syntax.json.errors[0].message).toMatch(/^Parse error/);
      const missingArg = await gql(gh, '{ repository(owner: "a") { id } }');
      expect(missingArg.json.errors[0].message).toMatch(/argument "name"/);
      const notFound = await gql(gh, '{ repository(owner: "nobody", name: "nothing") { id } }');
      expect(notFound.json).toEqual({
        data: { repository: null },
        errors: [expect.objectContaining({ type: 'NOT_FOUND', path: ['repository'], message: "Could not resolve to a Repository with the name 'nobody/nothing'." })],
      });
      const unmodelled = await gql(gh, `{ repository(owner: "${OWNER}", name: "${REPO}") { stargazerCount } }`);
      expect(unmodelled.json.errors[0].message).toMatch(/does not model Repository.stargazerCount/);
      expect(gh.takeViolations().map((v) => v.kind)).toEqual(['graphql-invalid', 'graphql-invalid', 'graphql-invalid', 'graphql-unimplemented']);
    });
  });

  describe('fault injection', () => {
    it('answers the next N matching requests with the given status, then normally', async () => {
      scenario(gh);
      const fault = gh.fail('pulls/get', { status: 502, times: 2 });
      expect((await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/1`)).status).toBe(502);
      expect((await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/1`)).status).toBe(502);
      expect((await call(gh, 'GET', `/repos/${OWNER}/${REPO}/pulls/1`)).status).toBe(200);
      expect(fault.hits).toBe(2);
      expect(gh.requests.map((r) => r.fault ?? false)).toEqual([true, true, false]);
      gh.assertNoViolations();
    });

    it('shapes secondary and primary rate limits like GitHub', async () => {
      scenario(gh);
      gh.fail({ method: 'POST', path: /\/comments$/ }, { kind: 'secondary-rate-limit', retryAfter: 3 });
      const secondary = await call(gh, 'POST', `/repos/${OWNER}/${REPO}/issues/1/comments`, { body: 'x' });
      expect(secondary.status).toBe(403);
      expect(secondary.headers.get('retry-after')).toBe('3');
      expect(secondary.json.message).toMatch(/secondary rate limit/);
      gh.fail('graphql', { kind: 'rate-limit', status: 200 });
      const primary = await call(gh, 'POST', '/graphql', { query: '{ rateLimit { remaining } }' });
      expect(primary.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(primary.json.errors[0].type).toBe('RATE_LIMITED');
      gh.fail((r) => r.operationId === 'repos/get', { status: 429 });
      const tooMany = await call(gh, 'GET', `/repos/${OWNER}/${REPO}`);
      expect(tooMany.status).toBe(429);
      expect(tooMany.headers.get('retry-after')).toBe('1');
      gh.fail('repos/get', { status: 403, retryAfter: 60 });
      const exhausted = await call(gh, 'GET', `/repos/${OWNER}/${REPO}`);
      expect(exhausted.status).toBe(403);
      expect(exhausted.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(exhausted.headers.get('x-ratelimit-reset')) - Date.now() / 1000).toBeGreaterThan(55);
      expect(exhausted.json.message).toMatch(/^API rate limit exceeded for/);
      expect(gh.state.issueComments).toHaveLength(0);
      gh.assertNoViolations();
    });

    it('delays or hangs', async () => {
      scenario(gh);
      gh.fail('repos/get', { delayMs: 150 });
      const t0 = Date.now();
      expect((await call(gh, 'GET', `/repos/${OWNER}/${REPO}`)).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      gh.fail('repos/get', { kind: 'hang' });
      await expect(fetch(`${gh.url}/repos/${OWNER}/${REPO}`, { headers: { authorization: `token ${TOKEN}` }, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    });
  });

  describe('webhooks', () => {
    it('builds payloads that match GitHub\'s webhook schemas, from the model', () => {
      const { number, head, base } = scenario(gh);
      gh.addUser('forker');
      gh.addRepo({ owner: 'forker', repo: REPO, forkOf: { owner: OWNER, repo: REPO } });
      const forkHead = gh.commit('forker', REPO, { parent: base, files: { 'nixos/modules/b.nix': '{ }\n' } });
      const forkPr = gh.openPullRequest({ owner: OWNER, repo: REPO, base, head: forkHead, headRepo: { owner: 'forker', repo: REPO }, author: 'forker' });

      const opened = pullRequestPayload(gh, { action: 'opened', owner: OWNER, repo: REPO, number });
      expect(opened).toMatchObject({
        action: 'opened',
        number,
        installation: { id: gh.installationId(OWNER, REPO) },
        pull_request: { number, head: { sha: head, ref: 'harden' }, base: { sha: base, ref: 'main' }, user: { login: 'alice' } },
        repository: { full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } },
        sender: { login: 'alice' },
      });
      const fork = pullRequestPayload(gh, { action: 'opened', owner: OWNER, repo: REPO, number: forkPr });
      expect((fork.pull_request as any).head.repo.full_name).toBe(`forker/${REPO}`);
      expect((fork.pull_request as any).head.repo.fork).toBe(true);

      const next = gh.commit(OWNER, REPO, { parent: head, files: { 'x.nix': '{ }\n' } });
      gh.pushToPullRequest(OWNER, REPO, number, next);
      const sync = pullRequestPayload(gh, { action: 'synchronize', owner: OWNER, repo: REPO, number });
      expect(sync).toMatchObject({ before: head, after: next });
      for (const action of ['reopened', 'ready_for_review'] as const) pullRequestPayload(gh, { action, owner: OWNER, repo: REPO, number });

      const comment = gh.addIssueComment(OWNER, REPO, number, 'bob', '/harden suggest');
      const ic = issueCommentPayload(gh, { owner: OWNER, repo: REPO, commentId: comment });
      expect(ic).toMatchObject({ action: 'created', comment: { id: comment, body: '/harden suggest', user: { login: 'bob' } }, issue: { number, pull_request: expect.any(Object) } });
      const plain = gh.addIssue({ owner: OWNER, repo: REPO, author: 'carol' });
      const onIssue = issueCommentPayload(gh, { owner: OWNER, repo: REPO, commentId: gh.addIssueComment(OWNER, REPO, plain, 'carol', 'hi') });
      expect(onIssue.issue).not.toHaveProperty('pull_request');

      gh.model.checkRuns.push({ id: 77, repo: `${OWNER}/${REPO}`, name: 'nixos-harden', headSha: head, status: 'completed', conclusion: 'failure', startedAt: gh.model.now(), completedAt: gh.model.now(), detailsUrl: null, externalId: '', output: { title: 't', summary: 's', text: null }, annotations: [], actions: [], appId: gh.app.id, updates: [] });
      const rerun = checkRunPayload(gh, { action: 'rerequested', owner: OWNER, repo: REPO, checkRunId: 77 });
      expect(rerun).toMatchObject({ action: 'rerequested', check_run: { id: 77, head_sha: head, name: 'nixos-harden', app: { id: gh.app.id } } });
      expect(webhookProblems('pull_request', { ...opened, pull_request: undefined })).not.toEqual([]);
    });

    it('signs deliveries with HMAC-SHA256 of the raw body', () => {
      const delivery = signedDelivery('s3cret', 'pull_request', { action: 'opened', installation: { id: 5 } });
      expect(delivery.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 's3cret').update(delivery.body).digest('hex')}`);
      expect(delivery.headers).toMatchObject({ 'x-github-event': 'pull_request', 'content-type': 'application/json', 'x-github-hook-installation-target-id': '5' });
      expect(delivery.headers['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('with a real Probot app', () => {
    let web: Server | undefined;

    afterEach(async () => {
      await new Promise((resolve) => (web ? web.close(resolve) : resolve(undefined)));
      web = undefined;
    });

    it.each([['plain base URL', false], ['GHE base URL', true]])('handles a signed pull_request webhook end to end (%s)', async (_name, ghe) => {
      const { number, head } = scenario(gh);
      gh.model.tokens.delete(TOKEN);
      const secret = 'webhook-secret';
      const probot = new Probot({
        appId: gh.app.id,
        privateKey: gh.app.privateKey,
        secret,
        baseUrl: ghe ? gh.gheUrl : gh.url,
        logLevel: 'fatal',
        Octokit: ProbotOctokit.defaults((o: any) => ({ ...o, throttle: { enabled: false }, retry: { enabled: false } })),
      });
      const seen: string[] = [];
      const middleware = await createNodeMiddleware(
        (app) => {
          app.on('pull_request.opened', async (context) => {
            const files = await context.octokit.paginate(context.octokit.rest.pulls.listFiles, context.pullRequest({ per_page: 100 }));
            const blobs: any = await context.octokit.graphql(
              `query($owner: String!, $repo: String!) { repository(owner: $owner, name: $repo) { f0: object(expression: "${head}:${files[0]!.filename}") { ... on Blob { text } } } }`,
              context.repo(),
            );
            seen.push(blobs.repository.f0.text.split('\n')[9]);
            const patch = parsePatch(files[0]!.patch!);
            await context.octokit.rest.pulls.createReview(
              context.pullRequest({ commit_id: head, event: 'COMMENT' as const, body: 'review', comments: [{ path: files[0]!.filename, line: patch.lines.find((l) => l.kind === '+')!.newLine!, side: 'RIGHT' as const, body: 'x' }] }),
            );
            await context.octokit.rest.issues.createComment(context.issue({ body: 'summary' }));
            const config = await context.octokit.rest.repos.getContent({ ...context.repo(), path: '.github/nixos-harden.yml', mediaType: { format: 'raw' } }).catch((e: { status: number }) => e.status);
            seen.push(String(config));
          });
        },
        { probot },
      );
      web = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
      await new Promise<void>((resolve) => web!.listen(0, '127.0.0.1', resolve));
      const delivery = signedDelivery(secret, 'pull_request', pullRequestPayload(gh, { action: 'opened', owner: OWNER, repo: REPO, number }));
      const res = await fetch(`http://127.0.0.1:${(web.address() as AddressInfo).port}/api/github/webhooks`, { method: 'POST', headers: delivery.headers, body: delivery.body });
      expect(res.status).toBe(200);
      expect(seen).toEqual(['line 10 changed', '404']);
      expect(gh.requests.map((r) => `${r.method} ${r.operationId} ${r.status}`)).toEqual([
        'POST apps/create-installation-access-token 201',
        'GET pulls/list-files 200',
        'POST graphql 200',
        'POST pulls/create-review 200',
        'POST issues/create-comment 201',
        'GET repos/get-content 404',
      ]);
      expect(gh.requests[2]!.url).toBe(ghe ? '/api/graphql' : '/graphql');
      expect(gh.state.commentsOn(OWNER, REPO, number)[0]!.user).toBe(gh.app.botLogin);
      gh.assertNoViolations();
    });
  });
});
