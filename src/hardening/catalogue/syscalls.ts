/**
 * System calls: seccomp filters and the seccomp-based restrictions on memory, personality,
 * namespaces and scheduling.
 */
import { defineFamily } from './scored-fields.js';

export const SYSCALLS = defineFamily('syscalls', [
  {
    name: 'SystemCallFilter',
    kind: 'list',
    strictness: { kind: 'allow-set', universe: 'syscalls' },
    default: '',
    since: 187,
    summary: 'Allows (or with ~, denies) system calls and @groups through a seccomp filter.',
    rationale:
      'Every system call is kernel attack surface; an allow list such as @system-service minus @privileged ' +
      'and @resources removes most of the rarely used and dangerous ones. The first line decides allow or ' +
      'deny mode and later lines edit that set. Unset or empty means no filter. systemd-analyze scores 11 ' +
      'groups separately against the resolved set.',
    breakage:
      '~@resources breaks services that raise limits or change priority, affinity or memory policy ' +
      '(databases, JVMs, Erlang, media servers); ~@privileged breaks services that switch user, chroot or ' +
      'chown themselves. A blocked call kills the process with SIGSYS unless an errno is configured. ' +
      'Runtimes sometimes need unusual calls (@pkey, @memlock, io_uring).',
    man: 'systemd.exec.html#SystemCallFilter=',
    examples: {
      weak: 'SystemCallFilter = [ "@system-service" "@privileged" ];',
      strong: 'SystemCallFilter = [ "@system-service" "~@privileged" "~@resources" ];',
    },
  },
  {
    name: 'SystemCallArchitectures',
    kind: 'list',
    strictness: { kind: 'allow-set', universe: 'architectures' },
    default: '',
    since: 209,
    summary: 'Limits which system call ABIs the service may use; "native" means only the host\'s own.',
    rationale:
      'Secondary ABIs (32-bit x86 on x86-64) have their own system call numbers and can slip past filters ' +
      'written for the native ABI. systemd-analyze only gives full credit for exactly "native".',
    breakage: '32-bit programs (Wine, old proprietary binaries, some game servers) cannot run on a 64-bit host.',
    man: 'systemd.exec.html#SystemCallArchitectures=',
    examples: { weak: 'SystemCallArchitectures = "native x86";', strong: 'SystemCallArchitectures = "native";' },
  },
  {
    name: 'SystemCallErrorNumber',
    kind: 'string',
    strictness: { kind: 'none' },
    default: '',
    since: 209,
    summary: 'Makes filtered system calls fail with the given errno instead of killing the process ("kill" restores the default).',
    rationale:
      'An errno such as EPERM lets programs fall back gracefully, while killing makes violations loud and ' +
      'final. Neither is clearly stricter, so changes are reported as neutral.',
    breakage: 'Switching to kill turns harmless probing calls into crashes; switching to an errno can hide blocked calls.',
    man: 'systemd.exec.html#SystemCallErrorNumber=',
    examples: { weak: 'SystemCallErrorNumber = "EPERM";', strong: 'SystemCallErrorNumber = "kill";' },
  },
  {
    name: 'SystemCallLog',
    kind: 'list',
    strictness: { kind: 'none' },
    default: '',
    since: 247,
    summary: 'Logs the listed system calls (or with ~, all others) through seccomp.',
    rationale: 'An auditing aid for building filters; it does not block anything, so changes are neutral.',
    breakage: 'None functionally; broad logging can flood the audit log.',
    man: 'systemd.exec.html#SystemCallLog=',
    examples: { weak: 'SystemCallLog = [ "@privileged" ];', strong: 'SystemCallLog = [ "~@system-service" ];' },
  },
  {
    name: 'MemoryDenyWriteExecute',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 231,
    summary: 'Forbids memory mappings that are writable and executable, or become executable later.',
    rationale:
      'Injected code has to land in memory that can be executed; refusing W+X mappings blocks the simplest ' +
      'exploitation route. It can be bypassed through writable non-noexec filesystems or memfd_create, so ' +
      'it works best with other restrictions.',
    breakage:
      'Anything that generates machine code at run time breaks: Node.js/V8, Java and other JVM languages, ' +
      '.NET, LuaJIT, the Erlang/BEAM JIT, PHP with the opcache JIT, PCRE2 JIT regular expressions, ' +
      'libffi closures (e.g. Python ctypes callbacks) and programs needing an executable stack.',
    man: 'systemd.exec.html#MemoryDenyWriteExecute=',
    examples: { weak: 'MemoryDenyWriteExecute = false;', strong: 'MemoryDenyWriteExecute = true;' },
  },
  {
    name: 'LockPersonality',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 235,
    summary: 'Prevents the service from changing its execution domain (personality).',
    rationale:
      'Unusual personalities enable legacy kernel behaviours that are poorly tested and have hosted ' +
      'vulnerabilities; almost no service needs to switch.',
    breakage: 'Rare: tools that run programs under another personality (setarch/linux32, some emulators) fail.',
    man: 'systemd.exec.html#LockPersonality=',
    examples: { weak: 'LockPersonality = false;', strong: 'LockPersonality = true;' },
  },
  {
    name: 'RestrictNamespaces',
    kind: 'list',
    // Booleans are accepted too: yes permits no namespace type (an empty allow list), no permits all.
    boolValues: { yes: '', no: '~' },
    strictness: { kind: 'allow-set', universe: 'namespaces' },
    default: 'no',
    since: 233,
    summary: 'Limits which namespace types the service may create or join; yes forbids all, a list allows those named.',
    rationale:
      'Creating user namespaces in particular exposes kernel code normally reserved for root and has been ' +
      'the entry point of many exploits. systemd-analyze checks seven namespace types separately (the time ' +
      'namespace is not scored).',
    breakage:
      'Software that sandboxes its own children or runs containers breaks: Chromium/Electron renderers, ' +
      'Firefox content processes, bubblewrap/Flatpak, nsjail, podman, systemd-nspawn, and build tools that ' +
      'call unshare.',
    man: 'systemd.exec.html#RestrictNamespaces=',
    examples: { weak: 'RestrictNamespaces = "net mnt";', strong: 'RestrictNamespaces = true;' },
  },
  {
    name: 'RestrictRealtime',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 231,
    summary: 'Refuses realtime scheduling policies (SCHED_FIFO, SCHED_RR, SCHED_DEADLINE) for the service.',
    rationale: 'A realtime process can monopolise CPUs and lock up the machine, an easy denial of service.',
    breakage: 'Audio servers (PipeWire, PulseAudio, JACK), low-latency media or control software that asks for realtime priority.',
    man: 'systemd.exec.html#RestrictRealtime=',
    examples: { weak: 'RestrictRealtime = false;', strong: 'RestrictRealtime = true;' },
  },
]);
