/**
 * Fuzz inputs: grammar-based random Nix (every syntax kind of src/nix/ast.ts, plus NixOS-module
 * shaped files calling the lib functions the evaluator implements) and mutations of real modules
 * (the fixtures and bench/corpus.ts's generated modules). Every input is a pure function of
 * (seed, index), so any one of them can be regenerated on its own.
 */
import { rng } from '../bench/corpus.js';

export type Rand = () => number;

export interface Seedling {
  /** Where mutations start from: a fixture or a generated module. */
  path: string;
  text: string;
}

export interface FuzzInput {
  index: number;
  kind: string;
  path: string;
  text: string;
  /** The module this input was mutated from, if it is a mutation. */
  base?: Seedling;
}

/** A well-mixed 32-bit seed for input `index` of run `seed`. */
export function inputSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

class G {
  constructor(readonly r: Rand) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  times<T>(min: number, max: number, f: () => T): T[] {
    const n = min + this.int(max - min + 1);
    return Array.from({ length: n }, f);
  }
}

// ---------------------------------------------------------------------------------------------
// Grammar: random Nix expressions
// ---------------------------------------------------------------------------------------------

const NAMES = ['x', 'y', 'z', 'a', 'b', 'cfg', 'name', 'value', 'opts', 'self', 'super', 'n', 'v', 'f', 'g', 'pkg', 'lib', 'config', 'pkgs', 'builtins', 'true', 'false', 'null'];
const KEYS = ['enable', 'serviceConfig', 'ExecStart', 'User', 'PrivateTmp', 'ProtectSystem', 'ProtectHome', 'NoNewPrivileges', 'CapabilityBoundingSet', 'SystemCallFilter', 'RestrictAddressFamilies', 'DynamicUser', 'ReadWritePaths', 'IPAddressDeny', 'port', 'settings', 'package', 'foo', 'bar', 'a-b', "c'", 'services', 'systemd', 'wantedBy', 'after', 'environment', 'PrivateNetwork', 'DeviceAllow', 'UMask', 'SupplementaryGroups', 'AmbientCapabilities', 'MemoryDenyWriteExecute', 'ProtectKernelTunables'];
const DIRECTIVES = ['PrivateTmp', 'PrivateDevices', 'PrivateNetwork', 'PrivateUsers', 'NoNewPrivileges', 'ProtectSystem', 'ProtectHome', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectControlGroups', 'ProtectClock', 'ProtectHostname', 'ProtectKernelLogs', 'ProtectProc', 'ProcSubset', 'RestrictNamespaces', 'RestrictRealtime', 'RestrictSUIDSGID', 'LockPersonality', 'MemoryDenyWriteExecute', 'RemoveIPC', 'CapabilityBoundingSet', 'AmbientCapabilities', 'SystemCallFilter', 'SystemCallArchitectures', 'SystemCallErrorNumber', 'RestrictAddressFamilies', 'IPAddressDeny', 'IPAddressAllow', 'DeviceAllow', 'DevicePolicy', 'User', 'Group', 'DynamicUser', 'SupplementaryGroups', 'UMask', 'ReadWritePaths', 'ReadOnlyPaths', 'InaccessiblePaths', 'BindPaths', 'StateDirectory', 'RuntimeDirectory', 'ExecStart', 'ExecStartPre', 'Type', 'Restart', 'KeyringMode', 'NotifyAccess', 'Delegate', 'RootDirectory', 'RootImage', 'PrivateMounts', 'SocketBindDeny', 'SocketBindAllow', 'RestrictFileSystems', 'NetworkNamespacePath', 'LoadCredential'];
const DIRECTIVE_VALUES = ['true', 'false', '"strict"', '"full"', '"yes"', '"no"', '"read-only"', '"tmpfs"', '"invisible"', '"pid"', '"closed"', '"strict"', '""', '"CAP_NET_BIND_SERVICE"', '[ "CAP_NET_ADMIN" "~CAP_SYS_ADMIN" ]', '[ "@system-service" "~@privileged" ]', '"@system-service ~@resources"', '[ "AF_INET" "AF_INET6" "AF_UNIX" ]', '"none"', '"any"', '"localhost"', '[ "/var/lib/x" "-/run/y" ]', '"0077"', '"native"', '"EPERM"', '"root"', '"nobody"', '[ ]', '"/dev/null rw"', '[ "char-*" "/dev/tty r" ]', 'null', '1', '0', '"1"', '"~"', '"@"', '"AF_PACKET"', '"cgroup ipc"', '"~user"'];
const LIB_UNARY = ['mkDefault', 'mkForce', 'mkOptionDefault', 'mkBefore', 'mkAfter', 'mkMerge', 'flatten', 'unique', 'singleton', 'toList', 'last', 'reverseList', 'concatStrings', 'concatLines', 'escapeShellArg', 'escapeShellArgs', 'toUpper', 'toLower', 'boolToString', 'getExe', 'getBin', 'makeBinPath', 'attrNames', 'attrValues', 'head', 'tail', 'length', 'concatLists', 'listToAttrs', 'toString', 'isString', 'isList', 'isAttrs', 'typeOf', 'id', 'mkEnableOption', 'mkOption', 'literalExpression', 'mdDoc', 'isDerivation', 'fromJSON', 'toJSON', 'tryEval', 'stringLength', 'throw', 'abort', 'import', 'baseNameOf', 'dirOf', 'fix'];
const LIB_BINARY = ['mkIf', 'optional', 'optionals', 'optionalString', 'optionalAttrs', 'mkOverride', 'mkOrder', 'map', 'filter', 'concatMap', 'elem', 'elemAt', 'mapAttrs', "mapAttrs'", 'mapAttrsToList', 'concatMapAttrs', 'filterAttrs', 'genAttrs', 'recursiveUpdate', 'getAttrFromPath', 'setAttrByPath', 'hasAttrByPath', 'concatMapStrings', 'concatStringsSep', 'hasPrefix', 'hasSuffix', 'hasInfix', 'removePrefix', 'removeSuffix', 'splitString', 'nameValuePair', 'take', 'drop', 'range', 'count', 'subtractLists', 'intersectLists', 'const', 'pipe', 'forEach', 'any', 'all', 'sort', 'removeAttrs', 'hasAttr', 'getAttr', 'intersectAttrs', 'catAttrs', 'genList', 'seq', 'deepSeq', 'trace', 'warn', 'lessThan', 'add', 'versionAtLeast', "getExe'", 'mkPackageOption'];
const LIB_TERNARY = ['foldl', "foldl'", 'foldr', 'fold', 'attrByPath', 'concatMapStringsSep', 'replaceStrings', 'substring', 'flip', 'mkPackageOption', 'makeSearchPath'];
const TYPES = ['bool', 'str', 'lines', 'int', 'port', 'path', 'package', 'attrs', 'anything', '(listOf types.str)', '(attrsOf types.int)', '(nullOr types.str)', '(enum [ "a" "b" ])', '(submodule { options.x = mkOption { }; })', '(either types.str types.int)', 'ints.positive', '(oneOf [ types.str types.bool ])'];
const UNICODE = ['é', 'ß', '漢字', '🙂', '\u202e', '\u200b', '\ufeff', '\u0301', '𝔘', 'Ω', '\ud83d', '\udc00', '\u2028', '\u00a0', 'ﬀ', '\u0000'];

class NixGen extends G {
  /** Names bound around the current point, so that random code refers to real bindings. */
  private scope: string[] = ['lib', 'config', 'pkgs', 'builtins'];
  private budget = 0;

  expr(depth: number): string {
    this.budget--;
    if (depth <= 0 || this.budget <= 0) return this.atom();
    const d = depth - 1;
    switch (this.int(26)) {
      case 0: return this.atom();
      case 1: return this.atom();
      case 2: return this.letIn(d);
      case 3: return this.attrset(d, this.chance(0.3));
      case 4: return `with ${this.pick(['lib', 'builtins', 'pkgs', 'cfg', 'lib.types'])}; ${this.expr(d)}`;
      case 5: return `with ${this.expr(d)}; ${this.expr(d)}`;
      case 6: return this.lambda(d);
      case 7: return `(${this.expr(d)}).${this.attrPath(d)}${this.chance(0.5) ? ` or ${this.expr(d)}` : ''}`;
      case 8: return `${this.varRef()}.${this.attrPath(d)}${this.chance(0.3) ? ` or ${this.expr(d)}` : ''}`;
      case 9: return `(${this.expr(d)}) ? ${this.attrPath(d)}`;
      case 10: return `if ${this.expr(d)} then ${this.expr(d)} else ${this.expr(d)}`;
      case 11: return `assert ${this.expr(d)}; ${this.expr(d)}`;
      case 12: return this.string(d);
      case 13: return this.indented(d);
      case 14: return this.path(d);
      case 15: return `[ ${this.times(0, 5, () => this.listItem(d)).join(' ')} ]`;
      case 16: {
        const ops = ['+', '-', '*', '/', '++', '//', '==', '!=', '<', '<=', '>', '>=', '&&', '||', '->'];
        return this.times(2, 4, () => this.operand(d)).join(` ${this.pick(ops)} `);
      }
      case 17: return `${this.pick(['!', '-'])}${this.operand(d)}`;
      case 18: return `${this.libFn()} ${this.operand(d)}`;
      case 19: return `${this.libFn2()} ${this.operand(d)} ${this.operand(d)}`;
      case 20: return `${this.libFn3()} ${this.operand(d)} ${this.operand(d)} ${this.operand(d)}`;
      case 21: return `(${this.lambda(d)}) ${this.operand(d)}`;
      case 22: return `let { ${this.bindings(d, 3)} body = ${this.expr(d)}; }`;
      case 23: return `rec { ${this.bindings(d, 4)} }`;
      case 24: return this.serviceConfig(d);
      default: return `(${this.expr(d)})`;
    }
  }

  /** Something safe to put next to an application or operator without re-parsing the precedence. */
  operand(d: number): string {
    return this.chance(0.4) ? this.atom() : `(${this.expr(d)})`;
  }

  listItem(d: number): string {
    return this.chance(0.5) ? this.atom() : `(${this.expr(d)})`;
  }

  atom(): string {
    switch (this.int(12)) {
      case 0: return this.pick(['0', '1', '42', '2147483647', '9223372036854775807', '9223372036854775808', '077', '99999999999999999999']);
      case 1: return this.pick(['1.5', '0.0', '.5', '1e10', '2.5e-3', '1.7976931348623157e309']);
      case 2: return JSON.stringify(this.pick(KEYS.concat(['', 'a b', '${x}', '\\n', '"'])).replace(/\$\{/g, '\\${'));
      case 3: return this.pick(['true', 'false', 'null']);
      case 4: return this.pick(['<nixpkgs>', '<nixpkgs/lib>', 'https://example.org/x?y=1', './x.nix', '/etc/passwd', '~/y', '../a/b']);
      case 5: return `lib.types.${this.pick(TYPES.filter((t) => !t.startsWith('(')))}`;
      case 6: return `"${this.pick(DIRECTIVES)}"`;
      case 7: return this.pick(DIRECTIVE_VALUES);
      default: return this.varRef();
    }
  }

  varRef(): string {
    return this.chance(0.7) ? this.pick(this.scope) : this.pick(NAMES);
  }

  ident(): string {
    return this.pick(NAMES.slice(0, 16).concat(KEYS.filter((k) => /^[A-Za-z_][\w'-]*$/.test(k))));
  }

  attrKey(d: number): string {
    const r = this.int(10);
    if (r < 6) return this.pick(KEYS.filter((k) => /^[A-Za-z_][\w'-]*$/.test(k)));
    if (r < 8) return JSON.stringify(this.pick(KEYS.concat(['with space', '', 'x.y', 'a"b'])));
    if (r < 9) return `\${${this.expr(Math.min(d, 2))}}`;
    return `"\${${this.varRef()}}-x"`;
  }

  attrPath(d: number): string {
    return this.times(1, 4, () => this.attrKey(d)).join('.');
  }

  bindings(d: number, max: number): string {
    const out: string[] = [];
    for (let i = 0, n = this.int(max + 1); i < n; i++) {
      const r = this.int(10);
      if (r < 7) out.push(`${this.attrPath(d)} = ${this.expr(d)};`);
      else if (r < 8) out.push(`inherit ${this.times(1, 3, () => this.ident()).join(' ')};`);
      else if (r < 9) out.push(`inherit (${this.expr(d)}) ${this.times(1, 3, () => this.ident()).join(' ')};`);
      else out.push(`inherit ("${this.ident()}") ${this.ident()};`);
    }
    return out.join(' ');
  }

  attrset(d: number, rec: boolean): string {
    return `${rec ? 'rec ' : ''}{ ${this.bindings(d, 5)} }`;
  }

  letIn(d: number): string {
    const names = this.times(1, 3, () => this.ident());
    const saved = this.scope;
    this.scope = saved.concat(names);
    const bs = names.map((n) => `${n} = ${this.expr(d)};`).join(' ');
    const extra = this.chance(0.3) ? ` inherit (lib) ${this.pick(LIB_UNARY)};` : '';
    const body = this.expr(d);
    this.scope = saved;
    return `let ${bs}${extra} in ${body}`;
  }

  lambda(d: number): string {
    const saved = this.scope;
    let head: string;
    const r = this.int(4);
    if (r === 0) {
      const p = this.ident();
      this.scope = saved.concat([p]);
      head = `${p}:`;
    } else {
      const formals = [...new Set(this.times(0, 4, () => this.ident()))];
      this.scope = saved.concat(formals);
      const fs = formals.map((f) => (this.chance(0.3) ? `${f} ? ${this.expr(Math.min(d, 2))}` : f));
      if (this.chance(0.5)) fs.push('...');
      const at = this.chance(0.3) ? this.ident() : undefined;
      if (at) this.scope.push(at);
      head = `{ ${fs.join(', ')} }${at ? ` @ ${at}` : ''}:`;
      if (at && this.chance(0.5)) head = `${at} @ { ${fs.join(', ')} }:`;
    }
    const body = this.expr(d);
    this.scope = saved;
    return `${head} ${body}`;
  }

  string(d: number): string {
    const parts = this.times(0, 4, () => {
      const r = this.int(6);
      if (r === 0) return `\${${this.expr(Math.min(d, 3))}}`;
      if (r === 1) return this.pick(['\\n', '\\t', '\\"', '\\\\', '\\$', '$$', '\\${x}', '$']);
      if (r === 2) return this.pick(UNICODE.filter((u) => u !== '\u0000'));
      return this.pick(['/bin/sh', ' -c ', 'echo hi', '--port=', 'CAP_', '@system-service', '~']);
    });
    return `"${parts.join('')}"`;
  }

  indented(d: number): string {
    const lines = this.times(0, 5, () => {
      const r = this.int(6);
      if (r === 0) return `  \${${this.expr(Math.min(d, 3))}}`;
      if (r === 1) return this.pick(["  ''$", "  '''", "  ''\\n", '  $$x', '\t tab', '']);
      return '  ' + this.pick(['exec ${pkgs.foo}/bin/foo', 'set -eu', 'PrivateTmp=true', this.pick(UNICODE.filter((u) => u !== '\u0000'))]);
    });
    return `''\n${lines.join('\n')}\n''`;
  }

  path(d: number): string {
    const seg = () => this.pick(['a', 'b.nix', 'x-y', '.', '..', 'etc', 'default.nix']);
    const base = this.pick(['./', '/', '../', '~/']) + this.times(1, 3, seg).join('/');
    return this.chance(0.2) ? `${base}/\${${this.varRef()}}` : base;
  }

  libFn(): string {
    return `${this.pick(['lib.', 'builtins.', 'lib.lists.', 'lib.strings.', 'lib.attrsets.', 'lib.modules.', 'lib.options.', 'lib.trivial.', ''])}${this.pick(LIB_UNARY)}`;
  }
  libFn2(): string {
    return `${this.pick(['lib.', 'builtins.', 'lib.attrsets.', 'lib.lists.', ''])}${this.pick(LIB_BINARY)}`;
  }
  libFn3(): string {
    return `${this.pick(['lib.', 'builtins.', 'lib.strings.', ''])}${this.pick(LIB_TERNARY)}`;
  }

  directiveValue(d: number): string {
    const r = this.int(10);
    if (r < 6) return this.pick(DIRECTIVE_VALUES);
    if (r < 7) return `lib.${this.pick(['mkDefault', 'mkForce'])} ${this.pick(DIRECTIVE_VALUES)}`;
    if (r < 8) return `lib.mkIf ${this.pick(['cfg.enable', 'cfg.flag', 'config.networking.enableIPv6', 'true', 'false'])} ${this.pick(DIRECTIVE_VALUES)}`;
    if (r < 9) return `lib.optionals ${this.pick(['cfg.flag', 'true'])} [ ${this.pick(DIRECTIVE_VALUES.filter((v) => v.startsWith('"')))} ]`;
    return `(${this.expr(Math.min(d, 3))})`;
  }

  serviceConfig(d: number): string {
    const lines = this.times(0, 8, () => `${this.pick(DIRECTIVES)} = ${this.directiveValue(d)};`);
    return `{ ${lines.join(' ')} }`;
  }

  generateExpr(): string {
    this.budget = 60 + this.int(200);
    return this.expr(2 + this.int(7));
  }

  generateModule(): string {
    this.budget = 80 + this.int(300);
    const svc = this.pick(['web', 'db', 'relay', 'x-y', 'a.b', 'sshd', 'has space', 'getty@', 'foo@bar']);
    const svcKey = this.chance(0.05) ? '"${cfg.name or "x"}"' : /^[A-Za-z_][\w-]*$/.test(svc) ? svc : JSON.stringify(svc);
    const d = 2 + this.int(4);
    const header = this.pick(['{ config, lib, pkgs, ... }:', '{ config, lib, ... }:', '{ lib, pkgs, ... }@args:', 'args@{ config, lib, pkgs, utils, ... }:', '{ ... }:', '']);
    const withLib = this.chance(0.4);
    const L = withLib ? '' : 'lib.';
    const opts = this.times(0, 4, () => {
      const name = this.pick(['enable', 'package', 'port', 'flag', 'user', 'extraArgs', 'settings', 'dataDir']);
      const r = this.int(4);
      if (r === 0) return `${name} = ${L}mkEnableOption "the ${svc} service";`;
      if (r === 1) return `${name} = ${L}mkPackageOption pkgs "${svc}" { };`;
      return `${name} = ${L}mkOption { type = ${L}types.${this.pick(TYPES)}; default = ${this.directiveValue(Math.min(d, 2))}; description = "${name}"; };`;
    });
    const sc = this.times(0, 12, () => `${this.pick(DIRECTIVES)} = ${this.directiveValue(d)};`);
    if (this.chance(0.3)) sc.push(`inherit (cfg) ${this.pick(['user', 'flag', 'port'])};`);
    const scope = this.pick(['systemd.services', 'systemd.user.services', 'systemd.services', 'systemd.services']);
    const shape = this.int(6);
    let scText = `{ ${sc.join('\n        ')} }`;
    if (this.chance(0.2)) scText = `${L}mkMerge [ ${scText} (${L}mkIf cfg.flag ${this.serviceConfig(d)}) ]`;
    if (this.chance(0.2)) scText = `baseHardening // ${scText}`;
    let svcBody: string;
    if (shape === 0) svcBody = `${scope}.${svcKey}.serviceConfig = ${scText};`;
    else if (shape === 1) svcBody = `${scope}.${svcKey} = { description = "x"; wantedBy = [ "multi-user.target" ]; serviceConfig = ${scText}; ${this.chance(0.3) ? `confinement.enable = true;` : ''} };`;
    else if (shape === 2) svcBody = `${scope} = ${L}mapAttrs' (n: v: ${L}nameValuePair "${svc}-\${n}" { serviceConfig = ${scText}; }) cfg.instances;`;
    else if (shape === 3) svcBody = `${scope} = ${L}listToAttrs (map (n: { name = "${svc}-\${n}"; value.serviceConfig = ${scText}; }) [ "a" "b" ]);`;
    else if (shape === 4) svcBody = `${scope}.${svcKey}.serviceConfig = ${L}mkIf cfg.flag ${scText};\n    systemd.packages = [ cfg.package ];`;
    else svcBody = `${scope}.${svcKey}.serviceConfig = ${this.expr(d)};`;
    const extra = this.times(0, 2, () =>
      this.pick([
        `networking.firewall.allowedTCPPorts = [ cfg.port ];`,
        `users.users.${svc.replace(/\W/g, '')} = { isSystemUser = true; group = "x"; };`,
        `environment.systemPackages = [ cfg.package ];`,
        `assertions = [ { assertion = cfg.enable; message = "x"; } ];`,
        `${this.attrPath(1)} = ${this.expr(Math.min(d, 3))};`,
      ]),
    );
    const configWrap = this.int(4);
    const inner = `${svcBody}\n    ${extra.join('\n    ')}`;
    const config =
      configWrap === 0
        ? `config = ${L}mkIf cfg.enable {\n    ${inner}\n  };`
        : configWrap === 1
          ? `config = ${L}mkMerge [ (${L}mkIf cfg.enable {\n    ${inner}\n  }) { } ];`
          : configWrap === 2
            ? `config = {\n    ${inner}\n  };`
            : inner;
    const lets = [`cfg = config.services.${svcKey};`];
    if (this.chance(0.5)) lets.push(`baseHardening = { ${this.times(1, 4, () => `${this.pick(DIRECTIVES)} = ${this.pick(DIRECTIVE_VALUES)};`).join(' ')} };`);
    else lets.push('baseHardening = { };');
    if (this.chance(0.4)) lets.push(`helper = ${this.lambda(Math.min(d, 3))};`);
    const body = `{\n  ${this.chance(0.2) ? `imports = [ ./x.nix ];\n  ` : ''}options.services.${svcKey} = {\n    ${opts.join('\n    ')}\n  };\n  ${config}\n}`;
    return `${header}\n${withLib ? 'with lib;\n' : ''}let\n  ${lets.join('\n  ')}\nin\n${body}\n`;
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

function truncate(g: G, t: string): string {
  return t.slice(0, g.int(t.length + 1));
}

function byteFlips(g: G, t: string): string {
  const cs = [...t];
  for (let i = 0, n = 1 + g.int(16); i < n && cs.length; i++) {
    const p = g.int(cs.length);
    const r = g.int(4);
    if (r === 0) cs[p] = String.fromCharCode(g.int(128));
    else if (r === 1) cs[p] = String.fromCharCode((cs[p]!.charCodeAt(0) ^ (1 << g.int(8))) & 0xffff);
    else if (r === 2) cs[p] = g.pick(['{', '}', '(', ')', '[', ']', ';', '=', '"', "''", '${', '.', ':', '@', '?', '#', '/*', '*/', '\\', 'in', 'let']);
    else cs.splice(p, 1);
  }
  return cs.join('');
}

function deleteLines(g: G, t: string): string {
  const ls = t.split('\n');
  for (let i = 0, n = 1 + g.int(6); i < n && ls.length; i++) {
    const p = g.int(ls.length);
    ls.splice(p, 1 + g.int(Math.min(5, ls.length - p)));
  }
  return ls.join('\n');
}

function duplicateLines(g: G, t: string): string {
  const ls = t.split('\n');
  for (let i = 0, n = 1 + g.int(6); i < n; i++) {
    const p = g.int(ls.length);
    const len = 1 + g.int(Math.min(8, ls.length - p));
    const chunk = ls.slice(p, p + len);
    const times = g.chance(0.1) ? 1 + g.int(200) : 1;
    const q = g.int(ls.length + 1);
    ls.splice(q, 0, ...Array.from({ length: times }, () => chunk).flat());
  }
  return ls.join('\n');
}

/** Depth up to 20 000, skewed towards small depths to keep the run fast. */
function nestDepth(g: G): number {
  const r = g.r();
  return r < 0.6 ? 1 + g.int(100) : r < 0.9 ? 100 + g.int(2000) : 2000 + g.int(18001);
}

const WRAPPERS: readonly [string, string][] = [
  ['[', ']'], ['(', ')'], ['{ a = ', '; }'], ['let a = ', '; in a'], ['[ (', ') ]'], ['x: ', ''], ['if true then ', ' else null'],
  ['lib.mkIf true (', ')'], ['{ a.b = ', '; }.a.b'], ['"${', '}"'], ['-', ''], ['!', ''], ['assert true; ', ''], ['with lib; ', ''],
  ['lib.mkMerge [ ', ' ]'], ['rec { a = ', '; }'], ['(', ' + 1)'], ['[ 1 ', ' ]'],
];

function deepNest(g: G, t: string): string {
  const [open, close] = g.pick(WRAPPERS);
  const depth = nestDepth(g);
  const unbalanced = g.chance(0.15);
  const closeN = unbalanced ? g.int(depth + 1) : depth;
  const core = g.chance(0.5) ? '1' : '"x"';
  const nested = open.repeat(depth) + core + close.repeat(closeN);
  const r = g.int(3);
  if (r === 0) return nested;
  if (r === 1) return `{ config.systemd.services.deep.serviceConfig.${g.pick(DIRECTIVES)} = ${nested}; }`;
  // Spliced into the real module at a random line.
  const ls = t.split('\n');
  const p = g.int(ls.length);
  ls.splice(p, 0, `    ${g.pick(DIRECTIVES)} = ${nested};`);
  return ls.join('\n');
}

function hugeString(g: G, t: string): string {
  // Mostly up to 32 KB; one in twenty up to 1 MB (the slow tail, kept rare so that runs stay fast).
  const size = g.chance(0.95) ? 1 + g.int(32 * 1024) : 32 * 1024 + g.int(1024 * 1024 - 32 * 1024);
  const unit = g.pick(['a', 'ab ', '\\n', '${x}', 'é', '🙂', '$', "'", '\\"', 'CAP_SYS_ADMIN ']);
  let body = unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  if (unit === '${x}') body = body.replace(/\$\{x\}/g, '\\${x}');
  const r = g.int(4);
  const lit = r === 0 ? `''${body.replace(/''/g, "'''")}''` : `"${body.replace(/\\?"/g, '\\"').replace(/\\$/, '')}"`;
  if (r === 3) return `{ config.systemd.services.big.serviceConfig.ExecStart = ${lit}; }`;
  const ls = t.split('\n');
  const p = g.int(ls.length);
  ls.splice(p, 0, `    ${g.pick(DIRECTIVES)} = ${lit};`);
  return ls.join('\n');
}

function conflictMarkers(g: G, t: string): string {
  const ls = t.split('\n');
  const a = g.int(ls.length + 1);
  const b = a + g.int(Math.max(1, Math.min(10, ls.length - a)));
  const ours = ls.slice(a, b);
  const theirs = g.chance(0.5) ? ours.map((l) => l.replace(/true/g, 'false')) : [];
  const block = ['<<<<<<< HEAD', ...ours, ...(g.chance(0.3) ? ['||||||| base', ...ours] : []), '=======', ...theirs, '>>>>>>> feature/x'];
  if (g.chance(0.2)) block.splice(g.int(block.length), 1);
  ls.splice(a, b - a, ...block);
  return ls.join('\n');
}

function randomUnicode(g: G, t: string): string {
  const cs = [...t];
  for (let i = 0, n = 1 + g.int(20); i < n; i++) {
    const p = g.int(cs.length + 1);
    const r = g.int(4);
    const ch = r === 0 ? g.pick(UNICODE) : r === 1 ? String.fromCodePoint(g.int(0x110000 - 0x800)) : r === 2 ? String.fromCharCode(0xd800 + g.int(0x800)) : String.fromCodePoint(0x80 + g.int(0x780));
    cs.splice(p, 0, ch);
  }
  return cs.join('');
}

function nulBytes(g: G, t: string): string {
  const cs = [...t];
  for (let i = 0, n = 1 + g.int(10); i < n; i++) cs.splice(g.int(cs.length + 1), g.chance(0.3) ? 1 : 0, '\u0000'.repeat(1 + g.int(g.chance(0.1) ? 1000 : 3)));
  return cs.join('');
}

const LIGHT_MUTATORS: Record<string, (g: G, t: string) => string> = {
  truncate,
  'byte-flip': byteFlips,
  'delete-lines': deleteLines,
  'duplicate-lines': duplicateLines,
  'conflict-markers': conflictMarkers,
  unicode: randomUnicode,
  nul: nulBytes,
};

const MUTATORS: Record<string, (g: G, t: string) => string> = {
  ...LIGHT_MUTATORS,
  'deep-nesting': deepNest,
  'huge-string': hugeString,
};

// ---------------------------------------------------------------------------------------------

/**
 * The input with index `index` of the run seeded `seed`. Mix: ~35 % grammar (expressions and
 * modules), ~65 % mutations (a small share of them deep-nesting and huge-string inputs, the slow ones).
 */
export function makeInput(seed: number, index: number, seedlings: readonly Seedling[]): FuzzInput {
  const g = new NixGen(rng(inputSeed(seed, index)));
  const roll = g.r();
  if (roll < 0.15) return { index, kind: 'grammar-expr', path: `fuzz/expr-${index}.nix`, text: g.generateExpr() };
  if (roll < 0.35) return { index, kind: 'grammar-module', path: `fuzz/module-${index}.nix`, text: g.generateModule() };
  const base = g.pick(seedlings);
  let kind: string;
  const m = g.r();
  if (m < 0.025) kind = 'deep-nesting';
  else if (m < 0.05) kind = 'huge-string';
  else if (m < 0.15) kind = 'combo';
  else kind = g.pick(Object.keys(LIGHT_MUTATORS));
  let text: string;
  if (kind === 'combo') {
    const names = g.times(2, 4, () => g.pick(Object.keys(LIGHT_MUTATORS)));
    text = names.reduce((t, n) => LIGHT_MUTATORS[n]!(g, t), base.text);
    kind = `combo:${names.join('+')}`;
  } else {
    text = MUTATORS[kind]!(g, base.text);
  }
  return { index, kind: `mutate:${kind}`, path: base.path, text, base };
}
