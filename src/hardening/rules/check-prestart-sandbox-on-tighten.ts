/** Tightening the sandbox also tightens it for preStart and ExecStartPre, which often need more. */
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';
import { compare } from '../compare.js';
import { serviceKey } from '../../nixos/services.js';
import type { OptionValue } from '../../nixos/services.js';

const side = (v: OptionValue | undefined) => (v === undefined ? { absent: true as const } : 'unknown' in v ? { unknown: v.unknown } : { value: v.value });

export default defineRule({
  meta: {
    id: 'check-prestart-sandbox-on-tighten',
    type: 'suggestion',
    severity: 'warning',
    docs: {
      description: 'Reports a change that tightens the sandbox of a service whose `preStart` or `ExecStartPre` commands run inside the same sandbox.',
      rationale:
        'preStart scripts (and ExecStartPre without a `+` prefix) run with the service\'s sandbox. They often create directories, fix ownership or migrate databases, which is exactly what a tighter sandbox forbids, and they run only at start, so the failure shows up after deployment. Prefix privileged setup commands with `+`, move them to a oneshot unit, or test the start path.',
    },
    messages: {
      prestart: 'This change tightens {{directives}}; the preStart/ExecStartPre commands run in the same sandbox. Check that they still work (or prefix them with "+").',
    },
    examples: {
      weak: [
        {
          before: exampleModule('ExecStartPre = "${pkgs.coreutils}/bin/mkdir -p /var/lib/example";'),
          module: exampleModule('ExecStartPre = "${pkgs.coreutils}/bin/mkdir -p /var/lib/example";\nProtectSystem = "strict";'),
        },
      ],
      strong: [
        { before: exampleModule('PrivateTmp = true;'), module: exampleModule('PrivateTmp = true;\nProtectSystem = "strict";') },
        { module: exampleModule('ExecStartPre = "${pkgs.coreutils}/bin/true";\nProtectSystem = "strict";') },
      ],
    },
  },
  check(ctx) {
    if (!ctx.before) return;
    const facts = ctx.analysis.facts.services.get(serviceKey(ctx.service));
    if (!facts?.preStart) return;
    const names = new Set([...Object.keys(ctx.before.service.options), ...Object.keys(ctx.service.options)]);
    const tightened = [...names].filter((n) => compare(n, side(ctx.before!.service.options[n]), side(ctx.service.options[n])) === 'tightened').sort();
    if (tightened.length > 0) {
      ctx.report({ messageId: 'prestart', data: { directives: tightened.join(', ') }, directive: tightened[0]!, line: ctx.service.options[tightened[0]!]?.line ?? ctx.service.line });
    }
  },
});
