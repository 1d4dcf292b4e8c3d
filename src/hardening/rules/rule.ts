/**
 * The shape of a lint rule: declarative metadata (id, type, severity, docs, messages, examples)
 * and one pure check over a service. One rule per file; the docs, `explain` and the example
 * tests are all generated from the metadata.
 */
import type { Json } from '../../nix/render.js';
import type { Analysis } from '../../nixos/extract.js';
import type { OptionValue, Service } from '../../nixos/services.js';

export type Severity = 'error' | 'warning' | 'info';

export interface RuleMeta<M extends string> {
  /** kebab-case with a verb: `no-…`, `require-…`, `check-…` */
  id: string;
  type: 'problem' | 'suggestion';
  severity: Severity;
  docs: {
    /** One line: what the rule reports. */
    description: string;
    /** Why it matters. */
    rationale: string;
    /** What happened when this went wrong, where known. */
    breakage?: string;
  };
  /** Message templates by id; `{{name}}` is replaced by the report's data. */
  messages: Record<M, string>;
  /**
   * Examples that are also tests: each `weak` module must produce a finding of this rule, each
   * `strong` one none. A `before` module makes the example a change (for rules about changes).
   */
  examples: { weak: Example[]; strong: Example[] };
}

export interface Example {
  module: string;
  before?: string;
}

export interface Finding {
  ruleId: string;
  messageId: string;
  message: string;
  severity: Severity;
  file: string;
  service: string;
  directive: string | null;
  line: number;
}

export interface RuleContext<M extends string> {
  service: Service;
  analysis: Analysis;
  /** The same service before the change under review, when there is one. */
  before?: { service: Service; analysis: Analysis };
  /** The systemd version the services must run on. */
  systemdVersion: number;
  /** The value of a directive in the defaults view (undefined when not set). */
  option(name: string): OptionValue | undefined;
  /** The known value of a directive, or undefined when it is not set or unknown. */
  value(name: string): Json | undefined;
  report(r: { messageId: M; data?: Record<string, string | number>; directive?: string; line?: number }): void;
}

export interface Rule<M extends string = string> {
  meta: RuleMeta<M>;
  check(ctx: RuleContext<M>): void;
}

export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}

export function format(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => (k in data ? String(data[k]) : `{{${k}}}`));
}
