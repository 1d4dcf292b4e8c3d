/** Large pull requests: bodies stay within GitHub's limits and nothing is lost. */
import { defaultConfig } from '../../src/policy/config.js';
import { MAX_BODY, renderCheck, renderSummary } from '../../src/review/render.js';
import { reviewPullRequest } from '../../src/review/review.js';

function manyServices(n: number, strict: boolean): string {
  const lines = Array.from({ length: n }, (_, i) => `    systemd.services.worker-${i}.serviceConfig = { ProtectSystem = "${strict ? 'strict' : 'full'}"; PrivateTmp = ${strict}; };`);
  return `{ config, lib, ... }: {\n  config = {\n${lines.join('\n')}\n  };\n}\n`;
}

describe('limits', () => {
  it('a module with 300 services: the summary is cut with a note, the check run carries the rest', () => {
    const result = reviewPullRequest({
      files: [{ path: 'nixos/modules/services/misc/workers.nix', status: 'modified', base: manyServices(300, true), head: manyServices(300, false) }],
      config: defaultConfig(),
      headSha: 'f'.repeat(40),
    });
    expect(result.services).toHaveLength(300);
    expect(result.services.every((s) => s.loosened.length === 2)).toBe(true);
    const summary = renderSummary({ result, headSha: 'f'.repeat(40) });
    const check = renderCheck(result, 'f'.repeat(40));
    expect(summary.length).toBeLessThanOrEqual(MAX_BODY);
    expect(check.summary.length).toBeLessThanOrEqual(65_535);
    expect(check.text.length).toBeLessThanOrEqual(65_535);
    if (summary.includes('too long')) {
      expect(summary).toContain('the check run has the full report');
      // The last service is in the check run's text when it did not fit in the summary.
      expect(summary.includes('worker-299.service') || check.text.includes('worker-299.service')).toBe(true);
    }
    expect(result.annotations.length).toBe(600);
  });

  it('a pull request with 3 000 files, most of them not modules', () => {
    const files = Array.from({ length: 3000 }, (_, i) => ({ path: i % 100 === 0 ? `nixos/modules/services/misc/m${i}.nix` : `pkgs/by-name/p${i}/package.nix`, status: 'modified', base: manyServices(1, true), head: manyServices(1, i % 200 === 0) }));
    const result = reviewPullRequest({ files, config: defaultConfig(), headSha: 'a'.repeat(40) });
    // 30 modules in the policy's paths; half of them loosened.
    expect(result.services.map((s) => s.file).every((f) => f.startsWith('nixos/modules/services/'))).toBe(true);
    expect(result.services.filter((s) => s.loosened.length > 0)).toHaveLength(15);
  });
});
