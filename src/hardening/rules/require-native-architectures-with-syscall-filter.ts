/** A system call filter without `SystemCallArchitectures = "native"` can be sidestepped. */
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';
import { unitLines } from '../normalise.js';

export default defineRule({
  meta: {
    id: 'require-native-architectures-with-syscall-filter',
    type: 'suggestion',
    severity: 'warning',
    docs: {
      description: 'Reports services with a `SystemCallFilter` that do not restrict system call architectures to `native`.',
      rationale:
        'A seccomp filter is installed per architecture; a process that can switch ABI (for example to the 32-bit x86 or x32 interface on x86-64) may reach system calls the filter was meant to block. `SystemCallArchitectures = "native"` closes that door and costs nothing for native binaries.',
    },
    messages: {
      notNative: 'SystemCallFilter is set but SystemCallArchitectures is not "native"; add SystemCallArchitectures = "native" so the filter cannot be bypassed through another ABI.',
    },
    examples: {
      weak: [{ module: exampleModule('SystemCallFilter = [ "@system-service" ];') }],
      strong: [{ module: exampleModule('SystemCallFilter = [ "@system-service" ];\nSystemCallArchitectures = "native";') }],
    },
  },
  check(ctx) {
    const filter = ctx.value('SystemCallFilter');
    if (filter === undefined || unitLines(filter).every((l) => l.trim() === '')) return;
    const arch = ctx.option('SystemCallArchitectures');
    if (arch && 'unknown' in arch) return;
    const words = arch ? unitLines(arch.value).join(' ').split(/\s+/).filter(Boolean) : [];
    if (!(words.length === 1 && words[0] === 'native')) ctx.report({ messageId: 'notNative', directive: 'SystemCallFilter' });
  },
});
