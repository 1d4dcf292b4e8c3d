/**
 * `CapabilityBoundingSet = [ ];` looks like "no capabilities", but NixOS renders one line per list
 * element, so an empty list writes no line at all and the service keeps the full bounding set.
 */
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';

export default defineRule({
  meta: {
    id: 'no-empty-capability-list',
    type: 'problem',
    severity: 'warning',
    docs: {
      description: 'Reports `CapabilityBoundingSet = [ ]`, which keeps every capability instead of dropping them all.',
      rationale:
        'NixOS writes one `CapabilityBoundingSet=` line per list element, so an empty list writes nothing and systemd keeps its default: the full set. Dropping all capabilities needs an empty assignment, `CapabilityBoundingSet = "";` (or `[ "" ]`).',
    },
    messages: {
      emptyList: 'CapabilityBoundingSet = [ ] writes no line, so the service keeps every capability; write CapabilityBoundingSet = "" to drop them all.',
    },
    examples: {
      weak: [{ module: exampleModule('CapabilityBoundingSet = [ ];') }],
      strong: [{ module: exampleModule('CapabilityBoundingSet = "";') }, { module: exampleModule('CapabilityBoundingSet = [ "" ];') }],
    },
  },
  check(ctx) {
    const v = ctx.value('CapabilityBoundingSet');
    if (Array.isArray(v) && v.length === 0) ctx.report({ messageId: 'emptyList', directive: 'CapabilityBoundingSet' });
  },
});
