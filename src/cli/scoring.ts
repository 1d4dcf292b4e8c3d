/** The exposure score the CLI shows for an extracted service. */
import { scoreService } from '../hardening/service-score.js';
import type { Service } from '../nixos/services.js';

export function serviceScore(s: Service): number | null {
  const r = scoreService(s);
  return r.loadError ? null : r.exposure;
}
