/**
 * Hardening profiles: a strict base plus named relaxations, each triggered by a need of the
 * module (see needs.ts). Bundled profiles live in policies/*.yml and are validated by the schema
 * below; an invalid profile is reported with every problem at once.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { packageRoot } from '../nix/parser.js';
import type { Json } from '../nix/render.js';
import { NEED_IDS } from './needs.js';

const directiveName = z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'a systemd directive name');
const json: z.ZodType<Json> = z.lazy(() => z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)]));

const relaxation = z.strictObject({
  why: z.string().min(10),
  needs: z.array(z.enum(NEED_IDS)).min(1),
  set: z.record(directiveName, json).default({}),
  unset: z.array(directiveName).default([]),
  add: z.record(directiveName, z.array(z.string())).default({}),
});

export const profileSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+-v\d+$/, 'a versioned id like strict-v1'),
  title: z.string().min(1),
  description: z.string().min(10),
  base: z.record(directiveName, json),
  relaxations: z.record(z.string().regex(/^[a-z0-9-]+$/), relaxation).default({}),
  classes: z
    .record(z.string().regex(/^[a-z0-9-]+$/), z.strictObject({ description: z.string().min(5), relaxations: z.array(z.string()).min(1) }))
    .default({}),
});

export type Profile = z.infer<typeof profileSchema>;
export type Relaxation = z.infer<typeof relaxation>;

export interface ProfileError {
  path: string;
  problem: string;
}

/** Parses and validates a profile; every problem at once. */
export function parseProfile(text: string, source = 'profile'): { ok: true; profile: Profile } | { ok: false; errors: ProfileError[] } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => ({ path: `${source}:${e.linePos?.[0]?.line ?? 0}`, problem: e.message.split('\n')[0]! })) };
  }
  const result = profileSchema.safeParse(doc.toJS());
  const errors: ProfileError[] = result.success ? [] : result.error.issues.map((i) => ({ path: i.path.length ? i.path.map(String).join('.') : '(root)', problem: i.message }));
  if (result.success) {
    const p = result.data;
    for (const [id, c] of Object.entries(p.classes)) {
      c.relaxations.forEach((r, i) => {
        if (!p.relaxations[r]) errors.push({ path: `classes.${id}.relaxations.${i}`, problem: `no relaxation named ${r}` });
      });
    }
  }
  return errors.length === 0 && result.success ? { ok: true, profile: result.data } : { ok: false, errors };
}

export class ProfileLoadError extends Error {
  constructor(
    readonly source: string,
    readonly errors: ProfileError[],
  ) {
    super(`invalid profile ${source}: ${errors.map((e) => `${e.path}: ${e.problem}`).join('; ')}`);
  }
}

/**
 * The profiles in policies/*.yml, parsed and validated, by id; throws for an invalid one. `npm run
 * gen` writes them to policies/bundled.json, which is what reviews and the census read (see
 * ./bundled.ts); a test fails when that file is out of date.
 */
export function profilesFromYaml(): Map<string, Profile> {
  const dir = join(packageRoot(), 'policies');
  const out = new Map<string, Profile>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yml')).sort()) {
    const r = parseProfile(readFileSync(join(dir, f), 'utf8'), `policies/${f}`);
    if (!r.ok) throw new ProfileLoadError(`policies/${f}`, r.errors);
    out.set(r.profile.id, r.profile);
  }
  return out;
}

export { bundledProfiles, targetSandbox } from './bundled.js';
