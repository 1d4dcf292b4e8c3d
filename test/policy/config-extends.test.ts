/** `_extends`: configs layered on other configs, fetched through a callback. */
import { defaultConfig } from '../../src/policy/config.js';
import { deepMerge, loadConfig, MAX_EXTENDS_DEPTH, type ResolveExtends } from '../../src/policy/load.js';

const NOW = new Date('2025-03-15T12:00:00Z');

/** A resolver over a table of configs; records what it was asked, throws for names it must not read. */
function files(table: Record<string, string>) {
  const asked: [string, string | undefined][] = [];
  const resolve: ResolveExtends = (ref, from) => {
    asked.push([ref, from]);
    if (ref === 'boom') throw new Error('HTTP 500');
    return table[ref];
  };
  return { asked, resolve };
}

describe('loadConfig without _extends', () => {
  it('is parseConfig plus defaults', async () => {
    const r = await loadConfig('ratchet: false', { now: NOW });
    expect(r).toEqual({ ok: true, config: { ...defaultConfig(), ratchet: false } });
  });

  it('reports _extends when there is no way to fetch it', async () => {
    const r = await loadConfig('_extends: octo/policy', { now: NOW });
    expect(r).toEqual({ ok: false, errors: [{ path: '_extends', problem: expect.stringContaining('octo/policy'), line: 1 }] });
  });
});

describe('loadConfig with _extends', () => {
  it('merges objects deeply, replaces lists, and lets the child win', async () => {
    const { resolve, asked } = files({
      'octo/policy': [
        '_extends: octo/base:strict.yml',
        'paths: ["pkgs/**/*.nix"]',
        'severities: { loosened: error, rules: { no-a: off, no-b: warning } }',
        'output: { labels: { regression: "sandbox: weaker" } }',
      ].join('\n'),
      'octo/base:strict.yml': 'systemd: { version: 250 }\nignore: [a/**, b/**]\nprofile: strict-v2\n',
    });
    const r = await loadConfig(
      '_extends: octo/policy\nignore: [c/**]\nseverities: { rules: { no-b: error } }\noutput: { labels: { enabled: false } }\n',
      { now: NOW, resolveExtends: resolve, source: 'octo/app:.github/nixos-harden.yml' },
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(asked).toEqual([
      ['octo/policy', 'octo/app:.github/nixos-harden.yml'],
      ['octo/base:strict.yml', 'octo/policy'],
    ]);
    expect(r.config).toEqual({
      ...defaultConfig(),
      paths: ['pkgs/**/*.nix'],
      ignore: ['c/**'],
      systemd: { version: 250 },
      profile: 'strict-v2',
      severities: { ...defaultConfig().severities, loosened: 'error', rules: { 'no-a': 'off', 'no-b': 'error' } },
      output: { ...defaultConfig().output, labels: { enabled: false, regression: 'sandbox: weaker', tightened: 'hardening: tightened' } },
    });
    expect('_extends' in r.config).toBe(false);
  });

  it('accepts a resolver that names what it returned, and passes that name on', async () => {
    const resolve: ResolveExtends = async (ref, from) => {
      if (ref === '../shared/base.yml' && from === 'repo/.github/nixos-harden.yml') return { text: '_extends: common.yml\nratchet: false', source: 'repo/shared/base.yml' };
      if (ref === 'common.yml' && from === 'repo/shared/base.yml') return { text: 'profile: common-v3', source: 'repo/shared/common.yml' };
      return undefined;
    };
    const r = await loadConfig('_extends: ../shared/base.yml', { now: NOW, resolveExtends: resolve, source: 'repo/.github/nixos-harden.yml' });
    expect(r.ok && [r.config.ratchet, r.config.profile]).toEqual([false, 'common-v3']);
  });

  it('detects cycles, including a config extending itself', async () => {
    const { resolve } = files({ a: '_extends: b\nratchet: false', b: '_extends: a\n' });
    const r = await loadConfig('_extends: a', { now: NOW, resolveExtends: resolve, source: 'root' });
    expect(r).toEqual({ ok: false, errors: [{ path: '_extends', problem: '_extends cycle: root → a → b → a', line: 1, source: 'b' }] });
    const self = await loadConfig('_extends: root', { now: NOW, resolveExtends: () => ({ text: '_extends: root', source: 'root' }), source: 'root' });
    expect(self.ok ? [] : self.errors.map((e) => e.problem)).toEqual(['_extends cycle: root → root']);
  });

  it(`allows ${MAX_EXTENDS_DEPTH} levels and rejects deeper chains`, async () => {
    const chain = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i + 1}`, i + 1 < n ? `_extends: l${i + 2}` : 'ratchet: false']));
    const ok = await loadConfig('_extends: l1', { now: NOW, resolveExtends: files(chain(MAX_EXTENDS_DEPTH)).resolve });
    expect(ok.ok && ok.config.ratchet).toBe(false);
    const deep = await loadConfig('_extends: l1', { now: NOW, resolveExtends: files(chain(MAX_EXTENDS_DEPTH + 1)).resolve });
    expect(deep.ok ? [] : deep.errors).toEqual([
      { path: '_extends', problem: expect.stringMatching(/^too many levels of _extends/), line: 1, source: `l${MAX_EXTENDS_DEPTH}` },
    ]);
  });

  it('reports configs that cannot be found or read', async () => {
    const { resolve } = files({});
    const missing = await loadConfig('ratchet: 3\n_extends: nowhere', { now: NOW, resolveExtends: resolve });
    expect(missing.ok ? [] : missing.errors).toEqual([
      { path: 'ratchet', problem: 'expected true or false, got 3', line: 1 },
      { path: '_extends', problem: 'cannot find the config "nowhere"', line: 2 },
    ]);
    const broken = await loadConfig('_extends: boom', { now: NOW, resolveExtends: resolve });
    expect(broken.ok ? [] : broken.errors.map((e) => e.problem)).toEqual(['cannot read "boom": HTTP 500']);
  });

  it('reports the errors of every file in the chain at once, each with its file and line', async () => {
    const { resolve } = files({
      parent: '_extends: grandparent\npaths: ["a/[x"]\nunknown_key: 1\n',
      grandparent: 'systemd:\n  version: "252"\nbad: [\n',
    });
    const r = await loadConfig('_extends: parent\nratchet: maybe\n', { now: NOW, resolveExtends: resolve });
    expect(r.ok ? [] : r.errors.map(({ path, line, source }) => ({ path, line, source }))).toEqual([
      { path: 'ratchet', line: 2, source: undefined },
      { path: '(root)', line: expect.any(Number), source: 'grandparent' },
      { path: 'paths[0]', line: 2, source: 'parent' },
      { path: 'unknown_key', line: 3, source: 'parent' },
    ]);
  });

  it('checks expiry only for the waivers that apply: lists replace, so the nearest layer setting them', async () => {
    const expired = 'waivers: [{ service: s, directive: PrivateTmp, allow: false, reason: r, expires: 2020-01-01 }]';
    const { resolve } = files({ parent: expired });
    const overridden = await loadConfig('_extends: parent\nwaivers: []', { now: NOW, resolveExtends: resolve });
    expect(overridden.ok).toBe(true);
    const inherited = await loadConfig('_extends: parent', { now: NOW, resolveExtends: resolve });
    expect(inherited.ok ? [] : inherited.errors).toEqual([
      { path: 'waivers[0].expires', problem: expect.stringMatching(/^waiver expired on 2020-01-01/), line: 1, source: 'parent' },
    ]);
  });
});

describe('deepMerge', () => {
  it('merges plain objects only and never touches prototypes', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: null })).toEqual({ a: { b: 1, c: [3] }, d: 1, e: null });
    const merged = deepMerge({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });
});
