/**
 * Privileges: capabilities, privilege escalation through exec, set-user/group-ID files, and the
 * mandatory access control labels a service runs under.
 */
import { defineFamily } from './scored-fields.js';

export const PRIVILEGES = defineFamily('privileges', [
  {
    name: 'NoNewPrivileges',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 187,
    summary: 'Stops the service and its children from gaining privileges through exec (setuid, setgid, file capabilities).',
    rationale:
      'Closes the path from a compromised unprivileged process to root via any setuid binary on the system. ' +
      'systemd-analyze counts only the explicit setting (or DynamicUser), not the flag PID 1 sets implicitly ' +
      'for seccomp filters.',
    breakage:
      'setuid/setgid and file-capability helpers stop elevating: sudo, su, sendmail-style wrappers, ' +
      'unix_chkpwd used by PAM for password checks, newuidmap for rootless containers; SELinux domain ' +
      'transitions can be refused.',
    man: 'systemd.exec.html#NoNewPrivileges=',
    examples: { weak: 'NoNewPrivileges = false;', strong: 'NoNewPrivileges = true;' },
  },
  {
    name: 'CapabilityBoundingSet',
    kind: 'list',
    strictness: { kind: 'allow-set', universe: 'capabilities' },
    default: '~',
    since: 1,
    summary: 'Limits the capabilities the service can ever hold; ~ inverts the list, an empty value removes all.',
    rationale:
      'Capabilities are root\'s powers in pieces; anything outside the bounding set is gone for good, even ' +
      'for root and even through setuid binaries. Unset means every capability. systemd-analyze checks 26 ' +
      'groups of capabilities separately (after the drops implied by PrivateDevices, ProtectKernelModules, ' +
      'ProtectKernelLogs and ProtectClock). Note the empty assignment means the empty set here, and "~" ' +
      'alone resets to the full set.',
    breakage:
      'Root services fail where they relied on a removed power: changing file ownership (CAP_CHOWN), ' +
      'ignoring file permissions (CAP_DAC_OVERRIDE), binding ports below 1024 (CAP_NET_BIND_SERVICE), ' +
      'switching user (CAP_SETUID/CAP_SETGID), configuring networks (CAP_NET_ADMIN), raw sockets (CAP_NET_RAW).',
    man: 'systemd.exec.html#CapabilityBoundingSet=',
    examples: {
      weak: 'CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" "CAP_SYS_ADMIN" ];',
      strong: 'CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" ];',
    },
  },
  {
    name: 'AmbientCapabilities',
    kind: 'list',
    strictness: { kind: 'allow-set', universe: 'capabilities' },
    default: '',
    since: 229,
    summary: 'Grants capabilities to a non-root service that survive the switch to its user.',
    rationale:
      'The standard way to let an unprivileged service do one privileged thing (typically bind a low port) ' +
      'instead of running as root. Every entry is a real privilege held by the process; systemd-analyze ' +
      'flags any non-empty ambient set.',
    breakage:
      'Removing a capability breaks the matching operation: binding ports below 1024, raw or packet sockets ' +
      '(ping, DHCP), interface configuration.',
    man: 'systemd.exec.html#AmbientCapabilities=',
    examples: {
      weak: 'AmbientCapabilities = [ "CAP_NET_BIND_SERVICE" "CAP_NET_ADMIN" ];',
      strong: 'AmbientCapabilities = [ "CAP_NET_BIND_SERVICE" ];',
    },
  },
  {
    name: 'SecureBits',
    kind: 'list',
    strictness: { kind: 'none' },
    default: '',
    since: 1,
    summary: 'Sets the process securebits flags (keep-caps, no-setuid-fixup, noroot and their -locked forms).',
    rationale:
      'noroot removes the special capability treatment of UID 0 on exec, while keep-caps lets capabilities ' +
      'survive a UID change; the flags pull in different directions, so changes are reported as neutral. ' +
      'AmbientCapabilities adds keep-caps automatically.',
    breakage: 'noroot makes root programs lose capabilities on exec; keep-caps changes what a privilege-dropping daemon retains.',
    man: 'systemd.exec.html#SecureBits=',
    examples: { weak: 'SecureBits = "keep-caps";', strong: 'SecureBits = "noroot noroot-locked";' },
  },
  {
    name: 'RestrictSUIDSGID',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 242,
    summary: 'Forbids the service from setting the set-user-ID or set-group-ID bit on files and directories.',
    rationale:
      'A compromised service could otherwise leave behind a setuid copy of a shell owned by its user as a ' +
      'persistent back door. Implied by DynamicUser.',
    breakage: 'Package managers, installers and file servers that must create setuid programs or setgid shared directories fail.',
    man: 'systemd.exec.html#RestrictSUIDSGID=',
    examples: { weak: 'RestrictSUIDSGID = false;', strong: 'RestrictSUIDSGID = true;' },
  },
  {
    name: 'PermissionsStartOnly',
    kind: 'bool',
    strictness: { kind: 'false-stricter' },
    default: 'no',
    since: 1,
    summary: 'Deprecated (since 240): when yes, only ExecStart gets User/Group and similar settings; helpers run privileged.',
    rationale:
      'With yes, ExecStartPre/Post, reload and stop commands run as root without the user switch and other ' +
      'permission settings, outside most of the sandbox. Current systemd prefers per-command "+" or "!" ' +
      'prefixes, which make the exception visible on the affected line.',
    breakage: 'Setting it to no makes helper commands run as the service user; setup steps that need root (chown, mkdir in /var) fail.',
    man: 'systemd.service.html#PermissionsStartOnly=',
    examples: { weak: 'PermissionsStartOnly = true;', strong: 'PermissionsStartOnly = false;' },
  },
  {
    name: 'AppArmorProfile',
    kind: 'string',
    strictness: { kind: 'none' },
    default: '',
    since: 210,
    summary: 'Starts the service under the named AppArmor profile; a leading "-" ignores failures.',
    rationale:
      'A mandatory access control profile confines the service independently of Unix permissions. The "-" ' +
      'prefix lets the service start unconfined when the profile is missing, which is a silent loss of ' +
      'protection. No effect when AppArmor is disabled.',
    breakage: 'A profile that does not match the service\'s behaviour causes denials; without "-" a missing profile stops the unit.',
    man: 'systemd.exec.html#AppArmorProfile=',
    examples: { weak: 'AppArmorProfile = "-myservice";', strong: 'AppArmorProfile = "myservice";' },
  },
  {
    name: 'SELinuxContext',
    kind: 'string',
    strictness: { kind: 'none' },
    default: '',
    since: 209,
    summary: 'Runs the service in the given SELinux security context; a leading "-" ignores failures.',
    rationale:
      'Overrides the automatic domain transition, so the policy that confines the service is chosen here. ' +
      'As with AppArmor, "-" means a failure silently leaves the service in the default context. No effect ' +
      'when SELinux is disabled.',
    breakage: 'A context the policy does not allow makes the exec fail or the service run into denials.',
    man: 'systemd.exec.html#SELinuxContext=',
    examples: {
      weak: 'SELinuxContext = "-system_u:system_r:myservice_t:s0";',
      strong: 'SELinuxContext = "system_u:system_r:myservice_t:s0";',
    },
  },
]);
