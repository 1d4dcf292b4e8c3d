/**
 * The 81 checks of `systemd-analyze security`, reduced to what the catalogue needs: the check's
 * `json_field` (the key used by `--json` and `--security-policy`), the directives the check reads,
 * and whether it is skipped for units with `DefaultDependencies=no`.
 *
 * Facts carried over from /work/shared/research/sas-checks.json (systemd 252.38 / 257.13), in the
 * tool's source order. Weights and badness rules live with the scorer, not here.
 *
 * Each catalogue entry's `scored` list is computed from this table (see `defineFamily`), so the
 * mapping from directives to checks is written down exactly once.
 */
import type { Directive, Family } from './types.js';

export interface ScoredField {
  /** The `json_field`, verbatim (one of them carries a stray `)` from the systemd source). */
  field: string;
  /** The directives the check reads, as in the `reads` column of sas-checks.json. */
  reads: readonly string[];
  /** True for the four checks that become "not applicable" when `DefaultDependencies=no`. */
  defaultDependenciesOnly: boolean;
}

const one = (field: string, ...reads: string[]): ScoredField => ({
  field,
  reads: reads.length > 0 ? reads : [field],
  defaultDependenciesOnly: false,
});
const dd = (field: string, ...reads: string[]): ScoredField => ({
  ...one(field, ...reads),
  defaultDependenciesOnly: true,
});

/**
 * Suffixes of the 26 `CapabilityBoundingSet_*` checks. The NET_BIND_SERVICE one keeps the `)`
 * that the systemd source has in its json_field (still present in 252 and 257); a policy key
 * spelled without it does not match in the real tool.
 */
const CAPABILITY_CHECK_SUFFIXES = [
  'CAP_SYS_ADMIN',
  'CAP_SET_UID_GID_PCAP',
  'CAP_SYS_PTRACE',
  'CAP_SYS_TIME',
  'CAP_NET_ADMIN',
  'CAP_SYS_RAWIO',
  'CAP_SYS_MODULE',
  'CAP_AUDIT',
  'CAP_SYSLOG',
  'CAP_SYS_NICE_RESOURCE',
  'CAP_MKNOD',
  'CAP_CHOWN_FSETID_SETFCAP',
  'CAP_DAC_FOWNER_IPC_OWNER',
  'CAP_KILL',
  'CAP_NET_BIND_SERVICE_BROADCAST_RAW)',
  'CAP_SYS_BOOT',
  'CAP_MAC',
  'CAP_LINUX_IMMUTABLE',
  'CAP_IPC_LOCK',
  'CAP_SYS_CHROOT',
  'CAP_BLOCK_SUSPEND',
  'CAP_WAKE_ALARM',
  'CAP_LEASE',
  'CAP_SYS_TTY_CONFIG',
  'CAP_SYS_PACCT',
  'CAP_BPF',
] as const;

const NAMESPACE_CHECKS = ['user', 'mnt', 'ipc', 'pid', 'cgroup', 'net', 'uts'] as const;
const FAMILY_CHECKS = ['AF_INET_INET6', 'AF_UNIX', 'AF_NETLINK', 'AF_PACKET', 'OTHER'] as const;
const SYSCALL_GROUP_CHECKS = [
  'swap',
  'obsolete',
  'clock',
  'cpu_emulation',
  'debug',
  'mount',
  'module',
  'raw_io',
  'reboot',
  'privileged',
  'resources',
] as const;

/** All 81 scored checks, in the order of systemd's assessor table. */
export const SCORED_FIELDS: readonly ScoredField[] = Object.freeze([
  one('UserOrDynamicUser', 'User', 'DynamicUser'),
  one('SupplementaryGroups', 'SupplementaryGroups', 'User', 'DynamicUser'),
  one('PrivateDevices'),
  one('PrivateMounts'),
  one('PrivateNetwork'),
  dd('PrivateTmp'),
  one('PrivateUsers'),
  one('ProtectControlGroups'),
  one('ProtectKernelModules'),
  one('ProtectKernelTunables'),
  one('ProtectKernelLogs'),
  one('ProtectClock'),
  dd('ProtectHome'),
  one('ProtectHostname'),
  dd('ProtectSystem'),
  dd('RootDirectoryOrRootImage', 'RootDirectory', 'RootImage'),
  one('LockPersonality'),
  one('MemoryDenyWriteExecute'),
  one('NoNewPrivileges'),
  ...CAPABILITY_CHECK_SUFFIXES.map((s) => one(`CapabilityBoundingSet_${s}`, 'CapabilityBoundingSet')),
  one('UMask'),
  one('KeyringMode'),
  one('ProtectProc'),
  one('ProcSubset'),
  one('NotifyAccess'),
  one('RemoveIPC', 'RemoveIPC', 'User', 'DynamicUser'),
  one('Delegate'),
  one('RestrictRealtime'),
  one('RestrictSUIDSGID'),
  ...NAMESPACE_CHECKS.map((n) => one(`RestrictNamespaces_${n}`, 'RestrictNamespaces')),
  ...FAMILY_CHECKS.map((f) => one(`RestrictAddressFamilies_${f}`, 'RestrictAddressFamilies')),
  one('SystemCallArchitectures'),
  ...SYSCALL_GROUP_CHECKS.map((g) => one(`SystemCallFilter_${g}`, 'SystemCallFilter')),
  one('IPAddressDeny', 'IPAddressDeny', 'IPAddressAllow', 'IPIngressFilterPath', 'IPEgressFilterPath'),
  one('DeviceAllow', 'DeviceAllow', 'DevicePolicy'),
  one('AmbientCapabilities'),
]);

/**
 * The json_fields of the checks whose result depends on `name`. `DefaultDependencies` feeds the
 * four checks it can make "not applicable".
 */
export function fieldsReading(name: string): readonly string[] {
  return SCORED_FIELDS.filter(
    (f) => f.reads.includes(name) || (name === 'DefaultDependencies' && f.defaultDependenciesOnly),
  ).map((f) => f.field);
}

/** A catalogue entry as written in a family file; `family` and `scored` are filled in. */
export type DirectiveSpec = Omit<Directive, 'family' | 'scored'>;

/** Completes and freezes the entries of one family file. */
export function defineFamily(family: Family, specs: readonly DirectiveSpec[]): readonly Directive[] {
  return Object.freeze(
    specs.map((spec) => Object.freeze({ ...spec, family, scored: Object.freeze([...fieldsReading(spec.name)]) })),
  );
}
