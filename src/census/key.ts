/** The census cache's key of a module: its path and text under a base (our code, the modules directory, all-tests.nix). */
import { createHash } from 'node:crypto';

export function keyOf(base: Uint8Array, path: string, text: string): string {
  return createHash('sha256').update(base).update(path).update('\0').update(text).digest('base64url');
}
