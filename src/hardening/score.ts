/**
 * The exposure score of `systemd-analyze security`, reproduced for systemd 252 `--offline`.
 *
 * Three steps, as systemd does them:
 * 1. {@link applyImplications}: what PID1 derives when it loads the unit (unit_patch_contexts():
 *    DynamicUser= forces a sandbox, PrivateDevices=/Protect*= drop capabilities and close the
 *    device policy, ProtectClock= adds char-rtc, …).
 * 2. The 81 checks of the assessor table (data/sas-checks.json, copied from the research notes),
 *    each a rule over the settings, or "not applicable".
 * 3. The integer formula: per check ceil(badness·weight/range), overall
 *    ceil(100·Σ/Σweight) over the applicable checks, shown as tenths.
 *
 * The facts and the quirks (the typo'd json_field, PrivateMounts offline, …) are described in
 * shared/research/systemd-analyze-security.md; conformance with the real tool is tested.
 */
import type { Json } from '../nix/index.js';
import checkTable from './data/sas-checks.json' with { type: 'json' };
import { syscallTable } from './syscalls.js';
import {
  BOOLEAN_DIRECTIVES,
  CAP_ALL,
  type DeviceAllowEntry,
  type Namespace,
  type ServiceSettings,
  type SettingProblem,
  isLoopback,
  isStrictUserName,
  parseUnitFile,
  renderServiceEntries,
  serviceSettings,
  systemdNames,
} from './unit.js';

export type Rating = 'DANGEROUS' | 'UNSAFE' | 'EXPOSED' | 'MEDIUM' | 'OK' | 'SAFE' | 'PERFECT';

export interface CheckResult {
  readonly id: string;
  readonly jsonField: string;
  /** 0 … range; null = not applicable (counted in neither sum). */
  readonly badness: number | null;
  readonly weight: number;
  readonly range: number;
}

export interface Score {
  /** The internal 0…100 value (tenths of the shown one); `--threshold` compares against it. */
  readonly exposure: number;
  /** As printed: "9.6". */
  readonly shown: string;
  readonly rating: Rating;
  /** All checks, in the assessor table's order. */
  readonly checks: readonly CheckResult[];
}

/** systemd refuses to load the unit (e.g. an invalid User=), so there is nothing to score. */
export interface Unloadable {
  readonly loadError: SettingProblem;
}

export interface ScoreOptions {
  /** The systemd whose `systemd-analyze security --offline` is reproduced. */
  readonly systemdVersion: 252;
  /** false: only the exposure is wanted; `checks` is then empty (default true). */
  readonly checks?: boolean;
}

interface CheckSpec {
  readonly id: string;
  readonly json_field: string;
  readonly weight: number;
  readonly range: number;
  readonly rule: string;
  readonly default_dependencies_only: boolean;
  readonly capabilities?: readonly string[];
  readonly namespace?: string;
  readonly families?: readonly string[];
  readonly group?: string;
}

const CHECKS: readonly CheckSpec[] = checkTable.checks;

/** The rating bands, highest first: the first whose bound the exposure reaches. */
const BANDS: readonly (readonly [number, Rating])[] = [
  [100, 'DANGEROUS'],
  [90, 'UNSAFE'],
  [75, 'EXPOSED'],
  [50, 'MEDIUM'],
  [10, 'OK'],
  [1, 'SAFE'],
  [0, 'PERFECT'],
];

export function rating(exposure: number): Rating {
  return (BANDS.find(([bound]) => exposure >= bound) ?? BANDS[BANDS.length - 1])[1] as Rating;
}

export function shownExposure(exposure: number): string {
  return `${Math.floor(exposure / 10)}.${exposure % 10}`;
}

const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);

/**
 * The exposure formula, §1.2 of the research notes: per applicable check
 * ceil(badness·weight/range), overall ceil(100·Σ/Σweight); integer arithmetic, rounding up at
 * both steps. Checks are added one by one, so that scoring need not build a result per check.
 */
class ExposureSum {
  private badness = 0;
  private weight = 0;
  /** A check's badness (null: not applicable, counted in neither sum), weight and range. */
  add(badness: number | null, weight: number, range: number): void {
    if (badness === null) return;
    this.badness += ceilDiv(badness * weight, range);
    this.weight += weight;
  }
  exposure(): number {
    return this.weight === 0 ? 0 : ceilDiv(this.badness * 100, this.weight);
  }
}

export function exposureOf(checks: readonly CheckResult[]): number {
  const sum = new ExposureSum();
  for (const c of checks) sum.add(c.badness, c.weight, c.range);
  return sum.exposure();
}

// ---------------------------------------------------------------------------------------------
// What PID1 derives (unit_patch_contexts() in systemd 252's src/core/unit.c)
// ---------------------------------------------------------------------------------------------

/** A settings model after PID1's derivations: only fields the checks read change. */
export type EffectiveSettings = ServiceSettings;

const masks = new Map<number, WeakMap<readonly string[], bigint>>();

/** The mask of a list of capability names; lists are the checks' own or constants, so kept by identity. */
function capabilityMask(names: readonly string[], systemdVersion: number): bigint {
  let byList = masks.get(systemdVersion);
  if (!byList) masks.set(systemdVersion, (byList = new WeakMap()));
  let mask = byList.get(names);
  if (mask === undefined) byList.set(names, (mask = computeCapabilityMask(names, systemdVersion)));
  return mask;
}

const NO_CAPABILITIES: readonly string[] = [];

const DROPPED_BY = {
  PrivateDevices: ['CAP_MKNOD', 'CAP_SYS_RAWIO'],
  ProtectKernelModules: ['CAP_SYS_MODULE'],
  ProtectKernelLogs: ['CAP_SYSLOG'],
  ProtectClock: ['CAP_SYS_TIME', 'CAP_WAKE_ALARM'],
} as const;

function computeCapabilityMask(names: readonly string[], systemdVersion: number): bigint {
  const table = systemdNames(systemdVersion).capabilities;
  let mask = 0n;
  for (const name of names) {
    const n = table.get(name);
    if (n === undefined) throw new Error(`capability ${name} unknown to systemd ${systemdVersion}`);
    mask |= 1n << BigInt(n);
  }
  return mask;
}

/**
 * The user DynamicUser= runs as when User= is unset: the unit name's prefix if it is a valid
 * (strict) user name, else a hashed "_du…" name. Unknown unit name: some name that is neither
 * root nor nobody, which is what every real unit name but "root" and "nobody" gives.
 */
function dynamicUserName(unitName: string | null): string {
  if (unitName === null) return '_du-unknown';
  const dot = unitName.lastIndexOf('.');
  const base = dot > 0 ? unitName.slice(0, dot) : unitName;
  const at = base.indexOf('@');
  const prefix = at < 0 ? base : base.slice(0, at);
  return isStrictUserName(prefix) ? prefix : '_du-hashed';
}

/**
 * PID1's derivations, in its order. Not derived: PrivateMounts=. Online, the analyzer counts it
 * as on when other mount-namespace settings are; systemd 252 `--offline` counts only an explicit
 * PrivateMounts=yes (257 offline counts "unset" as good), and 252 offline is what we reproduce.
 * Nor the NoNewPrivileges= PID1 turns on at run time for seccomp settings: not scored either.
 */
export function applyImplications(s: ServiceSettings, systemdVersion: number): EffectiveSettings {
  const b = { ...s.booleans };
  let bounding = s.capabilityBoundingSet;
  const drop = (caps: readonly string[]): void => {
    bounding &= ~capabilityMask(caps, systemdVersion) & CAP_ALL;
  };
  if (b.PrivateDevices) drop(DROPPED_BY.PrivateDevices);
  if (b.ProtectKernelModules) drop(DROPPED_BY.ProtectKernelModules);
  if (b.ProtectKernelLogs) drop(DROPPED_BY.ProtectKernelLogs);
  if (b.ProtectClock) drop(DROPPED_BY.ProtectClock);

  let { user, protectSystem, protectHome, devicePolicy } = s;
  if (b.DynamicUser) {
    // "make sure that the unit can't leave its UID/GID around": a forced sandbox.
    user ??= dynamicUserName(s.unitName);
    b.PrivateTmp = true;
    b.RemoveIPC = true;
    protectSystem = 'strict';
    if (protectHome === 'no') protectHome = 'read-only';
    b.NoNewPrivileges = true;
    b.RestrictSUIDSGID = true;
  }

  if (b.PrivateDevices && devicePolicy === 'auto') devicePolicy = 'closed';
  const deviceAllow: DeviceAllowEntry[] = [...s.deviceAllow];
  const policyInEffect = (): boolean => devicePolicy !== 'auto' || deviceAllow.length > 0;
  if ((s.rootImage !== null || s.mountImages > 0) && policyInEffect()) {
    for (const path of ['/dev/loop-control', '/dev/mapper/control']) deviceAllow.push({ path, access: 'rw' });
    for (const path of ['block-loop', 'block-blkext', 'block-device-mapper']) deviceAllow.push({ path, access: 'rwm' });
  }
  // systemd 252 (PR #25075): char-rtc only when a device policy is in effect.
  if (b.ProtectClock && policyInEffect()) deviceAllow.push({ path: 'char-rtc', access: 'r' });
  // Encrypted credentials may need the TPM, so PID1 allows it (observed with DevicePolicy=closed).
  const encrypted = [...s.loadCredentials.values(), ...s.setCredentials.values()].some((e) => e);
  if (encrypted) deviceAllow.push({ path: '/dev/tpmrm0', access: 'rw' });

  return { ...s, booleans: b, user, protectSystem, protectHome, devicePolicy, deviceAllow, capabilityBoundingSet: bounding };
}

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

/** security_info_runs_privileged(): root or 0, or no user at all unless DynamicUser=. */
function runsPrivileged(s: EffectiveSettings): boolean {
  if (s.user === 'root' || s.user === '0') return true;
  if (s.booleans.DynamicUser) return false;
  return s.user === null || s.user === '';
}

function assessUser(s: EffectiveSettings): number {
  if (s.user === 'nobody') return 9;
  if (s.booleans.DynamicUser && s.user !== 'root' && s.user !== '0') return 0;
  if (s.user !== null && s.user !== '' && s.user !== 'root' && s.user !== '0') return 0;
  return 10;
}

/** The five RestrictAddressFamilies= flags: "restricted" = the check is good. */
type FamilyClass = 'inet' | 'unix' | 'netlink' | 'packet' | 'other';

function familyClass(af: number, version: number): FamilyClass {
  const n = (name: string): number | undefined => systemdNames(version).addressFamilies.get(name);
  if (af === n('AF_INET') || af === n('AF_INET6')) return 'inet';
  if (af === n('AF_UNIX')) return 'unix';
  if (af === n('AF_NETLINK')) return 'netlink';
  if (af === n('AF_PACKET')) return 'packet';
  return 'other';
}

/** The last settings asked about and their answer: the five checks asking come one after another. */
let restrictedMemo: { s: EffectiveSettings; version: number; r: ReadonlySet<FamilyClass> } | null = null;

/** The family classes the settings restrict; asked by five checks, worked out once per settings. */
function restrictedFamilies(s: EffectiveSettings, version: number): ReadonlySet<FamilyClass> {
  if (restrictedMemo === null || restrictedMemo.s !== s || restrictedMemo.version !== version) {
    restrictedMemo = { s, version, r: computeRestrictedFamilies(s, version) };
  }
  return restrictedMemo.r;
}

function computeRestrictedFamilies(s: EffectiveSettings, version: number): ReadonlySet<FamilyClass> {
  const { allowList, families } = s.restrictAddressFamilies;
  const all: FamilyClass[] = ['inet', 'unix', 'netlink', 'packet', 'other'];
  const restricted = new Map<FamilyClass, boolean>(all.map((c) => [c, allowList]));
  for (const af of families ?? []) restricted.set(familyClass(af, version), !allowList);
  return new Set(all.filter((c) => restricted.get(c)));
}

function checkFamilyClass(spec: CheckSpec, version: number): FamilyClass {
  const first = spec.families?.[0] ?? '';
  const af = systemdNames(version).addressFamilies.get(first);
  return af === undefined ? 'other' : familyClass(af, version);
}

function assessArchitectures(s: EffectiveSettings): number {
  const archs = s.systemCallArchitectures;
  if (archs.size === 0) return 10;
  return archs.size === 1 && archs.has('native') ? 0 : 8;
}

/**
 * No filter → 10. Otherwise walk the group (nested groups expanded), skipping names that do not
 * resolve on the architecture: an allow list that lets any member through → 9; a deny list that
 * misses any member → 10.
 */
function assessSyscallGroup(s: EffectiveSettings, group: string, version: number): number {
  const filter = s.systemCallFilter;
  if (filter === null || (!filter.allowList && filter.syscalls.size === 0)) return 10;
  // Services share a handful of filters (serviceSettings builds each once): each group is
  // looked up in each filter once.
  let byVersion = groupBadness.get(filter);
  if (!byVersion) groupBadness.set(filter, (byVersion = new Map()));
  let byGroup = byVersion.get(version);
  if (!byGroup) byVersion.set(version, (byGroup = new Map()));
  let badness = byGroup.get(group);
  if (badness === undefined) {
    const members = groupMembers(group, version);
    if (filter.allowList) badness = members.some((m) => filter.syscalls.has(m)) ? 9 : 0;
    else badness = members.some((m) => !filter.syscalls.has(m)) ? 10 : 0;
    byGroup.set(group, badness);
  }
  return badness;
}

const groupBadness = new WeakMap<NonNullable<EffectiveSettings['systemCallFilter']>, Map<number, Map<string, number>>>();

const resolvingMembers = new Map<number, Map<string, readonly string[]>>();

/** The members of a syscall group (nested groups expanded) that resolve on the architecture. */
function groupMembers(group: string, version: number): readonly string[] {
  let byGroup = resolvingMembers.get(version);
  if (!byGroup) resolvingMembers.set(version, (byGroup = new Map()));
  let members = byGroup.get(group);
  if (!members) {
    const table = syscallTable(version);
    byGroup.set(group, (members = table.expand(group).filter((m) => table.resolvesOnArchitecture(m))));
  }
  return members;
}

function assessIpAddress(s: EffectiveSettings): number {
  if (s.ipIngressFilterPath.length > 0 || s.ipEgressFilterPath.length > 0) return 0;
  const denyAll = [4, 6].every((f) => s.ipAddressDeny.some((p) => p.family === f && p.prefixLength === 0));
  if (!denyAll) return 10;
  if (s.ipAddressAllow.some((p) => !isLoopback(p))) return 5;
  if (s.ipAddressAllow.length > 0) return 2;
  return 0;
}

function assessDevices(s: EffectiveSettings): number {
  if (s.devicePolicy !== 'strict' && s.devicePolicy !== 'closed') return 10;
  return s.deviceAllow.length > 0 ? 5 : 0;
}

function assessUMask(umask: number): number {
  if (!(umask & 0o002)) return 10;
  if (!(umask & 0o004)) return 5;
  if (!(umask & 0o020)) return 2;
  if (!(umask & 0o040)) return 1;
  return 0;
}

/** A boolean setting's badness: 0 when on. */
const badnessOf = (v: boolean): number => (v ? 0 : 1);
const PROTECT_HOME_BADNESS: Readonly<Record<ServiceSettings['protectHome'], number>> = { yes: 0, tmpfs: 1, 'read-only': 5, no: 10 };
const PROTECT_SYSTEM_BADNESS: Readonly<Record<ServiceSettings['protectSystem'], number>> = { strict: 0, full: 3, yes: 5, no: 10 };
const emptyOrRoot = (p: string | null): boolean => p === null || p === '' || p === '/';

function assess(spec: CheckSpec, s: EffectiveSettings, version: number): number | null {
  if (spec.default_dependencies_only && !s.defaultDependencies) return null;
  switch (spec.rule) {
    case 'user':
      return assessUser(s);
    case 'supplementary_groups':
      return runsPrivileged(s) ? null : s.supplementaryGroups.length > 0 ? 1 : 0;
    case 'remove_ipc':
      return runsPrivileged(s) ? null : badnessOf(s.booleans.RemoveIPC);
    case 'bool':
      return badnessOf(s.booleans[spec.json_field as keyof typeof s.booleans]);
    case 'bool_inverted':
      return s.delegate ? 1 : 0;
    case 'protect_home':
      return PROTECT_HOME_BADNESS[s.protectHome];
    case 'protect_system':
      return PROTECT_SYSTEM_BADNESS[s.protectSystem];
    case 'root_directory':
      return emptyOrRoot(s.rootDirectory) && emptyOrRoot(s.rootImage) ? 1 : 0;
    case 'capability_any_in_bounding_set':
      return (s.capabilityBoundingSet & capabilityMask(spec.capabilities ?? NO_CAPABILITIES, version)) !== 0n ? 1 : 0;
    case 'umask':
      return assessUMask(s.umask);
    case 'keyring_mode':
      return s.keyringMode === 'private' ? 0 : 1;
    case 'protect_proc':
      return s.protectProc === 'noaccess' ? 1 : s.protectProc === 'invisible' || s.protectProc === 'ptraceable' ? 0 : 3;
    case 'proc_subset':
      return s.procSubset === 'pid' ? 0 : 1;
    case 'notify_access':
      return s.notifyAccess === 'all' ? 1 : 0;
    case 'namespace_type_permitted': {
      const ns = spec.namespace as Namespace;
      return s.restrictNamespaces === 'initial' || s.restrictNamespaces.has(ns) ? 1 : 0;
    }
    case 'address_family_flag':
      return restrictedFamilies(s, version).has(checkFamilyClass(spec, version)) ? 0 : 1;
    case 'syscall_archs':
      return assessArchitectures(s);
    case 'syscall_group':
      return assessSyscallGroup(s, spec.group ?? '', version);
    case 'ip_address':
      return assessIpAddress(s);
    case 'device_allow':
      return assessDevices(s);
    case 'ambient_nonempty':
      return s.ambientCapabilities !== 0n ? 1 : 0;
    default:
      throw new Error(`no rule ${spec.rule} for check ${spec.id}`);
  }
}

/** Scores a settings model (from {@link serviceSettings}) the way `systemd-analyze security --offline` does. */
export function scoreSettings(settings: ServiceSettings, options: ScoreOptions): Score | Unloadable {
  if (settings.loadError) return { loadError: settings.loadError };
  const version = options.systemdVersion;
  const effective = applyImplications(settings, version);
  if (options.checks === false) {
    // exposureOf() without a result object per check.
    const sum = new ExposureSum();
    for (const spec of CHECKS) sum.add(assess(spec, effective, version), spec.weight, spec.range);
    const exposure = sum.exposure();
    return { exposure, shown: shownExposure(exposure), rating: rating(exposure), checks: [] };
  }
  const checks = CHECKS.map((spec) => ({
    id: spec.id,
    jsonField: spec.json_field,
    badness: assess(spec, effective, version),
    weight: spec.weight,
    range: spec.range,
  }));
  const exposure = exposureOf(checks);
  return { exposure, shown: shownExposure(exposure), rating: rating(exposure), checks };
}

export function isUnloadable(r: Score | Unloadable): r is Unloadable {
  return 'loadError' in r;
}

// ---------------------------------------------------------------------------------------------
// Best and worst case when some directives are unknown
// ---------------------------------------------------------------------------------------------

/** A directive whose value the static evaluation could not determine. */
export interface UnknownValue {
  readonly unknown: string;
}

export type MaybeKnown = Json | UnknownValue;

const isUnknown = (v: MaybeKnown): v is UnknownValue =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { unknown?: unknown }).unknown === 'string';

/**
 * The values an unknown directive is tried with: for each, its strictest and loosest settings
 * plus the in-between ones that change a check differently (null = the directive is absent).
 * Directives missing here do not affect the score.
 */
const CANDIDATES: Readonly<Record<string, readonly Json[]>> = {
  ...Object.fromEntries(BOOLEAN_DIRECTIVES.map((d) => [d, [true, false]])),
  User: [null, 'root', 'nobody', 'service'],
  Group: [null],
  SupplementaryGroups: [[], ['group']],
  ProtectSystem: ['strict', 'full', true, false],
  ProtectHome: [true, 'tmpfs', 'read-only', false],
  RootDirectory: [null, '/var/empty'],
  RootImage: [null, '/var/empty.img'],
  MountImages: [null, '/var/empty.img:/mnt'],
  LoadCredential: [null],
  LoadCredentialEncrypted: [null, 'credential'],
  SetCredential: [null],
  SetCredentialEncrypted: [null, 'credential:AAAA'],
  CapabilityBoundingSet: ['', '~'],
  AmbientCapabilities: ['', '~'],
  UMask: ['0077', '0000'],
  KeyringMode: ['private', 'shared'],
  ProtectProc: ['invisible', 'noaccess', 'default'],
  ProcSubset: ['pid', 'all'],
  NotifyAccess: ['none', 'all'],
  Delegate: [false, true],
  RestrictNamespaces: [true, false],
  RestrictAddressFamilies: ['none', null],
  SystemCallArchitectures: ['native', 'native x86', null],
  SystemCallFilter: ['@default', null],
  IPAddressAllow: [null, 'localhost', 'any'],
  IPAddressDeny: ['any', null],
  IPIngressFilterPath: [null, '/sys/fs/bpf/filter'],
  IPEgressFilterPath: [null, '/sys/fs/bpf/filter'],
  DevicePolicy: ['closed', 'strict', 'auto'],
  DeviceAllow: [null, '/dev/null rw'],
};

/** Whether an unknown value of this [Service] directive can change the score. */
export function unknownMatters(directive: string): boolean {
  return Object.prototype.hasOwnProperty.call(CANDIDATES, directive);
}

/** Above this many combinations the range is found by a greedy walk instead (see below). */
const MAX_COMBINATIONS = 1024;

export interface ScoreRange {
  /** [best, worst] internal exposure over the tried values. */
  readonly range: readonly [number, number];
  /** True when every combination of candidate values was scored. */
  readonly exhaustive: boolean;
  /** Directives that were unknown and do matter to the score. */
  readonly unknown: readonly string[];
}

export interface ScoreRangeOptions extends ScoreOptions {
  readonly unitName?: string;
  /** [Unit] options (DefaultDependencies=), unknowns allowed too. */
  readonly unitConfig?: Readonly<Record<string, MaybeKnown>>;
}

/**
 * Best and worst exposure of a `serviceConfig` in which some directives are unknown.
 *
 * Each unknown directive is replaced by each of its candidate values (strictest, loosest and
 * the values in between that move a check differently). The checks interact (User= decides
 * whether two checks count at all, ProtectClock= can worsen DeviceAllow=, …), so "all strictest"
 * is not always the best case: when the combinations are few (≤ 1024) all are scored and the
 * range is exact over the candidates; otherwise a coordinate walk starts from all-strictest
 * (all-loosest) and keeps changing one directive at a time while that improves (worsens) the
 * score, which may miss the extreme (`exhaustive: false`). A unit that would not load is skipped.
 */
export function scoreRange(options: Readonly<Record<string, MaybeKnown>>, opts: ScoreRangeOptions): ScoreRange {
  const unknownService = Object.keys(options).filter((k) => isUnknown(options[k] as MaybeKnown) && unknownMatters(k));
  const unitConfig = opts.unitConfig ?? {};
  const unknownUnit = Object.keys(unitConfig).filter((k) => isUnknown(unitConfig[k] as MaybeKnown) && k === 'DefaultDependencies');
  const slots: { key: string; unit: boolean; values: readonly Json[] }[] = [
    ...unknownService.map((key) => ({ key, unit: false, values: CANDIDATES[key] as readonly Json[] })),
    ...unknownUnit.map((key) => ({ key, unit: true, values: [true, false] as const })),
  ];

  // The known values are the same in every combination: listed once.
  const knownService: [string, Json][] = [];
  for (const [k, v] of Object.entries(options)) if (!isUnknown(v)) knownService.push([k, v]);
  const knownUnit: [string, Json][] = [];
  for (const [k, v] of Object.entries(unitConfig)) if (!isUnknown(v)) knownUnit.push([k, v]);
  const scoreOf = (choice: readonly number[]): number | null => {
    const service = [...knownService];
    const unit = [...knownUnit];
    slots.forEach((slot, i) => {
      const v = slot.values[choice[i] as number] as Json;
      if (v !== null) (slot.unit ? unit : service).push([slot.key, v]);
    });
    const text = ['[Unit]', ...renderServiceEntries(unit), '[Service]', ...renderServiceEntries(service)].join('\n');
    const settings = serviceSettings(parseUnitFile(text), { systemdVersion: opts.systemdVersion, unitName: opts.unitName });
    const r = scoreSettings(settings, { systemdVersion: opts.systemdVersion, checks: false });
    return isUnloadable(r) ? null : r.exposure;
  };

  const combinations = slots.reduce((n, s) => n * s.values.length, 1);
  const unknown = slots.map((s) => s.key);
  if (combinations <= MAX_COMBINATIONS) {
    let best = Infinity;
    let worst = -Infinity;
    const choice = slots.map(() => 0);
    for (let n = 0; n < combinations; n++) {
      let rest = n;
      slots.forEach((slot, i) => {
        choice[i] = rest % slot.values.length;
        rest = Math.floor(rest / slot.values.length);
      });
      const e = scoreOf(choice);
      if (e === null) continue;
      best = Math.min(best, e);
      worst = Math.max(worst, e);
    }
    if (best === Infinity) throw new Error('no candidate combination loads; the known settings are invalid');
    return { range: [best, worst], exhaustive: true, unknown };
  }
  const walk = (start: number[], better: (a: number, b: number) => boolean): number => {
    const choice = [...start];
    let current = scoreOf(choice) ?? (better(0, 100) ? 100 : 0);
    for (let improved = true; improved; ) {
      improved = false;
      slots.forEach((slot, i) => {
        for (let v = 0; v < slot.values.length; v++) {
          const trial = [...choice];
          trial[i] = v;
          const e = scoreOf(trial);
          if (e !== null && better(e, current)) {
            choice[i] = v;
            current = e;
            improved = true;
          }
        }
      });
    }
    return current;
  };
  const strictest = slots.map(() => 0);
  const loosest = slots.map((s) => s.values.length - 1);
  return { range: [walk(strictest, (a, b) => a < b), walk(loosest, (a, b) => a > b)], exhaustive: false, unknown };
}
