/** `IPAddressAllow` without `IPAddressDeny`: an allow list that restricts nothing. */
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';
import { unitLines } from '../normalise.js';

export default defineRule({
  meta: {
    id: 'no-ip-allow-without-deny',
    type: 'problem',
    severity: 'warning',
    docs: {
      description: 'Reports `IPAddressAllow` on a service that denies nothing with `IPAddressDeny`.',
      rationale:
        'systemd only consults the allow list for addresses that the deny list matches; with no deny list every address is allowed anyway. The usual pattern is `IPAddressDeny = "any";` plus the addresses that must stay reachable in `IPAddressAllow`.',
    },
    messages: {
      allowOnly: 'IPAddressAllow has no effect without IPAddressDeny; add IPAddressDeny = "any" to restrict the service to the allowed addresses.',
    },
    examples: {
      weak: [{ module: exampleModule('IPAddressAllow = [ "localhost" ];') }],
      strong: [{ module: exampleModule('IPAddressDeny = "any";\nIPAddressAllow = [ "localhost" ];') }],
    },
  },
  check(ctx) {
    const allow = ctx.value('IPAddressAllow');
    if (allow === undefined || unitLines(allow).every((l) => l.trim() === '')) return;
    const deny = ctx.option('IPAddressDeny');
    if (deny && 'unknown' in deny) return;
    const denyLines = deny ? unitLines(deny.value) : [];
    if (denyLines.every((l) => l.trim() === '')) ctx.report({ messageId: 'allowOnly', directive: 'IPAddressAllow' });
  },
});
