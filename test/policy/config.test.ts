/** The repository config: one zod schema, defaults inline, every error at once as path | problem. */
import { defaultConfig, type Config } from '../../src/policy/config.js';
import { formatErrorsTable, formatPath, type ConfigError } from '../../src/policy/config-errors.js';
import { parseConfig } from '../../src/policy/load.js';

const NOW = new Date('2025-03-15T12:00:00Z');

/** Dedents a YAML template so configs can be written naturally in tests. */
function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const indent = Math.min(...text.split('\n').filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return text
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n');
}

function errorsOf(text: string, now = NOW): ConfigError[] {
  const r = parseConfig(text, { now });
  if (r.ok) throw new Error('expected the config to be invalid');
  return r.errors;
}

function configOf(text: string, now = NOW): Config {
  const r = parseConfig(text, { now });
  if (!r.ok) throw new Error('unexpected config errors:\n' + formatErrorsTable(r.errors));
  return r.config;
}

const FULL = yaml`
  paths:
    - nixos/modules/services/**/*.nix
    - nixos/modules/programs/*.nix
  ignore: ["nixos/modules/services/misc/legacy-*.nix"]
  systemd:
    version: 256
  profile: strict-v2
  ratchet: false
  severities:
    loosened: error
    tightened: off
    changed: warning
    unknown: notice
    rules:
      no-empty-capability-list: off
      require-writable-path-for-state: error
  gates:
    conclusion_on_regression: failure
    max_exposure:
      - { path: "nixos/modules/services/web-apps/**", max: 4.5 }
      - { path: "**", max: 9 }
  waivers:
    - service: pastebin
      directive: ProtectHome
      allow: read-only
      reason: reads uploads from /home/shared
      expires: 2025-12-31
    - service: "prosody-<name>"
      directive: RestrictAddressFamilies
      allow: [AF_UNIX, AF_INET, AF_INET6, AF_NETLINK]
      reason: needs netlink for interface discovery
  vm_tests:
    request_on_tighten: false
    ofborg: false
  output:
    inline_comments: false
    suggestions: false
    labels:
      enabled: false
      regression: "sandbox: weaker"
      tightened: "sandbox: stronger"
    mention_maintainers: true
    max_inline_comments: 5
`;

describe('defaults', () => {
  it('are the schema defaults, as documented', () => {
    expect(defaultConfig()).toEqual({
      paths: ['nixos/modules/services/**/*.nix'],
      ignore: [],
      systemd: { version: 252 },
      profile: 'strict-v1',
      ratchet: true,
      severities: { loosened: 'warning', tightened: 'notice', changed: 'notice', unknown: 'notice', rules: {} },
      gates: { conclusion_on_regression: 'neutral', max_exposure: [] },
      waivers: [],
      vm_tests: { request_on_tighten: true, ofborg: true },
      output: {
        inline_comments: true,
        suggestions: true,
        labels: { enabled: true, regression: 'hardening: regression', tightened: 'hardening: tightened' },
        mention_maintainers: false,
        max_inline_comments: 30,
      },
    });
  });

  it('are a fresh object every time', () => {
    const a = defaultConfig();
    a.paths.push('mutated');
    a.severities.rules['x-y'] = 'off';
    expect(defaultConfig().paths).toEqual(['nixos/modules/services/**/*.nix']);
    expect(defaultConfig().severities.rules).toEqual({});
  });

  it('apply to an empty or comment-only file', () => {
    expect(configOf('')).toEqual(defaultConfig());
    expect(configOf('# nothing configured yet\n')).toEqual(defaultConfig());
  });
});

describe('parseConfig: valid configs', () => {
  it('fills in the defaults around a minimal config, nested objects included', () => {
    const c = configOf('systemd: { version: 254 }\nseverities: { loosened: error }\noutput: { labels: { enabled: false } }\n');
    expect(c.systemd.version).toBe(254);
    expect(c.severities).toEqual({ loosened: 'error', tightened: 'notice', changed: 'notice', unknown: 'notice', rules: {} });
    expect(c.output.labels).toEqual({ enabled: false, regression: 'hardening: regression', tightened: 'hardening: tightened' });
    expect(c.output.max_inline_comments).toBe(30);
    expect(c.paths).toEqual(defaultConfig().paths);
  });

  it('accepts every key', () => {
    const c = configOf(FULL);
    expect(c.paths).toHaveLength(2);
    expect(c.systemd.version).toBe(256);
    expect(c.severities.tightened).toBe('off');
    expect(c.severities.rules).toEqual({ 'no-empty-capability-list': 'off', 'require-writable-path-for-state': 'error' });
    expect(c.gates.max_exposure).toEqual([
      { path: 'nixos/modules/services/web-apps/**', max: 4.5 },
      { path: '**', max: 9 },
    ]);
    expect(c.waivers[0]).toEqual({
      service: 'pastebin',
      directive: 'ProtectHome',
      allow: 'read-only',
      reason: 'reads uploads from /home/shared',
      expires: '2025-12-31',
    });
    expect(c.waivers[1]!.allow).toEqual(['AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_NETLINK']);
    expect(c.waivers[1]!.expires).toBeUndefined();
    expect(c.output).toEqual({
      inline_comments: false,
      suggestions: false,
      labels: { enabled: false, regression: 'sandbox: weaker', tightened: 'sandbox: stronger' },
      mention_maintainers: true,
      max_inline_comments: 5,
    });
  });

  it('accepts any JSON value as a waiver’s allowed value', () => {
    for (const allow of ['false', '0', 'null', '"strict"', '[a, 1, true]', '{ a: [1] }']) {
      expect(configOf(`waivers: [{ service: s, directive: D, reason: r, allow: ${allow} }]`).waivers).toHaveLength(1);
    }
  });

  it('keeps a waiver through its expiry day (UTC) and rejects it the day after', () => {
    const text = 'waivers: [{ service: s, directive: PrivateTmp, allow: false, reason: r, expires: 2025-03-15 }]';
    expect(parseConfig(text, { now: new Date('2025-03-15T23:59:59Z') }).ok).toBe(true);
    expect(errorsOf(text, new Date('2025-03-16T00:00:00Z'))).toEqual([
      { path: 'waivers[0].expires', problem: expect.stringMatching(/^waiver expired on 2025-03-15\b/), line: 1 },
    ]);
  });

  it('accepts exposures with one decimal and rule ids in kebab-case', () => {
    for (const max of [0, 0.1, 0.3, 7.3, 9.9, 10]) {
      expect(configOf(`gates: { max_exposure: [{ path: "**", max: ${max} }] }`).gates.max_exposure[0]!.max).toBe(max);
    }
    expect(configOf('severities: { rules: { a: off, no-x-2: error } }').severities.rules).toEqual({ a: 'off', 'no-x-2': 'error' });
  });
});

describe('parseConfig: every error at once', () => {
  it('reports wrong types, unknown keys, bad values, bad globs and expired waivers together', () => {
    const errors = errorsOf(yaml`
      pathz: [a]
      paths: ["nixos/[abc", "", "x/}.nix", 3]
      ignore: "not-a-list"
      systemd: { version: 229.5, release: 1 }
      profile: Strict
      ratchet: yes
      severities: { loosened: warn, rules: { "Not Kebab": warning, no-foo: loud } }
      gates:
        conclusion_on_regression: fail
        max_exposure: [{ path: "a/{b,c", max: 7.35 }, { max: 11 }]
      waivers:
        - service: foo
          directive: protectHome
          reason: ""
        - { service: bar, directive: ProtectHome, allow: false, reason: ok, expires: 2020-01-01 }
        - { service: bar, directive: ProtectHome, allow: false, reason: ok, expires: 2020-02-30 }
      vm_tests: { request_on_tighten: "true", ofborg: null }
      output: { max_inline_comments: 0, labels: { enabled: true, extra: 1 }, inline_coments: true }
    `);
    expect(errors.map((e) => [e.path, e.line])).toEqual([
      ['pathz', 1],
      ['paths[0]', 2],
      ['paths[1]', 2],
      ['paths[2]', 2],
      ['paths[3]', 2],
      ['ignore', 3],
      ['systemd.release', 4],
      ['systemd.version', 4],
      ['profile', 5],
      ['ratchet', 6],
      ['severities.loosened', 7],
      ['severities.rules.no-foo', 7],
      ['severities.rules["Not Kebab"]', 7],
      ['gates.conclusion_on_regression', 9],
      ['gates.max_exposure[0].max', 10],
      ['gates.max_exposure[0].path', 10],
      ['gates.max_exposure[1].max', 10],
      ['gates.max_exposure[1].path', 10],
      ['waivers[0].allow', 12],
      ['waivers[0].directive', 13],
      ['waivers[0].reason', 14],
      ['waivers[1].expires', 15],
      ['waivers[2].expires', 16],
      ['vm_tests.ofborg', 17],
      ['vm_tests.request_on_tighten', 17],
      ['output.inline_coments', 18],
      ['output.labels.extra', 18],
      ['output.max_inline_comments', 18],
    ]);
    const problem = (path: string) => errors.find((e) => e.path === path)!.problem;
    expect(problem('pathz')).toContain('did you mean paths?');
    expect(problem('output.inline_coments')).toContain('did you mean inline_comments?');
    expect(problem('systemd.release')).toMatch(/^unknown key/);
    expect(problem('paths[0]')).toContain('missing closing "]"');
    expect(problem('paths[1]')).toContain('must not be empty');
    expect(problem('paths[2]')).toContain('"}"');
    expect(problem('gates.max_exposure[0].path')).toContain('missing closing "}"');
    expect(problem('paths[3]')).toBe('expected a string, got 3');
    expect(problem('ignore')).toContain('expected a list');
    expect(problem('systemd.version')).toContain('whole number');
    expect(problem('ratchet')).toContain('write true or false');
    expect(problem('severities.loosened')).toContain('"warn"');
    expect(problem('gates.max_exposure[0].max')).toContain('one decimal');
    expect(problem('gates.max_exposure[1].max')).toContain('at most 10');
    expect(problem('gates.max_exposure[1].path')).toBe('is required');
    expect(problem('waivers[0].allow')).toBe('is required');
    expect(problem('waivers[1].expires')).toMatch(/^waiver expired on 2020-01-01/);
    expect(problem('waivers[2].expires')).toContain('YYYY-MM-DD');
    expect(problem('output.max_inline_comments')).toContain('at least 1');
  });

  it('reports the range limits of numbers', () => {
    expect(errorsOf('systemd: { version: 301 }\noutput: { max_inline_comments: 101 }\ngates: { max_exposure: [{ path: a, max: -1 }] }').map((e) => e.path)).toEqual([
      'systemd.version',
      'output.max_inline_comments',
      'gates.max_exposure[0].max',
    ]);
  });

  it('reports unknown top-level keys with the keys that exist', () => {
    const [e] = errorsOf('frobnicate: true');
    expect(e).toEqual({ path: 'frobnicate', problem: expect.stringContaining('expected one of _extends, paths, ignore'), line: 1 });
  });

  it('reports YAML syntax errors with their lines', () => {
    const errors = errorsOf('paths: [a, b\nratchet: true\n');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const e of errors) {
      expect(e.path).toBe('(root)');
      expect(e.problem).toMatch(/^YAML syntax error at line \d+, column \d+: /);
      expect(e.line).toBeGreaterThan(0);
    }
    expect(errorsOf('ratchet: true\nratchet: false\n')).toEqual([
      { path: '(root)', problem: expect.stringContaining('unique'), line: 2 },
    ]);
  });

  it('requires a mapping at the top', () => {
    expect(errorsOf('- a\n- b\n')).toEqual([{ path: '(root)', problem: expect.stringContaining('mapping'), line: 1 }]);
    expect(errorsOf('just a string')[0]!.path).toBe('(root)');
  });

  it('labels every error with the source it was given', () => {
    const r = parseConfig('ratchet: 1\nprofile: x', { now: NOW, source: 'octo/policy:base.yml' });
    expect(r.ok ? [] : r.errors.map((e) => e.source)).toEqual(['octo/policy:base.yml', 'octo/policy:base.yml']);
  });

  it('rejects blank names and reasons and malformed directive names', () => {
    expect(errorsOf('waivers: [{ service: " ", directive: "Protect Home", allow: 1, reason: "  " }]').map((e) => e.path)).toEqual([
      'waivers[0].directive',
      'waivers[0].reason',
      'waivers[0].service',
    ]);
  });
});

describe('formatErrorsTable', () => {
  it('renders path | problem rows with the line and the file when known', () => {
    expect(
      formatErrorsTable([
        { path: '(root)', problem: 'YAML syntax error at line 3, column 1: bad' },
        { path: 'waivers[0].expires', problem: 'waiver expired on 2020-01-01', line: 12 },
        { path: 'paths[1]', problem: 'glob must not be empty', line: 2, source: 'base.yml' },
      ]),
    ).toBe(
      [
        '| path | problem |',
        '| --- | --- |',
        '| `(root)` | YAML syntax error at line 3, column 1: bad |',
        '| `waivers[0].expires` (line 12) | waiver expired on 2020-01-01 |',
        '| `paths[1]` (base.yml, line 2) | glob must not be empty |',
        '',
      ].join('\n'),
    );
  });

  it('escapes pipes, line breaks, backticks, HTML and links in values', () => {
    const table = formatErrorsTable([
      { path: 'severities.rules["a|`b`"]', problem: 'got "x | y"\nand `code` <img src=x> [link](http://evil)' },
    ]);
    const row = table.split('\n')[2]!;
    expect(row).toBe('| `` severities.rules["a\\|`b`"] `` | got "x \\| y"<br>and \\`code\\` \\<img src=x> \\[link](http://evil) |');
    // Exactly the two delimiting cell separators plus the outer ones are unescaped.
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(3);
  });

  it('formats paths of arrays, identifiers and odd keys', () => {
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['gates', 'max_exposure', 0, 'max'])).toBe('gates.max_exposure[0].max');
    expect(formatPath(['severities', 'rules', 'no-foo'])).toBe('severities.rules.no-foo');
    expect(formatPath(['severities', 'rules', 'a b'])).toBe('severities.rules["a b"]');
  });
});
