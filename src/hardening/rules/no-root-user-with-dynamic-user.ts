/** `DynamicUser = true` together with `User = "root"`: the two contradict each other. */
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';

export default defineRule({
  meta: {
    id: 'no-root-user-with-dynamic-user',
    type: 'problem',
    severity: 'error',
    docs: {
      description: 'Reports services that set `DynamicUser = true` and `User = "root"` (or 0).',
      rationale:
        'A dynamic user is a fresh unprivileged identity allocated at start; naming root as that user asks for the opposite. systemd does not allocate a dynamic user for root, so the service runs as root while the module reads as if it did not.',
    },
    messages: {
      rootDynamic: 'DynamicUser = true with User = "{{user}}": the service runs as root; drop User or use an unprivileged name.',
    },
    examples: {
      weak: [{ module: exampleModule('DynamicUser = true;\nUser = "root";') }],
      strong: [{ module: exampleModule('DynamicUser = true;\nUser = "example";') }, { module: exampleModule('User = "root";') }],
    },
  },
  check(ctx) {
    const user = ctx.value('User');
    if (ctx.value('DynamicUser') === true && (user === 'root' || user === '0' || user === 0)) {
      ctx.report({ messageId: 'rootDynamic', data: { user: String(user) }, directive: 'User' });
    }
  },
});
