/**
 * The repository's own configuration, `.github/nixos-harden.yml` (read from the base branch).
 *
 * One zod schema with every default declared inline, once. `defaultConfig()`, the effective config
 * that `dump-config` prints, and `schemas/config.schema.json` (for editors; `npm run gen`) all come
 * from it. Parsing, `_extends` and error reporting live in load.ts and config-errors.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { globProblem } from './glob.js';

/** A repository-relative picomatch glob, checked with picomatch's strict parser. */
const glob = z.string().superRefine((value, ctx) => {
  const problem = globProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
});

const level = z.enum(['error', 'warning', 'notice', 'off']);

export const VERDICTS = ['loosened', 'tightened', 'changed', 'unknown'] as const;
export const SEVERITY_LEVELS = level.options;

const RULE_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const DIRECTIVE = /^[A-Z][A-Za-z0-9]*$/;
const PROFILE = /^[a-z0-9-]+-v\d+$/;

const jsonValue = z.json().meta({ id: 'JsonValue', description: 'Any JSON value.' });

const waiver = z
  .strictObject({
    service: z
      .string()
      .regex(/\S/, 'service must not be empty')
      .describe('Service name as NixOS spells it (`foo`), or a pattern for generated services (`foo-<name>`).'),
    directive: z
      .string()
      .regex(DIRECTIVE, 'directive must be a systemd directive name such as ProtectSystem')
      .describe('The serviceConfig directive the waiver is for, e.g. `ProtectHome`.'),
    allow: jsonValue.describe('The value that is allowed, as the JSON form of the Nix value (e.g. `false`, `"read-only"`, a list).'),
    reason: z.string().regex(/\S/, 'reason must not be empty').describe('Why the looser value is acceptable; shown in the review.'),
    expires: z.iso
      .date('expires must be a date written YYYY-MM-DD')
      .optional()
      .describe('Last day (UTC) on which the waiver applies, YYYY-MM-DD. An expired waiver is a config error.'),
  })
  .describe('Accepts a specific looser value for one directive of one service.');

export const configSchema = z
  .strictObject({
    _extends: z
      .string()
      .regex(/\S/, '_extends must not be empty')
      .optional()
      .describe(
        'Another config to start from: `owner/repo` or `owner/repo:path` in the app, a path relative to this file on the command line. Keys here override it; objects merge, lists replace.',
      ),
    paths: z.array(glob).default(['nixos/modules/services/**/*.nix']).describe('Globs of the module files to review.'),
    ignore: z.array(glob).default([]).describe('Globs of files not to review, even when `paths` matches them.'),
    systemd: z
      .strictObject({
        version: z
          .int('version must be a whole number')
          .min(230)
          .max(300)
          .default(252)
          .describe('The systemd version to target: directives newer than it are reported.'),
      })
      .prefault({})
      .describe('The systemd the reviewed modules run under.'),
    profile: z
      .string()
      .regex(PROFILE, 'profile must be a bundled profile name such as strict-v1')
      .default('strict-v1')
      .describe('The bundled hardening profile that suggestions aim for.'),
    ratchet: z
      .boolean()
      .default(true)
      .describe('Regression-only review: services a pull request does not touch are never commented on.'),
    severities: z
      .strictObject({
        loosened: level.default('warning').describe('Level for a directive made looser.'),
        tightened: level.default('notice').describe('Level for a directive made stricter.'),
        changed: level.default('notice').describe('Level for a change that is neither looser nor stricter.'),
        unknown: level.default('notice').describe('Level for a change whose effect cannot be known statically.'),
        rules: z
          .record(z.string().regex(RULE_ID, 'rule id must be kebab-case, e.g. no-empty-capability-list'), level)
          .default({})
          .describe('Level per rule id, overriding the rule’s own.'),
      })
      .prefault({})
      .describe('How loud each kind of finding is; `off` hides it.'),
    gates: z
      .strictObject({
        conclusion_on_regression: z
          .enum(['failure', 'neutral', 'success'])
          .default('neutral')
          .describe('Conclusion of the check run when hardening regresses.'),
        max_exposure: z
          .array(
            z.strictObject({
              path: glob.describe('Files this limit applies to.'),
              max: z
                .number()
                .min(0)
                .max(10)
                .multipleOf(0.1, 'max must have at most one decimal')
                .describe('Highest acceptable `systemd-analyze security` exposure, 0.0 to 10.0.'),
            }),
          )
          .default([])
          .describe('Exposure limits for services in matching files; exceeding one counts as a regression.'),
      })
      .prefault({})
      .describe('When the check run fails.'),
    waivers: z.array(waiver).default([]).describe('Accepted exceptions. A waiver added by the pull request under review is reported, not honoured.'),
    vm_tests: z
      .strictObject({
        request_on_tighten: z.boolean().default(true).describe('Ask for the service’s NixOS VM tests when hardening tightens.'),
        ofborg: z.boolean().default(true).describe('Include the `@ofborg test <name>` line.'),
      })
      .prefault({})
      .describe('NixOS VM test requests.'),
    output: z
      .strictObject({
        inline_comments: z.boolean().default(true).describe('Comment on the changed lines, not only in the summary.'),
        suggestions: z.boolean().default(true).describe('Offer suggestion blocks with stricter settings.'),
        labels: z
          .strictObject({
            enabled: z.boolean().default(true).describe('Set labels on the pull request.'),
            regression: z.string().regex(/\S/, 'label must not be empty').default('hardening: regression'),
            tightened: z.string().regex(/\S/, 'label must not be empty').default('hardening: tightened'),
          })
          .prefault({})
          .describe('Pull request labels.'),
        mention_maintainers: z.boolean().default(false).describe('Mention the module’s maintainers in the summary.'),
        max_inline_comments: z
          .int('max_inline_comments must be a whole number')
          .min(1)
          .max(100)
          .default(30)
          .describe('At most this many inline comments per review; the rest go to the summary.'),
      })
      .prefault({})
      .describe('What the review posts.'),
  })
  .meta({
    title: 'nixos-harden configuration',
    description: 'The repository configuration of nixos-harden, `.github/nixos-harden.yml`, read from the base branch.',
  });

/** The validated config of one file, defaults filled in (`_extends` still as written). */
export type ConfigFile = z.output<typeof configSchema>;
/** The effective config: every default filled in, `_extends` resolved and gone. */
export type Config = Omit<ConfigFile, '_extends'>;
export type Waiver = Config['waivers'][number];
export type SeverityLevel = z.output<typeof level>;
export type ConfigVerdict = (typeof VERDICTS)[number];

/** The configuration of a repository without a config file. A fresh object on every call. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}

/** The JSON Schema of the config file (what users write: keys with defaults are optional). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

export const CONFIG_SCHEMA_PATH = 'schemas/config.schema.json';

/** The committed text of schemas/config.schema.json. */
export function configSchemaText(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + '\n';
}

/** Writes schemas/config.schema.json below `root` (called by `npm run gen`); returns the path written. */
export function writeConfigSchema(root: string): string {
  const file = join(root, CONFIG_SCHEMA_PATH);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, configSchemaText());
  return file;
}

let jsonSchemaCache: Record<string, unknown> | undefined;

/** The keys an object at `path` of the config may have, from the JSON Schema (for "did you mean"). */
export function knownKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  jsonSchemaCache ??= configJsonSchema();
  let node: unknown = jsonSchemaCache;
  const defs = (node as { $defs?: Record<string, unknown> }).$defs ?? {};
  const deref = (n: unknown): Record<string, unknown> | undefined => {
    if (!n || typeof n !== 'object') return undefined;
    const ref = (n as { $ref?: string }).$ref;
    if (ref?.startsWith('#/$defs/')) return deref(defs[ref.slice('#/$defs/'.length)]);
    return n as Record<string, unknown>;
  };
  for (const seg of path) {
    const n = deref(node);
    if (!n) return undefined;
    if (typeof seg === 'number') node = n.items;
    else {
      const props = n.properties as Record<string, unknown> | undefined;
      node = props && typeof seg === 'string' && seg in props ? props[seg] : n.additionalProperties;
    }
  }
  const props = deref(node)?.properties;
  return props ? Object.keys(props) : undefined;
}
