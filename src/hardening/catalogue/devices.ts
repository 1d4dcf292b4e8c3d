/**
 * Devices: which device nodes a service can see and open.
 */
import { defineFamily } from './scored-fields.js';

export const DEVICES = defineFamily('devices', [
  {
    name: 'PrivateDevices',
    kind: 'bool',
    strictness: { kind: 'true-stricter' },
    default: 'no',
    since: 209,
    summary: 'Gives the service a minimal /dev with only pseudo devices (null, zero, random, ptys).',
    rationale:
      'Raw access to disks, memory or hardware bypasses every file permission. Besides the private /dev ' +
      '(read-only, noexec) it drops CAP_MKNOD and CAP_SYS_RAWIO, filters @raw-io and sets ' +
      'DevicePolicy=closed, which systemd-analyze rewards in several checks.',
    breakage:
      'Anything needing hardware breaks: GPUs (/dev/dri), serial and USB devices, sound, disks (SMART, ' +
      'backups of block devices), KVM, /dev/net/tun for VPNs, /dev/fuse, TPM access; old programs that ' +
      'map /dev/zero executable fail because of noexec.',
    man: 'systemd.exec.html#PrivateDevices=',
    examples: { weak: 'PrivateDevices = false;', strong: 'PrivateDevices = true;' },
  },
  {
    name: 'DeviceAllow',
    kind: 'entries',
    strictness: { kind: 'allow-set' },
    default: '',
    since: 208,
    summary: 'Grants access to a device node or device group with r/w/m modes, one "SPECIFIER MODE" entry per assignment.',
    rationale:
      'With DevicePolicy closed or strict this is the exact list of hardware the service may touch. ' +
      'systemd-analyze ignores entries while DevicePolicy is auto and rates "some entries" below "none". ' +
      'Note that one entry contains a space (e.g. "char-drm rw"): entries must not be split on whitespace.',
    breakage: 'Removing an entry makes opening that device fail with EPERM.',
    man: 'systemd.resource-control.html#DeviceAllow=',
    examples: {
      weak: 'DeviceAllow = [ "char-drm rw" "/dev/uinput rw" ];',
      strong: 'DeviceAllow = [ "char-drm rw" ];',
    },
  },
  {
    name: 'DevicePolicy',
    kind: 'enum',
    values: ['auto', 'closed', 'strict'],
    strictness: { kind: 'order', order: ['auto', 'closed', 'strict'] },
    default: 'auto',
    since: 208,
    summary: 'Chooses the device access policy: auto (all devices unless DeviceAllow is set), closed (pseudo devices plus DeviceAllow), strict (only DeviceAllow).',
    rationale:
      'auto without DeviceAllow places no device restriction at all, which systemd-analyze scores as worst ' +
      'even if DeviceAllow entries exist. closed is the practical choice; strict also removes /dev/null and ' +
      'friends unless listed.',
    breakage: 'Devices not listed become unusable; strict breaks almost every program that opens /dev/null or /dev/urandom.',
    man: 'systemd.resource-control.html#DevicePolicy=auto%7Cclosed%7Cstrict',
    examples: { weak: 'DevicePolicy = "auto";', strong: 'DevicePolicy = "closed";' },
  },
]);
