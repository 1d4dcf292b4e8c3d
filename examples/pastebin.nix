# An example NixOS service module, written for nixos-harden's README demo.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.pastebin;
  inherit (lib)
    mkEnableOption
    mkIf
    mkOption
    mkPackageOption
    types
    ;
in
{
  options.services.pastebin = {
    enable = mkEnableOption "a small self-hosted pastebin";

    package = mkPackageOption pkgs "pastebin" { };

    port = mkOption {
      type = types.port;
      default = 8720;
      description = "TCP port the web interface listens on.";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Open {option}`port` in the firewall.";
    };

    maxPasteSize = mkOption {
      type = types.str;
      default = "2M";
      description = "Largest paste accepted.";
    };
  };

  config = mkIf cfg.enable {
    networking.firewall.allowedTCPPorts = lib.optionals cfg.openFirewall [ cfg.port ];

    systemd.services.pastebin = {
      description = "Pastebin web service";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];

      serviceConfig = {
        ExecStart = "${lib.getExe cfg.package} --port ${toString cfg.port} --max-size ${cfg.maxPasteSize}";
        DynamicUser = true;
        StateDirectory = "pastebin";
        StateDirectoryMode = "0700";

        # Sandboxing
        CapabilityBoundingSet = "";
        LockPersonality = true;
        MemoryDenyWriteExecute = true;
        NoNewPrivileges = true;
        PrivateDevices = true;
        PrivateTmp = true;
        PrivateUsers = true;
        ProtectClock = true;
        ProtectControlGroups = true;
        ProtectHome = true;
        ProtectHostname = true;
        ProtectKernelLogs = true;
        ProtectKernelModules = true;
        ProtectKernelTunables = true;
        ProtectProc = "invisible";
        ProcSubset = "pid";
        ProtectSystem = "strict";
        RestrictAddressFamilies = [
          "AF_INET"
          "AF_INET6"
        ] ++ lib.optional cfg.openFirewall "AF_UNIX";
        RestrictNamespaces = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        SystemCallArchitectures = "native";
        SystemCallFilter = [
          "@system-service"
          "~@privileged @resources"
        ];
        UMask = "0077";
      };
    };
  };
}
