#!/usr/bin/env node
/**
 * Generates the systemd facts the exposure scorer needs, from the systemd installed on this
 * machine, so that nothing in src/hardening/data/ is typed by hand:
 *
 * - syscall-groups-<version>.json: every group `systemd-analyze syscall-filter` prints (members
 *   in its order, nested `@group` references kept as references), the names it lists as
 *   "ungrouped", and which members of the scored groups do not exist on this machine's
 *   architecture. `systemd-analyze security` skips those (it asks libseccomp whether a name
 *   resolves on the native architecture); we find them by asking the tool itself: a unit that
 *   denies a scored group and then allows one member back only loses the group's "good" mark when
 *   that member resolves.
 * - names-<version>.json: the names systemd's unit-file parser accepts where the scorer has to
 *   tell valid from invalid words: capabilities, address families, errno names (the `:errno`
 *   suffix of SystemCallFilter=) and seccomp architectures. Candidates come from this machine's
 *   kernel and C library headers (the same headers systemd's build turns into its tables; numbers
 *   matter for aliases such as AF_ROUTE = AF_NETLINK); each candidate is kept only if the tool
 *   accepts it.
 *
 * Usage: node scripts/gen-syscall-groups.mjs [--out DIR]
 *   (needs systemd-analyze and the libc/kernel headers; DIR defaults to src/hardening/data, the
 *   conformance test writes to a temporary DIR to check the committed files have not drifted)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, 'src/hardening/data');
const outFlag = process.argv.indexOf('--out');
const outDir = outFlag > 0 ? process.argv[outFlag + 1] : dataDir;

function analyze(args, env = {}) {
  return execFileSync('systemd-analyze', args, {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** "systemd 252 (252.38-1~deb12u1)" → { major: 252, full: "252 (252.38-1~deb12u1)" } */
function systemdVersion() {
  const first = analyze(['--version']).split('\n')[0];
  const words = first.split(' ');
  if (words[0] !== 'systemd') throw new Error(`unexpected --version output: ${first}`);
  return { major: Number(words[1]), full: words.slice(1).join(' ') };
}

/** systemd's spelling of the architecture libseccomp calls native here. */
function seccompArchitecture() {
  const names = { x64: 'x86-64', ia32: 'x86', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64-le', riscv64: 'riscv64' };
  const name = names[process.arch];
  if (!name) throw new Error(`no systemd architecture name known for ${process.arch}`);
  return name;
}

/**
 * Parses `systemd-analyze syscall-filter`: blocks of "@group", an indented "# description"
 * line and indented members, separated by blank lines; then "# Ungrouped ..." followed by
 * "#   name" lines.
 */
function parseSyscallFilter(text) {
  const groups = {};
  const ungrouped = [];
  let current = null;
  let inUngrouped = false;
  for (const line of text.split('\n')) {
    if (line === '') {
      current = null;
      continue;
    }
    if (line.startsWith('@')) {
      current = { description: '', members: [] };
      groups[line] = current;
      continue;
    }
    const body = line.trimStart();
    if (current) {
      if (body.startsWith('#')) current.description = body.slice(1).trim();
      else current.members.push(body);
      continue;
    }
    if (body.startsWith('# Ungrouped')) {
      inUngrouped = true;
      continue;
    }
    if (inUngrouped && body.startsWith('#   ')) ungrouped.push(body.slice(4).trim());
  }
  return { groups, ungrouped };
}

function expand(groups, name, seen = new Set()) {
  if (seen.has(name)) return [];
  seen.add(name);
  const out = [];
  for (const member of groups[name].members) {
    if (member.startsWith('@')) out.push(...expand(groups, member, seen));
    else out.push(member);
  }
  return out;
}

/**
 * Runs every probe unit through one `systemd-analyze security --offline` call and returns, per
 * probe, a map json_field → badness (or null when the unit failed to load).
 */
function runProbes(bodies) {
  const dir = mkdtempSync(join(tmpdir(), 'gen-sas-'));
  try {
    const files = bodies.map((body, i) => {
      const file = join(dir, `probe${i}.service`);
      writeFileSync(file, `[Service]\nExecStart=/bin/true\n${body}\n`);
      return file;
    });
    let out;
    try {
      out = analyze(['security', '--offline=yes', '--json=short', ...files], { SYSTEMD_ANALYZE_DEBUG: '1' });
    } catch (err) {
      // A unit that fails to load makes the verb fail; the others are still printed.
      out = err.stdout;
    }
    const arrays = out.split('\n').filter((l) => l.startsWith('['));
    if (arrays.length !== bodies.length) throw new Error(`expected ${bodies.length} results, got ${arrays.length}`);
    return arrays.map((line) => {
      // NA is UINT64_MAX, which JSON.parse rounds; any badness beyond a range means NA.
      const badness = new Map();
      for (const row of JSON.parse(line)) badness.set(row.json_field, row.badness > row.range ? null : row.badness);
      return badness;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isDigits = (s) => s.length > 0 && [...s].every((c) => c >= '0' && c <= '9');

/** `#define NAME VALUE` lines of a header (also `#  define`), VALUE being a number or a NAME. */
function defines(path) {
  const out = new Map();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const text = line.trim();
    if (!text.startsWith('#')) continue;
    const words = text.slice(1).trim().split(/\s+/);
    if (words[0] !== 'define' || words.length < 3 || words[1].includes('(')) continue;
    out.set(words[1], words[2]);
  }
  return out;
}

function resolveNumber(table, name, depth = 0) {
  const value = table.get(name);
  if (value === undefined || depth > 8) return undefined;
  return isDigits(value) ? Number(value) : resolveNumber(table, value, depth + 1);
}

function main() {
  const version = systemdVersion();
  const architecture = seccompArchitecture();
  const checks = JSON.parse(readFileSync(join(dataDir, 'sas-checks.json'), 'utf8')).checks;
  const scoredGroups = checks.filter((c) => c.rule === 'syscall_group').map((c) => c.group);

  const { groups, ungrouped } = parseSyscallFilter(analyze(['syscall-filter']));
  for (const g of scoredGroups) if (!groups[g]) throw new Error(`scored group ${g} missing from syscall-filter output`);

  // One probe per name reachable from a scored group: deny the group, allow the name back.
  const candidates = new Map();
  for (const g of scoredGroups) for (const name of expand(groups, g)) if (!candidates.has(name)) candidates.set(name, g);
  const syscallProbes = [...candidates].map(([name, g]) => ({
    body: `SystemCallFilter=~${g}\nSystemCallFilter=${name}`,
    decide: (b) => b.get(checks.find((c) => c.group === g).json_field) !== 0,
    name,
  }));

  // Capabilities: AmbientCapabilities=NAME makes the ambient set non-empty iff NAME parses.
  const capHeader = defines('/usr/include/linux/capability.h');
  const caps = [...capHeader.keys()].filter((n) => n.startsWith('CAP_') && isDigits(capHeader.get(n)));
  const capProbes = caps.map((name) => ({ body: `AmbientCapabilities=${name}`, decide: (b) => b.get('AmbientCapabilities') === 1, name }));

  // Address families: a deny list naming a known family marks one of the five rows good.
  const sock = defines('/usr/include/x86_64-linux-gnu/bits/socket.h');
  const families = [...sock.keys()].filter((n) => n.startsWith('AF_'));
  const familyFields = checks.filter((c) => c.rule === 'address_family_flag').map((c) => c.json_field);
  const familyProbes = families.map((name) => ({
    body: `RestrictAddressFamilies=~${name}`,
    decide: (b) => familyFields.some((f) => b.get(f) === 0),
    name,
  }));

  // errno names: "~@swap:NAME" keeps @swap denied iff the suffix parses.
  const errnoTable = new Map([
    ...defines('/usr/include/asm-generic/errno-base.h'),
    ...defines('/usr/include/asm-generic/errno.h'),
    ...defines('/usr/include/x86_64-linux-gnu/bits/errno.h'),
  ]);
  const errnos = [...errnoTable.keys()].filter((n) => n.startsWith('E') && !n.includes('_'));
  const errnoProbes = errnos.map((name) => ({
    body: `SystemCallFilter=~@swap:${name}`,
    decide: (b) => b.get('SystemCallFilter_swap') === 0,
    name,
  }));

  // Architectures: the names systemd's seccomp_arch_from_string() has known across releases.
  const archCandidates = [
    'native', 'x86', 'x86-64', 'x32', 'arm', 'arm64', 'loongarch64', 'mips', 'mips64', 'mips64-n32', 'mips-le',
    'mips64-le', 'mips64-le-n32', 'parisc', 'parisc64', 'ppc', 'ppc64', 'ppc64-le', 'riscv64', 's390', 's390x',
  ];
  const archProbes = archCandidates.map((name) => ({
    body: `SystemCallArchitectures=${name}`,
    decide: (b) => b.get('SystemCallArchitectures') !== 10,
    name,
  }));

  const all = [...syscallProbes, ...capProbes, ...familyProbes, ...errnoProbes, ...archProbes];
  const results = runProbes(all.map((p) => p.body));
  const verdict = new Map(all.map((p, i) => [p, p.decide(results[i])]));
  const accepted = (probes) => probes.filter((p) => verdict.get(p)).map((p) => p.name);

  const notOnArchitecture = syscallProbes.filter((p) => !verdict.get(p)).map((p) => p.name).sort();
  const generatedBy = 'scripts/gen-syscall-groups.mjs';

  const syscallData = {
    generatedBy,
    source: 'systemd-analyze syscall-filter',
    systemd: version,
    architecture,
    note: 'Members are listed as systemd prints them; "@name" members are nested groups. notOnArchitecture: members of the scored groups that do not resolve on this architecture, which systemd-analyze security skips.',
    groups,
    ungrouped,
    notOnArchitecture,
  };
  writeFileSync(join(outDir, `syscall-groups-${version.major}.json`), JSON.stringify(syscallData, null, 1) + '\n');

  const capabilities = Object.fromEntries(accepted(capProbes).map((n) => [n, resolveNumber(capHeader, n)]));
  const addressFamilies = Object.fromEntries(accepted(familyProbes).map((n) => [n, resolveNumber(sock, n)]));
  const nameData = {
    generatedBy,
    source: 'candidates from this machine\'s kernel and libc headers, each confirmed with systemd-analyze security --offline',
    systemd: version,
    architecture,
    capabilities,
    addressFamilies,
    errnoNames: accepted(errnoProbes).sort(),
    architectures: accepted(archProbes),
  };
  writeFileSync(join(outDir, `names-${version.major}.json`), JSON.stringify(nameData, null, 1) + '\n');

  const rejected = (probes) => probes.filter((p) => !verdict.get(p)).map((p) => p.name);
  console.log(`systemd ${version.full} on ${architecture}: ${Object.keys(groups).length} groups, ${notOnArchitecture.length} scored members not on this architecture`);
  console.log(`capabilities ${caps.length - rejected(capProbes).length}/${caps.length}, address families ${families.length - rejected(familyProbes).length}/${families.length} (rejected: ${rejected(familyProbes).join(' ')}), errno ${errnos.length - rejected(errnoProbes).length}/${errnos.length} (rejected: ${rejected(errnoProbes).join(' ')}), architectures ${accepted(archProbes).join(' ')}`);
}

main();
