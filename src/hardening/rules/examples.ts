/** Builds the small modules that rule examples (and their tests) are written in. */
export function exampleModule(serviceConfig: string, extra = ''): string {
  const body = serviceConfig
    .trim()
    .split('\n')
    .map((l) => `        ${l.trim()}`)
    .join('\n');
  return `{ config, lib, pkgs, ... }:
let
  cfg = config.services.example;
in
{
  options.services.example = {
    enable = lib.mkEnableOption "the example service";
    openFirewall = lib.mkOption { type = lib.types.bool; default = false; };
  };
  config = lib.mkIf cfg.enable {
${extra ? extra.trim().split('\n').map((l) => `    ${l.trim()}`).join('\n') + '\n' : ''}    systemd.services.example = {
      wantedBy = [ "multi-user.target" ];
      serviceConfig = {
${body}
      };
    };
  };
}
`;
}
