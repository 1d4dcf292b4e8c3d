/**
 * Hostile and broken input: every case must finish in bounded time with a finding, never a
 * crash or a hang. Timing is not asserted here (shared machines are noisy); the budgets are.
 */
import { scoreService } from '../../src/hardening/service-score.js';
import { extractText } from '../../src/nixos/extract.js';

const ids = (text: string) => {
  const r = extractText('hostile.nix', text);
  return { ids: r.diagnostics.map((d) => d.id), services: r.services };
};

describe('extract on hostile input', () => {
  it('refuses a 10 MB file with a finding instead of analysing it', () => {
    const body = '  x = "' + 'a'.repeat(100) + '";\n';
    const text = '{ config, ... }: {\n' + body.repeat(Math.ceil((10 * 1024 * 1024) / body.length)) + '}\n';
    expect(text.length).toBeGreaterThan(10 * 1024 * 1024);
    expect(ids(text).ids).toEqual(['parse-too-large']);
  });

  it('analyses a large file below the size cap', () => {
    const svc = (i: number) => `    systemd.services.s${i}.serviceConfig = { ProtectSystem = "strict"; PrivateTmp = true; };\n`;
    const text = '{ lib, ... }: {\n  config = {\n' + Array.from({ length: 3000 }, (_, i) => svc(i)).join('') + '  };\n}\n';
    const r = ids(text);
    expect(r.services).toHaveLength(3000);
    expect(r.services[2999]!.options.ProtectSystem).toEqual({ value: 'strict', line: 3002 });
  });

  it('survives 10 000 levels of nesting', () => {
    for (const [open, close] of [['[', ']'], ['(', ')'], ['{ a = ', '; }'], ['let a = ', '; in a']]) {
      const text = `{ config.systemd.services.deep.serviceConfig.X = ${open.repeat(10_000)}1${close.repeat(10_000)}; }`;
      const r = ids(text);
      expect(r.ids).toEqual(expect.arrayContaining([expect.stringMatching(/^(parse-too-deep|eval-budget)$/)]));
      expect(r.ids).not.toContain('internal-error');
    }
  });

  it('turns `let x = x; in x` into a finding', () => {
    const r = extractText('r.nix', '{ config.systemd.services.loop.serviceConfig.User = let x = x; in x; }');
    expect(r.diagnostics.map((d) => d.id)).toContain('eval-infinite-recursion');
    expect(r.services[0]!.options.User).toEqual({ unknown: 'infinite recursion', line: 1 });
  });

  it('turns `rec { a = b; b = a; }` into a finding', () => {
    const r = extractText('r.nix', '{ config.systemd.services.loop.serviceConfig = rec { a = b; b = a; PrivateTmp = true; }; }');
    expect(r.diagnostics.map((d) => d.id)).toContain('eval-infinite-recursion');
    expect(r.services[0]!.options.PrivateTmp).toEqual({ value: true, line: 1 });
    expect('unknown' in r.services[0]!.options.a!).toBe(true);
  });

  it('builds a string from 100 000 concatenations', () => {
    const text = `{ config.systemd.services.big.serviceConfig.Description = ${Array.from({ length: 100_000 }, () => '"a"').join(' + ')}; }`;
    const r = extractText('c.nix', text);
    expect(r.services[0]!.options.Description).toEqual({ value: 'a'.repeat(100_000), line: 1 });
  });

  it('stops runaway evaluation at the step budget with a finding', () => {
    const text = `{ config.systemd.services.slow.serviceConfig = {
      PrivateTmp = true;
      X = let f = n: if n == 0 then 0 else f (n - 1) + f (n - 1); in f 30;
    }; }`;
    const r = extractText('s.nix', text);
    expect(r.diagnostics.map((d) => d.id)).toContain('eval-budget');
    expect(r.services[0]!.options.PrivateTmp).toEqual({ value: true, line: 2 });
  });

  it('reports merge-conflict markers and still extracts what parsed', () => {
    const text = `{ lib, ... }:
{
  config.systemd.services.half = {
    serviceConfig.ProtectSystem = "strict";
<<<<<<< HEAD
    serviceConfig.PrivateTmp = true;
=======
    serviceConfig.PrivateTmp = false;
>>>>>>> feature
    serviceConfig.NoNewPrivileges = true;
  };
}
`;
    const r = extractText('m.nix', text);
    expect(r.diagnostics.map((d) => d.id)).toContain('parse-error');
    expect(r.services.map((s) => s.name)).toEqual(['half']);
    expect(r.services[0]!.options.ProtectSystem).toEqual({ value: 'strict', line: 4 });
  });

  it('does not crash on binary garbage or an empty file', () => {
    for (const text of ['', '\u0000\u0001\u0002', '}}}{{{', '"unterminated', "''", 'let in', '{ a = ; }']) {
      const r = extractText('g.nix', text);
      expect(r.diagnostics.map((d) => d.id)).not.toContain('internal-error');
    }
  });

  it('keeps directives named after Object.prototype members as plain names', () => {
    const text = `{ config, ... }: {
  systemd.services.proto.serviceConfig = {
    __proto__ = "x";
    constructor = config.services.proto.user;
    toString = true;
    DynamicUser = true;
  };
}
`;
    const r = extractText('proto.nix', text);
    const options = r.services[0]!.options;
    expect(Object.keys(options).sort()).toEqual(['DynamicUser', '__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(options, '__proto__')?.value).toEqual({ value: 'x', line: 3 });
    // systemd ignores the unknown names: `systemd-analyze security --offline` gives this unit 8.4.
    const score = scoreService(r.services[0]!);
    expect([score.exposure, score.loadError]).toEqual([8.4, null]);
  });


  it('lists directives in localeCompare order, whatever their case, digits and punctuation', () => {
    const names = ['ab10', 'AB', 'a_b', 'ab2', 'Ab', 'ab', 'a-b', 'B', 'b', 'Zeta', 'alpha', 'ALPHA', 'é', 'e', 'z'];
    const body = (order: string[]) => order.map((n, i) => `    "${n}" = ${i};`).join('\n');
    for (const order of [names, [...names].reverse()]) {
      const text = `{ ... }: {\n  systemd.services.order.serviceConfig = {\n${body(order)}\n  };\n}\n`;
      const got = Object.keys(extractText('order.nix', text).services[0]!.options);
      expect(got).toEqual([...order].sort((a, b) => a.localeCompare(b)));
    }
  });
  it('keeps a `__proto__` directive in the values under a condition too', () => {
    const text = `{ config, lib, ... }:
let cfg = config.services.proto; in {
  systemd.services.proto.serviceConfig = lib.mkMerge [
    { ExecStart = "/bin/true"; }
    (lib.mkIf cfg.strict { __proto__ = "x"; PrivateTmp = true; })
  ];
}
`;
    const branch = extractText('proto.nix', text).services[0]!.branches.find((b) => b.when === 'cfg.strict');
    expect(Object.keys(branch?.options ?? {}).sort()).toEqual(['PrivateTmp', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(branch!.options, '__proto__')?.value).toEqual({ value: 'x', line: 5 });
  });
});
