/**
 * Conformance of the scorer with the real `systemd-analyze security --offline` of systemd 252.
 *
 * fast-check draws random unit files (every scored directive, realistic and edge values,
 * repeated assignments, resets, `~` lists, groups, invalid values, [Unit]
 * DefaultDependencies=, comments and continuations). All of them go through one
 * `systemd-analyze` call (it accepts many unit files and prints one JSON array per unit;
 * SYSTEMD_ANALYZE_DEBUG=1 adds weight, badness and range per row), and every unit must agree
 * with our model check by check and in the overall exposure recomputed from the rows. A unit the
 * tool refuses to load must be one our model refuses too.
 *
 * FC_SEED overrides the seed, FC_RUNS the number of units (at least 1000 by default). When a
 * unit disagrees, fast-check replays the same seed one unit per tool call to shrink it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { isUnloadable, scoreSettings, type CheckResult } from '../../src/hardening/score.js';
import { syscallTable } from '../../src/hardening/syscalls.js';
import { NAMESPACES, parseUnitFile, serviceSettings } from '../../src/hardening/unit.js';
import { type ToolResult, requireSystemd252, runTool, toolExposure } from '../support/systemd-analyze.js';

const SEED = process.env.FC_SEED === undefined ? 20252 : Number(process.env.FC_SEED);
const RUNS = process.env.FC_RUNS === undefined ? 1200 : Number(process.env.FC_RUNS);

// ---------------------------------------------------------------------------------------------
// The real tool
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------------

function ourScore(text: string, index: number): { exposure: number; checks: readonly CheckResult[] } | null {
  const settings = serviceSettings(parseUnitFile(text), { systemdVersion: 252, unitName: `u${index}.service` });
  const score = scoreSettings(settings, { systemdVersion: 252 });
  return isUnloadable(score) ? null : score;
}

/** Human-readable differences between our model and the tool for one unit; empty = agreement. */
function differences(text: string, index: number, tool: ToolResult): string[] {
  const ours = ourScore(text, index);
  if (ours === null || tool === null) {
    return ours === null && tool === null ? [] : [`load: ours ${ours === null ? 'refused' : 'loaded'}, systemd ${tool === null ? 'refused' : 'loaded'}`];
  }
  const diffs: string[] = [];
  const theirs = new Map(tool.map((r) => [r.json_field, r.badness > r.range ? null : r.badness]));
  for (const c of ours.checks) {
    const t = theirs.get(c.jsonField);
    if (t !== c.badness) diffs.push(`${c.jsonField}: ours ${c.badness}, systemd ${t}`);
  }
  if (theirs.size !== ours.checks.length) diffs.push(`check count: ours ${ours.checks.length}, systemd ${theirs.size}`);
  const exposure = toolExposure(tool);
  if (exposure !== ours.exposure) diffs.push(`exposure: ours ${ours.exposure}, systemd ${exposure}`);
  return diffs;
}

// ---------------------------------------------------------------------------------------------
// Random unit files
// ---------------------------------------------------------------------------------------------

const pick = <T,>(values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);

/** Space-joined words, optionally "~"-prefixed. */
function wordList(words: fc.Arbitrary<string>, opts: { tilde?: boolean; max?: number } = {}): fc.Arbitrary<string> {
  return fc
    .tuple(opts.tilde ? fc.boolean() : fc.constant(false), fc.array(words, { minLength: 0, maxLength: opts.max ?? 4 }))
    .map(([tilde, list]) => (tilde ? '~' : '') + list.join(' '));
}

const BOOLS = ['yes', 'no', 'true', 'false', '1', '0', 'on', 'off', 'YES', 'y', 'n', 't', 'F', '', 'maybe', '"yes"'];
const boolValue = fc.oneof({ weight: 8, arbitrary: pick(BOOLS.slice(0, 8)) }, { weight: 2, arbitrary: pick(BOOLS) });

const USERS = ['root', '0', 'nobody', '65534', 'svc', 'www-data', '1000', '123', 'foo bar', '+5', '"quoted"', '_du', 'nobody2'];
/** Specifiers: %u is root for a system service, %H the host name, %t a path (so an invalid name). */
const SPECIFIED_USERS = ['%%x', '%n', '%p', '%j-x', '%i', '%u', '%U', '%g', '%H', '%m', 'x%', '%t', '%f', '%h', '%z', '%e'];
const BAD_USERS = ['00', '-1', '65535', '4294967295', 'a:b', 'a/b', '.', '..', '-'];

const CAP_WORDS = [
  'CAP_SYS_ADMIN', 'CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SETUID', 'CAP_SETGID', 'CAP_SETPCAP',
  'CAP_SYS_PTRACE', 'CAP_SYS_TIME', 'CAP_SYS_RAWIO', 'CAP_SYS_MODULE', 'CAP_AUDIT_WRITE', 'CAP_SYSLOG', 'CAP_SYS_NICE',
  'CAP_MKNOD', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_KILL', 'CAP_SYS_BOOT',
  'CAP_MAC_ADMIN', 'CAP_LINUX_IMMUTABLE', 'CAP_IPC_LOCK', 'CAP_SYS_CHROOT', 'CAP_BLOCK_SUSPEND', 'CAP_WAKE_ALARM',
  'CAP_LEASE', 'CAP_SYS_TTY_CONFIG', 'CAP_SYS_PACCT', 'CAP_BPF', 'CAP_PERFMON', 'CAP_CHECKPOINT_RESTORE', 'CAP_IPC_OWNER',
  'CAP_FSETID', 'CAP_SETFCAP', 'CAP_SYS_RESOURCE', 'CAP_AUDIT_CONTROL', 'CAP_AUDIT_READ', 'CAP_MAC_OVERRIDE',
];
const CAP_ODD = ['cap_sys_admin', 'Cap_Kill', '21', '0x15', '021', '63', '64', '-1', '+12', '08', '-0', 'CAP_BOGUS', '"CAP_KILL CAP_SYS_ADMIN"', "'CAP_NET_RAW'"];
const capWord = fc.oneof({ weight: 6, arbitrary: pick(CAP_WORDS) }, { weight: 1, arbitrary: pick(CAP_ODD) });

const UMASKS = ['0022', '0077', '0027', '0002', '0000', '0', '077', '7777', '07777', '0007', '0070', '0020', '0040', '0060', '0006', '0037', '17777', '0x1', '8', '+077', ''];

const namespaceWord = fc.oneof({ weight: 8, arbitrary: pick(NAMESPACES) }, { weight: 1, arbitrary: pick(['bogus', 'USER', '"net"']) });
const FAMILIES = ['AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_PACKET', 'AF_CAN', 'AF_BLUETOOTH', 'AF_ALG', 'AF_XDP', 'AF_VSOCK'];
const FAMILIES_ODD = ['AF_LOCAL', 'AF_ROUTE', 'AF_FILE', 'af_unix', 'AF_BOGUS', 'AF_UNSPEC', 'AF_MAX', '"AF_UNIX"', 'none'];
const familyWord = fc.oneof({ weight: 6, arbitrary: pick(FAMILIES) }, { weight: 1, arbitrary: pick(FAMILIES_ODD) });

const ARCHS = ['native', 'native', 'x86-64', 'x86', 'x32', 'arm64', 'bogus', 'NATIVE', '"native"'];

const syscalls = syscallTable(252);
const SCORED_GROUPS = ['@swap', '@obsolete', '@clock', '@cpu-emulation', '@debug', '@mount', '@module', '@raw-io', '@reboot', '@privileged', '@resources'];
const ALL_GROUPS = ['@default', '@aio', '@basic-io', '@chown', '@file-system', '@io-event', '@ipc', '@keyring', '@memlock', '@network-io', '@pkey', '@process', '@setuid', '@signal', '@sync', '@system-service', '@timer', '@known', ...SCORED_GROUPS];
const MEMBERS = [...new Set(SCORED_GROUPS.flatMap((g) => syscalls.expand(g)))].sort();
const syscallName = fc.oneof(
  { weight: 5, arbitrary: pick(ALL_GROUPS) },
  { weight: 4, arbitrary: pick(MEMBERS) },
  { weight: 1, arbitrary: pick(['@bogus', '@SWAP', 'bogus_call', 'read', 'write', '"@mount"']) },
);
const ERRNOS = ['EPERM', 'eperm', 'EACCES', 'ENOSYS', 'EWOULDBLOCK', '1', '0', '4095', '4096', '0x10', '-1', 'EBOGUS', 'kill', ''];
const syscallWord = fc
  .tuple(syscallName, fc.option(pick(ERRNOS), { freq: 6 }))
  .map(([name, errno]) => (errno === null ? name : `${name}:${errno}`));

const IPS = [
  'any', 'localhost', 'link-local', 'multicast', '127.0.0.1', '127.0.0.1/8', '127.0.0.1/4', '::1', '::1/127', '10.0.0.0/8',
  '192.168.1.1', '0.0.0.0/0', '::/0', '1.2.3.4/0', '::ffff:127.0.0.1', 'fe80::1/64', '2001:db8::/32', '::', '1::2:3:4:5:6:7',
  '010.0.0.0/0', '127.1', 'ANY', '0.0.0.0/00', '0.0.0.0/+0', '::/0x0', '127.0.0.1/33', 'foo.localhost', 'localhost.', '::/010',
  '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4', '::1.2.3.4', '1::2::3', '12345::', 'LocalHost',
];
const ipWord = pick(IPS);

const DEVICE_PATHS = ['/dev/null', '/dev/sda', 'char-rtc', 'block-loop', 'char-foo', '/dev', '/dev/', '/sys/x', '/etc/x', '/dev/../x', 'dev/null', '/dev//null/', '"/dev/null"', '/run/systemd/inaccessible/chr', '/dev/%p', '/dev/x%z', '%t/x'];
const DEVICE_RIGHTS = ['', ' r', ' rw', ' rwm', ' x', ' rw m', '  w'];

const BPF_PATHS = ['', '/sys/fs/bpf/x', 'relative', '/a/../b', '/sys/fs/bpf//y/', '%t/bpf', '/x%z'];
const ROOT_PATHS = ['/', '//', '/srv', '/srv/root/', '/srv/./x', '/%%', '', '%t', '%S/%p', '/x%H', '%h', '%f'];
const BAD_ROOT_PATHS = ['relative', '/srv/../x', '-/srv', '%z', '%n', '%u'];

/** One `Name=value` assignment for a scored (or scorer-relevant) directive. */
const assignment: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc
      .tuple(
        pick([
          'PrivateDevices', 'PrivateMounts', 'PrivateNetwork', 'PrivateTmp', 'PrivateUsers', 'ProtectControlGroups',
          'ProtectKernelModules', 'ProtectKernelTunables', 'ProtectKernelLogs', 'ProtectClock', 'ProtectHostname',
          'LockPersonality', 'MemoryDenyWriteExecute', 'NoNewPrivileges', 'RemoveIPC', 'RestrictRealtime', 'RestrictSUIDSGID',
        ]),
        boolValue,
      )
      .map(([k, v]) => `${k}=${v}`),
  },
  { weight: 4, arbitrary: pick(BOOLS.slice(0, 8)).map((v) => `DynamicUser=${v}`) },
  { weight: 1, arbitrary: pick(['', 'maybe']).map((v) => `DynamicUser=${v}`) },
  {
    weight: 5,
    arbitrary: fc
      .oneof({ weight: 12, arbitrary: pick(USERS) }, { weight: 2, arbitrary: pick(SPECIFIED_USERS) }, { weight: 1, arbitrary: pick(['', ...BAD_USERS]) })
      .map((v) => `User=${v}`),
  },
  { weight: 1, arbitrary: pick(['svc', '', 'a:b']).map((v) => `Group=${v}`) },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof({ weight: 15, arbitrary: pick(['wheel', 'audio', 'video', 'svc', 'root', '0', '%g']) }, { weight: 1, arbitrary: pick([...BAD_USERS, '%t']) }), { maxLength: 3 })
      .map((g) => `SupplementaryGroups=${g.join(' ')}`),
  },
  { weight: 4, arbitrary: pick(['strict', 'full', 'yes', 'no', 'true', 'false', '1', '0', 'STRICT', '', 'bogus']).map((v) => `ProtectSystem=${v}`) },
  { weight: 4, arbitrary: pick(['yes', 'no', 'read-only', 'tmpfs', 'true', 'off', '', 'ro']).map((v) => `ProtectHome=${v}`) },
  { weight: 2, arbitrary: fc.tuple(pick(['RootDirectory', 'RootImage']), fc.oneof({ weight: 15, arbitrary: pick(ROOT_PATHS) }, { weight: 1, arbitrary: pick(BAD_ROOT_PATHS) })).map(([k, v]) => `${k}=${v}`) },
  { weight: 8, arbitrary: wordList(capWord, { tilde: true, max: 5 }).map((v) => `CapabilityBoundingSet=${v}`) },
  { weight: 4, arbitrary: wordList(capWord, { tilde: true, max: 3 }).map((v) => `AmbientCapabilities=${v}`) },
  { weight: 3, arbitrary: pick(UMASKS).map((v) => `UMask=${v}`) },
  { weight: 2, arbitrary: pick(['private', 'shared', 'inherit', '', 'PRIVATE']).map((v) => `KeyringMode=${v}`) },
  { weight: 2, arbitrary: pick(['invisible', 'noaccess', 'ptraceable', 'default', '', 'bogus']).map((v) => `ProtectProc=${v}`) },
  { weight: 2, arbitrary: pick(['pid', 'all', '', 'PID']).map((v) => `ProcSubset=${v}`) },
  { weight: 2, arbitrary: pick(['none', 'main', 'exec', 'all', '', 'ALL']).map((v) => `NotifyAccess=${v}`) },
  { weight: 2, arbitrary: pick(['yes', 'no', '', 'cpu memory', 'bogus', 'true', '0']).map((v) => `Delegate=${v}`) },
  { weight: 6, arbitrary: fc.oneof(boolValue, wordList(namespaceWord, { tilde: true, max: 4 })).map((v) => `RestrictNamespaces=${v}`) },
  { weight: 7, arbitrary: fc.oneof({ weight: 1, arbitrary: pick(['none', '', 'NONE', '~none']) }, { weight: 5, arbitrary: wordList(familyWord, { tilde: true, max: 4 }) }).map((v) => `RestrictAddressFamilies=${v}`) },
  { weight: 3, arbitrary: wordList(pick(ARCHS), { max: 3 }).map((v) => `SystemCallArchitectures=${v}`) },
  { weight: 12, arbitrary: wordList(syscallWord, { tilde: true, max: 5 }).map((v) => `SystemCallFilter=${v}`) },
  { weight: 5, arbitrary: wordList(ipWord, { max: 3 }).map((v) => `IPAddressDeny=${v}`) },
  { weight: 4, arbitrary: wordList(ipWord, { max: 3 }).map((v) => `IPAddressAllow=${v}`) },
  { weight: 1, arbitrary: fc.tuple(pick(['IPIngressFilterPath', 'IPEgressFilterPath']), pick(BPF_PATHS)).map(([k, v]) => `${k}=${v}`) },
  { weight: 4, arbitrary: pick(['auto', 'closed', 'strict', '', 'CLOSED']).map((v) => `DevicePolicy=${v}`) },
  { weight: 4, arbitrary: fc.oneof({ weight: 1, arbitrary: fc.constant('') }, { weight: 6, arbitrary: fc.tuple(pick(DEVICE_PATHS), pick(DEVICE_RIGHTS)).map(([p, r]) => p + r) }).map((v) => `DeviceAllow=${v}`) },
  { weight: 1, arbitrary: pick(['', 'tls', 'tls:/etc/tls.cred', 'a/b:/x', 'tls:rel', '%p:/x', '%t:/x', 'x%z:/x']).map((v) => `LoadCredentialEncrypted=${v}`) },
  { weight: 1, arbitrary: pick(['', '/var/a.img:/mnt']).map((v) => `MountImages=${v}`) },
);

/** Lines systemd must skip or that change only the layout. */
const noise: fc.Arbitrary<string> = pick([
  '# a comment', '; another comment', '', '   ', 'Description=not here', 'X-Custom=1', 'Foo=bar', 'NoEqualsSign',
  'Type=notify', 'Type=oneshot', 'Restart=on-failure', '[Service]',
]);

/** Re-lays an assignment: spaces around "=", or a continuation inside the value. */
function layout(line: string, style: number): string {
  const eq = line.indexOf('=');
  if (style === 1) return `${line.slice(0, eq)} = ${line.slice(eq + 1)}`;
  if (style === 2) {
    const space = line.indexOf(' ', eq);
    return space < 0 ? line : `${line.slice(0, space)} \\\n   ${line.slice(space + 1)}`;
  }
  if (style === 3) return `  ${line}  `;
  return line;
}

const serviceLine = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(assignment, fc.nat(12)).map(([l, style]) => layout(l, style)) },
  { weight: 1, arbitrary: noise },
);

/**
 * A hardened service in the style of nixpkgs modules. Random units start from a random part of
 * it half of the time, so that the good side of every check and the low scores get exercised,
 * not only the mostly-bad units that random lines alone produce.
 */
const HARDENED = [
  'DynamicUser=yes', 'User=svc', 'CapabilityBoundingSet=', 'AmbientCapabilities=', 'NoNewPrivileges=yes',
  'PrivateDevices=yes', 'PrivateMounts=yes', 'PrivateNetwork=yes', 'PrivateTmp=yes', 'PrivateUsers=yes',
  'ProtectClock=yes', 'ProtectControlGroups=yes', 'ProtectHome=yes', 'ProtectHostname=yes', 'ProtectKernelLogs=yes',
  'ProtectKernelModules=yes', 'ProtectKernelTunables=yes', 'ProtectProc=invisible', 'ProcSubset=pid',
  'ProtectSystem=strict', 'RemoveIPC=yes', 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6', 'RestrictNamespaces=yes',
  'RestrictRealtime=yes', 'RestrictSUIDSGID=yes', 'LockPersonality=yes', 'MemoryDenyWriteExecute=yes',
  'SystemCallArchitectures=native', 'SystemCallFilter=@system-service', 'SystemCallFilter=~@privileged @resources',
  'IPAddressDeny=any', 'IPAddressAllow=localhost', 'DevicePolicy=closed', 'UMask=0077', 'RootDirectory=/var/empty',
];

const unitFile: fc.Arbitrary<string> = fc
  .record({
    unitLines: fc.array(pick(BOOLS.slice(0, 10)).map((v) => `DefaultDependencies=${v}`), { maxLength: 2 }),
    unitFirst: fc.boolean(),
    hardened: fc.oneof(fc.constant([] as string[]), fc.subarray(HARDENED, { minLength: 5 })),
    service: fc.array(serviceLine, { minLength: 0, maxLength: 28 }),
    install: fc.boolean(),
  })
  .map(({ unitLines, unitFirst, hardened, service, install }) => {
    const unit = unitLines.length > 0 ? ['[Unit]', 'Description=generated', ...unitLines] : [];
    const svc = ['[Service]', 'ExecStart=/bin/true', ...hardened, ...service];
    const sections = unitFirst ? [...unit, ...svc] : [...svc, ...unit];
    return [...sections, ...(install ? ['[Install]', 'WantedBy=multi-user.target'] : []), ''].join('\n');
  });

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** A generated data file without the exact package release, which may differ between 252 builds. */
function generated(path: string): unknown {
  const data = JSON.parse(readFileSync(path, 'utf8')) as { systemd: { full?: string } };
  delete data.systemd.full;
  return data;
}

describe('scorer conformance with systemd-analyze security --offline (systemd 252)', () => {
  beforeAll(() => requireSystemd252());

  test('the committed syscall groups and name tables are what systemd 252 here produces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sas-data-'));
    try {
      const run = spawnSync(process.execPath, [join(ROOT, 'scripts/gen-syscall-groups.mjs'), '--out', dir], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`scripts/gen-syscall-groups.mjs failed:\n${run.stderr}`);
      for (const file of ['syscall-groups-252.json', 'names-252.json']) {
        // On a difference: run `node scripts/gen-syscall-groups.mjs` and review the change.
        expect({ file, data: generated(join(dir, file)) }).toEqual({ file, data: generated(join(ROOT, 'src/hardening/data', file)) });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${RUNS} random units agree check by check (seed ${SEED})`, () => {
    const started = Date.now();
    const units = fc.sample(unitFile, { seed: SEED, numRuns: RUNS });
    const results = runTool(units);
    const failures = units
      .map((text, i) => ({ i, text, diffs: differences(text, i, results[i] as ToolResult) }))
      .filter((f) => f.diffs.length > 0);
    const refused = results.filter((r) => r === null).length;
    const seconds = (Date.now() - started) / 1000;
    console.log(`conformance: ${units.length} units, ${units.length - failures.length} agree, ${refused} refused by both, ${seconds.toFixed(1)} s (FC_SEED=${SEED})`);

    if (failures.length > 0) {
      const report = failures
        .slice(0, 5)
        .map((f) => `--- unit ${f.i}:\n${f.text}--- differences:\n  ${f.diffs.join('\n  ')}`)
        .join('\n');
      // Let fast-check replay the same seed, one unit per tool call, and shrink the first failure.
      const first = failures[0]?.i ?? 0;
      const property = fc.property(unitFile, (text) => differences(text, 0, runTool([text])[0] as ToolResult).length === 0);
      let shrunk = '';
      try {
        fc.assert(property, { seed: SEED, numRuns: first + 1, endOnFailure: false });
      } catch (err) {
        shrunk = String((err as Error).message);
      }
      throw new Error(`${failures.length} of ${units.length} units disagree (FC_SEED=${SEED}):\n${report}\n\nfast-check:\n${shrunk}`);
    }
  });
});
