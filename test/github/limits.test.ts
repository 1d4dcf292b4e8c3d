/**
 * Pull requests at GitHub's limits, end to end through the app and the fake GitHub: 3 000 changed
 * files (the most GitHub lists), more than that, and one module with 300 services.
 */
import { pullRequestPayload } from '../support/github/index.js';
import { type Harness, startHarness } from '../support/app-harness.js';

const OWNER = 'nixos-demo';
const REPO = 'nixpkgs';
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.gh.addRepo({ owner: OWNER, repo: REPO, defaultBranch: 'master' });
});
afterEach(async () => {
  await h.close();
});

const moduleText = (i: number, system: string) =>
  `{ config, lib, pkgs, ... }:\n{\n  config.systemd.services.bulk${i} = {\n    wantedBy = [ "multi-user.target" ];\n    serviceConfig = {\n      ExecStart = "\${pkgs.hello}/bin/hello";\n      ProtectSystem = "${system}";\n      PrivateTmp = true;\n    };\n  };\n}\n`;
const packageText = (i: number, v: number) => `{ stdenv }:\nstdenv.mkDerivation {\n  pname = "p${i}";\n  version = "${v}";\n}\n`;

/** A PR changing `modules` service modules (loosening ProtectSystem) and `packages` package files. */
function bigPull(modules: number, packages: number): number {
  const files = (v: number) => ({
    ...Object.fromEntries(Array.from({ length: modules }, (_, i) => [`nixos/modules/services/misc/bulk${i}.nix`, moduleText(i, v === 1 ? 'strict' : 'full')])),
    ...Object.fromEntries(Array.from({ length: packages }, (_, i) => [`pkgs/by-name/p${String(i).padStart(4, '0')}/package.nix`, packageText(i, v)])),
  });
  const base = h.gh.commit(OWNER, REPO, { branch: 'master', files: files(1) });
  const head = h.gh.commit(OWNER, REPO, { parent: base, branch: 'big', files: files(2) });
  return h.gh.openPullRequest({ owner: OWNER, repo: REPO, base, head, author: 'bob', headRef: 'big' });
}

const count = (op: string) => h.gh.requests.filter((r: { operationId?: string }) => r.operationId === op).length;

describe('limits, end to end', () => {
  it('a PR with 3 000 changed files: every page is read, only the modules are fetched, one summary and one review', async () => {
    const number = bigPull(40, 2960);
    expect(await h.deliver('pull_request', pullRequestPayload(h.gh, { action: 'opened', owner: OWNER, repo: REPO, number }))).toBe(200);
    expect(count('pulls/list-files')).toBe(30); // 3 000 files, 100 a page
    const graphql = count('graphql');
    expect(graphql).toBeLessThanOrEqual(3); // 80 blobs of 40 modules, in aliased queries
    const [summary, ...more] = h.gh.state.commentsOn(OWNER, REPO, number);
    expect(more).toHaveLength(0);
    expect(summary!.body).toContain('40 services changed');
    expect(summary!.body).not.toContain('GitHub lists only');
    const reviews = h.gh.state.reviewsOn(OWNER, REPO, number);
    expect(reviews).toHaveLength(1);
    // 40 loosened lines, inline comments capped by output.max_inline_comments (default 30).
    expect(h.gh.state.reviewComments.length).toBe(30);
    expect(h.gh.state.labelsOn(OWNER, REPO, number)).toContain('hardening: regression');
    expect(h.gh.requests.length).toBeLessThan(60);
    h.gh.assertNoViolations();
  });

  it('a PR with more files than GitHub lists says which part went unreviewed', async () => {
    const number = bigPull(5, 3095);
    expect(await h.deliver('pull_request', pullRequestPayload(h.gh, { action: 'opened', owner: OWNER, repo: REPO, number }))).toBe(200);
    const [summary] = h.gh.state.commentsOn(OWNER, REPO, number);
    expect(summary!.body).toContain('GitHub lists only the first 3000 of the 3100 changed files');
    expect(summary!.body).toContain('5 services changed');
    h.gh.assertNoViolations();
  });

  it('a module with 300 services: the summary fits in one comment, the check run lists every change', async () => {
    const services = (system: string) =>
      Array.from({ length: 300 }, (_, i) => `  config.systemd.services.many${i}.serviceConfig = {\n    ProtectSystem = "${system}";\n    PrivateDevices = ${system === 'strict'};\n  };`).join('\n');
    const text = (system: string) => `{ config, lib, ... }:\n{\n${services(system)}\n}\n`;
    const base = h.gh.commit(OWNER, REPO, { branch: 'master', files: { 'nixos/modules/services/misc/many.nix': text('strict') } });
    const head = h.gh.commit(OWNER, REPO, { parent: base, branch: 'many', files: { 'nixos/modules/services/misc/many.nix': text('full') } });
    const number = h.gh.openPullRequest({ owner: OWNER, repo: REPO, base, head, author: 'bob', headRef: 'many' });
    expect(await h.deliver('pull_request', pullRequestPayload(h.gh, { action: 'opened', owner: OWNER, repo: REPO, number }))).toBe(200);
    const [summary, ...more] = h.gh.state.commentsOn(OWNER, REPO, number);
    expect(more).toHaveLength(0);
    expect(summary!.body.length).toBeLessThanOrEqual(65_536);
    const checks = h.gh.state.checkRunsFor(OWNER, REPO, head) as { output: { text: string | null; summary: string | null } }[];
    expect(checks).toHaveLength(1);
    const report = `${checks[0]!.output.summary ?? ''}\n${checks[0]!.output.text ?? ''}`;
    expect(report.length).toBeLessThanOrEqual(2 * 65_535);
    for (const i of [0, 150, 299]) expect(report).toContain(`many${i}`);
    h.gh.assertNoViolations();
  });
});
