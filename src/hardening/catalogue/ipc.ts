/**
 * IPC: System V / POSIX IPC objects, kernel keyrings, the service-manager notification socket and
 * namespace sharing between units.
 */
import { defineFamily } from './scored-fields.js';

export const IPC = defineFamily('ipc', [
  {
    name: 'PrivateIPC',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 248,
    summary: 'Gives the service its own IPC namespace for System V IPC and POSIX message queues.',
    rationale:
      'Other processes can no longer see or attach to the service\'s shared memory, semaphores and message ' +
      'queues, nor it to theirs. It does not affect AF_UNIX sockets or POSIX shared memory in /dev/shm.',
    breakage: 'Programs that share System V IPC with processes outside the unit lose contact unless JoinsNamespaceOf links them.',
    man: 'systemd.exec.html#PrivateIPC=',
    examples: { weak: 'PrivateIPC = false;', strong: 'PrivateIPC = true;' },
  },
  {
    name: 'IPCNamespacePath',
    kind: 'string',
    strictness: { kind: 'none' },
    default: '',
    since: 248,
    summary: 'Joins the IPC namespace found at the given path.',
    rationale:
      'Shares System V IPC with whatever else lives in that namespace; whether that is tighter than the host ' +
      'namespace depends on who else joins it, so changes are neutral. PrivateIPC has no effect when set.',
    breakage: 'The namespace file must exist at start; the service only sees IPC objects of that namespace.',
    man: 'systemd.exec.html#IPCNamespacePath=',
    examples: { weak: 'IPCNamespacePath = "/run/ipcns/shared";', strong: 'IPCNamespacePath = "/run/ipcns/myservice";' },
  },
  {
    name: 'RemoveIPC',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 232,
    summary: 'Removes the IPC objects owned by the service\'s user and group when the last unit using them stops.',
    rationale:
      'Left-over shared memory and message queues can leak data to the next owner of a UID and pile up. ' +
      'Implied by DynamicUser. systemd-analyze does not score it for services running as root, where it ' +
      'has no effect.',
    breakage: 'Data kept in shared memory across restarts is lost; units sharing one user lose shared segments when the last one stops.',
    man: 'systemd.exec.html#RemoveIPC=',
    examples: { weak: 'RemoveIPC = false;', strong: 'RemoveIPC = true;' },
  },
  {
    name: 'KeyringMode',
    kind: 'enum',
    values: ['inherit', 'shared', 'private'],
    strictness: { kind: 'order', order: ['inherit', 'shared', 'private'] },
    default: 'private',
    since: 235,
    summary: 'Controls the kernel session keyring of the service: inherit, shared (user keyring linked) or private.',
    rationale:
      'Ordering: "inherit" does no setup, so the service ends up with the default keyrings of its UID and ' +
      'whatever the manager passes down; "shared" creates a fresh session keyring but links the user\'s ' +
      'keyring into it, so keys are shared among all units of that user; "private" shares nothing. ' +
      'systemd-analyze scores only private as good (the default for system services; user services default ' +
      'to inherit).',
    breakage: 'Services expecting keys placed in the user keyring by others (Kerberos, fscrypt, NFS helpers) no longer see them with private.',
    man: 'systemd.exec.html#KeyringMode=',
    examples: { weak: 'KeyringMode = "shared";', strong: 'KeyringMode = "private";' },
  },
  {
    name: 'NotifyAccess',
    kind: 'enum',
    values: ['all', 'exec', 'main', 'none'],
    strictness: { kind: 'order', order: ['all', 'exec', 'main', 'none'] },
    default: 'none',
    since: 1,
    summary: 'Decides which processes may send sd_notify status messages for the unit: all, exec, main or none.',
    rationale:
      'A notification can declare readiness, change the main PID or feed the watchdog. With "all" any ' +
      'process in the unit, including a compromised child, can mislead the service manager; systemd-analyze ' +
      'flags only "all". "exec" exists since 236. Type=notify implies "main" when unset.',
    breakage: 'Notify-type services whose readiness is sent by a wrapper or child process (shell scripts calling systemd-notify) need exec or all.',
    man: 'systemd.service.html#NotifyAccess=',
    examples: { weak: 'NotifyAccess = "all";', strong: 'NotifyAccess = "main";' },
  },
  {
    name: 'JoinsNamespaceOf',
    kind: 'list',
    strictness: { kind: 'none' },
    default: '',
    since: 209,
    summary: '[Unit] setting (NixOS: unitConfig): shares /tmp, the IPC and the network namespace with the listed units.',
    rationale:
      'Lets two units that each have PrivateTmp/PrivateNetwork/PrivateIPC see the same private namespace. ' +
      'It widens each unit\'s sandbox to include the other unit, so partners should be chosen deliberately.',
    breakage: 'Removing it separates units that exchange files in /tmp or talk over a private loopback.',
    man: 'systemd.unit.html#JoinsNamespaceOf=',
    examples: {
      weak: 'JoinsNamespaceOf = [ "myservice-db.service" "myservice-worker.service" ];',
      strong: 'JoinsNamespaceOf = [ "myservice-db.service" ];',
    },
  },
]);
