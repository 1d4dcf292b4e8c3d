import { compare, type Side } from '../../src/hardening/compare.js';

const v = (value: unknown): Side => ({ value: value as never });
const absent: Side = { absent: true };

describe('compare', () => {
  it.each([
    ['ProtectSystem', v('full'), v('strict'), 'tightened'],
    ['ProtectSystem', v(true), v('full'), 'tightened'],
    ['ProtectSystem', v('strict'), absent, 'loosened'],
    ['ProtectHome', v(true), v('yes'), 'equal'],
    ['ProtectHome', v('read-only'), v(true), 'tightened'],
    ['PrivateTmp', v('true'), v(true), 'equal'],
    ['PrivateTmp', v(true), v(false), 'loosened'],
    ['UMask', v('077'), v('0077'), 'equal'],
    ['UMask', v('0022'), v('0077'), 'tightened'],
    ['UMask', v('0027'), v('0072'), 'incomparable'],
    ['User', absent, v('svc'), 'tightened'],
    ['User', v('svc'), v('root'), 'loosened'],
    ['User', v('a'), v('b'), 'incomparable'],
  ])('%s: %j -> %j is %s', (name, before, after, verdict) => {
    expect(compare(name, before, after)).toBe(verdict);
  });

  it('knows the four spellings of an empty capability bounding set', () => {
    expect(compare('CapabilityBoundingSet', v(''), v(['']))).toBe('equal');
    expect(compare('CapabilityBoundingSet', v(''), v(null))).toBe('equal');
    // An empty list renders no line at all: the full default set.
    expect(compare('CapabilityBoundingSet', v(''), v([]))).toBe('loosened');
    expect(compare('CapabilityBoundingSet', v([]), absent)).toBe('equal');
    expect(compare('CapabilityBoundingSet', v('CAP_A CAP_B'), v(['CAP_B', 'CAP_A']))).toBe('equal');
    expect(compare('CapabilityBoundingSet', v(['CAP_NET_BIND_SERVICE']), v(['CAP_NET_BIND_SERVICE', 'CAP_NET_RAW']))).toBe('loosened');
    expect(compare('CapabilityBoundingSet', v(['~CAP_SYS_ADMIN']), v(['CAP_NET_RAW']))).toBe('tightened');
  });

  it('expands syscall groups before comparing filters', () => {
    const base = v(['@system-service']);
    expect(compare('SystemCallFilter', base, v(['@system-service', '~@privileged']))).toBe('tightened');
    expect(compare('SystemCallFilter', v(['@system-service', '~@privileged @resources']), v(['@system-service', '~@resources', '~@privileged']))).toBe('equal');
    expect(compare('SystemCallFilter', absent, base)).toBe('tightened');
    expect(compare('SystemCallFilter', v('~@clock'), v('~@clock @debug'))).toBe('tightened');
    expect(compare('SystemCallFilter', v(['@system-service', '~@privileged']), v(['@system-service', '~@privileged', '@chown']))).toBe('loosened');
    expect(compare('SystemCallFilter', v(['@system-service:EPERM']), base)).toBe('equal');
  });

  it('compares address families, namespaces and devices as sets', () => {
    expect(compare('RestrictAddressFamilies', v(['AF_UNIX', 'AF_INET']), v('none'))).toBe('tightened');
    expect(compare('RestrictAddressFamilies', v('AF_UNIX AF_INET AF_INET6'), v(['AF_UNIX', 'AF_INET AF_INET6']))).toBe('equal');
    expect(compare('RestrictAddressFamilies', absent, v(['AF_UNIX']))).toBe('tightened');
    expect(compare('RestrictNamespaces', v(true), v(false))).toBe('loosened');
    expect(compare('RestrictNamespaces', v(true), v('uts ipc'))).toBe('loosened');
    expect(compare('DeviceAllow', v(['/dev/ttyUSB0 rw']), v(['/dev/ttyUSB0 rw', 'char-drm rw']))).toBe('loosened');
    expect(compare('DeviceAllow', v('char-drm rw'), v(['char-drm rw']))).toBe('equal');
  });

  it('orders deny-sets the other way', () => {
    expect(compare('InaccessiblePaths', v(['/home']), v(['/home', '/root']))).toBe('tightened');
    expect(compare('ReadWritePaths', v(['/var/lib/a']), v(['/var/lib/a', '/srv']))).toBe('loosened');
  });

  it('says unknown when a side cannot be known, unless both are the same unknown', () => {
    expect(compare('ProtectSystem', { unknown: 'x' }, v('strict'))).toBe('unknown');
    expect(compare('ExecStart', { unknown: 'pkgs.a' }, { unknown: 'pkgs.a' })).toBe('equal');
  });
});
