/**
 * Golden fixtures: modules written by us in the style of real ones (test/fixtures/modules), each
 * with the extract output worked out by hand. Every service, every serviceConfig directive of the
 * defaults view (except Exec* and Environment*), its value and line must match.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractText } from '../../src/nixos/extract.js';
import type { OptionValue } from '../../src/nixos/services.js';

const dir = join(process.cwd(), 'test/fixtures/modules');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.nix')).sort();

interface ExpectedOption { value?: unknown; unknown?: boolean; line: number }
interface ExpectedService {
  name: string; unit: string; scope: string; pattern: boolean; case: string; line: number;
  options: Record<string, ExpectedOption>;
  branches?: { when: string; options: Record<string, ExpectedOption> }[];
}
interface Expected { diagnostics: string[]; services: ExpectedService[] }

const ignored = (name: string) => name.startsWith('Exec') || name.startsWith('Environment');

function normalise(options: Record<string, OptionValue | ExpectedOption>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (ignored(k)) continue;
    out[k] = 'unknown' in v && v.unknown !== undefined ? { unknown: true, line: v.line } : { value: (v as { value: unknown }).value, line: v.line };
  }
  return out;
}

describe('extract on the golden fixtures', () => {
  it('has at least 40 fixtures, each with expected output', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    for (const f of fixtures) expect(readdirSync(dir)).toContain(f.replace(/\.nix$/, '.expected.json'));
  });

  describe.each(fixtures)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const expectedPath = join(dir, file.replace(/\.nix$/, '.expected.json'));
    const expected = (existsSync(expectedPath) ? JSON.parse(readFileSync(expectedPath, 'utf8')) : { diagnostics: ['missing-expected-file'], services: [] }) as Expected;
    const result = extractText(file, text);

    it('reports the expected syntax problems and nothing unexpected of the parser', () => {
      const ids = result.diagnostics.map((d) => d.id);
      for (const id of expected.diagnostics) expect(ids).toContain(id);
      const parseIds = [...new Set(ids.filter((i) => i.startsWith('parse-')))].sort();
      expect(parseIds).toEqual([...new Set(expected.diagnostics.filter((i) => i.startsWith('parse-')))].sort());
      expect(ids).not.toContain('internal-error');
    });

    it('finds exactly the expected services', () => {
      const got = result.services.map((s) => `${s.scope}:${s.name}`).sort();
      expect(got).toEqual(expected.services.map((s) => `${s.scope}:${s.name}`).sort());
    });

    for (const want of expected.services) {
      it(`${want.scope} service ${want.name}: metadata, options and branches`, () => {
        const got = result.services.find((s) => s.name === want.name && s.scope === want.scope);
        expect(got).toBeDefined();
        const { unit, pattern, line } = got!;
        expect({ unit, pattern, case: got!.case, line }).toEqual({ unit: want.unit, pattern: want.pattern, case: want.case, line: want.line });
        expect(normalise(got!.options)).toEqual(normalise(want.options));
        if (want.branches) {
          const norm = (bs: { when: string; options: Record<string, OptionValue | ExpectedOption> }[]) =>
            bs.map((b) => ({ when: b.when, options: normalise(b.options) })).filter((b) => Object.keys(b.options).length > 0).sort((a, b) => a.when.localeCompare(b.when));
          expect(norm(got!.branches)).toEqual(norm(want.branches));
        }
      });
    }
  });
});
