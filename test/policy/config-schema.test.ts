/** schemas/config.schema.json is generated from the zod schema (`npm run gen`) and must not drift. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { CONFIG_SCHEMA_PATH, configJsonSchema, configSchemaText, defaultConfig } from '../../src/policy/config.js';
import { parseConfig } from '../../src/policy/load.js';

const committed = readFileSync(join(process.cwd(), CONFIG_SCHEMA_PATH), 'utf8');

describe('config JSON Schema', () => {
  it('is up to date (run npm run gen)', () => {
    const stale = committed === configSchemaText() ? [] : [CONFIG_SCHEMA_PATH];
    expect({ stale, hint: 'run npm run gen' }).toEqual({ stale: [], hint: 'run npm run gen' });
  });

  it('documents the defaults, declared once in the zod schema', () => {
    const schema = configJsonSchema() as { properties: Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }>; additionalProperties: boolean };
    const defaults = defaultConfig();
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.paths!.default).toEqual(defaults.paths);
    expect(schema.properties.profile!.default).toBe(defaults.profile);
    expect(schema.properties.systemd!.properties!.version!.default).toBe(defaults.systemd.version);
    expect(schema.properties.output!.properties!.max_inline_comments!.default).toBe(defaults.output.max_inline_comments);
  });

  it('accepts what the loader accepts and rejects its structural errors (editors agree with the app)', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(committed));
    const now = new Date('2025-01-01T00:00:00Z');
    const good = [
      '',
      'ratchet: false',
      'severities: { rules: { no-a: off } }\ngates: { max_exposure: [{ path: "**", max: 4.5 }] }',
      'waivers: [{ service: "foo-<name>", directive: ProtectHome, allow: [a, 1], reason: ok, expires: 2030-01-01 }]',
    ];
    for (const text of good) {
      expect(parseConfig(text, { now }).ok).toBe(true);
      expect(validate(parse(text) ?? {})).toBe(true);
    }
    const bad = ['frobnicate: 1', 'systemd: { version: 200 }', 'severities: { loosened: loud }', 'waivers: [{ service: s }]', 'output: { labels: { x: 1 } }'];
    for (const text of bad) {
      expect(parseConfig(text, { now }).ok).toBe(false);
      expect(validate(parse(text))).toBe(false);
    }
  });
});
