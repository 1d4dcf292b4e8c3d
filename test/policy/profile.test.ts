import { formatErrorsTable } from '../../src/policy/config-errors.js';
import { bundledProfiles, parseProfile, targetSandbox } from '../../src/policy/profile.js';
import { compare } from '../../src/hardening/compare.js';

describe('profiles', () => {
  it('bundles valid, versioned profiles', () => {
    const profiles = bundledProfiles();
    expect([...profiles.keys()].sort()).toEqual(['baseline-v1', 'strict-v1']);
    const strict = profiles.get('strict-v1')!;
    expect(Object.keys(strict.relaxations)).toEqual(expect.arrayContaining(['network', 'netlink', 'privileged-ports', 'jit', 'devices', 'setup-job']));
    expect(Object.keys(strict.classes)).toEqual(['network-daemon', 'oneshot-setup-job', 'hardware-service', 'privileged-service']);
  });

  it('never makes the base stricter through a relaxation', () => {
    const strict = bundledProfiles().get('strict-v1')!;
    for (const id of Object.keys(strict.relaxations)) {
      const relaxed = targetSandbox(strict, [id]);
      for (const [d, v] of Object.entries(strict.base)) {
        const after = d in relaxed ? { value: relaxed[d]! } : { absent: true as const };
        expect([id, d, compare(d, { value: v }, after)]).not.toEqual([id, d, 'tightened']);
      }
    }
  });

  it('reports every problem of an invalid profile at once, as a path | problem table', () => {
    const r = parseProfile(`id: Strict
title: ""
description: short
base:
  protectSystem: strict
relaxations:
  network:
    why: because
    needs: [internet]
classes:
  x:
    description: a class
    relaxations: [nope]
`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'title', 'description', 'base.protectSystem', 'relaxations.network.why', 'relaxations.network.needs.0']));
    const table = formatErrorsTable(r.errors);
    expect(table.split('\n')[0]).toBe('| path | problem |');
    expect(table.split('\n').length).toBeGreaterThanOrEqual(r.errors.length + 2);
  });

  it('reports YAML syntax errors with their line', () => {
    const r = parseProfile('id: strict-v2\nbase: [\n', 'policies/broken.yml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.path).toMatch(/^policies\/broken\.yml:\d+$/);
  });
});
