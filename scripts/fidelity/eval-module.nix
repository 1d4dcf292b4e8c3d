# Reference evaluator for the fidelity harness (see README.md next to this file).
#
# Evaluates ONE NixOS module file with the real module system (a nixpkgs `lib`
# passed in by path) in the "defaults view": every top-level `enable` option that
# the module declares is set to true, every other option stays at its declared
# default. Prints, for every systemd service the module defines, the merged value
# of every `serviceConfig` directive (Exec* and Environment* are skipped).
#
# nix-instantiate --store dummy:// --eval --strict --json eval-module.nix \
#   --argstr libPath /path/to/nixpkgs/lib --argstr modulePath /path/to/module.nix \
#   [--argstr mode full|services|names|directive] [--argstr scope system|user] \
#   [--argstr service NAME] [--argstr directive NAME] [--argstr enable 'a.b.enable,c.enable']
#
# Modes:
#   full       every service and directive, each directive under builtins.tryEval
#   services   only the service names
#   names      directive names per service (all services, or --argstr service NAME)
#   directive  one directive of one service (used when `full` dies on an error that
#              tryEval cannot catch, e.g. a missing attribute or a type error)
#
# Nothing here comes from nixpkgs: the systemd stub, the unit-option merge and the
# fake package set are written for this harness. Only `lib` is nixpkgs code.
{ libPath
, modulePath
, mode ? "full"
, scope ? "system"
, service ? ""
, directive ? ""
, enable ? ""           # comma-separated option paths; empty = detect from `options`
}:
let
  baseLib = import libPath;

  # Compatibility names that older or newer module files use but a given lib may
  # lack. They only affect documentation fields, never option values.
  lib = baseLib.extend (self: super: {
    mdDoc = super.mdDoc or (x: x);
    literalDocBook = super.literalDocBook or (text: { _type = "literalDocBook"; inherit text; });
    literalExample = super.literalExample or super.literalExpression;
    mkPackageOptionMD = super.mkPackageOptionMD or super.mkPackageOption;
  });

  inherit (lib) types mkOption;
  inherit (builtins)
    attrNames concatLists concatStringsSep elem filter foldl' head isAttrs isList
    isPath isString isFunction length listToAttrs mapAttrs substring tryEval typeOf;

  moduleFile = /. + modulePath;
  moduleKey = toString moduleFile;

  # ---------------------------------------------------------------------------
  # Fake package set. Nix attribute sets are finite, so "any attribute" means
  # "any identifier that occurs in the module's source text"; that covers every
  # `pkgs.foo.bar` the module can write literally.
  # ---------------------------------------------------------------------------
  source = builtins.readFile moduleFile;
  identifiers = lib.unique (map head
    (filter isList (builtins.split "([A-Za-z_][A-Za-z0-9_'-]*)" source)));
  reservedNames = [ "outPath" "type" "name" "drvPath" "outputs" "outputName"
    "outputSpecified" "meta" "__functor" "__toString" "lib" "stdenv" "system"
    "override" "overrideAttrs" "passthru" ];
  fakeNames = filter (n: !(elem n reservedNames)) identifiers;

  fakeStorePath = name:
    "/nix/store/${substring 0 32 (builtins.hashString "sha256" name)}-${name}";

  mkFake = path:
    let
      leaf = if path == [ ] then "pkgs" else lib.last path;
      name = concatStringsSep "-" path;
      self = listToAttrs (map (n: { name = n; value = mkFake (path ++ [ n ]); }) fakeNames)
        // {
          type = "derivation";
          inherit name;
          pname = leaf;
          version = "0";
          outPath = fakeStorePath name;
          drvPath = fakeStorePath "${name}.drv";
          outputs = [ "out" ];
          outputName = "out";
          outputSpecified = true;
          out = self;
          meta = { mainProgram = leaf; };
          passthru = { };
          override = _: mkFake (path ++ [ "override" ]);
          overrideAttrs = _: mkFake (path ++ [ "overrideAttrs" ]);
          # Calling a fake (writeText "x" "...", formats.yaml { }, ...) yields a fake.
          __functor = _: _: mkFake (path ++ [ "call" ]);
        };
    in self;

  platform = {
    system = "x86_64-linux";
    isLinux = true; isDarwin = false; isx86_64 = true; isx86 = true;
    isAarch64 = false; isAarch32 = false; isAarch = false; is64bit = true;
    isi686 = false; isRiscV = false; isPower = false; isMusl = false;
    isGnu = true; isStatic = false; isWindows = false; isBSD = false;
  };

  # `pkgs.formats.<fmt> { }` has to give a usable option type, since modules
  # declare `settings = mkOption { type = format.type; }`. A JSON-like value type
  # (attribute sets and lists merge, scalars must be equal) stands for all formats.
  jsonValue = types.nullOr (types.oneOf [
    types.bool types.int types.float types.str types.path
    (types.attrsOf jsonValue) (types.listOf jsonValue)
  ]) // { description = "JSON-like value (fidelity stub)"; };
  fakeFormat = fmt: _args: {
    type = jsonValue;
    generate = name: _value: mkFake [ "formats" fmt name ];
    lib = mkFake [ "formats" fmt "lib" ];
  };

  pkgs = mkFake [ ] // {
    inherit lib;
    formats = listToAttrs (map (n: { name = n; value = fakeFormat n; }) fakeNames);
    system = "x86_64-linux";
    stdenv = mkFake [ "stdenv" ] // platform // {
      hostPlatform = mkFake [ "stdenv" "hostPlatform" ] // platform;
      buildPlatform = mkFake [ "stdenv" "buildPlatform" ] // platform;
      targetPlatform = mkFake [ "stdenv" "targetPlatform" ] // platform;
    };
    hostPlatform = mkFake [ "hostPlatform" ] // platform;
  };

  # `utils` as NixOS passes it: a few real helpers, everything else fake.
  utils = mkFake [ "utils" ] // {
    escapeSystemdPath = s:
      let
        trimmed = lib.removeSuffix "/" (lib.removePrefix "/" (toString s));
      in builtins.replaceStrings [ "/" "-" " " ] [ "-" "\\x2d" "\\x20" ]
        (if trimmed == "" then "-" else trimmed);
  };

  # ---------------------------------------------------------------------------
  # Our own model of the NixOS systemd unit option merge.
  # After the module system has dropped all but the highest-priority definitions
  # and sorted them by mkOrder (mkBefore/mkAfter), a directive defined several
  # times is a list if any definition is a list (the others become one-element
  # lists, concatenated in definition order); otherwise all definitions must be
  # equal.
  # ---------------------------------------------------------------------------
  unitOption = lib.mkOptionType {
    name = "systemd option (fidelity stub)";
    merge = loc: defs:
      let
        kept = lib.filterOverrides defs;
        values = map (d: d.value) kept;
      in
        if lib.any isList values then
          concatLists (map (v: if isList v then v else [ v ]) values)
        else
          lib.mergeEqualOption loc kept;
  };

  # serviceConfig is modelled as a *lazy* attribute set so that a directive whose
  # value fails (often ExecStart, reading a required option that has no default)
  # does not hide the others. Each attribute carries a presence marker: a
  # directive whose definitions all vanish (`mkIf false`) is reported as absent,
  # exactly as the strict attrsOf of NixOS would drop it.
  presentUnitOption = lib.mkOptionType {
    name = "systemd option with presence (fidelity stub)";
    merge = loc: defs: { present = true; value = unitOption.merge loc defs; };
    emptyValue = { value = { present = false; }; };
  };

  # Everything this stub does not declare is ignored (`_module.check = false`),
  # at the top level and inside each service and user: the module under test may
  # define users, firewall ports, tmpfiles, timers, ... and those definitions are
  # simply dropped, without being evaluated. (A freeform type would have to
  # evaluate every undeclared definition to list its names, which turns
  # `users = optionalAttrs (cfg.user == "x") { ... }` into an infinite recursion
  # that real NixOS, where everything is declared, does not have.)
  noCheck = { _module.check = false; };

  serviceSubmodule = { name, ... }: {
    config = noCheck;
    options = {
      enable = mkOption { type = types.bool; default = true; };
      serviceConfig = mkOption {
        type = types.lazyAttrsOf presentUnitOption;
        default = { };
      };
      # systemd-confinement's options exist so modules can set them; they have
      # no effect here (the reference does not model the injected settings).
      confinement = {
        enable = mkOption { type = types.bool; default = false; };
        fullUnit = mkOption { type = types.bool; default = false; };
        mode = mkOption { type = types.enum [ "full-apivfs" "chroot-only" ]; default = "full-apivfs"; };
        packages = mkOption { type = types.listOf types.unspecified; default = [ ]; };
        binSh = mkOption { type = types.nullOr types.unspecified; default = null; };
      };
    };
  };

  servicesOption = mkOption {
    type = types.attrsOf (types.submodule serviceSubmodule);
    default = { };
  };

  userSubmodule = { name, ... }: {
    config = noCheck;
    options = {
      name = mkOption { type = types.str; default = name; };
      uid = mkOption { type = types.nullOr types.int; default = null; };
      group = mkOption { type = types.str; default = ""; };
      isSystemUser = mkOption { type = types.bool; default = false; };
      home = mkOption { type = types.str; default = "/var/empty"; };
    };
  };
  groupSubmodule = { name, ... }: {
    config = noCheck;
    options = {
      name = mkOption { type = types.str; default = name; };
      gid = mkOption { type = types.nullOr types.int; default = null; };
    };
  };

  stubModule = {
    _file = "fidelity-stub";
    config = noCheck;
    options = {
      systemd.services = servicesOption;
      systemd.user.services = servicesOption;
      systemd.package = mkOption { type = types.unspecified; default = pkgs.systemd; };
      users.users = mkOption { type = types.attrsOf (types.submodule userSubmodule); default = { }; };
      users.groups = mkOption { type = types.attrsOf (types.submodule groupSubmodule); default = { }; };
    };
  };

  specialArgs = {
    inherit lib pkgs utils;
    modulesPath = "/nonexistent/nixos/modules";
  };

  evalWith = extra: lib.evalModules {
    inherit specialArgs;
    modules = [ stubModule moduleFile ] ++ extra;
  };

  # ---------------------------------------------------------------------------
  # The rest of the system, as far as modules commonly read it: a few global
  # options with their NixOS defaults, and `services.<other>.enable` (false) for
  # every other service whose `config.services.<other>.enable` the source reads,
  # so that only the module under test is enabled (unless it enables the other
  # service itself, which then takes effect as in NixOS). Paths the module
  # declares itself are left alone.
  # ---------------------------------------------------------------------------
  phase1Options = (evalWith [ ]).options;
  declared = path: lib.hasAttrByPath path phase1Options;
  otherServices = lib.unique (map head (filter isList
    (builtins.split "config\\.services\\.([A-Za-z0-9_-]+)\\.enable" source)));
  opt = type: default: { inherit type default; };
  environmentOptions = [
    { path = [ "networking" "enableIPv6" ]; option = opt types.bool true; }
    { path = [ "networking" "hostName" ]; option = opt types.str "nixos"; }
    { path = [ "networking" "domain" ]; option = opt (types.nullOr types.str) null; }
    { path = [ "networking" "firewall" "enable" ]; option = opt types.bool true; }
    { path = [ "networking" "nftables" "enable" ]; option = opt types.bool false; }
    { path = [ "networking" "networkmanager" "enable" ]; option = opt types.bool false; }
    { path = [ "boot" "isContainer" ]; option = opt types.bool false; }
    { path = [ "time" "timeZone" ]; option = opt (types.nullOr types.str) null; }
    { path = [ "security" "polkit" "enable" ]; option = opt types.bool false; }
    { path = [ "system" "stateVersion" ]; option = opt types.str "24.05"; }
  ] ++ map (s: { path = [ "services" s "enable" ]; option = opt types.bool false; }) otherServices;
  environmentModule = {
    _file = "fidelity-environment";
    options = foldl' lib.recursiveUpdate { } (map
      (d: lib.setAttrByPath d.path (mkOption d.option))
      (filter (d: !(declared d.path) && !(lib.isOption (lib.attrByPath (lib.init d.path) null phase1Options)))
        environmentOptions));
  };

  # ---------------------------------------------------------------------------
  # Enable detection: `enable` options (of type bool, or untyped as in old
  # modules) declared in the module file whose ancestors have no such option.
  # ---------------------------------------------------------------------------
  declaredHere = opt: lib.any (d: d == moduleKey) (opt.declarations or [ ]);
  # A plain `submodule` option (services.kea.dhcp4 = mkOption { type = submodule ...; })
  # is looked into; attribute sets of submodules (instances) are not.
  findEnables = path: node:
    if lib.isOption node then
      (if (node.type.name or "") == "submodule" && declaredHere node
       then findEnables path (node.type.getSubOptions node.loc)
       else [ ])
    else if !(isAttrs node) then [ ]
    else if node ? enable && lib.isOption node.enable
         && lib.elem (node.enable.type.name or "unspecified") [ "bool" "unspecified" ]
         && (node.enable.visible or true) != false
         && declaredHere node.enable
    then [ (path ++ [ "enable" ]) ]
    else concatLists (map (n:
      if n == "_module" then [ ] else findEnables (path ++ [ n ]) node.${n})
      (attrNames node));

  enablePaths =
    if enable != "" then map (lib.splitString ".") (lib.splitString "," enable)
    else findEnables [ ] phase1Options;

  enableModule = {
    _file = "fidelity-enable";
    config = foldl' lib.recursiveUpdate { } (map (p: lib.setAttrByPath p true) enablePaths);
  };

  evaluated = evalWith [ environmentModule enableModule ];

  servicesAt = if scope == "user"
    then evaluated.config.systemd.user.services
    else evaluated.config.systemd.services;

  skipped = d: lib.hasPrefix "Exec" d || lib.hasPrefix "Environment" d;

  # Values as builtins.toJSON would print them, except that path literals are
  # printed as their absolute path instead of being copied to the store.
  sanitize = v:
    if isPath v then toString v
    else if isList v then map sanitize v
    else if isAttrs v then
      (if v ? outPath then toString v.outPath else mapAttrs (_: sanitize) v)
    else if isFunction v then throw "function value"
    else v;

  evalDirective = svc: d:
    let
      r = tryEval (let
        m = svc.serviceConfig.${d};
        v = if m.present then { value = sanitize m.value; } else { absent = true; };
      in builtins.deepSeq v v);
    in if r.success then r.value else { error = "evaluation failed (throw/assert)"; };

  directivesOf = svc: filter (d: !(skipped d)) (attrNames svc.serviceConfig);

  serviceFull = name:
    let
      svc = servicesAt.${name};
      names = tryEval (builtins.deepSeq (directivesOf svc) (directivesOf svc));
      confined = tryEval (svc.confinement.enable == true);
    in
      if !names.success then { error = "serviceConfig could not be enumerated"; }
      else {
        confinement = confined.success && confined.value;
        directives = lib.filterAttrs (_: v: !(v.absent or false))
          (listToAttrs (map (d: { name = d; value = evalDirective svc d; }) names.value));
      };

  serviceNames = name:
    let
      svc = servicesAt.${name};
      names = tryEval (builtins.deepSeq (directivesOf svc) (directivesOf svc));
    in if names.success then { directives = names.value; } else { error = "serviceConfig could not be enumerated"; };

  header = {
    enable = map (concatStringsSep ".") enablePaths;
    inherit scope;
  };
  selected = if service != "" then [ service ] else attrNames servicesAt;
in
  if mode == "directive" then
    header // { service = service; directive = directive; result = evalDirective servicesAt.${service} directive; }
  else if mode == "services" then
    header // { services = attrNames servicesAt; }
  else if mode == "names" then
    header // { services = listToAttrs (map (n: { name = n; value = serviceNames n; }) selected); }
  else
    header // { services = listToAttrs (map (n: { name = n; value = serviceFull n; }) (attrNames servicesAt)); }
