/** The exposure score the CLI shows for an extracted service (filled in by the scorer). */
import type { Service } from '../nixos/services.js';

export function serviceScore(_s: Service): number | null {
  return null;
}
