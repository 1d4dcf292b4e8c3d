/**
 * For every catalogue directive, module pairs built from its weak and strong examples: the diff
 * reports the tightening and the loosening on the right service, directive and line, and a
 * rewrite of the strong setting (a let binding and a dotted attribute path instead of a nested
 * set) is no change at all.
 */
import { CATALOGUE } from '../../src/hardening/catalogue/index.js';
import { diffFiles } from '../../src/hardening/diff.js';
import { extractText } from '../../src/nixos/extract.js';

const module = (body: string, extra = '') => `{ config, lib, pkgs, ... }:
let
  cfg = config.services.pairs;
${extra}in
{
  options.services.pairs.enable = lib.mkEnableOption "pairs";
  config = lib.mkIf cfg.enable {
    systemd.services.pairs.wantedBy = [ "multi-user.target" ];
    systemd.services.pairs.serviceConfig = {
      ExecStart = "\${pkgs.hello}/bin/hello";
      ${body}
    };
  };
}
`;

/** `Name = value;` → the name and the value text. */
const split = (line: string) => {
  const i = line.indexOf('=');
  return { name: line.slice(0, i).trim(), value: line.slice(i + 1).trim().replace(/;$/, '') };
};

const changesOf = (a: string, b: string) => diffFiles(extractText('pairs.nix', a), extractText('pairs.nix', b)).flatMap((d) => d.changes);

describe.each(CATALOGUE.map((d) => [d.name, d] as const))('%s', (name, d) => {
  const weak = module(d.examples.weak);
  const strong = module(d.examples.strong);
  const line = strong.split('\n').findIndex((l) => l.includes(d.examples.strong)) + 1;

  it('is reported as tightened from the weak to the strong example', () => {
    const changes = changesOf(weak, strong);
    const expected = d.strictness.kind === 'none' ? 'changed' : 'tightened';
    expect(changes).toEqual([expect.objectContaining({ directive: name, verdict: expected, line, when: null })]);
  });

  it('is reported as loosened from the strong to the weak example', () => {
    const changes = changesOf(strong, weak);
    const expected = d.strictness.kind === 'none' ? 'changed' : 'loosened';
    expect(changes).toEqual([expect.objectContaining({ directive: name, verdict: expected })]);
  });

  it('is unchanged when the strong setting is rewritten through a let and a dotted path', () => {
    const { value } = split(d.examples.strong);
    const rewritten = module('', `  v = ${value};\n`).replace(
      '    systemd.services.pairs.wantedBy',
      `    systemd.services.pairs.serviceConfig.${name} = v;\n    systemd.services.pairs.wantedBy`,
    );
    expect(extractText('pairs.nix', rewritten).diagnostics).toEqual([]);
    expect(changesOf(strong, rewritten)).toEqual([]);
  });
});
