import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFile, type Expr } from '../../src/nix/ast.js';
import type { Json } from '../../src/nix/render.js';
import { compare } from '../../src/hardening/compare.js';
import {
  BY_FAMILY,
  CATALOGUE,
  FAMILIES,
  SCORED_FIELDS,
  didYouMean,
  directive,
  fieldsReading,
  type Directive,
} from '../../src/hardening/catalogue/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The single `Name = value;` binding of an example line, or a description of what is wrong. */
function exampleBinding(line: string): { name: string; value: Expr } | string {
  const { root, diagnostics } = parseFile(`{ ${line} }`);
  if (diagnostics.length > 0) return `diagnostics: ${diagnostics.map((d) => d.id).join(', ')}`;
  if (root.k !== 'attrs' || root.bindings.length !== 1) return 'not exactly one binding';
  const b = root.bindings[0];
  if (b.k !== 'bind' || b.path.length !== 1 || b.path[0].k !== 'static') return 'not a plain `Name = value;`';
  return { name: b.path[0].name, value: b.value };
}

/** Literal Nix values only: strings without interpolation, integers, booleans, null, lists. */
function literal(e: Expr): Json {
  switch (e.k) {
    case 'str':
      if (e.parts.every((p) => typeof p === 'string')) return e.parts.join('');
      break;
    case 'int':
      return e.v;
    case 'var':
      if (e.name === 'true') return true;
      if (e.name === 'false') return false;
      if (e.name === 'null') return null;
      break;
    case 'list':
      return e.items.map(literal);
  }
  throw new Error(`example value is not a literal: ${e.k}`);
}

const exampleValue = (line: string): Json => {
  const b = exampleBinding(line);
  if (typeof b === 'string') throw new Error(b);
  return literal(b.value);
};

describe('directive catalogue', () => {
  it('has between 75 and 95 entries with unique, identifier-shaped names', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(75);
    expect(CATALOGUE.length).toBeLessThanOrEqual(95);
    const names = CATALOGUE.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[A-Z][A-Za-z0-9]*$/);
  });

  it('is the concatenation of its families, each entry filed under its own family', () => {
    expect(CATALOGUE).toEqual(FAMILIES.flatMap((f) => BY_FAMILY[f]));
    for (const f of FAMILIES) {
      expect(BY_FAMILY[f].length).toBeGreaterThan(0);
      for (const d of BY_FAMILY[f]) expect(d.family).toBe(f);
    }
  });

  it('looks entries up by exact name only', () => {
    expect(directive('ProtectSystem')?.family).toBe('filesystem');
    expect(directive('protectsystem')).toBeUndefined();
    expect(directive('Restart')).toBeUndefined();
  });

  it('covers every input of the systemd-analyze checks and the directives real modules use', () => {
    const required = [
      // inputs of the 81 checks
      'User', 'DynamicUser', 'SupplementaryGroups', 'PrivateDevices', 'PrivateMounts', 'PrivateNetwork',
      'PrivateTmp', 'PrivateUsers', 'ProtectControlGroups', 'ProtectKernelModules', 'ProtectKernelTunables',
      'ProtectKernelLogs', 'ProtectClock', 'ProtectHome', 'ProtectHostname', 'ProtectSystem', 'RootDirectory',
      'RootImage', 'LockPersonality', 'MemoryDenyWriteExecute', 'NoNewPrivileges', 'CapabilityBoundingSet',
      'AmbientCapabilities', 'RestrictSUIDSGID', 'RemoveIPC', 'RestrictRealtime', 'Delegate', 'UMask',
      'KeyringMode', 'ProtectProc', 'ProcSubset', 'NotifyAccess', 'RestrictNamespaces',
      'RestrictAddressFamilies', 'SystemCallArchitectures', 'SystemCallFilter', 'IPAddressDeny',
      'IPAddressAllow', 'IPIngressFilterPath', 'IPEgressFilterPath', 'DeviceAllow', 'DevicePolicy',
      'DefaultDependencies',
      // other sandbox directives
      'ReadWritePaths', 'ReadOnlyPaths', 'InaccessiblePaths', 'ExecPaths', 'NoExecPaths', 'TemporaryFileSystem',
      'BindPaths', 'BindReadOnlyPaths', 'RootDirectoryStartOnly', 'MountAPIVFS', 'PrivateIPC', 'PrivatePIDs',
      'SocketBindAllow', 'SocketBindDeny', 'RestrictFileSystems', 'RestrictNetworkInterfaces', 'LoadCredential',
      'LoadCredentialEncrypted', 'SetCredential', 'SystemCallErrorNumber', 'SystemCallLog', 'StateDirectory',
      'CacheDirectory', 'LogsDirectory', 'RuntimeDirectory', 'ConfigurationDirectory', 'StateDirectoryMode',
      'CacheDirectoryMode', 'LogsDirectoryMode', 'RuntimeDirectoryMode', 'ConfigurationDirectoryMode', 'Group',
      'PAMName', 'NetworkNamespacePath', 'JoinsNamespaceOf', 'SecureBits', 'MountFlags',
    ];
    expect(required.filter((n) => !directive(n))).toEqual([]);
  });

  describe.each(CATALOGUE.map((d) => [d.name, d] as const))('%s', (_name, d: Directive) => {
    it('documents itself', () => {
      expect(d.summary.trim().length).toBeGreaterThan(0);
      expect(d.summary).not.toMatch(/\n/);
      expect(d.rationale.trim().length).toBeGreaterThan(0);
      if (d.breakage !== undefined) expect(d.breakage.trim().length).toBeGreaterThan(0);
      expect(d.man).toMatch(new RegExp(`^systemd\\.(exec|resource-control|service|unit)\\.html#${d.name}=`));
    });

    it('has a plausible systemd version', () => {
      expect(Number.isInteger(d.since)).toBe(true);
      expect(d.since).toBeGreaterThanOrEqual(1);
      expect(d.since).toBeLessThanOrEqual(260);
    });

    it('has a value shape consistent with its kind and strictness', () => {
      const s = d.strictness;
      if (d.kind === 'enum') {
        expect(d.values?.length).toBeGreaterThan(0);
        expect(d.values).toContain(d.default);
        if (d.boolValues) {
          expect(d.values).toContain(d.boolValues.yes);
          expect(d.values).toContain(d.boolValues.no);
        }
      } else if (d.kind !== 'list') {
        // Lists may use boolValues as a marker that booleans are accepted (RestrictNamespaces).
        expect(d.boolValues).toBeUndefined();
        expect(d.values).toBeUndefined();
      }
      if (s.kind === 'order') {
        expect(d.kind).toBe('enum');
        expect(new Set(s.order)).toEqual(new Set(d.values));
      }
      if (s.kind === 'true-stricter' || s.kind === 'false-stricter') expect(d.kind).toBe('bool');
      if (d.kind === 'bool') expect(['yes', 'no']).toContain(d.default);
      if (s.kind === 'umask') expect(d.kind).toBe('umask');
      if (d.kind === 'umask') expect(d.default).toMatch(/^0[0-7]{3}$/);
      if (s.kind === 'allow-set' || s.kind === 'deny-set') expect(['list', 'paths', 'entries']).toContain(d.kind);
      if (s.kind === 'user') expect(d.kind).toBe('string');
    });

    it('lists exactly the systemd-analyze checks that read it', () => {
      expect(d.scored).toEqual(fieldsReading(d.name));
    });

    it('has weak and strong examples that parse as one `Name = value;` line', () => {
      for (const line of [d.examples.weak, d.examples.strong]) {
        expect(line).not.toMatch(/\n/);
        const b = exampleBinding(line);
        expect(typeof b === 'string' ? b : b.name).toBe(d.name);
      }
      expect(d.examples.weak).not.toBe(d.examples.strong);
    });

    it('has a weak example that is looser than the strong one', () => {
      const verdict = compare(d.name, { value: exampleValue(d.examples.weak) }, { value: exampleValue(d.examples.strong) });
      expect(verdict).toBe(d.strictness.kind === 'none' ? 'incomparable' : 'tightened');
    });
  });
});

describe('scored fields', () => {
  it('lists the 81 checks once each, including the json_field with the stray parenthesis', () => {
    const fields = SCORED_FIELDS.map((f) => f.field);
    expect(fields).toHaveLength(81);
    expect(new Set(fields).size).toBe(81);
    expect(fields).toContain('CapabilityBoundingSet_CAP_NET_BIND_SERVICE_BROADCAST_RAW)');
    expect(fields.filter((f) => f.startsWith('CapabilityBoundingSet_'))).toHaveLength(26);
    expect(directive('CapabilityBoundingSet')?.scored).toHaveLength(26);
    expect(directive('SystemCallFilter')?.scored).toHaveLength(11);
    expect(directive('RestrictNamespaces')?.scored).toHaveLength(7);
    expect(directive('RestrictAddressFamilies')?.scored).toHaveLength(5);
    expect(directive('DefaultDependencies')?.scored).toEqual([
      'PrivateTmp',
      'ProtectHome',
      'ProtectSystem',
      'RootDirectoryOrRootImage',
    ]);
  });

  it('has every check fed by at least one catalogue entry', () => {
    const fed = new Set(CATALOGUE.flatMap((d) => d.scored));
    expect(SCORED_FIELDS.map((f) => f.field).filter((f) => !fed.has(f))).toEqual([]);
    for (const f of SCORED_FIELDS) for (const r of f.reads) expect(directive(r)).toBeDefined();
  });

  // Guards against drift from the research data, wherever a copy of it is available.
  const copies = [
    resolve(here, '../../src/hardening/data/sas-checks.json'),
    resolve(here, '../../../shared/research/sas-checks.json'),
  ].filter((p) => existsSync(p));
  const guard = copies.length > 0 ? it : it.skip;
  guard('matches the json_fields, inputs and DefaultDependencies flags of sas-checks.json', () => {
    for (const path of copies) {
      const data = JSON.parse(readFileSync(path, 'utf8')) as {
        checks: { json_field: string; reads: string; default_dependencies_only: boolean }[];
      };
      const theirs = data.checks.map((c) => ({
        field: c.json_field,
        reads: [...new Set([...c.reads.matchAll(/([A-Z][A-Za-z]+)=/g)].map((m) => m[1]))].sort(),
        defaultDependenciesOnly: c.default_dependencies_only,
      }));
      const ours = SCORED_FIELDS.map((f) => ({ ...f, reads: [...f.reads].sort() }));
      expect(ours).toEqual(theirs);
    }
  });
});

describe('didYouMean', () => {
  it.each([
    ['ProtectSytem', 'ProtectSystem'],
    ['privatetmp', 'PrivateTmp'],
    ['NoNewPrivilege', 'NoNewPrivileges'],
    ['PrivateTMP', 'PrivateTmp'],
    ['ProtectKernelTunable', 'ProtectKernelTunables'],
    ['RestirctNamespaces', 'RestrictNamespaces'],
    ['CapabilityBoundingSets', 'CapabilityBoundingSet'],
    ['systemcallfilter', 'SystemCallFilter'],
    ['ProtectHome', 'ProtectHome'],
  ])('suggests %s -> %s', (typo, expected) => {
    expect(didYouMean(typo)).toBe(expected);
  });

  it('stays quiet when nothing is close', () => {
    expect(didYouMean('ExecStart')).toBeUndefined();
    expect(didYouMean('WantedBy')).toBeUndefined();
    expect(didYouMean('TotallyUnrelatedSetting')).toBeUndefined();
    expect(didYouMean('')).toBeUndefined();
  });
});
