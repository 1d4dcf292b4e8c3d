/**
 * End to end: signed webhooks into the real Probot app over HTTP, a GitHub-compatible server on
 * 127.0.0.1 that answers as strictly as GitHub (see test/support/github).
 */
import { issueCommentPayload, pullRequestPayload } from '../support/github/index.js';
import { type Harness, startHarness } from '../support/app-harness.js';
import { OWNER, REPO, createScenario } from '../support/nixpkgs-scenario.js';
import { SUMMARY_MARKER } from '../../src/review/render.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const prPayload = (action: string, number: number) => pullRequestPayload(h.gh, { action: action as 'opened', owner: OWNER, repo: REPO, number });

describe('the GitHub app', () => {
  it('reviews an opened pull request: sticky summary, inline comments with suggestions, check run, labels', async () => {
    const s = createScenario(h.gh);
    expect(await h.deliver('pull_request', prPayload('opened', s.number))).toBe(200);

    const comments = h.gh.state.commentsOn(OWNER, REPO, s.number);
    expect(comments).toHaveLength(1);
    const summary = comments[0]!.body as string;
    expect(summary).toContain(SUMMARY_MARKER);
    expect(summary).toContain('pastebin.service');
    expect(summary).toMatch(/ProtectSystem/);
    expect(summary).toContain('feed-digest.service');
    expect(summary).not.toContain('label-printer.service'); // only reformatted
    // Tightening dns-cache asks for its VM test by name.
    expect(summary).toContain('nix-build -A nixosTests.dns-cache');
    // Quoted inert (a zero-width space after the @), so that the bot itself never triggers ofborg.
    expect(summary).toContain('@\u200bofborg test dns-cache');

    const reviews = h.gh.state.reviews.filter((r: { pullNumber?: number; number?: number }) => (r.pullNumber ?? r.number) === s.number);
    expect(reviews).toHaveLength(1);
    const inline = reviews[0]!.comments as { path: string; line: number; body: string }[];
    const protect = inline.find((c) => c.body.includes('ProtectSystem'))!;
    expect(protect.path).toBe('nixos/modules/services/web-apps/pastebin.nix');
    expect(protect.line).toBe(74); // line 75 of examples/pastebin.nix, one up: the PR also drops PrivateUsers
    expect(protect.body).toContain('```suggestion\n        ProtectSystem = "strict";\n```');

    const checks = h.gh.state.checkRuns.filter((c: { headSha?: string; head_sha?: string }) => (c.headSha ?? c.head_sha) === s.head);
    expect(checks).toHaveLength(1);
    expect(checks[0]!.conclusion).toBe('failure'); // the base config says so for regressions
    expect(h.gh.state.labelsOn(OWNER, REPO, s.number).sort()).toEqual(['hardening: regression', 'hardening: tightened']);
    h.gh.assertNoViolations();
  });

  it('edits the same summary on synchronize and reviews only the new head', async () => {
    const s = createScenario(h.gh);
    await h.deliver('pull_request', prPayload('opened', s.number));
    const first = h.gh.state.commentsOn(OWNER, REPO, s.number)[0]!;
    // The author fixes the regression.
    const fixed = h.gh.commit(OWNER, REPO, {
      parent: s.head,
      branch: 'hardening',
      files: { 'nixos/modules/services/web-apps/pastebin.nix': (await import('node:fs')).readFileSync('examples/pastebin.nix', 'utf8') },
    });
    h.gh.pushToPullRequest(OWNER, REPO, s.number, fixed);
    expect(await h.deliver('pull_request', prPayload('synchronize', s.number))).toBe(200);
    const comments = h.gh.state.commentsOn(OWNER, REPO, s.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(first.id);
    expect(comments[0]!.body).not.toContain('loosened**');
    const reviews = h.gh.state.reviews.filter((r: { pullNumber?: number; number?: number }) => (r.pullNumber ?? r.number) === s.number);
    expect(reviews).toHaveLength(1); // nothing loosened on the new head: no new review
    expect(h.gh.state.labelsOn(OWNER, REPO, s.number)).toEqual(['hardening: tightened']);
    // A second delivery of the same event posts nothing new.
    await h.deliver('pull_request', prPayload('synchronize', s.number));
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
    h.gh.assertNoViolations();
  });

  it('answers 400 to a bad or missing signature and posts nothing', async () => {
    const s = createScenario(h.gh);
    expect(await h.deliver('pull_request', prPayload('opened', s.number), { secret: 'wrong' })).toBe(400);
    expect(await h.deliver('pull_request', prPayload('opened', s.number), { unsigned: true })).toBe(400);
    expect(h.gh.requests).toHaveLength(0);
  });

  it('reads a pull request that changes 20 modules with at most 6 API requests', async () => {
    h.gh.addRepo({ owner: OWNER, repo: REPO, defaultBranch: 'master' });
    const module = (i: number, strict: boolean) => `{ config, lib, ... }: {\n  config.systemd.services.svc${i}.serviceConfig = {\n    ProtectSystem = "${strict ? 'strict' : 'full'}";\n    PrivateTmp = true;\n  };\n}\n`;
    const files = (strict: boolean) => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`nixos/modules/services/misc/svc${i}.nix`, module(i, strict)]));
    const base = h.gh.commit(OWNER, REPO, { branch: 'master', files: files(true) });
    const head = h.gh.commit(OWNER, REPO, { parent: base, branch: 'pr', files: files(false) });
    const number = h.gh.openPullRequest({ owner: OWNER, repo: REPO, base, head, author: 'bob' });
    await h.deliver('pull_request', prPayload('opened', number));
    const reading = h.gh.requests.filter((r: { method: string; operationId?: string }) => r.method === 'GET' || r.operationId === 'graphql' || r.operationId === 'apps/create-installation-access-token');
    const beforePublishing = h.gh.requests.findIndex((r: { operationId?: string }) => r.operationId === 'pulls/get');
    const fetched = h.gh.requests.slice(0, beforePublishing);
    expect(fetched.length).toBeLessThanOrEqual(6);
    expect(reading.length).toBeGreaterThan(0);
    const summary = h.gh.state.commentsOn(OWNER, REPO, number)[0]!.body as string;
    expect(summary).toContain('20 services changed');
    h.gh.assertNoViolations();
  });

  it('asks for a VM test when a tightened module has none', async () => {
    h.gh.addRepo({ owner: OWNER, repo: REPO, defaultBranch: 'master' });
    const m = (x: string) => `{ config, lib, ... }: {\n  config.systemd.services.lonely.serviceConfig = {\n${x}    PrivateTmp = true;\n  };\n}\n`;
    const base = h.gh.commit(OWNER, REPO, { branch: 'master', files: { 'nixos/modules/services/misc/lonely.nix': m(''), 'nixos/tests/all-tests.nix': '{ ... }: { }\n' } });
    const head = h.gh.commit(OWNER, REPO, { parent: base, branch: 'pr', files: { 'nixos/modules/services/misc/lonely.nix': m('    ProtectSystem = "strict";\n') } });
    const number = h.gh.openPullRequest({ owner: OWNER, repo: REPO, base, head, author: 'bob' });
    await h.deliver('pull_request', prPayload('opened', number));
    expect(h.gh.state.commentsOn(OWNER, REPO, number)[0]!.body).toContain('no NixOS VM test covers this module');
  });

  describe('/harden commands', () => {
    it('answers suggest from the PR author with 👀, a reply and 🚀', async () => {
      const s = createScenario(h.gh);
      const id = h.gh.addIssueComment(OWNER, REPO, s.number, s.author, '/harden suggest pastebin');
      expect(await h.deliver('issue_comment', issueCommentPayload(h.gh, { owner: OWNER, repo: REPO, commentId: id }))).toBe(200);
      const reactions = h.gh.state.reactions.filter((r: { commentId?: number; subjectId?: number }) => (r.commentId ?? r.subjectId) === id).map((r: { content: string }) => r.content);
      expect(reactions).toEqual(['eyes', 'rocket']);
      const replies = h.gh.state.commentsOn(OWNER, REPO, s.number).filter((c: { id: number }) => c.id !== id);
      expect(replies).toHaveLength(1);
      expect(replies[0]!.body).toContain('pastebin.service');
      expect(replies[0]!.body).toContain('strict-v1');
      h.gh.assertNoViolations();
    });

    it('ignores commands from users without write access', async () => {
      const s = createScenario(h.gh);
      h.gh.setPermission(OWNER, REPO, 'mallory', 'read');
      const id = h.gh.addIssueComment(OWNER, REPO, s.number, 'mallory', '/harden suggest');
      await h.deliver('issue_comment', issueCommentPayload(h.gh, { owner: OWNER, repo: REPO, commentId: id }));
      expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1); // only mallory's own
      expect(h.gh.state.reactions).toHaveLength(0);
    });

    it('explains a directive for a writer', async () => {
      const s = createScenario(h.gh);
      h.gh.setPermission(OWNER, REPO, 'maint', 'write');
      const id = h.gh.addIssueComment(OWNER, REPO, s.number, 'maint', 'please\n/harden explain ProtectHome');
      await h.deliver('issue_comment', issueCommentPayload(h.gh, { owner: OWNER, repo: REPO, commentId: id }));
      const replies = h.gh.state.commentsOn(OWNER, REPO, s.number).filter((c: { id: number }) => c.id !== id);
      expect(replies[0]!.body).toContain('### ProtectHome');
    });
  });
});

describe('check_run.rerequested', () => {
  it('reviews the pull request again', async () => {
    const s = createScenario(h.gh);
    await h.deliver('pull_request', prPayload('opened', s.number));
    const run = h.gh.state.checkRuns[0]!;
    const { checkRunPayload } = await import('../support/github/index.js');
    expect(await h.deliver('check_run', checkRunPayload(h.gh, { action: 'rerequested', owner: OWNER, repo: REPO, checkRunId: run.id }))).toBe(200);
    expect(h.gh.state.checkRuns.length).toBe(2);
    expect(h.gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
    h.gh.assertNoViolations();
  });
});
