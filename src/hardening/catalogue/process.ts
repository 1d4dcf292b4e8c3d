/**
 * Process: visibility of other processes, the PID namespace, the file creation mask and the
 * ordering that decides whether a service runs in the normal system.
 */
import { defineFamily } from './scored-fields.js';

export const PROCESS = defineFamily('process', [
  {
    name: 'PrivatePIDs',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 257,
    summary: 'Runs the service in a new PID namespace where its main process is PID 1.',
    rationale:
      'The service can no longer see or signal processes outside its own tree, and /proc shows only its ' +
      'processes. Not scored by systemd-analyze.',
    breakage:
      'Not supported with Type=forking; services that inspect or signal other processes (monitoring agents, ' +
      'supervisors, tools reading /proc of other services) stop seeing them.',
    man: 'systemd.exec.html#PrivatePIDs=',
    examples: { weak: 'PrivatePIDs = false;', strong: 'PrivatePIDs = true;' },
  },
  {
    name: 'ProtectProc',
    kind: 'enum',
    values: ['default', 'noaccess', 'invisible', 'ptraceable'],
    strictness: { kind: 'order', order: ['default', 'noaccess', 'invisible', 'ptraceable'] },
    default: 'default',
    since: 247,
    summary: 'Sets how much of other users\' processes the service can see in /proc (the hidepid= mount option).',
    rationale:
      'Ordering follows the kernel semantics: "noaccess" keeps other users\' /proc/PID directories listed ' +
      'but unreadable; "invisible" hides them; "ptraceable" hides every process the service could not ' +
      'ptrace, which includes the invisible ones plus non-dumpable processes of its own user. ' +
      'systemd-analyze scores invisible and ptraceable 0, noaccess 1 of 3, default 3 of 3. Root and ' +
      'CAP_SYS_PTRACE bypass it, so it needs a non-root User.',
    breakage: 'Services that read other users\' process information (process monitors, exporters, log collectors reading /proc/PID) see nothing.',
    man: 'systemd.exec.html#ProtectProc=',
    examples: { weak: 'ProtectProc = "default";', strong: 'ProtectProc = "invisible";' },
  },
  {
    name: 'ProcSubset',
    kind: 'enum',
    values: ['all', 'pid'],
    strictness: { kind: 'order', order: ['all', 'pid'] },
    default: 'all',
    since: 247,
    summary: 'With "pid", hides everything in /proc that is not a process directory.',
    rationale:
      'Removes the kernel information and tunables /proc exposes (/proc/sys, /proc/net, /proc/meminfo and ' +
      'more), a large interface most simple services never need. Low weight in systemd-analyze.',
    breakage:
      'Anything reading system information from /proc breaks: memory and CPU statistics (JVM, Go runtime ' +
      'sizing, monitoring agents), /proc/sys lookups, /proc/net for socket listings.',
    man: 'systemd.exec.html#ProcSubset=',
    examples: { weak: 'ProcSubset = "all";', strong: 'ProcSubset = "pid";' },
  },
  {
    name: 'UMask',
    kind: 'umask',
    strictness: { kind: 'umask' },
    default: '0022',
    since: 1,
    summary: 'Sets the file mode creation mask of the service\'s processes.',
    rationale:
      'The default 0022 makes new files world-readable, so data the service writes is visible to every ' +
      'local account. systemd-analyze grades the mask: world-writable 10, world-readable 5 (the default), ' +
      'group-writable 2, group-readable 1, 0077-like masks 0. Execute bits are ignored.',
    breakage:
      'Other accounts that legitimately read what the service creates lose access: a web server serving ' +
      'generated files, log shippers, group-shared upload directories, clients connecting to UNIX sockets ' +
      'the service creates.',
    man: 'systemd.exec.html#UMask=',
    examples: { weak: 'UMask = "0022";', strong: 'UMask = "0077";' },
  },
  {
    name: 'DefaultDependencies',
    kind: 'bool',
    strictness: { kind: 'none' },
    default: 'yes',
    since: 1,
    summary: '[Unit] setting (NixOS: unitConfig): adds the usual ordering after basic system startup and before shutdown.',
    rationale:
      'Turning it off is meant for early-boot and late-shutdown services. systemd-analyze then treats ' +
      'PrivateTmp, ProtectHome, ProtectSystem and RootDirectory/RootImage as not applicable, which removes ' +
      'them from the score; a change is worth a look even though it is not itself a sandbox setting.',
    breakage: 'With no, the service may start before filesystems, /tmp or the network are ready and may be killed late at shutdown.',
    man: 'systemd.unit.html#DefaultDependencies=',
    examples: { weak: 'DefaultDependencies = false;', strong: 'DefaultDependencies = true;' },
  },
]);
