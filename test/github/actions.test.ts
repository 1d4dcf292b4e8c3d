/**
 * The GitHub Actions path of docs/actions-workflow.yml: the same app run once by `probot receive`
 * with a GITHUB_TOKEN, against the fake GitHub (the compiled app from `npm run build`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pullRequestPayload, startGitHubServer } from '../support/github/index.js';
import { OWNER, REPO, createScenario } from '../support/nixpkgs-scenario.js';

const APP = 'dist/src/github/app.js';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code, out }));
  });
}

describe('probot receive (the GitHub Actions workflow)', () => {
  it('reviews the pull request of the event file with GITHUB_TOKEN', async () => {
    expect(existsSync(APP)).toBe(true); // built by npm run build (part of npm test)
    const gh = await startGitHubServer({ tokens: [{ token: 'ghs_actions_token', permissions: { contents: 'read', pull_requests: 'write', issues: 'write', checks: 'write', metadata: 'read' } }] });
    try {
      const s = createScenario(gh);
      const dir = mkdtempSync(join(tmpdir(), 'nh-actions-'));
      const event = join(dir, 'event.json');
      writeFileSync(event, JSON.stringify(pullRequestPayload(gh, { action: 'opened', owner: OWNER, repo: REPO, number: s.number })));
      const { PRIVATE_KEY: _k, APP_ID: _a, ...env } = process.env;
      const r = await run(process.execPath, ['node_modules/probot/bin/probot.js', 'receive', '-e', 'pull_request', '-p', event, APP], {
        ...env,
        GITHUB_TOKEN: 'ghs_actions_token',
        GHE_HOST: gh.host,
        GHE_PROTOCOL: 'http',
        LOG_LEVEL: 'fatal',
        NODE_ENV: 'test',
      });
      expect({ code: r.code, out: r.out.slice(0, 2000) }).toEqual({ code: 0, out: expect.any(String) });
      expect(gh.state.commentsOn(OWNER, REPO, s.number)).toHaveLength(1);
      expect(gh.requests.some((x: { operationId?: string }) => x.operationId === 'apps/create-installation-access-token')).toBe(false);
      gh.assertNoViolations();
    } finally {
      await gh.close();
    }
  });
});
