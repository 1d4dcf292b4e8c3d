/** A service in its own network namespace cannot answer on ports its module opens. */
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';

export default defineRule({
  meta: {
    id: 'no-private-network-with-open-ports',
    type: 'problem',
    severity: 'warning',
    docs: {
      description: 'Reports `PrivateNetwork = true` on a service whose module opens firewall ports under the same conditions.',
      rationale:
        'PrivateNetwork gives the service a network namespace with only a loopback device, so nothing from outside reaches it; opening the firewall for it then does nothing. Usually the module means PrivateNetwork only when the service is not exposed: `PrivateNetwork = !cfg.openFirewall;` or `lib.mkIf (!cfg.openFirewall) true`.',
    },
    messages: {
      unreachable: 'PrivateNetwork is true while the module opens {{option}}{{when}}; the service cannot be reached from the network.',
    },
    examples: {
      weak: [{ module: exampleModule('PrivateNetwork = true;', 'networking.firewall.allowedTCPPorts = lib.optionals cfg.openFirewall [ 8080 ];') }],
      strong: [
        { module: exampleModule('PrivateNetwork = lib.mkIf (!cfg.openFirewall) true;', 'networking.firewall.allowedTCPPorts = lib.optionals cfg.openFirewall [ 8080 ];') },
        { module: exampleModule('PrivateNetwork = true;') },
      ],
    },
  },
  check(ctx) {
    for (const fw of ctx.analysis.facts.firewall) {
      if (fw.opens === false) continue;
      const branch = fw.when === null ? undefined : ctx.service.branches.find((b) => b.when === fw.when);
      const pn = branch?.options.PrivateNetwork ?? ctx.option('PrivateNetwork');
      // Under the firewall's condition the branch may set PrivateNetwork differently, or not at all.
      if (pn && 'value' in pn && pn.value === true) {
        ctx.report({
          messageId: 'unreachable',
          data: { option: `networking.firewall.${fw.option}`, when: fw.when ? ` when ${fw.when}` : '' },
          directive: 'PrivateNetwork',
          line: pn.line,
        });
        return;
      }
    }
  },
});
