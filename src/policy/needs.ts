/**
 * What a service needs from its sandbox, inferred statically from the module: each need comes
 * with the fact that shows it (and its line), so a relaxation is always explained.
 */
import type { Json } from '../nix/render.js';
import type { Analysis } from '../nixos/extract.js';
import type { Service } from '../nixos/services.js';
import { unitLines } from '../hardening/normalise.js';
import { bindingTextAt, jitRuntimeIn } from '../hardening/source.js';

export const NEED_IDS = [
  'network',
  'netlink',
  'packet-sockets',
  'privileged-ports',
  'jit',
  'devices',
  'realtime',
  'static-user',
  'root',
  'namespaces',
  'setup-job',
  'writable-paths',
] as const;

export type NeedId = (typeof NEED_IDS)[number];

export interface Need {
  id: NeedId;
  /** The fact that shows the need, for people. */
  fact: string;
  line: number;
}

const ADMIN_CAPS = ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_CHOWN', 'CAP_FOWNER', 'CAP_SETUID', 'CAP_SETGID', 'CAP_SYS_PTRACE', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO'];
const NETWORK_OPTION = /(^|\.)(port|ports|listen[A-Za-z]*|bind[A-Za-z]*|host|address|openFirewall)$/i;

function words(v: Json | undefined): string[] {
  if (v === undefined) return [];
  return unitLines(v).join(' ').split(/\s+/).filter(Boolean);
}

export function inferNeeds(service: Service, analysis: Analysis): Need[] {
  const needs: Need[] = [];
  const add = (id: NeedId, fact: string, line: number) => {
    if (!needs.some((n) => n.id === id)) needs.push({ id, fact, line });
  };
  const opt = (name: string) => service.options[name];
  const val = (name: string): Json | undefined => {
    const o = opt(name);
    return o && 'value' in o ? o.value : undefined;
  };
  const line = (name: string) => opt(name)?.line ?? service.line;

  // network
  for (const fw of analysis.facts.firewall) {
    if (fw.opens !== false) add('network', `the module opens networking.firewall.${fw.option}${fw.when ? ` when ${fw.when}` : ''}`, fw.line);
  }
  const families = words(val('RestrictAddressFamilies'));
  const inet = families.find((f) => f === 'AF_INET' || f === 'AF_INET6');
  if (inet) add('network', `RestrictAddressFamilies allows ${inet}`, line('RestrictAddressFamilies'));
  if (val('PrivateNetwork') === false) add('network', 'PrivateNetwork is set to false', line('PrivateNetwork'));
  const netOpt = analysis.facts.options.find((o) => NETWORK_OPTION.test(o));
  if (netOpt) add('network', `the module has a network option (${netOpt})`, service.line);
  if (families.includes('AF_NETLINK')) add('netlink', 'RestrictAddressFamilies allows AF_NETLINK', line('RestrictAddressFamilies'));
  if (families.includes('AF_PACKET')) add('packet-sockets', 'RestrictAddressFamilies allows AF_PACKET', line('RestrictAddressFamilies'));

  // capabilities
  const caps = [...words(val('CapabilityBoundingSet')), ...words(val('AmbientCapabilities'))];
  if (caps.includes('CAP_NET_BIND_SERVICE')) add('privileged-ports', 'the service keeps CAP_NET_BIND_SERVICE', line(words(val('AmbientCapabilities')).includes('CAP_NET_BIND_SERVICE') ? 'AmbientCapabilities' : 'CapabilityBoundingSet'));

  // code generation
  const exec = ['ExecStart', 'ExecStartPre'].map((n) => (opt(n) ? bindingTextAt(analysis.text, opt(n)!.line) : '')).join('\n');
  const runtime = jitRuntimeIn(exec);
  if (runtime) add('jit', `ExecStart runs ${runtime}`, line('ExecStart'));
  if (val('MemoryDenyWriteExecute') === false) add('jit', 'MemoryDenyWriteExecute is set to false', line('MemoryDenyWriteExecute'));

  // devices, realtime, namespaces
  const devices = unitLines(val('DeviceAllow') ?? []).filter((l) => l.trim() !== '');
  if (devices.length > 0) add('devices', `DeviceAllow names ${devices[0]}`, line('DeviceAllow'));
  if (val('PrivateDevices') === false) add('devices', 'PrivateDevices is set to false', line('PrivateDevices'));
  if (val('RestrictRealtime') === false) add('realtime', 'RestrictRealtime is set to false', line('RestrictRealtime'));
  const ns = val('RestrictNamespaces');
  if (ns === false || (typeof ns === 'string' && ns !== '' && ns !== 'true' && ns !== 'yes')) add('namespaces', `RestrictNamespaces is ${JSON.stringify(ns)}`, line('RestrictNamespaces'));

  // identity
  const user = val('User');
  const dynamic = val('DynamicUser') === true;
  if (user === 'root' || user === '0') add('root', 'User is root', line('User'));
  else if (typeof user === 'string' && user !== '' && !dynamic) add('static-user', `the service runs as the declared user ${user}`, line('User'));
  else if (opt('User') && 'unknown' in opt('User')! && !dynamic) add('static-user', 'the service runs as a user set by an option', line('User'));
  if (!dynamic && user === undefined) {
    const admin = caps.find((c) => ADMIN_CAPS.includes(c));
    if (admin) add('root', `the service runs as root and keeps ${admin}`, line('CapabilityBoundingSet'));
    if (val('PrivateUsers') === false) add('root', 'PrivateUsers is set to false', line('PrivateUsers'));
  }

  // kind of unit
  if (val('Type') === 'oneshot') add('setup-job', 'Type is oneshot', line('Type'));
  const writable = ['StateDirectory', 'CacheDirectory', 'LogsDirectory', 'RuntimeDirectory', 'ReadWritePaths'].find((n) => opt(n));
  if (writable) add('writable-paths', `the service declares ${writable}`, line(writable));
  return needs;
}
