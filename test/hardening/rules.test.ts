/**
 * Rules, RuleTester style: every weak example of a rule produces a finding of that rule and
 * every strong one none; findings are asserted by rule and message id, never by text.
 */
import { lintFile } from '../../src/hardening/lint.js';
import { RULES } from '../../src/hardening/rules/index.js';
import { analyseText } from '../../src/nixos/extract.js';

const run = (ruleId: string, module: string, before?: string) => {
  const rule = RULES.find((r) => r.meta.id === ruleId)!;
  const analysis = analyseText('example.nix', module);
  expect(analysis.file.diagnostics.filter((d) => d.id.startsWith('parse-'))).toEqual([]);
  return lintFile(analysis, { rules: [rule], before: before ? analyseText('example.nix', before) : undefined, systemdVersion: 252 });
};

describe('lint rules', () => {
  it('has at least 12 rules with unique kebab-case ids that start with a verb', () => {
    expect(RULES.length).toBeGreaterThanOrEqual(12);
    const ids = RULES.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(no|require|check)-[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  describe.each(RULES.map((r) => [r.meta.id, r] as const))('%s', (id, rule) => {
    it('documents itself', () => {
      expect(rule.meta.docs.description.length).toBeGreaterThan(20);
      expect(rule.meta.docs.rationale.length).toBeGreaterThan(40);
      expect(Object.keys(rule.meta.messages).length).toBeGreaterThan(0);
      expect(rule.meta.examples.weak.length).toBeGreaterThan(0);
      expect(rule.meta.examples.strong.length).toBeGreaterThan(0);
    });

    it.each(rule.meta.examples.weak.map((e, i) => [i, e] as const))('weak example %i is reported', (_i, ex) => {
      const findings = run(id, ex.module, ex.before);
      expect(findings.map((f) => f.ruleId)).toContain(id);
      for (const f of findings) {
        expect(Object.keys(rule.meta.messages)).toContain(f.messageId);
        expect(f.message).not.toMatch(/\{\{/);
        expect(f.line).toBeGreaterThan(0);
      }
    });

    it.each(rule.meta.examples.strong.map((e, i) => [i, e] as const))('strong example %i is not reported', (_i, ex) => {
      expect(run(id, ex.module, ex.before)).toEqual([]);
    });
  });

  it('suggests the closest directive for a typo', () => {
    const f = run('no-unknown-directive', '{ config.systemd.services.x.serviceConfig.ProtectSytem = "strict"; }');
    expect(f).toEqual([expect.objectContaining({ messageId: 'didYouMean', directive: 'ProtectSytem', line: 1 })]);
    expect(f[0]!.message).toContain('ProtectSystem');
  });

  it('takes the target systemd version from the options', () => {
    const module = '{ config.systemd.services.x.serviceConfig.ProtectClock = true; }';
    const rule = RULES.filter((r) => r.meta.id === 'no-directive-newer-than-target');
    expect(lintFile(analyseText('x.nix', module), { rules: rule, systemdVersion: 244 })).toHaveLength(1);
    expect(lintFile(analyseText('x.nix', module), { rules: rule, systemdVersion: 252 })).toHaveLength(0);
  });
});
