/**
 * Network: network namespaces, socket address families, IP access lists and bind restrictions.
 */
import { defineFamily } from './scored-fields.js';

export const NETWORK = defineFamily('network', [
  {
    name: 'PrivateNetwork',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 33,
    summary: 'Runs the service in a new network namespace that only has a loopback interface.',
    rationale:
      'The strongest network restriction: no route to anything, and abstract AF_UNIX sockets and netlink ' +
      'events of the host are cut off too. It carries the largest single weight in systemd-analyze, which ' +
      'however does not relax the address-family, IP or capability checks because of it.',
    breakage:
      'Anything that talks over the network breaks, including DNS resolution and connections to local ' +
      'services on host addresses; abstract-namespace sockets (some X11 and D-Bus setups) and udev device ' +
      'events become unavailable.',
    man: 'systemd.exec.html#PrivateNetwork=',
    examples: { weak: 'PrivateNetwork = false;', strong: 'PrivateNetwork = true;' },
  },
  {
    name: 'NetworkNamespacePath',
    kind: 'string',
    strictness: { kind: 'none' },
    default: '',
    since: 242,
    summary: 'Joins the network namespace found at the given path (for example /run/netns/NAME).',
    rationale:
      'Places the service in an existing namespace, such as one that only has a VPN interface. Whether that ' +
      'is stricter than the host depends entirely on the namespace, so changes are reported as neutral. ' +
      'PrivateNetwork has no effect when this is set.',
    breakage: 'The namespace must exist when the service starts; the service only reaches what that namespace routes to.',
    man: 'systemd.exec.html#NetworkNamespacePath=',
    examples: {
      weak: 'NetworkNamespacePath = "/run/netns/shared";',
      strong: 'NetworkNamespacePath = "/run/netns/myservice";',
    },
  },
  {
    name: 'RestrictAddressFamilies',
    kind: 'list',
    strictness: { kind: 'allow-set', universe: 'families' },
    default: '',
    since: 211,
    summary: 'Limits which socket address families (AF_UNIX, AF_INET, ...) the service may create; "none" allows none.',
    rationale:
      'Most of the kernel\'s networking code is reachable only through unusual families (AF_PACKET, ' +
      'AF_NETLINK, Bluetooth, ...), historically a rich source of privilege-escalation bugs. Allowing only ' +
      'what is used removes that surface. Unset or empty means no restriction. Sockets received from ' +
      'socket activation are unaffected; it needs SystemCallArchitectures=native to be airtight.',
    breakage:
      'Without AF_NETLINK services cannot list interfaces or addresses or watch routes (getifaddrs, many ' +
      'network daemons and language runtimes); without AF_PACKET DHCP clients and packet capture fail; ' +
      'without AF_UNIX logging to syslog/journal and D-Bus break; without AF_INET/AF_INET6 all IP ' +
      'networking including DNS fails.',
    man: 'systemd.exec.html#RestrictAddressFamilies=',
    examples: {
      weak: 'RestrictAddressFamilies = [ "AF_UNIX" "AF_INET" "AF_INET6" "AF_NETLINK" ];',
      strong: 'RestrictAddressFamilies = [ "AF_UNIX" "AF_INET" "AF_INET6" ];',
    },
  },
  {
    name: 'IPAddressAllow',
    kind: 'list',
    strictness: { kind: 'allow-set' },
    default: '',
    since: 235,
    summary: 'Lists IP networks that stay reachable even when IPAddressDeny matches them (any, localhost, link-local, multicast or CIDR).',
    rationale:
      'Allow entries take precedence over deny entries, so every network listed here is an exception to ' +
      'the firewall. systemd-analyze rates a deny-all with only localhost allowed better than one that ' +
      'allows other networks.',
    breakage: 'Removing an entry silently drops traffic to and from that network (database hosts, DNS servers, upstream APIs).',
    man: 'systemd.resource-control.html#IPAddressAllow=ADDRESS%5B/PREFIXLENGTH%5D%E2%80%A6',
    examples: { weak: 'IPAddressAllow = [ "localhost" "10.0.0.0/8" ];', strong: 'IPAddressAllow = [ "localhost" ];' },
  },
  {
    name: 'IPAddressDeny',
    kind: 'list',
    strictness: { kind: 'deny-set' },
    default: '',
    since: 235,
    summary: 'Drops IP traffic to and from the listed networks unless IPAddressAllow matches.',
    rationale:
      'An eBPF per-unit firewall: "any" plus a short allow list confines a service to the peers it needs. ' +
      'systemd-analyze gives full credit only when both 0.0.0.0/0 and ::/0 are denied (or a custom BPF ' +
      'filter is attached). Sockets passed in by socket activation follow the socket unit\'s lists.',
    breakage:
      'Traffic to anything not allowed disappears without an error message: DNS, NTP, remote databases, ' +
      'package mirrors, metrics endpoints.',
    man: 'systemd.resource-control.html#IPAddressDeny=ADDRESS%5B/PREFIXLENGTH%5D%E2%80%A6',
    examples: { weak: 'IPAddressDeny = [ "0.0.0.0/0" ];', strong: 'IPAddressDeny = [ "0.0.0.0/0" "::/0" ];' },
  },
  {
    name: 'IPIngressFilterPath',
    kind: 'paths',
    strictness: { kind: 'deny-set' },
    default: '',
    since: 243,
    summary: 'Attaches pinned BPF programs (paths under /sys/fs/bpf) that filter the service\'s incoming IP packets.',
    rationale:
      'Custom packet filters for cases the address lists cannot express. systemd-analyze treats any custom ' +
      'filter as full IP restriction without looking at what it does.',
    breakage: 'If the program is missing or eBPF cgroup support is unavailable the unit fails; the filter itself may drop wanted traffic.',
    man: 'systemd.resource-control.html#IPIngressFilterPath=BPF_FS_PROGRAM_PATH',
    examples: {
      weak: 'IPIngressFilterPath = [ "/sys/fs/bpf/allow-all" ];',
      strong: 'IPIngressFilterPath = [ "/sys/fs/bpf/allow-all" "/sys/fs/bpf/myservice-ingress" ];',
    },
  },
  {
    name: 'IPEgressFilterPath',
    kind: 'paths',
    strictness: { kind: 'deny-set' },
    default: '',
    since: 243,
    summary: 'Attaches pinned BPF programs (paths under /sys/fs/bpf) that filter the service\'s outgoing IP packets.',
    rationale:
      'The outgoing counterpart of IPIngressFilterPath; limits where a compromised service can send data. ' +
      'Counted by systemd-analyze the same way.',
    breakage: 'If the program is missing or eBPF cgroup support is unavailable the unit fails; the filter itself may drop wanted traffic.',
    man: 'systemd.resource-control.html#IPEgressFilterPath=BPF_FS_PROGRAM_PATH',
    examples: {
      weak: 'IPEgressFilterPath = [ "/sys/fs/bpf/allow-all" ];',
      strong: 'IPEgressFilterPath = [ "/sys/fs/bpf/allow-all" "/sys/fs/bpf/myservice-egress" ];',
    },
  },
  {
    name: 'SocketBindAllow',
    kind: 'list',
    strictness: { kind: 'allow-set' },
    default: '',
    since: 249,
    summary: 'Lists bind rules ([ipv4|ipv6:][tcp|udp:][port[-port]] or any) that bind(2) may always use.',
    rationale:
      'Combined with SocketBindDeny=any it pins the service to its own ports, so a compromised process ' +
      'cannot open a listener elsewhere. Allow rules win over deny rules; every rule is an exception. ' +
      'Applies regardless of network namespace.',
    breakage: 'Binding to a port not covered fails with EPERM, including ephemeral binds some clients make explicitly.',
    man: 'systemd.resource-control.html#SocketBindAllow=bind-rule',
    examples: { weak: 'SocketBindAllow = [ "tcp:8080" "tcp:8443" ];', strong: 'SocketBindAllow = [ "tcp:8080" ];' },
  },
  {
    name: 'SocketBindDeny',
    kind: 'list',
    strictness: { kind: 'deny-set' },
    default: '',
    since: 249,
    summary: 'Lists bind rules that bind(2) is refused for unless SocketBindAllow matches.',
    rationale: 'The deny side of the bind restriction; "any" with a short allow list is the usual pattern. Not scored by systemd-analyze.',
    breakage: 'Listeners on denied ports fail to start.',
    man: 'systemd.resource-control.html#SocketBindDeny=bind-rule',
    examples: { weak: 'SocketBindDeny = [ "ipv4:udp" ];', strong: 'SocketBindDeny = [ "ipv4:udp" "ipv6:udp" ];' },
  },
  {
    name: 'RestrictNetworkInterfaces',
    kind: 'list',
    strictness: { kind: 'allow-set', universe: 'interfaces' },
    default: '',
    since: 250,
    summary: 'Limits the network interfaces the service may send and receive on (or, with ~, excludes some).',
    rationale:
      'Keeps a service on the interfaces meant for it, e.g. only the loopback and an internal network, or ' +
      'away from a management interface. The loopback interface must be listed explicitly.',
    breakage: 'Traffic over interfaces not listed is dropped, including "lo" if it is forgotten.',
    man: 'systemd.resource-control.html#RestrictNetworkInterfaces=',
    examples: {
      weak: 'RestrictNetworkInterfaces = [ "lo" "eth0" "wg0" ];',
      strong: 'RestrictNetworkInterfaces = [ "lo" "eth0" ];',
    },
  },
]);
