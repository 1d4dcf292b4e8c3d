/** A directive the target systemd does not know yet is ignored there (with a warning in the journal). */
import { directive } from '../catalogue/index.js';
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';

export default defineRule({
  meta: {
    id: 'no-directive-newer-than-target',
    type: 'problem',
    severity: 'warning',
    docs: {
      description: 'Reports sandbox directives introduced in a systemd newer than the target version of the policy.',
      rationale:
        'systemd ignores settings it does not know, so a hardening directive from a newer release protects nothing on older systems while the module reads as if it did. The target version comes from the policy (`systemd.version`).',
    },
    messages: {
      tooNew: '{{name}} needs systemd {{since}}, but the target is systemd {{target}}; it is ignored there.',
      valueTooNew: '{{name}} = "{{value}}" needs systemd {{since}}, but the target is systemd {{target}}; older versions ignore the setting.',
    },
    examples: {
      weak: [{ module: exampleModule('PrivatePIDs = true;') }, { module: exampleModule('ProtectControlGroups = "strict";') }],
      strong: [{ module: exampleModule('PrivateTmp = true;') }],
    },
  },
  check(ctx) {
    for (const name of Object.keys(ctx.service.options)) {
      const d = directive(name);
      if (d && d.since > ctx.systemdVersion) {
        ctx.report({ messageId: 'tooNew', data: { name, since: d.since, target: ctx.systemdVersion }, directive: name });
        continue;
      }
      const v = ctx.value(name);
      const since = d?.valueSince && typeof v === 'string' ? d.valueSince[v.toLowerCase()] : undefined;
      if (since && since > ctx.systemdVersion) {
        ctx.report({ messageId: 'valueTooNew', data: { name, value: String(v), since, target: ctx.systemdVersion }, directive: name });
      }
    }
  },
});
