/** Source text of a directive's binding, for rules. */
import { bindingTextAt } from '../source.js';
import type { RuleContext } from './rule.js';

export function bindingText(ctx: RuleContext<string>, name: string): string {
  const o = ctx.option(name);
  return o ? bindingTextAt(ctx.analysis.text, o.line) : '';
}
