/** Some deny groups of SystemCallFilter break common service behaviour. */
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';
import { unitLines } from '../normalise.js';

/** Deny groups with a known way of breaking services, and when the risk applies. */
const FRAGILE: Record<string, { breaks: string; onlyAsRoot?: boolean }> = {
  '@resources': { breaks: 'raising resource limits, setting CPU affinity or I/O and scheduling priorities (setrlimit, sched_setaffinity, ioprio_set) fails' },
  '@privileged': { breaks: 'a service that starts as root and drops privileges itself (setuid, setgroups, chown, chroot) fails at start', onlyAsRoot: true },
  '@setuid': { breaks: 'a service that switches user or groups itself fails at start', onlyAsRoot: true },
  '@chown': { breaks: 'a service that fixes ownership of its files at start fails', onlyAsRoot: true },
  '@memlock': { breaks: 'services that lock memory (databases, password managers) fail to mlock' },
};

export default defineRule({
  meta: {
    id: 'no-fragile-syscall-deny-group',
    type: 'suggestion',
    severity: 'info',
    docs: {
      description: 'Points out `SystemCallFilter` deny groups that are known to break services, so the change gets tested.',
      rationale:
        'Denying a group makes the listed system calls fail with EPERM (or kill the process). Most services never call them, but some do so only in rare paths: at start as root before dropping privileges, when raising limits, or when locking memory. A VM test that exercises the service is the way to know.',
      breakage: '~@resources broke services that raise RLIMIT_NOFILE; ~@privileged broke daemons that drop privileges themselves.',
    },
    messages: {
      fragile: 'SystemCallFilter denies {{group}}: {{breaks}}. Make sure the service is tested with it.',
    },
    examples: {
      weak: [{ module: exampleModule('SystemCallFilter = [ "@system-service" "~@resources" ];') }, { module: exampleModule('SystemCallFilter = "~@privileged";') }],
      strong: [
        { module: exampleModule('SystemCallFilter = [ "@system-service" ];') },
        { module: exampleModule('DynamicUser = true;\nSystemCallFilter = [ "@system-service" "~@privileged" ];') },
      ],
    },
  },
  check(ctx) {
    const v = ctx.value('SystemCallFilter');
    if (v === undefined) return;
    const user = ctx.value('User');
    const asRoot = ctx.value('DynamicUser') !== true && (user === undefined || user === 'root' || user === '0');
    const denied = new Set<string>();
    for (const line of unitLines(v)) {
      const t = line.trim();
      if (t.startsWith('~')) for (const w of t.slice(1).split(/\s+/)) if (w) denied.add(w.split(':')[0]!);
    }
    for (const group of [...denied].sort()) {
      const f = FRAGILE[group];
      if (!f || (f.onlyAsRoot && !asRoot)) continue;
      ctx.report({ messageId: 'fragile', data: { group, breaks: f.breaks }, directive: 'SystemCallFilter' });
    }
  },
});
