/** Every lint rule, listed explicitly (no registration by side effect). */
import checkPrestartSandboxOnTighten from './check-prestart-sandbox-on-tighten.js';
import noAmbientCapabilityOutsideBoundingSet from './no-ambient-capability-outside-bounding-set.js';
import noConfinementConflict from './no-confinement-conflict.js';
import noDirectiveNewerThanTarget from './no-directive-newer-than-target.js';
import noEmptyCapabilityList from './no-empty-capability-list.js';
import noFragileSyscallDenyGroup from './no-fragile-syscall-deny-group.js';
import noIpAllowWithoutDeny from './no-ip-allow-without-deny.js';
import noMemoryDenyWriteExecuteWithJit from './no-memory-deny-write-execute-with-jit.js';
import noPrivateNetworkWithOpenPorts from './no-private-network-with-open-ports.js';
import noRootUserWithDynamicUser from './no-root-user-with-dynamic-user.js';
import noUnknownDirective from './no-unknown-directive.js';
import requireNativeArchitecturesWithSyscallFilter from './require-native-architectures-with-syscall-filter.js';
import requireWritablePathForState from './require-writable-path-for-state.js';
import type { Rule } from './rule.js';

export const RULES: readonly Rule[] = [
  noUnknownDirective,
  noDirectiveNewerThanTarget,
  noConfinementConflict,
  noMemoryDenyWriteExecuteWithJit,
  noPrivateNetworkWithOpenPorts,
  noRootUserWithDynamicUser,
  requireWritablePathForState,
  noEmptyCapabilityList,
  noFragileSyscallDenyGroup,
  checkPrestartSandboxOnTighten,
  noAmbientCapabilityOutsideBoundingSet,
  noIpAllowWithoutDeny,
  requireNativeArchitecturesWithSyscallFilter,
] as Rule[];

export function rule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
