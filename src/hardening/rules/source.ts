/** Reading the source text behind a directive, for rules that look at commands. */
import type { RuleContext } from './rule.js';

/** The text of the binding at the directive's line, up to its closing `;` (at most 20 lines). */
export function bindingText(ctx: RuleContext<string>, name: string): string {
  const o = ctx.option(name);
  if (!o || o.line <= 0) return '';
  const lines = ctx.analysis.text.split('\n');
  const out: string[] = [];
  for (let i = o.line - 1; i < lines.length && out.length < 20; i++) {
    out.push(lines[i]!);
    if (lines[i]!.trimEnd().endsWith(';')) break;
  }
  return out.join('\n');
}
