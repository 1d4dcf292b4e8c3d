/**
 * A seeded generator of realistic NixOS service modules, in the idioms real modules use (see
 * ../shared/research/nixos-module-idioms.md): plain literals, `with lib;`, let-bound shared sets
 * merged with `//`, `rec`, dotted keys, mkDefault baselines, mkMerge, optionals, instances via
 * mapAttrs' and listToAttrs, confinement, upstream units, user units and oneshot jobs. Used by
 * the benchmarks and (later) the fuzzer; the same seed always gives the same modules.
 */

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedModule {
  /** A path like nixos/modules/services/<category>/<name>.nix */
  path: string;
  text: string;
  idiom: string;
}

const CATEGORIES = ['web-apps', 'networking', 'monitoring', 'databases', 'misc', 'security', 'mail', 'audio', 'hardware', 'backup'];
const WORDS = ['relay', 'hub', 'board', 'vault', 'mirror', 'feed', 'gate', 'tracker', 'indexer', 'keeper', 'proxy', 'bridge', 'sync', 'notes', 'radio', 'meter', 'pager', 'drop', 'forge', 'pulse'];
const PREFIXES = ['open', 'tiny', 'quick', 'home', 'micro', 'net', 'star', 'blue', 'iron', 'paper', 'cloud', 'deep', 'lite', 'fox', 'owl'];

const BOOL_DIRECTIVES = [
  'PrivateTmp', 'PrivateDevices', 'PrivateUsers', 'PrivateMounts', 'NoNewPrivileges', 'LockPersonality',
  'MemoryDenyWriteExecute', 'ProtectClock', 'ProtectControlGroups', 'ProtectHostname', 'ProtectKernelLogs',
  'ProtectKernelModules', 'ProtectKernelTunables', 'RestrictRealtime', 'RestrictSUIDSGID', 'RemoveIPC', 'RestrictNamespaces',
];

type Pick = <T>(xs: readonly T[]) => T;

interface Ctx {
  r: () => number;
  pick: Pick;
  name: string;
  indent: (s: string, n: number) => string;
}

function nixString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, '\\${');
}

/** A random but plausible set of hardening directives, as Nix attribute lines. */
function hardening(c: Ctx, opts: { network: boolean; state: boolean }): string[] {
  const { r, pick } = c;
  const lines: string[] = [];
  const bools = BOOL_DIRECTIVES.filter(() => r() < 0.7);
  for (const b of bools) {
    const spelled = r() < 0.05 ? '"true"' : r() < 0.08 ? 'false' : 'true';
    lines.push(`${b} = ${spelled};`);
  }
  if (r() < 0.85) lines.push(`ProtectSystem = ${pick(['"strict"', '"strict"', '"strict"', '"full"', 'true'])};`);
  if (r() < 0.8) lines.push(`ProtectHome = ${pick(['true', 'true', '"read-only"', '"tmpfs"'])};`);
  if (r() < 0.5) lines.push(`ProtectProc = ${pick(['"invisible"', '"noaccess"', '"default"'])};`);
  if (r() < 0.4) lines.push(`ProcSubset = ${pick(['"pid"', '"all"'])};`);
  if (r() < 0.7) lines.push(`CapabilityBoundingSet = ${pick(['""', '[ "" ]', '[ "CAP_NET_BIND_SERVICE" ]', '"CAP_NET_BIND_SERVICE CAP_NET_RAW"', '[ ]'])};`);
  if (r() < 0.6) lines.push(`SystemCallArchitectures = "native";`);
  if (r() < 0.7) {
    const filters = pick([
      '[ "@system-service" "~@privileged" ]',
      '[ "@system-service" "~@privileged @resources" ]',
      '"@system-service"',
      '[ "~@clock" "~@cpu-emulation" "~@debug" "~@module" "~@mount" "~@obsolete" "~@raw-io" "~@reboot" "~@swap" ]',
      '[ "@system-service" "~@privileged" "@chown" ]',
    ]);
    lines.push(`SystemCallFilter = ${filters};`);
  }
  if (r() < 0.7) {
    lines.push(
      `RestrictAddressFamilies = ${opts.network ? pick(['[ "AF_UNIX" "AF_INET" "AF_INET6" ]', '"AF_UNIX AF_INET AF_INET6"', '[ "AF_INET" "AF_INET6" ]']) : pick(['[ "AF_UNIX" ]', '"none"'])};`,
    );
  }
  if (!opts.network && r() < 0.5) lines.push('PrivateNetwork = true;');
  if (r() < 0.3) lines.push(`IPAddressDeny = ${pick(['"any"', '[ "any" ]'])};`);
  if (r() < 0.3) lines.push(`DeviceAllow = ${pick(['""', '[ "" ]', '[ "/dev/ttyUSB0 rw" ]', '"char-drm rw"'])};`);
  if (r() < 0.2) lines.push(`DevicePolicy = ${pick(['"closed"', '"strict"'])};`);
  if (r() < 0.6) lines.push(`UMask = ${pick(['"0077"', '"0066"', '"077"', '"0027"'])};`);
  if (opts.state) {
    lines.push(`StateDirectory = ${nixString(c.name)};`);
    if (r() < 0.5) lines.push(`StateDirectoryMode = "0750";`);
  }
  return lines;
}

function options(c: Ctx, extra: string[] = []): string {
  const { name } = c;
  return [
    `  options.services.${name} = {`,
    `    enable = lib.mkEnableOption "the ${name} service";`,
    `    package = lib.mkPackageOption pkgs ${nixString(name)} { };`,
    `    port = lib.mkOption {`,
    `      type = lib.types.port;`,
    `      default = ${1024 + Math.floor(c.r() * 60000)};`,
    `      description = "Port ${name} listens on.";`,
    `    };`,
    `    openFirewall = lib.mkOption {`,
    `      type = lib.types.bool;`,
    `      default = false;`,
    `      description = "Whether to open the port in the firewall.";`,
    `    };`,
    `    dataDir = lib.mkOption {`,
    `      type = lib.types.path;`,
    `      default = "/var/lib/${name}";`,
    `      description = "Where ${name} keeps its data.";`,
    `    };`,
    ...extra,
    `  };`,
  ].join('\n');
}

const header = '{\n  config,\n  lib,\n  pkgs,\n  ...\n}:\n';

type Gen = (c: Ctx) => string;

const GENERATORS: Record<string, Gen> = {
  literal: (c) => {
    const h = hardening(c, { network: true, state: true });
    return `${header}
let
  cfg = config.services.${c.name};
in
{
${options(c)}

  config = lib.mkIf cfg.enable {
    networking.firewall.allowedTCPPorts = lib.optionals cfg.openFirewall [ cfg.port ];

    systemd.services.${c.name} = {
      description = "${c.name} daemon";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = {
        ExecStart = "\${lib.getExe cfg.package} --port \${toString cfg.port} --data \${cfg.dataDir}";
        DynamicUser = true;
        ReadWritePaths = [ cfg.dataDir ];
${c.indent(h.join('\n'), 8)}
      };
    };
  };
}
`;
  },
  withLib: (c) => {
    const h = hardening(c, { network: false, state: true });
    return `${header}
with lib;

let
  cfg = config.services.${c.name};
in
{
  options.services.${c.name} = {
    enable = mkEnableOption (mdDoc "${c.name}");
    user = mkOption {
      type = types.str;
      default = "${c.name}";
      description = mdDoc "User account under which ${c.name} runs.";
    };
    extraArgs = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = mdDoc "Extra command line arguments.";
    };
  };

  config = mkIf cfg.enable {
    users.users.\${cfg.user} = {
      isSystemUser = true;
      group = cfg.user;
    };
    users.groups.\${cfg.user} = { };

    systemd.services.${c.name} = {
      wantedBy = [ "multi-user.target" ];
      serviceConfig = {
        ExecStart = "\${pkgs.${c.name}}/bin/${c.name} \${escapeShellArgs cfg.extraArgs}";
        User = cfg.user;
        Group = cfg.user;
        Restart = "on-failure";
${c.indent(h.join('\n'), 8)}
      };
    };
  };
}
`;
  },
  sharedLet: (c) => {
    const h = hardening(c, { network: true, state: false });
    return `${header}
let
  cfg = config.services.${c.name};
  inherit (lib) mkIf mkEnableOption optionals;

  commonServiceConfig = {
${c.indent(h.join('\n'), 4)}
    DynamicUser = true;
  };
in
{
  options.services.${c.name}.enable = mkEnableOption "${c.name}";
  options.services.${c.name}.verbose = lib.mkOption {
    type = lib.types.bool;
    default = false;
    description = "Log more.";
  };

  config = mkIf cfg.enable {
    systemd.services.${c.name} = {
      wantedBy = [ "multi-user.target" ];
      serviceConfig = commonServiceConfig // {
        ExecStart = "\${pkgs.${c.name}}/bin/${c.name}d";
        StateDirectory = "${c.name}";
        SystemCallFilter = [ "@system-service" ] ++ optionals cfg.verbose [ "@debug" ];
      };
    };
    systemd.services."${c.name}-cleanup" = {
      startAt = "daily";
      serviceConfig = commonServiceConfig // {
        Type = "oneshot";
        ExecStart = "\${pkgs.${c.name}}/bin/${c.name}-cleanup";
        PrivateNetwork = true;
      };
    };
  };
}
`;
  },
  dotted: (c) => {
    const h = hardening(c, { network: true, state: true });
    return `${header}
let
  cfg = config.services.${c.name};
in
{
${options(c)}

  config = lib.mkIf cfg.enable {
    systemd.services.${c.name}.wantedBy = [ "multi-user.target" ];
    systemd.services.${c.name}.serviceConfig.ExecStart = "\${cfg.package}/bin/${c.name}";
${h.map((l) => `    systemd.services.${c.name}.serviceConfig.${l}`).join('\n')}
  };
}
`;
  },
  recAndMkDefault: (c) => {
    const h = hardening(c, { network: true, state: false });
    return `${header}
let
  cfg = config.services.${c.name};
in
{
${options(c)}

  config = lib.mkIf cfg.enable {
    systemd.services.${c.name} = {
      wantedBy = [ "multi-user.target" ];
      serviceConfig = lib.mkMerge [
        {
${c.indent(h.map((l) => l.replace(/= (.*);$/, '= lib.mkDefault $1;')).join('\n'), 10)}
        }
        rec {
          StateDirectory = "${c.name}";
          WorkingDirectory = "/var/lib/\${StateDirectory}";
          ExecStart = "\${cfg.package}/bin/${c.name} --listen \${toString cfg.port}";
          CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" ];
          AmbientCapabilities = CapabilityBoundingSet;
          PrivateTmp = lib.mkForce true;
        }
        (lib.mkIf cfg.openFirewall { PrivateNetwork = false; })
      ];
    };
  };
}
`;
  },
  instances: (c) => {
    const h = hardening(c, { network: true, state: false });
    return `${header}
let
  cfg = config.services.${c.name};
  enabledInstances = lib.filterAttrs (_: inst: inst.enable) cfg.instances;
in
{
  options.services.${c.name}.instances = lib.mkOption {
    default = { };
    description = "Instances of ${c.name}.";
    type = lib.types.attrsOf (
      lib.types.submodule (
        { name, ... }:
        {
          options = {
            enable = lib.mkEnableOption "this instance";
            listen = lib.mkOption {
              type = lib.types.str;
              default = "127.0.0.1:${1024 + Math.floor(c.r() * 60000)}";
              description = "Listen address.";
            };
            settings = lib.mkOption {
              type = lib.types.attrs;
              default = { };
              description = "Settings of this instance.";
            };
          };
        }
      )
    );
  };

  config = lib.mkIf (enabledInstances != { }) {
    systemd.services = lib.mapAttrs' (
      name: inst:
      lib.nameValuePair "${c.name}-\${name}" {
        wantedBy = [ "multi-user.target" ];
        serviceConfig = {
          ExecStart = "\${pkgs.${c.name}}/bin/${c.name} --listen \${inst.listen}";
          DynamicUser = true;
          StateDirectory = "${c.name}/\${name}";
${c.indent(h.join('\n'), 10)}
        };
      }
    ) enabledInstances;
  };
}
`;
  },
  listToAttrs: (c) => {
    const h = hardening(c, { network: false, state: false });
    return `${header}
with lib;

let
  cfg = config.services.${c.name};
  mkUnit = job: {
    name = "${c.name}-job-\${job.name}";
    value = {
      startAt = job.schedule;
      serviceConfig = {
        Type = "oneshot";
        ExecStart = "\${pkgs.${c.name}}/bin/run-job \${escapeShellArg job.name}";
${c.indent(h.join('\n'), 8)}
      };
    };
  };
in
{
  options.services.${c.name} = {
    enable = mkEnableOption "${c.name}";
    jobs = mkOption {
      default = [ ];
      type = types.listOf (types.submodule {
        options.name = mkOption { type = types.str; };
        options.schedule = mkOption { type = types.str; default = "hourly"; };
      });
      description = "Jobs to run.";
    };
  };

  config = mkIf cfg.enable {
    systemd.services = listToAttrs (map mkUnit cfg.jobs);
  };
}
`;
  },
  confinedAndUpstream: (c) => {
    const h = hardening(c, { network: true, state: true });
    return `${header}
let
  cfg = config.services.${c.name};
in
{
${options(c)}

  config = lib.mkIf cfg.enable {
    systemd.packages = [ cfg.package ];
    systemd.services.${c.name} = {
      wantedBy = [ "multi-user.target" ];
      serviceConfig.ReadWritePaths = [ "" cfg.dataDir ];
    };
    systemd.services."${c.name}-helper" = {
      confinement.enable = true;
      serviceConfig = {
        ExecStart = "\${cfg.package}/bin/${c.name}-helper";
        User = "${c.name}";
${c.indent(h.filter((l) => !l.startsWith('ProtectSystem') && !l.startsWith('PrivateDevices')).join('\n'), 8)}
      };
    };
    systemd.user.services."${c.name}-agent" = {
      wantedBy = [ "default.target" ];
      serviceConfig = {
        ExecStart = "\${cfg.package}/bin/${c.name}-agent";
        PrivateTmp = true;
        NoNewPrivileges = true;
      };
    };
  };
}
`;
  },
};

export const IDIOMS = Object.keys(GENERATORS);

export function generateCorpus(count: number, seed = 1): GeneratedModule[] {
  const r = rng(seed);
  const pick: Pick = (xs) => xs[Math.floor(r() * xs.length)]!;
  const indent = (s: string, n: number) =>
    s
      .split('\n')
      .map((l) => (l ? ' '.repeat(n) + l : l))
      .join('\n');
  const out: GeneratedModule[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    let name = `${pick(PREFIXES)}${pick(WORDS)}`;
    if (used.has(name)) name = `${name}${i}`;
    used.add(name);
    const idiom = IDIOMS[i % IDIOMS.length]!;
    const text = GENERATORS[idiom]!({ r, pick, name, indent });
    out.push({ path: `nixos/modules/services/${pick(CATEGORIES)}/${name}.nix`, text, idiom });
  }
  return out;
}

/**
 * A nixos/tests/all-tests.nix for a generated corpus, so that the census looks VM tests up the way
 * it does in nixpkgs: sized like the real file (about 1 000 top-level attributes, alphabetical),
 * with a test for a bit over half of the modules in the forms the idioms catalogue (§8) counts:
 * mostly `runTest`, then `handleTest`/`handleTestOn`, tests in category directories with and
 * without a category prefix, directories of tests, `discoverTests`, nested attribute paths,
 * backend variants, and tests of products that have no module here. Its own seed: the modules
 * are the same with or without it.
 */
export function generateAllTests(modules: GeneratedModule[], seed = 1): string {
  const r = rng(seed ^ 0x5eed7e57);
  const pick: Pick = (xs) => xs[Math.floor(r() * xs.length)]!;
  const entries: [string, string][] = [];
  const add = (attr: string, value: string) => entries.push([attr, value]);
  for (const m of modules) {
    const parts = m.path.split('/');
    const name = parts[parts.length - 1]!.replace(/\.nix$/, '');
    const category = parts[parts.length - 2]!;
    if (r() > 0.56) continue;
    const form = r();
    if (form < 0.55) add(name, `runTest ./${name}.nix`);
    else if (form < 0.68) add(name, `handleTest ./${name}.nix { }`);
    else if (form < 0.73) add(name, `handleTestOn [ "x86_64-linux" "aarch64-linux" ] ./${name}.nix { }`);
    else if (form < 0.8) add(`${category}-${name}`, `runTest ./${category}/${name}.nix`);
    else if (form < 0.85) add(name, `runTest ./${category}/${name}.nix`);
    else if (form < 0.9) add(name, `import ./${name} { inherit runTest; }`);
    else if (form < 0.94) add(name, `discoverTests (import ./${name}.nix)`);
    else if (form < 0.97) add(name, `runTestOn [ "x86_64-linux" ] ./${name}.nix`);
    else add(name, `pkgs.recurseIntoAttrs (handleTest ./${name} { })`);
    if (r() < 0.12) {
      for (const backend of pick([['sqlite', 'postgresql'], ['mysql'], ['confined'], ['nginx', 'caddy']])) {
        add(`${name}-${backend}`, `runTest {\n    imports = [ ./${name}.nix ];\n    _module.args.backend = "${backend}";\n  }`);
      }
    }
  }
  // Products without a module in this tree, and a few nested paths as in the real file.
  for (let i = 0; i < Math.max(20, Math.round(modules.length * 0.06)); i++) {
    const word = `${pick(PREFIXES)}${pick(WORDS)}-x${i}`;
    add(word, r() < 0.7 ? `runTest ./${word}.nix` : `handleTest ./${word}.nix { }`);
  }
  add('boot', `handleTestOn [ "x86_64-linux" ] ./boot.nix { }`);
  add('networking', `{\n    networkd = handleTest ./networking/networkd.nix { };\n    scripted = handleTest ./networking/scripted.nix { };\n  }`);
  add('nat.firewall', `handleTest ./nat.nix { withFirewall = true; }`);
  add('nat.standalone', `handleTest ./nat.nix { withFirewall = false; }`);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const attr = (a: string) => a.split('.').map((p) => (/^[A-Za-z_][A-Za-z0-9_'-]*$/.test(p) ? p : nixString(p))).join('.');
  return `{
  system,
  pkgs,
  callTest,
}:
# Generated for benchmarks by nixos-harden's corpus generator.
let
  inherit (pkgs) lib;
  discoverTests =
    val:
    if lib.isAttrs val then
      if val ? test then callTest val else lib.mapAttrs (_: discoverTests) val
    else if lib.isFunction val then
      discoverTests (val { inherit system pkgs; })
    else
      val;
  handleTest = path: args: discoverTests (import path ({ inherit system pkgs; } // args));
  handleTestOn = systems: path: args: if lib.elem system systems then handleTest path args else { };
  evalTest = import ../lib/testing/default.nix { inherit lib pkgs; };
  runTest = module: (evalTest { imports = [ module ]; }).config.result;
  runTestOn = systems: module: if lib.elem system systems then runTest module else { };
in
{
${entries.map(([a, v]) => `  ${attr(a)} = ${v};`).join('\n')}
}
`;
}

/** Every file of a generated tree: the modules and nixos/tests/all-tests.nix. */
export function corpusTree(count: number, seed = 1): { path: string; text: string }[] {
  const modules = generateCorpus(count, seed);
  return [...modules, { path: 'nixos/tests/all-tests.nix', text: generateAllTests(modules, seed) }];
}
