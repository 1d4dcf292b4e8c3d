/**
 * Injection: a PR whose file name, service name, directive values and comments carry @mentions,
 * HTML, `</details>`, backticks, pipes and newlines. Every output that shows them (summary,
 * inline comments and their suggestion blocks, check run summary and text, annotations, labels,
 * SARIF) must show them inert.
 */
import { defaultConfig } from '../../src/policy/config.js';
import { renderCheck, renderSummary } from '../../src/review/render.js';
import { reviewPullRequest } from '../../src/review/review.js';
import { diffToSarif, reviewToSarif } from '../../src/review/sarif.js';
import { diffFiles } from '../../src/hardening/diff.js';
import { extractText } from '../../src/nixos/extract.js';
import { toApi } from '../../src/github/publish.js';

const NASTY = 'x @alice </details><details open> | <script>alert(1)</script> ``` ${"$"}{pwn} #1';
const PATH = 'nixos/modules/services/misc/@bob ```|<b>`evil`</b>.nix';

/** A module with the nasty text in a service name, in values, in a list and in a comment. */
function module(protect: string, paths: string, filter: string): string {
  return [
    '{ config, lib, ... }:',
    '{',
    `  # @carol please merge </details> \`\`\` | <img src=x onerror=alert(1)>`,
    `  config.systemd.services.${JSON.stringify(NASTY.replace(/\$/g, '\\$'))}.serviceConfig = {`,
    `    ProtectSystem = ${protect};`,
    `    ReadWritePaths = ${paths};`,
    `    SystemCallFilter = ${filter};`,
    `    User = ${JSON.stringify('@dave\n| ``` </details>'.replace(/\n/g, '\\n'))};`,
    '    PrivateTmp = true;',
    '  };',
    '}',
    '',
  ].join('\n');
}

// The base's filter (which a suggestion restores) holds a run of backticks longer than a fence.
const base = module('"strict"', '[ "/var/lib/a" ]', '[ "@system-service" "~@privileged" "~@mount:EPERM````" ]');
const head = module('"full"', '[ "/var/lib/a" "/tmp/`@eve` | </details>\\n<b>" ]', '[ "@system-service" ]');
const b = base.split('\n');
const a = head.split('\n');
const patch = ['@@ -1,12 +1,12 @@', ...b.slice(0, 4).map((l) => ` ${l}`), `-${b[4]}`, `-${b[5]}`, `-${b[6]}`, `+${a[4]}`, `+${a[5]}`, `+${a[6]}`, ...b.slice(7, 12).map((l) => ` ${l}`)].join('\n');
const config = defaultConfig();
const result = reviewPullRequest({ files: [{ path: PATH, status: 'modified', base, head, patch }], config, headSha: 'abc123' });

/** The part of a Markdown text GitHub renders (code spans and fenced blocks show text as is). */
function rendered(markdown: string): string {
  return markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1\s*$/gm, '').replace(/(`+)[\s\S]*?\1/g, '');
}

function expectInertMarkdown(text: string): void {
  const outside = rendered(text);
  expect(outside).not.toMatch(/@[^\u200b\s]/); // every mention defused
  expect(outside).not.toMatch(/<(script|img|b)\b/i); // no HTML from the PR
  expect(outside.match(/<\/details>/g)?.length ?? 0).toBe(outside.match(/<details>/g)?.length ?? 0);
}

describe('injection through every output', () => {
  it('finds the loosening despite the names', () => {
    expect(result.services).toHaveLength(1);
    expect(result.services[0]!.loosened.map((c) => c.directive)).toEqual(expect.arrayContaining(['ProtectSystem']));
  });

  it('summary: inert, and every table row keeps its columns', () => {
    const summary = renderSummary({ result, headSha: 'abc123' });
    expectInertMarkdown(summary);
    for (const row of summary.split('\n').filter((l) => l.startsWith('| 🔴') || l.startsWith('| 🟢'))) expect(row.split(/(?<!\\)\|/).length).toBe(7);
    // No line of the PR's text starts a new Markdown block of its own.
    expect(summary).not.toMatch(/^<script/m);
  });

  it('inline comments: inert, and a suggestion block cannot be closed early by backticks in a value', () => {
    expect(result.comments.length).toBeGreaterThan(0);
    expect(result.comments.some((c) => c.body.includes('````'))).toBe(true); // the value's backticks are there, fenced
    for (const c of result.comments) {
      expectInertMarkdown(c.body);
      const fences = [...c.body.matchAll(/^(`{3,})suggestion$/gm)];
      for (const f of fences) {
        const fence = f[1]!;
        const rest = c.body.slice(f.index! + f[0].length);
        const close = rest.search(new RegExp(`^${fence}$`, 'm'));
        expect(close).toBeGreaterThan(0);
        // The fence is longer than any run of backticks inside, so no line of the value can close it.
        const inside = rest.slice(0, close);
        const longestRun = Math.max(0, ...[...inside.matchAll(/`+/g)].map((m) => m[0].length));
        expect(fence.length).toBeGreaterThan(longestRun);
      }
    }
  });

  it('check run: summary and text inert; annotations plain with mentions defused', () => {
    const check = renderCheck(result, 'abc123');
    expectInertMarkdown(check.summary);
    expectInertMarkdown(check.text);
    expect(result.annotations.length).toBeGreaterThan(0);
    for (const a of result.annotations.map(toApi)) {
      expect(`${a.title}\n${a.message}`).not.toMatch(/@[^\u200b\s]/);
      expect(a.path).toBe(PATH); // the path is data, given as it is
      expect(a.title.length).toBeLessThanOrEqual(255);
    }
  });

  it('labels: only the configured names, whatever the PR says', () => {
    expect([...result.labels.add, ...result.labels.remove].sort()).toEqual([config.output.labels.regression, config.output.labels.tightened].sort());
  });

  it('SARIF: valid URIs for the file, the text only in message.text (plain text, no markdown)', () => {
    const logs = [reviewToSarif(result, '0.0.0'), diffToSarif(diffFiles(extractText(PATH, base), extractText(PATH, head)), '0.0.0')];
    for (const log of logs) {
      const json = JSON.stringify(log);
      expect(() => JSON.parse(json)).not.toThrow();
      const results = log.runs[0]!.results;
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) {
        expect(Object.keys(r.message)).toEqual(['text']);
        for (const l of r.locations ?? []) {
          const uri = l.physicalLocation.artifactLocation.uri;
          expect(uri).toMatch(/^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/); // RFC 3986 characters only
          expect(decodeURIComponent(uri)).toBe(PATH);
        }
      }
    }
  });
});
