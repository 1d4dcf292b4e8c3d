/**
 * `npm run demo`: the real app and a GitHub-compatible server on 127.0.0.1 holding a small
 * nixpkgs-like repository with a pull request (one regression, one tightening with a VM test,
 * one refactor-only change, one new service). It delivers signed webhooks and prints what the
 * app posted. No credentials, no network.
 */
import { issueCommentPayload, pullRequestPayload } from '../test/support/github/index.js';
import { startHarness } from '../test/support/app-harness.js';
import { OWNER, REPO, createScenario } from '../test/support/nixpkgs-scenario.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatExtractText } from '../src/cli/extract.js';
import { packageRoot } from '../src/nix/parser.js';
import { extractText } from '../src/nixos/extract.js';

const rule = (title: string) => `\n${'='.repeat(12)} ${title} ${'='.repeat(Math.max(0, 70 - title.length))}\n`;

async function main(): Promise<void> {
  // What the engine reads from a module, statically (as `nixos-harden extract` prints it).
  const example = join(packageRoot(), 'examples/pastebin.nix');
  process.stdout.write(rule('nixos-harden extract examples/pastebin.nix') + formatExtractText([extractText('examples/pastebin.nix', readFileSync(example, 'utf8'))]));
  const h = await startHarness();
  try {
    const s = createScenario(h.gh);
    process.stdout.write(`Fake GitHub at ${h.gh.url}, app webhooks at ${h.webhookUrl}\n`);
    process.stdout.write(`Pull request ${OWNER}/${REPO}#${s.number} (${s.base.slice(0, 7)}..${s.head.slice(0, 7)}): pastebin loosened, dns-cache tightened, label-printer reformatted, feed-digest added.\n`);

    const status = await h.deliver('pull_request', pullRequestPayload(h.gh, { action: 'opened', owner: OWNER, repo: REPO, number: s.number }));
    process.stdout.write(`\nDelivered a signed pull_request.opened webhook: HTTP ${status}\n`);

    const comments = h.gh.state.commentsOn(OWNER, REPO, s.number);
    process.stdout.write(rule('sticky summary comment') + (comments[0]?.body ?? '(none)') + '\n');
    for (const r of h.gh.state.reviews) {
      process.stdout.write(rule(`review on ${String(r.commitId ?? "").slice(0, 7)}`) + `${r.body ?? ''}\n`);
      for (const c of r.comments ?? []) process.stdout.write(`\n--- ${c.path}:${c.line}\n${c.body}\n`);
    }
    for (const c of h.gh.state.checkRuns) {
      process.stdout.write(rule(`check run ${c.name}: ${c.conclusion}`) + `${c.output?.title ?? ''}\n`);
      for (const a of c.annotations ?? []) process.stdout.write(`  ${a.annotation_level}: ${a.path}:${a.start_line} ${a.title}: ${a.message}\n`);
    }
    process.stdout.write(rule('labels') + h.gh.state.labelsOn(OWNER, REPO, s.number).join(', ') + '\n');

    const id = h.gh.addIssueComment(OWNER, REPO, s.number, s.author, '/harden suggest feed-digest');
    await h.deliver('issue_comment', issueCommentPayload(h.gh, { owner: OWNER, repo: REPO, commentId: id }));
    const reply = h.gh.state.commentsOn(OWNER, REPO, s.number).at(-1);
    process.stdout.write(rule(`reply to "/harden suggest feed-digest" by ${s.author}`) + (reply?.body ?? '') + '\n');
    process.stdout.write(`\n${h.gh.requests.length} requests reached the fake GitHub; ${h.gh.violations.length} broke GitHub's published API descriptions.\n`);
  } finally {
    await h.close();
  }
}

await main();
