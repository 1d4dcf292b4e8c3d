/**
 * Rendering (NixOS serviceConfig → [Service]), unit-file syntax, and how the settings model
 * assigns values (systemd 252's parsers). The scores these feed are tested in score.test.ts and
 * against the real tool in conformance.test.ts.
 */
import fc from 'fast-check';
import {
  CAP_ALL,
  parseBoolean,
  parseUnitFile,
  renderServiceSection,
  serviceSettings,
  serviceSettingsFromText,
  type ServiceSettings,
} from '../../src/hardening/unit.js';

/** Settings of a unit whose [Service] section holds these lines. */
function settings(lines: readonly string[], unitName = 'demo.service'): ServiceSettings {
  return serviceSettingsFromText(['[Service]', ...lines, ''].join('\n'), { unitName });
}

const capBits = (...bits: number[]): bigint => bits.reduce((m, b) => m | (1n << BigInt(b)), 0n);

describe('renderServiceSection (nixpkgs attrsToSection/toOption)', () => {
  test('one line per attribute, names sorted, lists give one line per element', () => {
    expect(
      renderServiceSection({
        ProtectSystem: 'strict',
        CapabilityBoundingSet: ['CAP_NET_RAW', 'CAP_NET_ADMIN'],
        DynamicUser: true,
        AmbientCapabilities: [],
      }),
    ).toEqual(['CapabilityBoundingSet=CAP_NET_RAW', 'CapabilityBoundingSet=CAP_NET_ADMIN', 'DynamicUser=true', 'ProtectSystem=strict']);
  });

  test('scalars go through toString: false, null, numbers, nested lists, derivations', () => {
    expect(renderServiceSection({ A: false, B: null, C: 22, D: [['x', 'y'], 'z'], E: { outPath: '/nix/store/abc-pkg' }, F: 1.5 })).toEqual([
      'A=false',
      'B=',
      'C=22',
      'D=x y',
      'D=z',
      'E=/nix/store/abc-pkg',
      'F=1.500000',
    ]);
    // Inside a nested list booleans are toString'ed as Nix does: true → "1", false → "".
    expect(renderServiceSection({ X: [[true, false, null]] })).toEqual(['X=1  ']);
  });

  test('["" ] and "" both give an empty assignment, [] gives none (CapabilityBoundingSet)', () => {
    expect(renderServiceSection({ CapabilityBoundingSet: '' })).toEqual(['CapabilityBoundingSet=']);
    expect(renderServiceSection({ CapabilityBoundingSet: [''] })).toEqual(['CapabilityBoundingSet=']);
    expect(renderServiceSection({ CapabilityBoundingSet: [] })).toEqual([]);
  });

  test('an attribute set that is not a derivation cannot be rendered', () => {
    expect(() => renderServiceSection({ X: { a: 1 } })).toThrow(TypeError);
  });

  test('what it renders parses back to the same assignments', () => {
    const name = fc.stringMatching(/^[A-Z][A-Za-z]{0,12}$/);
    const text = fc.stringMatching(/^[a-z0-9@~:/ ._-]{0,20}$/).map((s) => s.trim());
    const value = fc.oneof(text, fc.boolean(), fc.nat(10000), fc.array(text, { maxLength: 3 }));
    fc.assert(
      fc.property(fc.dictionary(name, value), (options) => {
        const lines = renderServiceSection(options);
        const parsed = parseUnitFile(['[Service]', ...lines].join('\n')).sections.get('Service') ?? [];
        expect(parsed.map(([n, v]) => `${n}=${v}`)).toEqual(lines);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('parseUnitFile (systemd config_parse)', () => {
  test('comments, blank lines and stripped keys and values', () => {
    const f = parseUnitFile('# c\n; c\n  # indented comment\n[Service]\n  User = svc  \n\nUMask=0077 # not a comment\n');
    expect(f.sections.get('Service')).toEqual([
      ['User', 'svc', 5],
      ['UMask', '0077 # not a comment', 7],
    ]);
    expect(f.problems).toEqual([]);
  });

  test('continuation lines: the backslash becomes a space, comments inside are skipped', () => {
    const f = parseUnitFile('[Service]\nSystemCallFilter=@system-service \\\n# skipped\n  @mount\nX=a\\\\\nY=b\\');
    expect(f.sections.get('Service')).toEqual([
      ['SystemCallFilter', '@system-service    @mount', 4],
      ['X', 'a\\\\', 5],
      // A continuation still open at the end of the file is parsed on its own.
      ['Y', 'b', 7],
    ]);
  });

  test('sections: repeated ones merge, unknown ones are kept for the caller to ignore', () => {
    const f = parseUnitFile('[Service]\nA=1\n[Unit]\nDefaultDependencies=no\n[Service]\nB=2\n[X-Custom]\nC=3\n');
    expect(f.sections.get('Service')).toEqual([
      ['A', '1', 2],
      ['B', '2', 6],
    ]);
    expect(f.sections.get('Unit')).toEqual([['DefaultDependencies', 'no', 4]]);
    expect(f.sections.get('X-Custom')).toEqual([['C', '3', 8]]);
  });

  test('lines systemd ignores are reported', () => {
    const f = parseUnitFile('A=outside\n[Service]\nNoEquals\n=novalue\n');
    expect(f.problems.map((p) => [p.line, p.message])).toEqual([
      [1, 'Assignment outside of section. Ignoring.'],
      [3, "Missing '=', ignoring line."],
      [4, "Missing key name before '=', ignoring line."],
    ]);
  });

  test('a malformed section header makes the whole file invalid', () => {
    expect(parseUnitFile('[Service\nUser=x\n').fatal?.line).toBe(1);
    expect(parseUnitFile('[Ser"vice]\n').fatal?.message).toContain('Bad characters');
    expect(serviceSettingsFromText('[Service] # c\nUser=x\n').loadError).not.toBeNull();
  });

  test('CRLF and CR line endings, a byte order mark', () => {
    const f = parseUnitFile('\uFEFF[Service]\r\nA=1\rB=2\r\n');
    expect(f.sections.get('Service')).toEqual([
      ['A', '1', 2],
      ['B', '2', 3],
    ]);
  });
});

describe('serviceSettings: how systemd assigns values', () => {
  test('booleans: 1/yes/y/true/t/on in any case; invalid or empty assignments are ignored', () => {
    expect(['1', 'yes', 'Y', 'TRUE', 't', 'On'].map(parseBoolean)).toEqual([true, true, true, true, true, true]);
    expect(['0', 'no', 'N', 'false', 'f', 'OFF'].map(parseBoolean)).toEqual([false, false, false, false, false, false]);
    expect(['', 'maybe', '"yes"', '2'].map(parseBoolean)).toEqual([null, null, null, null]);
    const s = settings(['PrivateNetwork=yes', 'PrivateNetwork=', 'PrivateTmp=yes', 'PrivateTmp=bogus']);
    expect(s.booleans.PrivateNetwork).toBe(true);
    expect(s.booleans.PrivateTmp).toBe(true);
    expect(s.problems.map((p) => p.directive)).toEqual(['PrivateNetwork', 'PrivateTmp']);
  });

  test('names of Object.prototype members are unknown directives, not parsers', () => {
    const names = ['constructor', 'toString', '__proto__', '__defineGetter__', 'hasOwnProperty', 'valueOf'];
    const s = serviceSettingsFromText(['[Unit]', ...names.map((n) => `${n}=x`), '[Service]', ...names.map((n) => `${n}=x`), 'PrivateTmp=yes', ''].join('\n'));
    expect(s.loadError).toBeNull();
    expect(s.problems).toEqual([]);
    expect(s.booleans.PrivateTmp).toBe(true);
  });

  test('the later assignment of a scalar wins', () => {
    expect(settings(['ProtectSystem=strict', 'ProtectSystem=full']).protectSystem).toBe('full');
    expect(settings(['ProtectSystem=full', 'ProtectSystem=STRICT']).protectSystem).toBe('full');
    expect(settings(['ProtectHome=off']).protectHome).toBe('no');
  });

  test('DynamicUser= with an invalid value, invalid User=, relative RootDirectory=: the unit does not load', () => {
    expect(settings(['DynamicUser=']).loadError?.directive).toBe('DynamicUser');
    for (const user of ['00', '-1', '65535', '4294967295', 'a:b', 'a/b', '.', '..', '-', '%z']) {
      expect(settings([`User=${user}`]).loadError?.directive).toBe('User');
    }
    expect(settings(['SupplementaryGroups=wheel a:b']).loadError?.directive).toBe('SupplementaryGroups');
    expect(settings(['RootDirectory=srv']).loadError?.directive).toBe('RootDirectory');
    expect(settings(['RootImage=/a/../b']).loadError?.directive).toBe('RootImage');
  });

  test('User=: relaxed names, numbers without leading zeros, empty resets, specifiers', () => {
    expect(settings(['User=foo bar']).user).toBe('foo bar');
    expect(settings(['User=0']).user).toBe('0');
    expect(settings(['User=svc', 'User=']).user).toBeNull();
    expect(settings(['User=%%x']).user).toBe('%x');
    expect(settings(['User=%p-daemon'], 'web.service').user).toBe('web-daemon');
    const host = settings(['User=%H']);
    expect(host.unresolved.has('User')).toBe(true);
  });

  test('list settings: empty assignment resets, words accumulate', () => {
    expect(settings(['SupplementaryGroups=a b', 'SupplementaryGroups=c']).supplementaryGroups).toEqual(['a', 'b', 'c']);
    expect(settings(['SupplementaryGroups=a', 'SupplementaryGroups=']).supplementaryGroups).toEqual([]);
    expect(settings(['DeviceAllow=/dev/null rw', 'DeviceAllow=']).deviceAllow).toEqual([]);
    expect(settings(['SystemCallArchitectures=native', 'SystemCallArchitectures=x86']).systemCallArchitectures).toEqual(new Set(['native', 'x86']));
  });

  test('CapabilityBoundingSet=: replace while the set is full, then add; "~" removes', () => {
    const kill = 5;
    const admin = 21;
    expect(settings([]).capabilityBoundingSet).toBe(CAP_ALL);
    expect(settings(['CapabilityBoundingSet=CAP_KILL', 'CapabilityBoundingSet=cap_sys_admin']).capabilityBoundingSet).toBe(capBits(kill, admin));
    expect(settings(['CapabilityBoundingSet=~CAP_KILL']).capabilityBoundingSet).toBe(CAP_ALL & ~capBits(kill));
    expect(settings(['CapabilityBoundingSet=CAP_KILL CAP_SYS_ADMIN', 'CapabilityBoundingSet=~CAP_KILL']).capabilityBoundingSet).toBe(capBits(admin));
    expect(settings(['CapabilityBoundingSet=']).capabilityBoundingSet).toBe(0n);
    expect(settings(['CapabilityBoundingSet=', 'CapabilityBoundingSet=~']).capabilityBoundingSet).toBe(CAP_ALL);
    // Numbers in C syntax: decimal, 0x hex, 0 octal.
    expect(settings(['CapabilityBoundingSet=21 0x5 010']).capabilityBoundingSet).toBe(capBits(21, 5, 8));
    // Quotes group words: "CAP_KILL CAP_SYS_ADMIN" is one (unknown) name.
    expect(settings(['CapabilityBoundingSet="CAP_KILL CAP_SYS_ADMIN"']).capabilityBoundingSet).toBe(0n);
  });

  test('UMask=: octal only', () => {
    expect(['0077', '22', '7777'].map((v) => settings([`UMask=${v}`]).umask)).toEqual([0o77, 0o22, 0o7777]);
    expect(['0x1', '8', '+077', '17777', ''].map((v) => settings([`UMask=${v}`]).umask)).toEqual([0o22, 0o22, 0o22, 0o22, 0o22]);
  });

  test('RestrictNamespaces=: booleans replace, lists merge after the first', () => {
    expect(settings([]).restrictNamespaces).toBe('initial');
    expect(settings(['RestrictNamespaces=yes', 'RestrictNamespaces=net']).restrictNamespaces).toEqual(new Set(['net']));
    expect(settings(['RestrictNamespaces=~user net']).restrictNamespaces).toEqual(new Set(['cgroup', 'ipc', 'mnt', 'pid', 'uts', 'time']));
    expect(settings(['RestrictNamespaces=~user', 'RestrictNamespaces=user']).restrictNamespaces).toEqual(
      new Set(['cgroup', 'ipc', 'net', 'mnt', 'pid', 'user', 'uts', 'time']),
    );
    expect(settings(['RestrictNamespaces=net', 'RestrictNamespaces=user bogus']).restrictNamespaces).toEqual(new Set(['net']));
  });

  test('RestrictAddressFamilies=: the first line after a reset picks the mode', () => {
    expect(settings(['RestrictAddressFamilies=AF_UNIX', 'RestrictAddressFamilies=~AF_UNIX AF_INET']).restrictAddressFamilies).toEqual({
      allowList: true,
      families: new Set(),
    });
    expect(settings(['RestrictAddressFamilies=none', 'RestrictAddressFamilies=~AF_UNIX']).restrictAddressFamilies).toEqual({
      allowList: false,
      families: new Set([1]),
    });
    // Aliases share a number: AF_ROUTE is AF_NETLINK, AF_LOCAL is AF_UNIX; case does not matter.
    expect(settings(['RestrictAddressFamilies=AF_ROUTE af_local AF_BOGUS']).restrictAddressFamilies).toEqual({
      allowList: true,
      families: new Set([16, 1]),
    });
  });

  test('SystemCallFilter=: an allow list starts with @default; "~" lines remove from it', () => {
    const allow = settings(['SystemCallFilter=@mount', 'SystemCallFilter=~umount2']).systemCallFilter;
    expect(allow?.allowList).toBe(true);
    expect(allow?.syscalls.has('mount')).toBe(true);
    expect(allow?.syscalls.has('umount2')).toBe(false);
    expect(allow?.syscalls.has('exit_group')).toBe(true); // from @default
    const deny = settings(['SystemCallFilter=~@swap:EPERM', 'SystemCallFilter=swapoff']).systemCallFilter;
    expect(deny).toEqual({ allowList: false, syscalls: new Set(['swapon']) });
    expect(settings(['SystemCallFilter=~@swap', 'SystemCallFilter=']).systemCallFilter).toBeNull();
    // Unknown groups, invalid errno suffixes and errno on allow lines drop the word.
    expect(settings(['SystemCallFilter=~@bogus @swap:EBOGUS @swap: :EPERM']).systemCallFilter).toEqual({ allowList: false, syscalls: new Set() });
  });

  test('IPAddressAllow=/Deny=: shortcuts, masking, invalid words skipped', () => {
    const s = settings(['IPAddressDeny=any', 'IPAddressAllow=127.0.0.1/4 localhost 010.0.0.1 127.1 ::1/127 ANY']);
    expect(s.ipAddressDeny.map((p) => [p.family, p.prefixLength])).toEqual([
      [4, 0],
      [6, 0],
    ]);
    expect(s.ipAddressAllow.map((p) => [p.family, p.address.join('.'), p.prefixLength])).toEqual([
      [4, '112.0.0.0', 4],
      [4, '127.0.0.0', 8],
      [6, '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1', 128],
      [6, '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0', 127],
    ]);
    expect(s.problems.map((p) => p.message)).toEqual([
      "Invalid address prefix specification '010.0.0.1', ignoring.",
      "Invalid address prefix specification '127.1', ignoring.",
      "Invalid address prefix specification 'ANY', ignoring.",
    ]);
    expect(settings(['IPAddressDeny=::ffff:1.2.3.4/96 1:2:3:4:5:6:7:8 ::/0x0']).ipAddressDeny.map((p) => p.prefixLength)).toEqual([96, 128, 0]);
    expect(settings(['IPAddressDeny=1::2::3 12345:: 127.0.0.1/33']).ipAddressDeny).toEqual([]);
  });

  test('DeviceAllow=: device paths under /dev, char-/block- classes, rwm rights', () => {
    const s = settings([
      'DeviceAllow=/dev/null rw',
      'DeviceAllow=char-rtc r',
      'DeviceAllow=/dev//sda/',
      'DeviceAllow=/sys/x',
      'DeviceAllow=/dev/../etc',
      'DeviceAllow=/dev/null x',
    ]);
    expect(s.deviceAllow).toEqual([
      { path: '/dev/null', access: 'rw' },
      { path: 'char-rtc', access: 'r' },
      { path: '/dev/sda', access: '' },
    ]);
  });

  test('Delegate=: empty and controller lists turn it on', () => {
    expect(['yes', 'no', '', 'cpu memory', 'bogus'].map((v) => settings([`Delegate=${v}`]).delegate)).toEqual([true, false, true, true, true]);
  });

  test('enumerations ignore unknown and empty values', () => {
    const s = settings(['KeyringMode=shared', 'KeyringMode=', 'NotifyAccess=all', 'NotifyAccess=ALL', 'ProtectProc=invisible', 'ProcSubset=PID']);
    expect([s.keyringMode, s.notifyAccess, s.protectProc, s.procSubset]).toEqual(['shared', 'all', 'invisible', 'all']);
  });

  test('DefaultDependencies= is read from [Unit] only', () => {
    expect(serviceSettingsFromText('[Unit]\nDefaultDependencies=no\n[Service]\n').defaultDependencies).toBe(false);
    expect(serviceSettingsFromText('[Service]\nDefaultDependencies=no\n').defaultDependencies).toBe(true);
  });

  test('a bare list of assignments is read as a [Service] section', () => {
    expect(serviceSettings([['PrivateTmp', 'yes', 1]]).booleans.PrivateTmp).toBe(true);
  });
});
