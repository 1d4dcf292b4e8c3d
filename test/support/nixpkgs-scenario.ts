/**
 * A small nixpkgs-like repository on the fake GitHub, with a pull request that does four things:
 * loosens the pastebin module, tightens the dns-cache module (which has a VM test), only
 * reformats the label-printer module, and adds a new module. Used by the end-to-end tests and
 * by `npm run demo`. The modules are written for nixos-harden, in the style of real ones.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitHubServer } from './github/index.js';
import { packageRoot } from '../../src/nix/parser.js';

export const OWNER = 'nixos-demo';
export const REPO = 'nixpkgs';

const dnsCache = (tight: boolean) => `{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.dns-cache;
in
{
  options.services.dns-cache = {
    enable = lib.mkEnableOption "a caching DNS forwarder";
    port = lib.mkOption {
      type = lib.types.port;
      default = 5353;
      description = "Port to answer on.";
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.services.dns-cache = {
      description = "Caching DNS forwarder";
      wantedBy = [ "multi-user.target" ];
      serviceConfig = {
        ExecStart = "\${pkgs.dns-cache}/bin/dns-cache --port \${toString cfg.port}";
        DynamicUser = true;
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        NoNewPrivileges = true;
        RestrictAddressFamilies = [
          "AF_INET"
          "AF_INET6"
        ];${tight ? `
        CapabilityBoundingSet = "";
        SystemCallArchitectures = "native";
        SystemCallFilter = [
          "@system-service"
          "~@privileged"
        ];` : ''}
      };
    };
  };
}
`;

const labelPrinter = (reordered: boolean) => `{ config, lib, pkgs, ... }:

with lib;

let
  cfg = config.services.label-printer;
in
{
  options.services.label-printer = {
    enable = mkEnableOption (mdDoc "the label printing queue");
  };

  config = mkIf cfg.enable {
    systemd.services.label-printer = {
      wantedBy = [ "multi-user.target" ];
      serviceConfig = {
        ExecStart = "\${pkgs.label-printer}/bin/labeld";
${reordered ? `        PrivateTmp = true;
        DynamicUser = true;
        DeviceAllow = [ "char-usb_device rw" ];` : `        DynamicUser = true;
        DeviceAllow = [ "char-usb_device rw" ];
        PrivateTmp = true;`}
      };
    };
  };
}
`;

const newThing = `{ config, lib, pkgs, ... }:
let
  cfg = config.services.feed-digest;
in
{
  options.services.feed-digest.enable = lib.mkEnableOption "daily feed digests";

  config = lib.mkIf cfg.enable {
    systemd.services.feed-digest = {
      startAt = "daily";
      serviceConfig = {
        Type = "oneshot";
        ExecStart = "\${pkgs.feed-digest}/bin/feed-digest";
        DynamicUser = true;
        ProtectSystem = "strict";
        PrivateTmp = true;
      };
    };
  };
}
`;

const allTests = `{ system, pkgs, callTest, ... }:
let
  handleTest = path: args: callTest (import path ({ inherit system pkgs; } // args));
  runTest = module: module;
in
{
  dns-cache = runTest ./dns-cache.nix;
  label-printer = handleTest ./label-printer.nix { };
}
`;

const config = `# nixos-harden policy for this repository
gates:
  conclusion_on_regression: failure
`;

export interface Scenario {
  base: string;
  head: string;
  number: number;
  author: string;
}

export function createScenario(gh: GitHubServer, opts: { author?: string } = {}): Scenario {
  const pastebin = readFileSync(join(packageRoot(), 'examples/pastebin.nix'), 'utf8');
  gh.addRepo({ owner: OWNER, repo: REPO, defaultBranch: 'master' });
  const base = gh.commit(OWNER, REPO, {
    message: 'base',
    branch: 'master',
    files: {
      '.github/nixos-harden.yml': config,
      'nixos/modules/services/web-apps/pastebin.nix': pastebin,
      'nixos/modules/services/networking/dns-cache.nix': dnsCache(false),
      'nixos/modules/services/misc/label-printer.nix': labelPrinter(false),
      'nixos/tests/all-tests.nix': allTests,
      'nixos/tests/dns-cache.nix': '{ lib, ... }: { name = "dns-cache"; nodes.machine.services.dns-cache.enable = true; }\n',
    },
  });
  const head = gh.commit(OWNER, REPO, {
    parent: base,
    message: 'services: hardening changes',
    branch: 'hardening',
    files: {
      'nixos/modules/services/web-apps/pastebin.nix': pastebin.replace('ProtectSystem = "strict";', 'ProtectSystem = "full";').replace('        PrivateUsers = true;\n', ''),
      'nixos/modules/services/networking/dns-cache.nix': dnsCache(true),
      'nixos/modules/services/misc/label-printer.nix': labelPrinter(true),
      'nixos/modules/services/misc/feed-digest.nix': newThing,
    },
  });
  const author = opts.author ?? 'alice';
  const number = gh.openPullRequest({ owner: OWNER, repo: REPO, base, head, baseRef: 'master', headRef: 'hardening', author });
  return { base, head, number, author };
}
