/**
 * Finding a module's VM tests (src/github/vm-tests.ts) on our own small nixpkgs stand-in
 * (test/fixtures/vm-tests/nixpkgs): every resolver step, nested attributes, a module without a
 * test, broken and truncated all-tests files, and the command lines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALL_TESTS_PATH,
  MAX_TESTS,
  byNamePackagePath,
  enablesOption,
  findVmTests,
  moduleKeys,
  nixosTestRefs,
  normaliseTestFile,
  parseAllTests,
  testCommands,
  testFileRepoPath,
  type FindVmTestsInput,
  type TestEntry,
} from '../../src/github/vm-tests.js';

const root = join(process.cwd(), 'test/fixtures/vm-tests');
const nixpkgs = join(root, 'nixpkgs');
const read = (repoPath: string) => readFileSync(join(nixpkgs, repoPath), 'utf8');

const allTestsText = read(ALL_TESTS_PATH);
const allTests = parseAllTests(allTestsText);
const byAttr = (attr: string): TestEntry | undefined => allTests.find((e) => e.attr === attr);

function find(modulePath: string, extra: Partial<FindVmTestsInput> = {}) {
  return findVmTests({ modulePath, moduleText: read(modulePath), allTests, ...extra });
}
const attrsOf = (r: ReturnType<typeof find>) => r.tests.map((t) => t.attr);
const viaOf = (r: ReturnType<typeof find>) => r.tests.map((t) => [t.attr, t.via]);

describe('parseAllTests', () => {
  it('reads every statically named attribute, in file order', () => {
    expect(allTests.map((e) => e.attr)).toEqual([
      'nixos-test-driver.lint-off',
      'nixos-test-driver.timeout',
      '9p-share',
      '_4in6',
      'batch-jobs',
      'fleet-monitoring',
      'gateway',
      'jobqueue-options',
      'kiosk',
      'ledger-service',
      'mail-relay',
      'relay-smtp',
      'relay-lmtp',
      'matrix-relaybot',
      'nix-cache',
      'nix-cache-push',
      'photoframe',
      'photoframe-kiosk',
      'snippetbin',
      'snippetbin-pgsql',
      'snippetbin-sqlite',
      'snippetbin-cli',
      'tune-streaming',
      'tunnel',
      'vpn.server',
      'vpn.client',
      'webproxy.plain',
      'webproxy.tls',
      'zram-swap',
    ]);
  });

  it.each<[string, TestEntry['form'], string | null]>([
    ['9p-share', 'runTest', '9p-share.nix'],
    ['_4in6', 'handleTest', '4in6.nix'],
    ['batch-jobs', 'discoverTests', 'batch-jobs.nix'],
    ['gateway', 'runTest', 'chat/gateway.nix'],
    ['jobqueue-options', 'callPackage', '../modules/services/misc/jobqueue/test.nix'],
    ['kiosk', 'handleTest', 'kiosk/default.nix'], // pkgs.recurseIntoAttrs (handleTest ./kiosk { })
    ['ledger-service', 'import', 'ledgerd/default.nix'],
    ['mail-relay', 'runTest', 'mail-relay.nix'], // through a let binding
    ['relay-smtp', 'import', 'mail-relays.nix'], // inherit (import ./mail-relays.nix { … })
    ['photoframe', 'handleTestOn', 'photoframe.nix'],
    ['photoframe-kiosk', 'handleTestOn', 'photoframe.nix'], // (handleTestOn … { }).kiosk or { }
    ['snippetbin-pgsql', 'handleTest', 'web-apps/snippetbin.nix'],
    ['snippetbin-sqlite', 'runTest', 'web-apps/snippetbin.nix'], // runTest { imports = [ … ]; }
    ['tune-streaming', 'runTest', 'tune-streaming.nix'], // runTestOn
    ['vpn.client', 'handleTestOn', 'vpn/client.nix'],
    ['webproxy.tls', 'runTest', 'webproxy/tls.nix'],
    ['zram-swap', 'runTest', null], // an interpolated path
  ])('%s: %s of %s', (attr, form, file) => {
    expect(byAttr(attr)).toMatchObject({ form, file });
  });

  it('keeps nested attribute paths as lists of names, with their lines', () => {
    expect(byAttr('vpn.server')).toMatchObject({ path: ['vpn', 'server'], line: 75 });
    expect(byAttr('webproxy.plain')).toMatchObject({ path: ['webproxy', 'plain'], line: 78 });
    expect(byAttr('9p-share')).toMatchObject({ path: ['9p-share'], line: 50 });
  });

  it('skips names that are not static', () => {
    expect(byAttr('dynamic')).toBeUndefined();
  });

  it('reads what it can of a file with a merge conflict and a missing semicolon', () => {
    const broken = parseAllTests(readFileSync(join(root, 'all-tests-broken.nix'), 'utf8'));
    const attrs = broken.map((e) => e.attr);
    expect(attrs).toEqual(expect.arrayContaining(['alpha', 'beta', 'gamma', 'epsilon', 'zeta']));
    expect(broken.find((e) => e.attr === 'beta')?.file).toBe('beta.nix'); // the first of the two sides
    expect(broken.find((e) => e.attr === 'zeta')).toMatchObject({ form: 'runTest', file: 'zeta.nix' });
  });

  it('reads a truncated file up to where it was cut', () => {
    const cut = allTestsText.indexOf('snippetbin-cli');
    const entries = parseAllTests(allTestsText.slice(0, cut + 'snippetbin-cli = runT'.length));
    const attrs = entries.map((e) => e.attr);
    expect(attrs).toEqual(expect.arrayContaining(['9p-share', 'matrix-relaybot', 'snippetbin-sqlite']));
    expect(attrs).not.toContain('tunnel');
    // Cut inside a string and inside a nested set, too.
    const inString = parseAllTests(allTestsText.slice(0, allTestsText.indexOf('"aarch64-linux"') + 4));
    expect(inString.map((e) => e.attr)).toContain('nix-cache-push');
    const inSet = parseAllTests(allTestsText.slice(0, allTestsText.indexOf('client =')));
    expect(inSet.map((e) => e.attr)).toContain('vpn.server');
  });

  it.each([
    ['empty', ''],
    ['not a set', '42'],
    ['garbage', '}}}{{{ ;;; = = ./'],
    ['a lone brace', '{'],
    ['an unclosed string', '{ a = runTest ./a.nix; b = "'],
    ['an unclosed comment', '{ a = runTest ./a.nix; /* b'],
    ['binary noise', '\u0000\u0001\uffff{ x = ./y.nix; }'],
  ])('never throws on %s', (_name, text) => {
    expect(() => parseAllTests(text)).not.toThrow();
    expect(Array.isArray(parseAllTests(text))).toBe(true);
  });

  it('reads the file of an imported test and leaves other builders without one', () => {
    const text = `{ pkgs, callTest, ... }:
      let
        inherit (pkgs.lib) elem;
        runTestOn = systems: arg: if elem "x" systems then arg else { };
      in
      {
        quarry-multi = runTestOn [ "x86_64-linux" ] (import ./quarry.nix { nodes = 3; });
        quarry-check = pkgs.runCommand "quarry-check" { } ''
          touch $out
        '';
        quarry-docs = pkgs.callPackage ./quarry-docs.nix { };
      }`;
    expect(parseAllTests(text).map((e) => [e.attr, e.form, e.file])).toEqual([
      ['quarry-multi', 'runTest', 'quarry.nix'],
      ['quarry-check', 'other', null],
      ['quarry-docs', 'callPackage', 'quarry-docs.nix'],
    ]);
  });

  it('reads sets joined with // and wrapped in recurseIntoAttrs', () => {
    const text = `{ pkgs, ... }: let runTest = x: x; in { a = runTest ./a.nix; } // pkgs.lib.recurseIntoAttrs { b = runTest ./b; }`;
    expect(parseAllTests(text).map((e) => [e.attr, e.file])).toEqual([
      ['a', 'a.nix'],
      ['b', 'b/default.nix'],
    ]);
  });
});

describe('paths', () => {
  it.each([
    ['./x.nix', 'x.nix'],
    ['./dir', 'dir/default.nix'],
    ['./dir/', 'dir/default.nix'],
    ['./web-apps/./x.nix', 'web-apps/x.nix'],
    ['../modules/services/a/test.nix', '../modules/services/a/test.nix'],
    ['../../../etc/passwd', null],
  ])('normaliseTestFile(%s) = %s', (raw, want) => {
    expect(normaliseTestFile(raw)).toBe(want);
  });

  it('turns test files into repository paths', () => {
    expect(testFileRepoPath('web-apps/x.nix')).toBe('nixos/tests/web-apps/x.nix');
    expect(testFileRepoPath('../modules/services/a/test.nix')).toBe('nixos/modules/services/a/test.nix');
  });

  it('knows where by-name packages live', () => {
    expect(byNamePackagePath('tuneserve-bin')).toBe('pkgs/by-name/tu/tuneserve-bin/package.nix');
    expect(byNamePackagePath('Xorg')).toBe('pkgs/by-name/xo/Xorg/package.nix');
    expect(byNamePackagePath('python3Packages.foo')).toBeNull();
  });
});

describe('moduleKeys', () => {
  it.each<[string, string, { namespace: string; name: string } | null, string[]]>([
    ['nixos/modules/services/web-apps/snippetbin.nix', 'snippetbin', { namespace: 'services', name: 'snippetbin' }, ['web-apps']],
    ['nixos/modules/services/chat/chat-gateway.nix', 'chat-gateway', { namespace: 'services', name: 'chat-gateway' }, ['chat']],
    // options = { services = { tunnel-daemon = …; }; }
    ['nixos/modules/services/networking/tunneld.nix', 'tunneld', { namespace: 'services', name: 'tunnel-daemon' }, ['networking']],
    ['nixos/modules/services/misc/ledgerd/default.nix', 'ledgerd', { namespace: 'services', name: 'ledgerd' }, ['misc']],
    ['nixos/modules/services/misc/jobqueue/default.nix', 'jobqueue', { namespace: 'services', name: 'jobqueue' }, ['misc']],
    ['nixos/modules/programs/photoframe.nix', 'photoframe', { namespace: 'programs', name: 'photoframe' }, []],
  ])('%s', (path, basename, option, categories) => {
    expect(moduleKeys(path, read(path))).toMatchObject({ basename, option, categories });
  });

  it('takes the packages of mkPackageOption, or without one every pkgs.<x>', () => {
    expect(moduleKeys('m.nix', read('nixos/modules/services/audio/tuneserve.nix')).packages).toEqual(['tuneserve-bin']);
    expect(moduleKeys('m.nix', read('nixos/modules/services/matrix/relaybot.nix')).packages).toEqual(['relaybot']);
    expect(moduleKeys('m.nix', '{ pkgs, lib, ... }: { x = lib.mkPackageOption pkgs [ "python3Packages" "foo" ] { }; }').packages).toEqual([
      'python3Packages.foo',
    ]);
  });

  it('falls back to the config.services.<name> a module reads', () => {
    const text = '{ config, lib, ... }: let cfg = config.services.lonely; in { config = lib.mkIf cfg.enable { }; }';
    expect(moduleKeys('nixos/modules/services/misc/lonely-helper.nix', text).option).toEqual({ namespace: 'services', name: 'lonely' });
  });

  it('survives a module that does not parse', () => {
    expect(moduleKeys('nixos/modules/services/misc/x.nix', '{ config, lib, ... }: { options.services.x = {')).toMatchObject({ basename: 'x' });
    expect(() => moduleKeys('', '')).not.toThrow();
  });
});

describe('findVmTests', () => {
  it('(b) an attribute named after the option, then (d) other tests of the same file, then variants', () => {
    const r = find('nixos/modules/services/web-apps/snippetbin.nix');
    expect(viaOf(r)).toEqual([
      ['snippetbin', 'option-name'],
      ['snippetbin-pgsql', 'file'],
      ['snippetbin-sqlite', 'file'],
      ['snippetbin-cli', 'variant'],
    ]);
    expect(r.tests[0]).toMatchObject({ file: 'web-apps/snippetbin.nix' });
    for (const t of r.tests) expect(t.how).not.toBe('');
  });

  it('(b) the module file name and a nested set of tests named after it', () => {
    expect(viaOf(find('nixos/modules/services/networking/webproxy.nix'))).toEqual([
      ['webproxy.plain', 'group'],
      ['webproxy.tls', 'group'],
    ]);
  });

  it('(b) a programs module, with a sub-test variant', () => {
    expect(viaOf(find('nixos/modules/programs/photoframe.nix'))).toEqual([
      ['photoframe', 'option-name'],
      ['photoframe-kiosk', 'file'],
    ]);
  });

  it('(c) the category-prefixed name', () => {
    expect(viaOf(find('nixos/modules/services/matrix/relaybot.nix'))).toEqual([['matrix-relaybot', 'category']]);
  });

  it('(c) the name without a category prefix the module already carries', () => {
    expect(viaOf(find('nixos/modules/services/chat/chat-gateway.nix'))).toEqual([['gateway', 'category']]);
  });

  it('(d) a test file named after the module under another attribute', () => {
    expect(viaOf(find('nixos/modules/services/networking/tunneld.nix'))).toEqual([['tunnel', 'file']]);
  });

  it('(d) a test directory named after a default.nix module', () => {
    expect(viaOf(find('nixos/modules/services/misc/ledgerd/default.nix'))).toEqual([['ledger-service', 'file']]);
  });

  it('(d) a unit test next to the module (pkgs.callPackage ../modules/…)', () => {
    expect(find('nixos/modules/services/misc/jobqueue/default.nix').tests).toEqual([
      expect.objectContaining({ attr: 'jobqueue-options', via: 'file', file: '../modules/services/misc/jobqueue/test.nix' }),
    ]);
  });

  it('(e) tests named in the passthru.tests of the module’s package', () => {
    const packageTexts = new Map([
      ['pkgs/by-name/tu/tuneserve-bin/package.nix', read('pkgs/by-name/tu/tuneserve-bin/package.nix')],
      ['pkgs/by-name/ra/radiod/package.nix', read('pkgs/by-name/ra/radiod/package.nix')],
    ]);
    const r = find('nixos/modules/services/audio/tuneserve.nix', { packageTexts });
    expect(r.tests).toEqual([expect.objectContaining({ attr: 'tune-streaming', via: 'package', file: 'tune-streaming.nix' })]);
    // Without the package file there is nothing to go on.
    expect(find('nixos/modules/services/audio/tuneserve.nix').tests).toEqual([]);
  });

  it('(e) test files that enable the service, also below a test directory', () => {
    const testFiles = new Map(
      ['nixos/tests/fleet-monitoring.nix', 'nixos/tests/vpn/server.nix', 'nixos/tests/kiosk/display.nix'].map((p) => [p, read(p)]),
    );
    const r = find('nixos/modules/services/monitoring/probe-agent.nix', { testFiles });
    expect(viaOf(r)).toEqual([
      ['fleet-monitoring', 'enables'],
      ['kiosk', 'enables'],
    ]);
    // Keys relative to nixos/tests/ work too.
    const relative = new Map([['fleet-monitoring.nix', read('nixos/tests/fleet-monitoring.nix')]]);
    expect(attrsOf(find('nixos/modules/services/monitoring/probe-agent.nix', { testFiles: relative }))).toEqual(['fleet-monitoring']);
  });

  it('finds nothing for a module without a test', () => {
    const r = find('nixos/modules/services/misc/quietd.nix', {
      testFiles: new Map([['nixos/tests/vpn/server.nix', read('nixos/tests/vpn/server.nix')]]),
      packageTexts: new Map([['pkgs/by-name/ra/radiod/package.nix', read('pkgs/by-name/ra/radiod/package.nix')]]),
    });
    expect(r.tests).toEqual([]);
    expect(r.keys).toMatchObject({ basename: 'quietd', option: { namespace: 'services', name: 'quietd' } });
  });

  it('deduplicates, keeps the first reason and caps the list', () => {
    const entries: TestEntry[] = ['svc', 'svc-a', 'svc-b', 'svc-c', 'svc-d', 'svc-e', 'svc-f'].map((attr, i) => ({
      attr,
      path: [attr],
      file: `${attr}.nix`,
      form: 'runTest',
      line: i + 1,
    }));
    entries.push({ attr: 'svc', path: ['svc'], file: 'svc.nix', form: 'runTest', line: 9 });
    const r = findVmTests({
      modulePath: 'nixos/modules/services/misc/svc.nix',
      moduleText: '{ lib, ... }: { options.services.svc.enable = lib.mkEnableOption "svc"; }',
      allTests: entries,
    });
    expect(r.tests).toHaveLength(MAX_TESTS);
    expect(attrsOf(r)).toEqual(['svc', 'svc-a', 'svc-b', 'svc-c', 'svc-d']);
    expect(r.tests[0]!.via).toBe('option-name');
  });

  it('lists tests found by one step in the order of all-tests.nix', () => {
    const entry = (attr: string, file: string | null, line: number): TestEntry => ({ attr, path: attr.split('.'), file, form: 'runTest', line });
    const moduleText = '{ lib, ... }: { options.services.chat-gateway.enable = lib.mkEnableOption "gateway"; }';
    const search = (entries: TestEntry[]) =>
      viaOf(findVmTests({ modulePath: 'nixos/modules/services/chat/chat-gateway.nix', moduleText, allTests: entries }));
    // The bare name and the category-prefixed one, in either order.
    const bare = entry('gateway', 'gateway.nix', 1);
    const prefixed = entry('chat-chat-gateway', 'chat/gateway.nix', 2);
    expect(search([bare, prefixed])).toEqual([['gateway', 'category'], ['chat-chat-gateway', 'category']]);
    expect(search([prefixed, bare])).toEqual([['chat-chat-gateway', 'category'], ['gateway', 'category']]);
    // Files named after the module: rank first (exact, category, anywhere, directory), then file order.
    const files = [
      entry('deep', 'x/y/chat-gateway/more.nix', 1),
      entry('anywhere', 'web/chat-gateway.nix', 2),
      entry('exact', 'chat-gateway/default.nix', 3),
      entry('in-category', 'chat/chat-gateway.nix', 4),
      entry('chat-gateway_sqlite', 'other.nix', 5),
      entry('chat-gateway-v2', 'chat-gateway/v2.nix', 6),
      entry('unrelated', 'chat-gatewayish.nix', 7),
    ];
    expect(search(files)).toEqual([
      ['exact', 'file'],
      ['in-category', 'file'],
      ['anywhere', 'file'],
      ['deep', 'file'],
      ['chat-gateway-v2', 'file'],
    ]);
    // A quoted option name with a slash is matched against whole file paths.
    const slashed = findVmTests({
      modulePath: 'nixos/modules/services/misc/z.nix',
      moduleText: '{ lib, ... }: { options.services."web/z".enable = lib.mkEnableOption "z"; }',
      allTests: [entry('a', 'more/web/z.nix', 1), entry('b', 'webz.nix', 2)],
    });
    expect(viaOf(slashed)).toEqual([['a', 'file']]);
  });

  it('is stable: the same input gives the same output', () => {
    const a = find('nixos/modules/services/web-apps/snippetbin.nix');
    const b = find('nixos/modules/services/web-apps/snippetbin.nix');
    expect(a).toEqual(b);
  });

  it('works on an empty all-tests list and a broken module', () => {
    expect(findVmTests({ modulePath: 'nixos/modules/services/x/y.nix', moduleText: '{ options.services.y = ', allTests: [] }).tests).toEqual([]);
  });
});

describe('enablesOption and nixosTestRefs', () => {
  it.each([
    ['services.foo.enable = true;', true],
    ['services.foo = { enable = true; };', true],
    ['services = { foo.enable = lib.mkForce true; };', true],
    ['nodes.m = { ... }: { services.foo.enable = true; };', true],
    ['nodes.m = lib.mkMerge [ { services.foo.enable = true; } ];', true],
    ['services.foo.enable = false;', false],
    ['services.foobar.enable = true;', false],
    ['services.foo.enableTLS = true;', false],
    ['programs.foo.enable = true;', false],
  ])('{ %s } → %s', (body, want) => {
    expect(enablesOption(`{ lib, ... }: { ${body} }`, 'services', 'foo')).toBe(want);
  });

  it('reads nixosTests references in their usual shapes', () => {
    expect(
      nixosTestRefs(`{ nixosTests }: {
        passthru.tests = { inherit (nixosTests) a b; c = nixosTests.c.extendNixOS { }; };
        passthru.more = nixosTests.group.sub;
        passthru.other = { inherit (nixosTests.nested) d; };
      }`),
    ).toEqual(['a', 'b', 'c', 'group.sub', 'nested.d']);
  });
});

describe('testCommands', () => {
  it('gives one nix-build per test and one ofborg line', () => {
    expect(testCommands(['snippetbin', 'snippetbin-sqlite', 'vpn.server'])).toEqual({
      nixBuild: [
        'nix-build -A nixosTests.snippetbin',
        'nix-build -A nixosTests.snippetbin-sqlite',
        'nix-build -A nixosTests.vpn.server',
      ],
      ofborg: '@ofborg test snippetbin snippetbin-sqlite vpn.server',
    });
  });

  it('quotes names Nix would not read bare, and the shell word around them', () => {
    expect(testCommands(['9p-share', ['has.dot', 'x'], "it's"]).nixBuild).toEqual([
      `nix-build -A 'nixosTests."9p-share"'`,
      `nix-build -A 'nixosTests."has.dot".x'`,
      `nix-build -A 'nixosTests.it'\\''s'`,
    ]);
    expect(testCommands(['if']).nixBuild).toEqual([`nix-build -A 'nixosTests."if"'`]);
    expect(testCommands(['_4in6']).nixBuild).toEqual(['nix-build -A nixosTests._4in6']);
  });

  it('drops duplicates and empty names; no tests, no ofborg line', () => {
    expect(testCommands(['a', 'a', '', 'b.']).nixBuild).toEqual(['nix-build -A nixosTests.a']);
    expect(testCommands([])).toEqual({ nixBuild: [], ofborg: null });
  });

  it('works on the attributes findVmTests returns', () => {
    const r = find('nixos/modules/services/networking/webproxy.nix');
    expect(testCommands(r.tests.map((t) => t.attr)).ofborg).toBe('@ofborg test webproxy.plain webproxy.tls');
  });
});
