/** The in-memory analysis cache the app and `review` share: same text once, same results. */
import { readFileSync } from 'node:fs';
import { analyseCached, analysisCacheStats, resetAnalysisCache } from '../../src/nixos/analysis-cache.js';
import { analyseText } from '../../src/nixos/extract.js';
import { defaultConfig } from '../../src/policy/config.js';
import { reviewPullRequest } from '../../src/review/review.js';

const base = readFileSync('test/fixtures/modules/pastebin.nix', 'utf8');
const head = base.replace('ProtectSystem = "strict"', 'ProtectSystem = "full"');

describe('analysis cache', () => {
  beforeEach(() => resetAnalysisCache());

  it('analyses a text once per path and gives what analyseText gives', () => {
    const a = analyseCached('m.nix', base);
    expect(analyseCached('m.nix', base)).toBe(a);
    expect(analyseCached('other.nix', base)).not.toBe(a); // the path is in the result
    expect(analysisCacheStats()).toEqual({ hits: 1, misses: 2, entries: 2 });
    expect(JSON.stringify(a.file)).toBe(JSON.stringify(analyseText('m.nix', base).file));
  });

  it('a second review of the same PR reads every module from the cache and says the same', () => {
    const input = { files: [{ path: 'nixos/modules/services/web-apps/pastebin.nix', status: 'modified' as const, base, head, patch: undefined }], config: defaultConfig(), headSha: 'abc' };
    const first = reviewPullRequest(input);
    expect(first.services.length).toBeGreaterThan(0);
    const misses = analysisCacheStats().misses;
    const second = reviewPullRequest(input);
    expect(analysisCacheStats().misses).toBe(misses);
    expect(analysisCacheStats().hits).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('keeps at most the configured number of analyses, dropping the least recently used', () => {
    resetAnalysisCache(2);
    const a = analyseCached('a.nix', base);
    analyseCached('b.nix', base);
    analyseCached('a.nix', base); // a is now the most recent
    analyseCached('c.nix', base); // drops b
    expect(analyseCached('a.nix', base)).toBe(a);
    expect(analysisCacheStats()).toMatchObject({ entries: 2, misses: 3 });
    analyseCached('b.nix', base);
    expect(analysisCacheStats().misses).toBe(4);
  });

  it('does not keep analyses of very large texts', () => {
    const big = base + '\n' + '#'.repeat(300 * 1024) + '\n';
    expect(analyseCached('big.nix', big)).not.toBe(analyseCached('big.nix', big));
    expect(analysisCacheStats().entries).toBe(0);
  });

  it('does not keep results of non-default budgets', () => {
    const a = analyseCached('m.nix', base, { maxChars: 10 });
    expect(a.file.diagnostics[0]!.id).toBe('parse-too-large');
    expect(analysisCacheStats().entries).toBe(0);
  });
});
