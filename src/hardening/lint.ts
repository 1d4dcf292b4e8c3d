/** Runs the lint rules over the services of an analysed module (and, for a change, its old version). */
import type { Json } from '../nix/render.js';
import type { Analysis } from '../nixos/extract.js';
import type { Service } from '../nixos/services.js';
import { RULES } from './rules/index.js';
import { type Finding, type Rule, type RuleContext, format } from './rules/rule.js';
import { DEFAULT_SYSTEMD_VERSION } from './target.js';

export { DEFAULT_SYSTEMD_VERSION };

export interface LintOptions {
  systemdVersion?: number;
  rules?: readonly Rule[];
  before?: Analysis;
}

export function lintService(service: Service, analysis: Analysis, opts: LintOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const beforeService = opts.before?.file.services.find((s) => s.scope === service.scope && s.name === service.name);
  for (const rule of opts.rules ?? RULES) {
    const ctx: RuleContext<string> = {
      service,
      analysis,
      before: beforeService && opts.before ? { service: beforeService, analysis: opts.before } : undefined,
      systemdVersion: opts.systemdVersion ?? DEFAULT_SYSTEMD_VERSION,
      option: (name) => service.options[name],
      value: (name): Json | undefined => {
        const o = service.options[name];
        return o && 'value' in o ? o.value : undefined;
      },
      report: ({ messageId, data, directive, line }) => {
        const template = rule.meta.messages[messageId as keyof typeof rule.meta.messages] as string;
        findings.push({
          ruleId: rule.meta.id,
          messageId,
          message: format(template, data),
          severity: rule.meta.severity,
          file: analysis.file.path,
          service: service.name,
          directive: directive ?? null,
          line: line ?? (directive ? service.options[directive]?.line : undefined) ?? service.line,
        });
      },
    };
    rule.check(ctx);
  }
  return findings;
}

export function lintFile(analysis: Analysis, opts: LintOptions = {}): Finding[] {
  return analysis.file.services.flatMap((s) => lintService(s, analysis, opts));
}
