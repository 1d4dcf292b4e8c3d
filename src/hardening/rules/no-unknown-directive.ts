/** A misspelled directive is ignored by systemd; the sandbox the author meant is not there. */
import { didYouMean, directive } from '../catalogue/index.js';
import { isKnownServiceDirective } from '../catalogue/other-directives.js';
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';

export default defineRule({
  meta: {
    id: 'no-unknown-directive',
    type: 'problem',
    severity: 'error',
    docs: {
      description: 'Reports `serviceConfig` keys that are not systemd directives, with the closest known name.',
      rationale:
        'systemd logs and ignores unknown settings in a unit file, so a typo such as `ProtectSytem` silently leaves the service unprotected. NixOS does not check the names either.',
    },
    messages: {
      unknown: '{{name}} is not a systemd directive; systemd ignores it.',
      didYouMean: '{{name}} is not a systemd directive; did you mean {{suggestion}}?',
    },
    examples: {
      weak: [{ module: exampleModule('ProtectSytem = "strict";') }, { module: exampleModule('PrivateTMP = true;') }],
      strong: [{ module: exampleModule('ProtectSystem = "strict";\nRestart = "on-failure";') }],
    },
  },
  check(ctx) {
    for (const name of Object.keys(ctx.service.options)) {
      if (directive(name) || isKnownServiceDirective(name)) continue;
      const suggestion = didYouMean(name);
      if (suggestion) ctx.report({ messageId: 'didYouMean', data: { name, suggestion }, directive: name });
      else ctx.report({ messageId: 'unknown', data: { name }, directive: name });
    }
  },
});
