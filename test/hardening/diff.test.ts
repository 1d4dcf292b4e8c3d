/**
 * The semantic diff on before/after pairs of a module: loosenings and tightenings land on the
 * right service, directive and line; rewrites that keep every value give no change.
 */
import { diffFiles } from '../../src/hardening/diff.js';
import { extractText } from '../../src/nixos/extract.js';

const base = `{ config, lib, pkgs, ... }:
let
  cfg = config.services.relay;
in
{
  options.services.relay = {
    enable = lib.mkEnableOption "relay";
    openFirewall = lib.mkOption { type = lib.types.bool; default = false; };
  };
  config = lib.mkIf cfg.enable {
    systemd.services.relay = {
      wantedBy = [ "multi-user.target" ];
      serviceConfig = {
        ExecStart = "\${pkgs.relay}/bin/relay";
        DynamicUser = true;
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" ];
        SystemCallFilter = [ "@system-service" "~@privileged" ];
        RestrictAddressFamilies = [ "AF_INET" "AF_INET6" ];
        UMask = "0077";
        PrivateNetwork = lib.mkIf (!cfg.openFirewall) true;
      };
    };
    systemd.services.relay-cleanup = {
      startAt = "daily";
      serviceConfig = { Type = "oneshot"; ExecStart = "\${pkgs.relay}/bin/cleanup"; PrivateTmp = true; };
    };
  };
}
`;

function diff(before: string, after: string) {
  return diffFiles(extractText('relay.nix', before), extractText('relay.nix', after));
}
const changed = (before: string, after: string) => diff(before, after).filter((d) => d.status !== 'unchanged');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('diff', () => {
  it('reports a loosening on the right service, directive and line', () => {
    const after = base.replace('ProtectSystem = "strict";', 'ProtectSystem = "full";');
    const [d, ...rest] = changed(base, after);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ name: 'relay', status: 'changed' });
    expect(d!.changes).toEqual([
      { directive: 'ProtectSystem', before: 'strict', after: 'full', verdict: 'loosened', line: lineOf(after, 'ProtectSystem'), when: null },
    ]);
  });

  it('reports removal of a directive as a loosening to the systemd default', () => {
    const after = base.replace('        PrivateTmp = true;\n        CapabilityBoundingSet', '        CapabilityBoundingSet');
    const [d] = changed(base, after);
    expect(d!.changes).toEqual([{ directive: 'PrivateTmp', before: true, after: null, verdict: 'loosened', line: lineOf(base, 'PrivateTmp'), when: null }]);
  });

  it('compares sets as sets: capabilities, address families, syscall filters', () => {
    const after = base
      .replace('CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" ];', 'CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" "CAP_NET_RAW" ];')
      .replace('RestrictAddressFamilies = [ "AF_INET" "AF_INET6" ];', 'RestrictAddressFamilies = "AF_INET";')
      .replace('UMask = "0077";', 'UMask = "0027";');
    const verdicts = Object.fromEntries(changed(base, after)[0]!.changes.map((c) => [c.directive, c.verdict]));
    expect(verdicts).toEqual({ CapabilityBoundingSet: 'loosened', RestrictAddressFamilies: 'tightened', UMask: 'loosened' });
  });

  it('reports a loosening inside a branch with its guard', () => {
    const after = base.replace('PrivateNetwork = lib.mkIf (!cfg.openFirewall) true;', 'PrivateNetwork = lib.mkIf (!cfg.openFirewall) false;');
    const [d] = changed(base, after);
    expect(d!.changes.map((c) => [c.directive, c.verdict, c.when])).toEqual([['PrivateNetwork', 'loosened', null]]);
    const guarded = base.replace('PrivateNetwork = lib.mkIf (!cfg.openFirewall) true;', 'PrivateNetwork = lib.mkIf (!cfg.openFirewall) true;\n        NoNewPrivileges = !cfg.openFirewall || true;\n        RestrictRealtime = lib.mkIf cfg.openFirewall true;');
    const after2 = guarded.replace('RestrictRealtime = lib.mkIf cfg.openFirewall true;', 'RestrictRealtime = lib.mkIf cfg.openFirewall false;');
    const [d2] = changed(guarded, after2);
    expect(d2!.changes.map((c) => [c.directive, c.verdict, c.when])).toEqual([['RestrictRealtime', 'loosened', 'cfg.openFirewall']]);
  });

  it('reports added and removed services', () => {
    const after = base.replace('systemd.services.relay-cleanup', 'systemd.services.relay-prune');
    const st = Object.fromEntries(changed(base, after).map((d) => [d.name, d.status]));
    expect(st).toEqual({ 'relay-cleanup': 'removed', 'relay-prune': 'added' });
  });

  describe('gives no change for rewrites that keep every value', () => {
    const rewrites: [string, string][] = [
      ['reordered directives and list members', base
        .replace('        ProtectSystem = "strict";\n        ProtectHome = true;', '        ProtectHome = true;\n        ProtectSystem = "strict";')
        .replace('[ "AF_INET" "AF_INET6" ]', '[ "AF_INET6" "AF_INET" ]')],
      ['values moved into a let', base
        .replace('  cfg = config.services.relay;', '  cfg = config.services.relay;\n  families = [ "AF_INET" "AF_INET6" ];\n  strict = "strict";')
        .replace('RestrictAddressFamilies = [ "AF_INET" "AF_INET6" ];', 'RestrictAddressFamilies = families;')
        .replace('ProtectSystem = "strict";', 'ProtectSystem = strict;')],
      ['nested keys made dotted', base
        .replace('        ProtectSystem = "strict";\n', '')
        .replace('    systemd.services.relay-cleanup', '    systemd.services.relay.serviceConfig.ProtectSystem = "strict";\n    systemd.services.relay-cleanup')],
      ['split with //', base
        .replace('      serviceConfig = {\n        ExecStart = "${pkgs.relay}/bin/relay";', '      serviceConfig = { ExecStart = "${pkgs.relay}/bin/relay"; } // {')],
      ['split with mkMerge', base
        .replace('        UMask = "0077";\n', '')
        .replace('      serviceConfig = {\n        ExecStart', '      serviceConfig = lib.mkMerge [ { UMask = "0077"; } {\n        ExecStart')
        .replace('        PrivateNetwork = lib.mkIf (!cfg.openFirewall) true;\n      };', '        PrivateNetwork = lib.mkIf (!cfg.openFirewall) true;\n      } ];')],
      ['reformatted and spelled differently', base
        .replace('ProtectHome = true;', 'ProtectHome = "yes";')
        .replace('SystemCallFilter = [ "@system-service" "~@privileged" ];', 'SystemCallFilter = [\n          "@system-service"\n          "~@privileged"\n        ];')
        .replace('CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" ];', 'CapabilityBoundingSet = "CAP_NET_BIND_SERVICE";')],
    ];
    it.each(rewrites)('%s', (_name, after) => {
      expect(after).not.toEqual(base);
      const result = extractText('relay.nix', after);
      expect(result.diagnostics).toEqual([]);
      expect(changed(base, after)).toEqual([]);
    });
  });
});
