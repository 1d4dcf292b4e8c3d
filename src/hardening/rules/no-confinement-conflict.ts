/** `confinement.enable` builds its own root; some settings fight it. */
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';
import { serviceKey } from '../../nixos/services.js';

export default defineRule({
  meta: {
    id: 'no-confinement-conflict',
    type: 'problem',
    severity: 'error',
    docs: {
      description: 'Reports settings that conflict with `confinement.enable`: `DynamicUser`, `RootDirectoryStartOnly` and `ProtectSystem`.',
      rationale:
        'Confinement runs the service in an empty root directory on a tmpfs with only its closure bind-mounted in. NixOS refuses `DynamicUser` and `RootDirectoryStartOnly` together with it (an assertion fails at build time), and `ProtectSystem` remounts directories that do not exist inside the confined root, so it adds nothing there while suggesting protection that comes from elsewhere.',
    },
    messages: {
      conflict: '{{name}} conflicts with confinement.enable: {{why}}',
    },
    examples: {
      weak: [
        { module: exampleModule('User = "example";\nDynamicUser = true;', 'systemd.services.example.confinement.enable = true;') },
        { module: exampleModule('User = "example";\nProtectSystem = "strict";', 'systemd.services.example.confinement.enable = true;') },
      ],
      strong: [{ module: exampleModule('User = "example";\nPrivateNetwork = true;', 'systemd.services.example.confinement.enable = true;') }],
    },
  },
  check(ctx) {
    const facts = ctx.analysis.facts.services.get(serviceKey(ctx.service));
    if (!facts?.confinement) return;
    if (ctx.value('DynamicUser') === true) {
      ctx.report({ messageId: 'conflict', data: { name: 'DynamicUser', why: 'NixOS asserts against it; create a user with users.users instead' }, directive: 'DynamicUser' });
    }
    if (ctx.value('RootDirectoryStartOnly') === true) {
      ctx.report({ messageId: 'conflict', data: { name: 'RootDirectoryStartOnly', why: 'NixOS asserts against it; the bind mounts cannot be limited to ExecStart' }, directive: 'RootDirectoryStartOnly' });
    }
    const ps = ctx.value('ProtectSystem');
    if (ps !== undefined && ps !== false && ps !== 'no' && ps !== 'false') {
      ctx.report({ messageId: 'conflict', data: { name: 'ProtectSystem', why: 'the confined root has no /usr or /etc to protect; drop it' }, directive: 'ProtectSystem' });
    }
  },
});
