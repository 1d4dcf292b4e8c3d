/** Ambient capabilities that the bounding set removes are silently lost. */
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';
import { unitLines } from '../normalise.js';

const words = (lines: string[]) => lines.join(' ').split(/\s+/).filter(Boolean);

export default defineRule({
  meta: {
    id: 'no-ambient-capability-outside-bounding-set',
    type: 'problem',
    severity: 'warning',
    docs: {
      description: 'Reports capabilities listed in `AmbientCapabilities` but left out of an explicit `CapabilityBoundingSet`.',
      rationale:
        'A capability outside the bounding set cannot be held at all, so listing it as ambient has no effect and the service fails where it needed it (typically binding a port below 1024). Either add it to the bounding set or drop it from the ambient set.',
    },
    messages: {
      outside: '{{caps}} in AmbientCapabilities but not in CapabilityBoundingSet, so the service will not have it.',
    },
    examples: {
      weak: [{ module: exampleModule('CapabilityBoundingSet = "";\nAmbientCapabilities = [ "CAP_NET_BIND_SERVICE" ];') }],
      strong: [
        { module: exampleModule('CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" ];\nAmbientCapabilities = [ "CAP_NET_BIND_SERVICE" ];') },
        { module: exampleModule('AmbientCapabilities = [ "CAP_NET_BIND_SERVICE" ];') },
      ],
    },
  },
  check(ctx) {
    const ambient = ctx.value('AmbientCapabilities');
    const bounding = ctx.value('CapabilityBoundingSet');
    if (ambient === undefined || bounding === undefined) return;
    const b = unitLines(bounding);
    // Only a plain allow list can be checked here; `~` lists and resets are left alone.
    if (b.some((l) => l.trim().startsWith('~'))) return;
    let allowed = new Set<string>();
    for (const l of b) {
      if (l.trim() === '') allowed = new Set();
      else for (const w of words([l])) allowed.add(w);
    }
    const missing = words(unitLines(ambient)).filter((c) => !c.startsWith('~') && !allowed.has(c));
    if (missing.length > 0) ctx.report({ messageId: 'outside', data: { caps: missing.join(', ') }, directive: 'AmbientCapabilities' });
  },
});
