/**
 * Trust: whatever happens (a review, a failure, a timeout, a slash command), nothing the app or
 * Probot logs contains an installation token, the app's JWT, the private key or the webhook
 * secret.
 */
import { Writable } from 'node:stream';
import { issueCommentPayload, pullRequestPayload } from '../support/github/index.js';
import { type Harness, startHarness } from '../support/app-harness.js';
import { OWNER, REPO, createScenario } from '../support/nixpkgs-scenario.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('logs', () => {
  let h: Harness;
  let log: Capture;
  beforeEach(async () => {
    log = new Capture();
    h = await startHarness({ log, requestTimeoutMs: 2500 });
  });
  afterEach(async () => {
    await h.close();
  });

  it('never contain tokens, the JWT, the private key or the webhook secret', async () => {
    const s = createScenario(h.gh);
    const opened = () => pullRequestPayload(h.gh, { action: 'opened', owner: OWNER, repo: REPO, number: s.number });
    // A review that works, one that fails (502), one that times out, one with a bad signature,
    // and a slash command.
    expect(await h.deliver('pull_request', opened())).toBe(200);
    h.gh.fail('pulls/list-files', { status: 502, times: 1 });
    expect(await h.deliver('pull_request', opened())).toBeGreaterThanOrEqual(500);
    h.gh.fail('pulls/list-files', { kind: 'hang', times: 1 });
    expect(await h.deliver('pull_request', opened())).toBeGreaterThanOrEqual(500);
    expect(await h.deliver('pull_request', opened(), { secret: 'wrong' })).toBe(400);
    const id = h.gh.addIssueComment(OWNER, REPO, s.number, s.author, '/harden suggest');
    expect(await h.deliver('issue_comment', issueCommentPayload(h.gh, { owner: OWNER, repo: REPO, commentId: id }))).toBe(200);
    h.gh.takeViolations();

    // Something was logged (at debug level: requests, errors), so the test can see.
    const lines = log.text.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(10);
    expect(log.text).toMatch(/review failed/);
    expect(log.text).toMatch(/GitHub request: GET /);

    const tokens = [...h.gh.model.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) expect(log.text).not.toContain(t);
    // JWTs the app signed (three base64url parts): none in the log.
    expect(log.text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    // The private key: neither its header nor any line of its body.
    expect(log.text).not.toContain('PRIVATE KEY');
    for (const keyLine of h.gh.app.privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) expect(log.text).not.toContain(keyLine);
    expect(log.text).not.toContain(h.secret);
    expect(log.text).not.toMatch(/authorization["']?\s*:\s*["']?(token|bearer)\s+(?!\[REDACTED\])/i);
  });
});
