/**
 * The bundled profiles at run time, from policies/bundled.json: `npm run gen` writes it from
 * policies/*.yml after validating every profile (./profile.ts), and a test fails when it is out
 * of date. Reviews and the census thus need neither the YAML parser nor the schema library,
 * which cost more to load than a hundred modules take to analyse.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../nix/parser.js';
import type { Json } from '../nix/render.js';
import type { Profile } from './profile.js';

export const BUNDLED_PROFILES_PATH = 'policies/bundled.json';

let bundled: Map<string, Profile> | undefined;

/** The profiles shipped in policies/, by id. */
export function bundledProfiles(): Map<string, Profile> {
  if (bundled) return bundled;
  const data = JSON.parse(readFileSync(join(packageRoot(), BUNDLED_PROFILES_PATH), 'utf8')) as Record<string, Profile>;
  bundled = new Map(Object.entries(data));
  return bundled;
}

const sandboxes = new WeakMap<Profile, Map<string, Readonly<Record<string, Json>>>>();

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/**
 * The sandbox a profile asks for, with the given relaxations applied in the profile's order.
 * Worked out once per profile and relaxations: the result is frozen and shared between callers
 * (the census asks for it once per service).
 */
export function targetSandbox(profile: Profile, relaxations: readonly string[]): Readonly<Record<string, Json>> {
  let memo = sandboxes.get(profile);
  if (!memo) sandboxes.set(profile, (memo = new Map()));
  const key = relaxations.join('\u0000');
  let sandbox = memo.get(key);
  if (!sandbox) memo.set(key, (sandbox = deepFreeze(buildSandbox(profile, relaxations))));
  return sandbox;
}

const entriesOf = new WeakMap<object, readonly (readonly [string, Json])[]>();

/** The directives and values of {@link targetSandbox}, as a list (kept per sandbox). */
export function targetSandboxEntries(profile: Profile, relaxations: readonly string[]): readonly (readonly [string, Json])[] {
  const sandbox = targetSandbox(profile, relaxations);
  let entries = entriesOf.get(sandbox);
  if (!entries) entriesOf.set(sandbox, (entries = Object.freeze(Object.entries(sandbox))));
  return entries;
}

function buildSandbox(profile: Profile, relaxations: readonly string[]): Record<string, Json> {
  const out: Record<string, Json> = structuredClone(profile.base);
  for (const [id, r] of Object.entries(profile.relaxations)) {
    if (!relaxations.includes(id)) continue;
    for (const d of r.unset) delete out[d];
    for (const [d, v] of Object.entries(r.set)) out[d] = structuredClone(v);
    for (const [d, items] of Object.entries(r.add)) {
      const cur = out[d];
      const list = Array.isArray(cur) ? cur : cur === undefined || cur === null ? [] : [cur];
      out[d] = [...list, ...items.filter((x) => !list.includes(x))];
    }
  }
  return out;
}
