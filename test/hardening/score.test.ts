/**
 * Hand cases for the exposure scorer, from shared/research/systemd-analyze-security.md (each
 * confirmed with systemd 252's `systemd-analyze security --offline`). They assert the badness
 * of the checks involved, not only the totals.
 */
import {
  applyImplications,
  exposureOf,
  isUnloadable,
  rating,
  scoreRange,
  scoreSettings,
  shownExposure,
  type Score,
} from '../../src/hardening/score.js';
import { parseUnitFile, serviceSettings } from '../../src/hardening/unit.js';

/** Scores a unit made of these [Service] lines (and optional [Unit] lines). */
function score(service: readonly string[], unit: readonly string[] = [], unitName = 'demo.service'): Score {
  const text = ['[Unit]', ...unit, '[Service]', 'ExecStart=/bin/true', ...service, ''].join('\n');
  const result = scoreSettings(serviceSettings(parseUnitFile(text), { unitName }), { systemdVersion: 252 });
  if (isUnloadable(result)) throw new Error(`unit does not load: ${result.loadError.message}`);
  return result;
}

/** jsonField → badness, for the fields asked for. */
function badness(s: Score, ...fields: string[]): Record<string, number | null> {
  const all = new Map(s.checks.map((c) => [c.jsonField, c.badness]));
  return Object.fromEntries(fields.map((f) => {
    if (!all.has(f)) throw new Error(`no check ${f}`);
    return [f, all.get(f) as number | null];
  }));
}

/** The checks that are not fully good. */
function bad(s: Score): Record<string, number | null> {
  return Object.fromEntries(s.checks.filter((c) => c.badness !== 0).map((c) => [c.jsonField, c.badness]));
}

const SYSCALL_GROUPS = ['swap', 'obsolete', 'clock', 'cpu_emulation', 'debug', 'mount', 'module', 'raw_io', 'reboot', 'privileged', 'resources'];
const groupFields = SYSCALL_GROUPS.map((g) => `SystemCallFilter_${g}`);
const groupBadness = (s: Score): Record<string, number | null> => badness(s, ...groupFields);
const allGroups = (b: number, except: Record<string, number> = {}): Record<string, number> =>
  Object.fromEntries(SYSCALL_GROUPS.map((g) => [`SystemCallFilter_${g}`, except[g] ?? b]));

const FAMILY_FIELDS = ['AF_INET_INET6', 'AF_UNIX', 'AF_NETLINK', 'AF_PACKET', 'OTHER'].map((f) => `RestrictAddressFamilies_${f}`);
const NAMESPACE_FIELDS = ['user', 'mnt', 'ipc', 'pid', 'cgroup', 'net', 'uts'].map((n) => `RestrictNamespaces_${n}`);

const HARDENED = [
  'DynamicUser=yes',
  'CapabilityBoundingSet=',
  'PrivateDevices=yes',
  'PrivateMounts=yes',
  'PrivateNetwork=yes',
  'PrivateTmp=yes',
  'PrivateUsers=yes',
  'ProtectClock=yes',
  'ProtectControlGroups=yes',
  'ProtectHome=yes',
  'ProtectHostname=yes',
  'ProtectKernelLogs=yes',
  'ProtectKernelModules=yes',
  'ProtectKernelTunables=yes',
  'ProtectSystem=strict',
  'ProtectProc=invisible',
  'ProcSubset=pid',
  'RestrictNamespaces=yes',
  'RestrictAddressFamilies=none',
  'RestrictRealtime=yes',
  'RestrictSUIDSGID=yes',
  'LockPersonality=yes',
  'MemoryDenyWriteExecute=yes',
  'NoNewPrivileges=yes',
  'RemoveIPC=yes',
  'SystemCallArchitectures=native',
  'SystemCallFilter=@system-service',
  'SystemCallFilter=~@privileged @resources',
  'IPAddressDeny=any',
  'UMask=0077',
];

describe('formula and bands', () => {
  test('a bare root service: 53510/56160 → 96, "9.6 UNSAFE"', () => {
    const s = score([]);
    expect(s.exposure).toBe(96);
    expect(s.shown).toBe('9.6');
    expect(s.rating).toBe('UNSAFE');
    expect(s.checks).toHaveLength(81);
    expect(badness(s, 'UserOrDynamicUser', 'SupplementaryGroups', 'RemoveIPC', 'UMask', 'ProtectProc', 'KeyringMode', 'NotifyAccess', 'Delegate')).toEqual({
      UserOrDynamicUser: 10,
      SupplementaryGroups: null,
      RemoveIPC: null,
      UMask: 5,
      ProtectProc: 3,
      KeyringMode: 0,
      NotifyAccess: 0,
      Delegate: 0,
    });
    const applicable = s.checks.filter((c) => c.badness !== null);
    expect(applicable.reduce((n, c) => n + c.weight, 0)).toBe(56160);
  });

  test('rounding: ceil per check, then ceil overall', () => {
    expect(exposureOf([{ id: 'a', jsonField: 'a', badness: 1, weight: 1000, range: 3 }, { id: 'b', jsonField: 'b', badness: 0, weight: 2000, range: 1 }])).toBe(12);
    expect(exposureOf([{ id: 'a', jsonField: 'a', badness: null, weight: 1000, range: 1 }, { id: 'b', jsonField: 'b', badness: 1, weight: 10, range: 1 }])).toBe(100);
  });

  test('bands and the shown value', () => {
    expect([100, 99, 90, 89, 75, 74, 50, 49, 10, 9, 1, 0].map(rating)).toEqual([
      'DANGEROUS', 'UNSAFE', 'UNSAFE', 'EXPOSED', 'EXPOSED', 'MEDIUM', 'MEDIUM', 'OK', 'OK', 'SAFE', 'SAFE', 'PERFECT',
    ]);
    expect([100, 96, 2, 0].map(shownExposure)).toEqual(['10.0', '9.6', '0.2', '0.0']);
  });
});

describe('identity', () => {
  test('DynamicUser=yes alone: 84, and the sandbox PID1 forces with it', () => {
    const s = score(['DynamicUser=yes']);
    expect(s.exposure).toBe(84);
    expect(badness(s, 'UserOrDynamicUser', 'SupplementaryGroups', 'RemoveIPC', 'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'NoNewPrivileges', 'RestrictSUIDSGID')).toEqual({
      UserOrDynamicUser: 0,
      SupplementaryGroups: 0,
      RemoveIPC: 0,
      ProtectSystem: 0,
      ProtectHome: 5,
      PrivateTmp: 0,
      NoNewPrivileges: 0,
      RestrictSUIDSGID: 0,
    });
  });

  test('DynamicUser= keeps a stricter ProtectHome= and overrides PrivateTmp=no', () => {
    expect(badness(score(['DynamicUser=yes', 'ProtectHome=tmpfs']), 'ProtectHome')).toEqual({ ProtectHome: 1 });
    expect(badness(score(['DynamicUser=yes', 'ProtectHome=yes']), 'ProtectHome')).toEqual({ ProtectHome: 0 });
    expect(badness(score(['DynamicUser=yes', 'PrivateTmp=no']), 'PrivateTmp')).toEqual({ PrivateTmp: 0 });
  });

  test('User=nobody → 9, even with DynamicUser=; 65534 is not recognised as nobody', () => {
    expect(badness(score(['User=nobody']), 'UserOrDynamicUser', 'SupplementaryGroups', 'RemoveIPC')).toEqual({ UserOrDynamicUser: 9, SupplementaryGroups: 0, RemoveIPC: 1 });
    expect(badness(score(['DynamicUser=yes', 'User=nobody']), 'UserOrDynamicUser')).toEqual({ UserOrDynamicUser: 9 });
    expect(badness(score(['User=65534']), 'UserOrDynamicUser')).toEqual({ UserOrDynamicUser: 0 });
  });

  test('root services: SupplementaryGroups= and RemoveIPC= are not applicable', () => {
    for (const user of [[], ['User=root'], ['User=0'], ['User=root', 'DynamicUser=yes']]) {
      expect(badness(score([...user, 'SupplementaryGroups=wheel', 'RemoveIPC=yes']), 'UserOrDynamicUser', 'SupplementaryGroups', 'RemoveIPC')).toEqual({
        UserOrDynamicUser: 10,
        SupplementaryGroups: null,
        RemoveIPC: null,
      });
    }
    expect(badness(score(['User=svc', 'SupplementaryGroups=wheel']), 'UserOrDynamicUser', 'SupplementaryGroups', 'RemoveIPC')).toEqual({
      UserOrDynamicUser: 0,
      SupplementaryGroups: 1,
      RemoveIPC: 1,
    });
  });

  test('DynamicUser= without User= runs as the unit name: nobody.service and root.service', () => {
    expect(badness(score(['DynamicUser=yes'], [], 'nobody.service'), 'UserOrDynamicUser')).toEqual({ UserOrDynamicUser: 9 });
    expect(badness(score(['DynamicUser=yes'], [], 'root.service'), 'UserOrDynamicUser', 'RemoveIPC')).toEqual({ UserOrDynamicUser: 10, RemoveIPC: null });
    expect(badness(score(['DynamicUser=yes'], [], '0abc.service'), 'UserOrDynamicUser')).toEqual({ UserOrDynamicUser: 0 });
  });

  test('an invalid User= makes the unit unloadable', () => {
    const text = '[Service]\nExecStart=/bin/true\nUser=a:b\n';
    const r = scoreSettings(serviceSettings(parseUnitFile(text)), { systemdVersion: 252 });
    expect(isUnloadable(r) && r.loadError.directive).toBe('User');
  });
});

describe('the hardened example', () => {
  test('0.2 SAFE: only RootDirectory= and DeviceAllow= (char-rtc from ProtectClock=) stay bad', () => {
    const s = score(HARDENED);
    expect(s.exposure).toBe(2);
    expect(s.shown).toBe('0.2');
    expect(s.rating).toBe('SAFE');
    expect(bad(s)).toEqual({ RootDirectoryOrRootImage: 1, DeviceAllow: 5 });
  });

  test('adding RootDirectory= gives 0.1', () => {
    const s = score([...HARDENED, 'RootDirectory=/var/empty']);
    expect(s.exposure).toBe(1);
    expect(bad(s)).toEqual({ DeviceAllow: 5 });
  });
});

describe('SystemCallFilter=', () => {
  test('no filter: every group 10', () => {
    expect(groupBadness(score([]))).toEqual(allGroups(10));
  });

  test('allow list @system-service: @privileged and @resources are included (9), the rest 0', () => {
    expect(groupBadness(score(['SystemCallFilter=@system-service']))).toEqual(allGroups(0, { privileged: 9, resources: 9 }));
  });

  test('@system-service then ~@privileged @resources: all 0', () => {
    expect(groupBadness(score(['SystemCallFilter=@system-service', 'SystemCallFilter=~@privileged @resources']))).toEqual(allGroups(0));
  });

  test('deny list ~@privileged also covers its nested groups, not @mount/@debug/@obsolete/@cpu-emulation', () => {
    expect(groupBadness(score(['SystemCallFilter=~@privileged']))).toEqual(
      allGroups(0, { obsolete: 10, cpu_emulation: 10, debug: 10, mount: 10, resources: 10 }),
    );
  });

  test(':errno suffixes are ignored; an invalid one drops the word', () => {
    expect(badness(score(['SystemCallFilter=~@swap:EPERM']), 'SystemCallFilter_swap')).toEqual({ SystemCallFilter_swap: 0 });
    expect(badness(score(['SystemCallFilter=~@swap:EBOGUS']), 'SystemCallFilter_swap')).toEqual({ SystemCallFilter_swap: 10 });
    // An allow-list word cannot take an errno: dropped, so only @default is allowed.
    expect(groupBadness(score(['SystemCallFilter=@swap:EPERM']))).toEqual(allGroups(0));
  });

  test('a later plain line takes syscalls out of a deny list; an empty line resets the mode', () => {
    expect(badness(score(['SystemCallFilter=~@swap', 'SystemCallFilter=swapon']), 'SystemCallFilter_swap')).toEqual({ SystemCallFilter_swap: 10 });
    expect(groupBadness(score(['SystemCallFilter=~@swap', 'SystemCallFilter=', 'SystemCallFilter=@swap']))).toEqual(allGroups(0, { swap: 9, privileged: 9 }));
  });

  test('names that do not exist on x86-64 are skipped when a group is walked', () => {
    // @swap is swapon+swapoff; denying them one by one is the same as denying the group.
    expect(badness(score(['SystemCallFilter=~swapon swapoff']), 'SystemCallFilter_swap')).toEqual({ SystemCallFilter_swap: 0 });
    // chown32 & co. (in @privileged via @chown) are i386-only: allowing them adds nothing here,
    // allowing chown does.
    expect(badness(score(['SystemCallFilter=@default chown32 fchown32 lchown32']), 'SystemCallFilter_privileged')).toEqual({ SystemCallFilter_privileged: 0 });
    expect(badness(score(['SystemCallFilter=@default chown']), 'SystemCallFilter_privileged')).toEqual({ SystemCallFilter_privileged: 9 });
  });

  test('SystemCallArchitectures=: exactly native is good, anything else 8', () => {
    expect(badness(score(['SystemCallArchitectures=native']), 'SystemCallArchitectures')).toEqual({ SystemCallArchitectures: 0 });
    expect(badness(score(['SystemCallArchitectures=native native']), 'SystemCallArchitectures')).toEqual({ SystemCallArchitectures: 0 });
    expect(badness(score(['SystemCallArchitectures=x86-64']), 'SystemCallArchitectures')).toEqual({ SystemCallArchitectures: 8 });
    expect(badness(score(['SystemCallArchitectures=native x86']), 'SystemCallArchitectures')).toEqual({ SystemCallArchitectures: 8 });
    expect(badness(score(['SystemCallArchitectures=bogus']), 'SystemCallArchitectures')).toEqual({ SystemCallArchitectures: 10 });
  });
});

describe('RestrictAddressFamilies=', () => {
  const families = (lines: string[]): number[] => Object.values(badness(score(lines), ...FAMILY_FIELDS)) as number[];
  //                                          INET UNIX NETLINK PACKET OTHER
  test.each<[string[], number[]]>([
    [[], [1, 1, 1, 1, 1]],
    [['RestrictAddressFamilies=none'], [0, 0, 0, 0, 0]],
    [['RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'], [1, 1, 0, 0, 0]],
    [['RestrictAddressFamilies=~AF_INET6'], [0, 1, 1, 1, 1]],
    [['RestrictAddressFamilies=~AF_CAN'], [1, 1, 1, 1, 0]],
    [['RestrictAddressFamilies=AF_CAN'], [0, 0, 0, 0, 1]],
    [['RestrictAddressFamilies=AF_NETLINK', 'RestrictAddressFamilies=~AF_ROUTE'], [0, 0, 0, 0, 0]],
    [['RestrictAddressFamilies=none', 'RestrictAddressFamilies=~AF_UNIX'], [1, 0, 1, 1, 1]],
    [['RestrictAddressFamilies=af_unix'], [0, 1, 0, 0, 0]],
    [['RestrictAddressFamilies=AF_BOGUS'], [0, 0, 0, 0, 0]],
  ])('%j → %j', (lines, expected) => {
    expect(families(lines)).toEqual(expected);
  });
});

describe('RestrictNamespaces=', () => {
  const ns = (lines: string[]): number[] => Object.values(badness(score(lines), ...NAMESPACE_FIELDS)) as number[];
  //                                          user mnt ipc pid cgroup net uts
  test.each<[string[], number[]]>([
    [[], [1, 1, 1, 1, 1, 1, 1]],
    [['RestrictNamespaces=yes'], [0, 0, 0, 0, 0, 0, 0]],
    [['RestrictNamespaces=no'], [1, 1, 1, 1, 1, 1, 1]],
    [['RestrictNamespaces=~user net'], [0, 1, 1, 1, 1, 0, 1]],
    [['RestrictNamespaces=cgroup ipc'], [0, 0, 1, 0, 1, 0, 0]],
    [['RestrictNamespaces=~time'], [1, 1, 1, 1, 1, 1, 1]],
    [['RestrictNamespaces=yes', 'RestrictNamespaces=net'], [0, 0, 0, 0, 0, 1, 0]],
    [['RestrictNamespaces=user bogus'], [1, 1, 1, 1, 1, 1, 1]],
    [['RestrictNamespaces=~user', 'RestrictNamespaces='], [1, 1, 1, 1, 1, 1, 1]],
  ])('%j → %j', (lines, expected) => {
    expect(ns(lines)).toEqual(expected);
  });
});

describe('IPAddressDeny=/IPAddressAllow=', () => {
  test.each<[string[], number]>([
    [[], 10],
    [['IPAddressDeny=any'], 0],
    [['IPAddressDeny=0.0.0.0/0 ::/0'], 0],
    [['IPAddressDeny=0.0.0.0/0'], 10],
    [['IPAddressDeny=any', 'IPAddressAllow=127.0.0.1'], 2],
    [['IPAddressDeny=any', 'IPAddressAllow=localhost'], 2],
    [['IPAddressDeny=any', 'IPAddressAllow=::1'], 2],
    [['IPAddressDeny=any', 'IPAddressAllow=127.0.0.1/4'], 5],
    [['IPAddressDeny=any', 'IPAddressAllow=10.0.0.0/8'], 5],
    [['IPAddressDeny=any', 'IPAddressAllow=link-local'], 5],
    [['IPAddressDeny=any', 'IPAddressDeny='], 10],
    [['IPIngressFilterPath=/sys/fs/bpf/filter'], 0],
    [['IPEgressFilterPath=relative'], 10],
  ])('%j → %d', (lines, expected) => {
    expect(badness(score(lines), 'IPAddressDeny')).toEqual({ IPAddressDeny: expected });
  });
});

describe('devices', () => {
  test.each<[string[], number]>([
    [[], 10],
    [['DevicePolicy=closed'], 0],
    [['DevicePolicy=strict', 'DeviceAllow=/dev/null rw'], 5],
    [['DeviceAllow=/dev/null rw'], 10],
    [['PrivateDevices=yes'], 0],
    [['DevicePolicy=closed', 'DeviceAllow=/dev/null x'], 0],
    [['DevicePolicy=closed', 'DeviceAllow=/etc/passwd'], 0],
    [['DevicePolicy=closed', 'DeviceAllow=char-rtc'], 5],
    [['ProtectClock=yes'], 10],
    [['ProtectClock=yes', 'DevicePolicy=closed'], 5],
    [['ProtectClock=yes', 'PrivateDevices=yes'], 5],
    [['DevicePolicy=closed', 'RootImage=/var/lib/image.raw'], 5],
    [['DevicePolicy=closed', 'LoadCredentialEncrypted=tls:/etc/tls.cred'], 5],
  ])('%j → %d', (lines, expected) => {
    expect(badness(score(lines), 'DeviceAllow')).toEqual({ DeviceAllow: expected });
  });

  test('PrivateDevices= drops CAP_MKNOD and CAP_SYS_RAWIO; Protect*= drop theirs', () => {
    expect(badness(score(['PrivateDevices=yes']), 'CapabilityBoundingSet_CAP_MKNOD', 'CapabilityBoundingSet_CAP_SYS_RAWIO')).toEqual({
      CapabilityBoundingSet_CAP_MKNOD: 0,
      CapabilityBoundingSet_CAP_SYS_RAWIO: 0,
    });
    expect(badness(score(['ProtectKernelModules=yes', 'ProtectKernelLogs=yes', 'ProtectClock=yes']), 'CapabilityBoundingSet_CAP_SYS_MODULE', 'CapabilityBoundingSet_CAP_SYSLOG', 'CapabilityBoundingSet_CAP_SYS_TIME', 'CapabilityBoundingSet_CAP_WAKE_ALARM')).toEqual({
      CapabilityBoundingSet_CAP_SYS_MODULE: 0,
      CapabilityBoundingSet_CAP_SYSLOG: 0,
      CapabilityBoundingSet_CAP_SYS_TIME: 0,
      CapabilityBoundingSet_CAP_WAKE_ALARM: 0,
    });
  });
});

describe('capabilities', () => {
  test('the typo\'d json_field is kept', () => {
    expect(score([]).checks.some((c) => c.jsonField === 'CapabilityBoundingSet_CAP_NET_BIND_SERVICE_BROADCAST_RAW)')).toBe(true);
  });

  test('accumulation: first line replaces the full set, later lines add or remove', () => {
    const caps = ['CapabilityBoundingSet_CAP_SYS_ADMIN', 'CapabilityBoundingSet_CAP_KILL', 'CapabilityBoundingSet_CAP_BPF'];
    const b = (lines: string[]): number[] => Object.values(badness(score(lines), ...caps)) as number[];
    expect(b(['CapabilityBoundingSet=CAP_SYS_ADMIN'])).toEqual([1, 0, 0]);
    expect(b(['CapabilityBoundingSet=CAP_KILL', 'CapabilityBoundingSet=CAP_SYS_ADMIN'])).toEqual([1, 1, 0]);
    expect(b(['CapabilityBoundingSet=~CAP_KILL', 'CapabilityBoundingSet=~CAP_SYS_ADMIN'])).toEqual([0, 0, 1]);
    expect(b(['CapabilityBoundingSet=', 'CapabilityBoundingSet=~CAP_KILL'])).toEqual([0, 0, 0]);
    expect(b(['CapabilityBoundingSet=~', 'CapabilityBoundingSet=CAP_KILL'])).toEqual([0, 1, 0]);
    expect(b(['CapabilityBoundingSet=cap_sys_admin 0x5'])).toEqual([1, 1, 0]);
    // A line naming no known capability replaces the set with nothing.
    expect(b(['CapabilityBoundingSet=CAP_BOGUS'])).toEqual([0, 0, 0]);
  });

  test('AmbientCapabilities=: any bit counts, numbers up to 63', () => {
    expect(badness(score(['AmbientCapabilities=CAP_NET_BIND_SERVICE']), 'AmbientCapabilities')).toEqual({ AmbientCapabilities: 1 });
    expect(badness(score(['AmbientCapabilities=63']), 'AmbientCapabilities')).toEqual({ AmbientCapabilities: 1 });
    expect(badness(score(['AmbientCapabilities=64']), 'AmbientCapabilities')).toEqual({ AmbientCapabilities: 0 });
    expect(badness(score(['AmbientCapabilities=CAP_KILL', 'AmbientCapabilities=~CAP_KILL']), 'AmbientCapabilities')).toEqual({ AmbientCapabilities: 0 });
  });
});

describe('file system and misc checks', () => {
  test('DefaultDependencies=no makes the four boot-phase checks not applicable', () => {
    const s = score([], ['DefaultDependencies=no']);
    expect(badness(s, 'PrivateTmp', 'ProtectHome', 'ProtectSystem', 'RootDirectoryOrRootImage')).toEqual({
      PrivateTmp: null,
      ProtectHome: null,
      ProtectSystem: null,
      RootDirectoryOrRootImage: null,
    });
    expect(s.exposure).toBe(95);
    // In [Service] it is an unknown key and changes nothing.
    expect(score(['DefaultDependencies=no']).exposure).toBe(96);
  });

  test('ProtectSystem=/ProtectHome= grades', () => {
    const sys = (v: string): number | null => badness(score([`ProtectSystem=${v}`]), 'ProtectSystem')['ProtectSystem'] ?? null;
    expect(['strict', 'full', 'yes', '1', 'no', 'STRICT'].map(sys)).toEqual([0, 3, 5, 5, 10, 10]);
    const home = (v: string): number | null => badness(score([`ProtectHome=${v}`]), 'ProtectHome')['ProtectHome'] ?? null;
    expect(['yes', 'tmpfs', 'read-only', 'off'].map(home)).toEqual([0, 1, 5, 10]);
  });

  test('UMask= grades', () => {
    const umask = (v: string): number | null => badness(score([`UMask=${v}`]), 'UMask')['UMask'] ?? null;
    expect(['0000', '0002', '0022', '0007', '0027', '0077', '0070', '0x1'].map(umask)).toEqual([10, 5, 5, 2, 1, 0, 10, 5]);
  });

  test('ProtectProc=, ProcSubset=, KeyringMode=, NotifyAccess=, Delegate=', () => {
    expect(badness(score(['ProtectProc=noaccess', 'ProcSubset=pid', 'KeyringMode=shared', 'NotifyAccess=all', 'Delegate=']), 'ProtectProc', 'ProcSubset', 'KeyringMode', 'NotifyAccess', 'Delegate')).toEqual({
      ProtectProc: 1,
      ProcSubset: 0,
      KeyringMode: 1,
      NotifyAccess: 1,
      Delegate: 1,
    });
  });

  test('RootDirectory= "/" counts as the host root; RootImage= alone is enough', () => {
    expect(badness(score(['RootDirectory=/']), 'RootDirectoryOrRootImage')).toEqual({ RootDirectoryOrRootImage: 1 });
    expect(badness(score(['RootDirectory=/', 'RootImage=/x.img']), 'RootDirectoryOrRootImage')).toEqual({ RootDirectoryOrRootImage: 0 });
  });

  test('PrivateMounts= counts only when set (systemd 252 offline derives nothing)', () => {
    expect(badness(score(['DynamicUser=yes', 'ProtectSystem=strict', 'PrivateTmp=yes']), 'PrivateMounts')).toEqual({ PrivateMounts: 1 });
    expect(badness(score(['PrivateMounts=yes']), 'PrivateMounts')).toEqual({ PrivateMounts: 0 });
  });

  test('PID1 derivations leave the file model untouched', () => {
    const settings = serviceSettings(parseUnitFile('[Service]\nDynamicUser=yes\n'));
    const effective = applyImplications(settings, 252);
    expect(settings.protectSystem).toBe('no');
    expect(effective.protectSystem).toBe('strict');
  });
});

describe('scoreRange', () => {
  test('without unknowns the range is the score', () => {
    expect(scoreRange({ DynamicUser: true }, { systemdVersion: 252 })).toEqual({ range: [84, 84], exhaustive: true, unknown: [] });
  });

  test('an unknown boolean spans its two values', () => {
    const r = scoreRange({ PrivateNetwork: { unknown: 'cfg.isolate' } }, { systemdVersion: 252 });
    expect(r.range).toEqual([score(['PrivateNetwork=yes']).exposure, score([]).exposure]);
    expect(r.unknown).toEqual(['PrivateNetwork']);
  });

  test('an unknown User= includes the root case, where two checks drop out', () => {
    const r = scoreRange({ User: { unknown: 'cfg.user' }, SupplementaryGroups: ['wheel'] }, { systemdVersion: 252 });
    expect(r.range).toEqual([score(['User=service', 'SupplementaryGroups=wheel']).exposure, score(['SupplementaryGroups=wheel']).exposure]);
  });

  test('unknown directives that do not affect the score are ignored', () => {
    expect(scoreRange({ ExecStart: { unknown: 'x' }, DynamicUser: true }, { systemdVersion: 252 }).unknown).toEqual([]);
  });

  test('many unknowns fall back to a walk that still brackets the known extremes', () => {
    const options = Object.fromEntries(HARDENED.map((l) => [l.split('=')[0] as string, { unknown: 'cfg' }]));
    const r = scoreRange(options, { systemdVersion: 252 });
    expect(r.exhaustive).toBe(false);
    expect(r.range[0]).toBeLessThanOrEqual(2);
    expect(r.range[1]).toBeGreaterThanOrEqual(96);
  });
});
