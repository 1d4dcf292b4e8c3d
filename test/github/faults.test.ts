/**
 * GitHub failing, deliveries repeated, pushes racing: after each, exactly one sticky comment per
 * PR reflecting the latest head, at most one review per head commit, and a check run that says
 * what could not be done.
 */
import { pullRequestPayload } from '../support/github/index.js';
import { type Harness, startHarness } from '../support/app-harness.js';
import { OWNER, REPO, createScenario } from '../support/nixpkgs-scenario.js';
import { shouldRetryRateLimit } from '../../src/github/octokit.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const opened = (n: number) => pullRequestPayload(h.gh, { action: 'opened', owner: OWNER, repo: REPO, number: n });
const reviewsOn = (n: number) => h.gh.state.reviews.filter((r: { pullNumber?: number; number?: number }) => (r.pullNumber ?? r.number) === n);
const checksOn = (sha: string) => h.gh.state.checkRuns.filter((c: { headSha?: string; head_sha?: string }) => (c.headSha ?? c.head_sha) === sha);

describe('faults', () => {
  it('a GitHub 502 while reading: the delivery fails, a check run says so, a redelivery recovers', async () => {
    const s = createScenario(h.gh);
    h.gh.fail('graphql', { status: 502, times: 1 });
    expect(await h.deliver('pull_request', opened(s.number))).toBeGreaterThanOrEqual(500);
    h.gh.takeViolations();
    expect(checksOn(s.head).map((c: { output: { title: string | null } }) => c.output.title)).toEqual(['The review could not be completed']);
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(0);
    expect(await h.deliver('pull_request', opened(s.number))).toBe(200);
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
    expect(reviewsOn(s.number)).toHaveLength(1);
  });

  it('a GitHub 500 while posting the summary: reported, and a redelivery posts exactly one summary', async () => {
    const s = createScenario(h.gh);
    const fault = h.gh.fail('issues/create-comment', { status: 500, times: 1 });
    expect(await h.deliver('pull_request', opened(s.number))).toBeGreaterThanOrEqual(500);
    expect(fault.hits).toBe(1);
    h.gh.takeViolations();
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(0);
    const failed = checksOn(s.head) as { output: { title: string | null; summary: string | null } }[];
    expect(failed.map((c) => c.output.title)).toEqual(['The review could not be completed']);
    expect(failed[0]!.output.summary).toContain('GitHub answered 500');
    expect(await h.deliver('pull_request', opened(s.number))).toBe(200);
    expect(await h.deliver('pull_request', opened(s.number))).toBe(200);
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
    expect(reviewsOn(s.number)).toHaveLength(1);
  });

  it('a 422 for a stale line: the review is posted again with its comments in the body, once', async () => {
    const s = createScenario(h.gh);
    const stale = { message: 'Unprocessable Entity', errors: ['Pull request review thread line must be part of the diff'], documentation_url: 'https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request', status: '422' };
    const fault = h.gh.fail('pulls/create-review', { status: 422, body: stale, times: 1 });
    expect(await h.deliver('pull_request', opened(s.number))).toBe(200);
    expect(fault.hits).toBe(1);
    h.gh.takeViolations();
    const reviews = reviewsOn(s.number) as { body: string }[];
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.body).toContain('GitHub did not accept these as comments on the lines');
    expect(reviews[0]!.body).toContain('```suggestion');
    expect(h.gh.state.reviewComments).toHaveLength(0);
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
    // A redelivery finds the review of this head and posts nothing more.
    expect(await h.deliver('pull_request', opened(s.number))).toBe(200);
    expect(reviewsOn(s.number)).toHaveLength(1);
  });

  it('a 422 on every try: the summary stays, the failure is reported, a redelivery posts the review once', async () => {
    const s = createScenario(h.gh);
    h.gh.fail('pulls/create-review', { status: 422, times: 2 });
    expect(await h.deliver('pull_request', opened(s.number))).toBeGreaterThanOrEqual(400);
    h.gh.takeViolations();
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
    expect(reviewsOn(s.number)).toHaveLength(0);
    expect((checksOn(s.head) as { output: { title: string | null } }[]).map((c) => c.output.title)).toContain('The review could not be completed');
    expect(await h.deliver('pull_request', opened(s.number))).toBe(200);
    expect(await h.deliver('pull_request', opened(s.number))).toBe(200);
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
    expect(reviewsOn(s.number)).toHaveLength(1);
  });

  it('duplicated deliveries post one summary and one review', async () => {
    const s = createScenario(h.gh);
    const statuses = await Promise.all([h.deliver('pull_request', opened(s.number)), h.deliver('pull_request', opened(s.number))]);
    expect(statuses).toEqual([200, 200]);
    await h.deliver('pull_request', opened(s.number));
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
    expect(reviewsOn(s.number)).toHaveLength(1);
  });

  it('a stale synchronize loses to the newer push', async () => {
    const s = createScenario(h.gh);
    const stale = opened(s.number); // payload for the first head
    const newer = h.gh.commit(OWNER, REPO, { parent: s.head, branch: 'hardening', files: { 'nixos/modules/services/misc/feed-digest.nix': null } });
    h.gh.pushToPullRequest(OWNER, REPO, s.number, newer);
    expect(await h.deliver('pull_request', stale)).toBe(200);
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(0); // dropped: the head moved on
    expect(await h.deliver('pull_request', pullRequestPayload(h.gh, { action: 'synchronize', owner: OWNER, repo: REPO, number: s.number }))).toBe(200);
    const comments = h.gh.state.commentsOn(OWNER, REPO, s.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(newer.slice(0, 12));
    expect(reviewsOn(s.number).every((r: { commitId?: string }) => r.commitId === newer)).toBe(true);
  });

  it('two synchronize deliveries racing: one summary for the newest head, at most one review per head', async () => {
    const s = createScenario(h.gh);
    expect(await h.deliver('pull_request', opened(s.number))).toBe(200);
    const older = h.gh.commit(OWNER, REPO, { parent: s.head, branch: 'hardening', files: { 'nixos/modules/services/misc/feed-digest.nix': null } });
    h.gh.pushToPullRequest(OWNER, REPO, s.number, older);
    const olderEvent = pullRequestPayload(h.gh, { action: 'synchronize', owner: OWNER, repo: REPO, number: s.number });
    const newer = h.gh.commit(OWNER, REPO, { parent: older, branch: 'hardening', files: { 'nixos/modules/services/web-apps/pastebin.nix': null } });
    h.gh.pushToPullRequest(OWNER, REPO, s.number, newer);
    const newerEvent = pullRequestPayload(h.gh, { action: 'synchronize', owner: OWNER, repo: REPO, number: s.number });
    // Both arrive at once, the newer first.
    const statuses = await Promise.all([h.deliver('pull_request', newerEvent), h.deliver('pull_request', olderEvent)]);
    expect(statuses).toEqual([200, 200]);
    const comments = h.gh.state.commentsOn(OWNER, REPO, s.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(newer.slice(0, 12));
    const perHead = new Map<string, number>();
    for (const r of reviewsOn(s.number) as { commitId?: string }[]) perHead.set(r.commitId!, (perHead.get(r.commitId!) ?? 0) + 1);
    expect([...perHead.values()].every((n) => n <= 1)).toBe(true);
    expect(perHead.has(older)).toBe(false); // the older head was never reviewed: it was stale when read
    h.gh.assertNoViolations();
  });

  it('a request GitHub never answers: it times out, a check run says so, a redelivery recovers', async () => {
    // Long enough for any answer of the local server on a loaded machine, short for a test.
    const t = await startHarness({ requestTimeoutMs: 2500 });
    try {
      const s = createScenario(t.gh);
      const hang = t.gh.fail('pulls/list-files', { kind: 'hang', times: 1 });
      const started = Date.now();
      expect(await t.deliver('pull_request', pullRequestPayload(t.gh, { action: 'opened', owner: OWNER, repo: REPO, number: s.number }))).toBeGreaterThanOrEqual(500);
      expect(Date.now() - started).toBeLessThan(15_000); // the review gave up; it did not wait forever
      expect(hang.hits).toBe(1);
      t.gh.takeViolations();
      const failed = t.gh.state.checkRuns.filter((c: { headSha?: string; head_sha?: string }) => (c.headSha ?? c.head_sha) === s.head);
      expect(failed.map((c: { output: { title: string | null } }) => c.output.title)).toEqual(['The review could not be completed']);
      expect((failed[0] as { output: { summary: string | null } }).output.summary).toMatch(/timed out/);
      expect(t.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(0);
      // Once GitHub answers again, a redelivery completes the review, once.
      expect(await t.deliver('pull_request', pullRequestPayload(t.gh, { action: 'opened', owner: OWNER, repo: REPO, number: s.number }))).toBe(200);
      expect(await t.deliver('pull_request', pullRequestPayload(t.gh, { action: 'opened', owner: OWNER, repo: REPO, number: s.number }))).toBe(200);
      expect(t.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
      expect(t.gh.state.reviewsOn(OWNER, REPO, s.number)).toHaveLength(1);
      t.gh.assertNoViolations();
    } finally {
      await t.close();
    }
  });

  it('a deleted head branch: GitHub answers 404 / NOT_FOUND, the PR is closed, nothing is posted', async () => {
    const s = createScenario(h.gh);
    const payload = opened(s.number); // delivered late, after the branch was deleted
    h.gh.closePullRequest(OWNER, REPO, s.number, { deleteHeadBranch: true });
    const notFound = { type: 'NOT_FOUND', path: ['r0'], locations: [{ line: 2, column: 1 }], message: `Could not resolve to a Repository with the name '${OWNER}/${REPO}'.` };
    const gone = h.gh.fail('graphql', { status: 200, body: { data: { r0: null }, errors: [notFound] }, times: 1 });
    expect(await h.deliver('pull_request', payload)).toBe(200);
    expect(gone.hits).toBe(1);
    h.gh.takeViolations();
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(0);
    expect(reviewsOn(s.number)).toHaveLength(0);
    expect(checksOn(s.head)).toHaveLength(0); // not a failure of ours: nothing left to review
  });

  it('a 404 for the head while the PR is still open: reported, and a redelivery recovers', async () => {
    const s = createScenario(h.gh);
    h.gh.fail('pulls/list-files', { status: 404, times: 1 });
    expect(await h.deliver('pull_request', opened(s.number))).toBeGreaterThanOrEqual(400);
    h.gh.takeViolations();
    const failed = checksOn(s.head) as { output: { title: string | null; summary: string | null } }[];
    expect(failed.map((c) => c.output.title)).toEqual(['The review could not be completed']);
    expect(failed[0]!.output.summary).toContain('GitHub answered 404');
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(0);
    expect(await h.deliver('pull_request', opened(s.number))).toBe(200);
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
    expect(reviewsOn(s.number)).toHaveLength(1);
  });

  it('a head blob that is gone is reported as unreadable, never reviewed as a deleted file', async () => {
    const s = createScenario(h.gh);
    // GitHub lists the changed files, but no object of the query can be resolved any more.
    const unresolved = (r: { body: unknown }) => {
      const query = String((r.body as { query?: string }).query ?? '');
      const data: Record<string, Record<string, null>> = {};
      let repoAlias = '';
      for (const line of query.split('\n')) {
        const repoMatch = /^(r\d+): repository/.exec(line);
        if (repoMatch) data[(repoAlias = repoMatch[1]!)] = {};
        const objectMatch = /^\s*(f\d+): object/.exec(line);
        if (objectMatch) data[repoAlias]![objectMatch[1]!] = null;
      }
      return { data };
    };
    const gone = h.gh.fail((r) => r.graphql && /object\(expression/.test(String((r.body as { query?: string })?.query)), { status: 200, body: unresolved, times: 1 });
    expect(await h.deliver('pull_request', opened(s.number))).toBe(200);
    h.gh.takeViolations();
    const [summary] = h.gh.state.commentsOn(OWNER, REPO, s.number);
    expect(gone.hits).toBe(1);
    expect(summary!.body).toMatch(/could not be read from GitHub/);
    expect(summary!.body).not.toMatch(/removed|deleted/i);
  });

  it('bounds retries after rate limits', () => {
    expect(shouldRetryRateLimit(10, 0)).toBe(true);
    expect(shouldRetryRateLimit(10, 2)).toBe(false);
    expect(shouldRetryRateLimit(3600, 0)).toBe(false);
  });
});

describe('rate limits with the production Octokit', () => {
  let t: Harness;
  beforeEach(async () => {
    t = await startHarness({ throttling: true });
  });
  afterEach(async () => {
    await t.close();
  });

  it('waits out a short secondary rate limit (Retry-After) and completes the review', async () => {
    const s = createScenario(t.gh);
    t.gh.fail('pulls/list-files', { status: 429, retryAfter: 1, times: 1 });
    expect(await t.deliver('pull_request', pullRequestPayload(t.gh, { action: 'opened', owner: OWNER, repo: REPO, number: s.number }))).toBe(200);
    t.gh.takeViolations();
    expect(t.gh.requests.filter((r: { operationId?: string }) => r.operationId === 'pulls/list-files').length).toBe(2);
    expect(t.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
  });

  it('gives up on a long one instead of waiting an hour, and says so in a check run', async () => {
    const s = createScenario(t.gh);
    t.gh.fail('pulls/list-files', { status: 403, times: 5, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) } });
    const started = Date.now();
    expect(await t.deliver('pull_request', pullRequestPayload(t.gh, { action: 'opened', owner: OWNER, repo: REPO, number: s.number }))).toBeGreaterThanOrEqual(400);
    t.gh.takeViolations();
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(t.gh.requests.filter((r: { operationId?: string }) => r.operationId === 'pulls/list-files').length).toBe(1);
    expect(t.gh.state.checkRuns.map((c: { output: { title: string | null } }) => c.output.title)).toEqual(['The review could not be completed']);
  });
});
