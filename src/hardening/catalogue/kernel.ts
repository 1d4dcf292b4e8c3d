/**
 * Kernel: the kernel interfaces a service can change or read — tunables, modules, the kernel log,
 * clocks, control groups and the hostname.
 */
import { defineFamily } from './scored-fields.js';

export const KERNEL = defineFamily('kernel', [
  {
    name: 'ProtectKernelTunables',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 232,
    summary: 'Makes /proc/sys, /sys and similar kernel knobs read-only for the service.',
    rationale:
      'Kernel tunables change system-wide behaviour (networking, memory, security switches); a service ' +
      'that can write them can weaken the whole host. It also hides /proc/kallsyms and /proc/kcore. Few ' +
      'services need to tune the kernel at run time; boot-time sysctl configuration covers most needs.',
    breakage:
      'Services that write sysctls or sysfs at run time fail: network daemons adjusting net.* settings, ' +
      'databases tweaking vm.*, container runtimes and firewall helpers, and daemons driving LEDs, power ' +
      'or GPU settings through /sys.',
    man: 'systemd.exec.html#ProtectKernelTunables=',
    examples: { weak: 'ProtectKernelTunables = false;', strong: 'ProtectKernelTunables = true;' },
  },
  {
    name: 'ProtectKernelModules',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 232,
    summary: 'Prevents the service from loading or unloading kernel modules.',
    rationale:
      'Loading a module means running arbitrary code in the kernel. The setting drops CAP_SYS_MODULE, ' +
      'filters the module system calls and hides the module directory. Implicit loading triggered by the ' +
      'kernel itself can still happen.',
    breakage:
      'Services that load modules on demand stop working: VPN daemons needing wireguard/tun modules, ZFS or ' +
      'filesystem tools, firewall managers loading netfilter modules, hardware daemons.',
    man: 'systemd.exec.html#ProtectKernelModules=',
    examples: { weak: 'ProtectKernelModules = false;', strong: 'ProtectKernelModules = true;' },
  },
  {
    name: 'ProtectKernelLogs',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 244,
    summary: 'Denies access to the kernel log ring buffer (/dev/kmsg, /proc/kmsg, syslog(2)).',
    rationale:
      'The kernel log leaks addresses and hardware details useful for exploits, and writing to it lets a ' +
      'service forge kernel messages. The setting drops CAP_SYSLOG and filters syslog(2).',
    breakage: 'Log collectors and agents that read kernel messages directly (syslog daemons, kmsg exporters) break.',
    man: 'systemd.exec.html#ProtectKernelLogs=',
    examples: { weak: 'ProtectKernelLogs = false;', strong: 'ProtectKernelLogs = true;' },
  },
  {
    name: 'ProtectClock',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 245,
    summary: 'Forbids setting the system or hardware clock.',
    rationale:
      'Moving the clock breaks certificate validation, log ordering and time-based tokens across the host. ' +
      'It drops CAP_SYS_TIME and CAP_WAKE_ALARM and filters clock-setting calls. When a device policy is in ' +
      'effect it also adds read access to the RTC devices, which is why systemd-analyze\'s DeviceAllow ' +
      'check then stays at "some devices allowed".',
    breakage:
      'Time synchronisation daemons (chrony, ntpd, PTP) and hwclock users fail; the filter blocks some ' +
      'calls that can also read clock state.',
    man: 'systemd.exec.html#ProtectClock=',
    examples: { weak: 'ProtectClock = false;', strong: 'ProtectClock = true;' },
  },
  {
    name: 'ProtectControlGroups',
    kind: 'enum',
    values: ['no', 'private', 'yes', 'strict'],
    valueSince: { private: 257, strict: 257 },
    boolValues: { yes: 'yes', no: 'no' },
    strictness: { kind: 'order', order: ['no', 'private', 'yes', 'strict'] },
    default: 'no',
    since: 232,
    summary: 'Makes the cgroup filesystem read-only, or gives the service a private cgroup view.',
    rationale:
      'Writing to /sys/fs/cgroup lets a service move processes and change resource limits of other units. ' +
      'yes makes the host hierarchy read-only; "private" and "strict" (systemd 257) use a cgroup namespace, ' +
      'writable or read-only respectively. Ordering: private still allows writes within the service\'s own ' +
      'subtree, so it ranks below yes; strict combines the namespace with read-only and ranks highest. ' +
      'systemd-analyze accepts yes, private and strict.',
    breakage:
      'Container runtimes, nested service managers and anything that creates its own cgroups break; ' +
      'monitoring agents that only read cgroup statistics keep working with yes.',
    man: 'systemd.exec.html#ProtectControlGroups=',
    examples: { weak: 'ProtectControlGroups = false;', strong: 'ProtectControlGroups = true;' },
  },
  {
    name: 'ProtectHostname',
    kind: 'enum',
    values: ['no', 'private', 'yes'],
    valueSince: { private: 257 },
    boolValues: { yes: 'yes', no: 'no' },
    strictness: { kind: 'order', order: ['no', 'private', 'yes'] },
    default: 'no',
    since: 242,
    summary: 'Gives the service its own UTS namespace so it cannot change the host name.',
    rationale:
      'Prevents a service from renaming the machine (which affects logging, certificates and cluster ' +
      'membership). "private" (systemd 257) gives a separate namespace in which renaming is still allowed, ' +
      'so it ranks between no and yes; systemd-analyze scores only yes as good.',
    breakage:
      'Services meant to set the host name (DHCP or provisioning agents) fail, and the service no longer ' +
      'sees host name changes made after it started.',
    man: 'systemd.exec.html#ProtectHostname=',
    examples: { weak: 'ProtectHostname = false;', strong: 'ProtectHostname = true;' },
  },
  {
    name: 'Delegate',
    kind: 'bool',
    strictness: { kind: 'false-stricter' },
    default: 'no',
    since: 218,
    summary: 'Hands the service its own cgroup subtree (all controllers, or a listed set) to manage.',
    rationale:
      'A delegated service can create cgroups and control resources below its own unit, and for non-root ' +
      'services the subtree is chowned to them. systemd-analyze counts yes (or any controller list, which ' +
      'also means yes) as bad.',
    breakage: 'Container managers, nested systemd instances and job schedulers that build their own cgroup trees need it.',
    man: 'systemd.resource-control.html#Delegate=',
    examples: { weak: 'Delegate = true;', strong: 'Delegate = false;' },
  },
]);
