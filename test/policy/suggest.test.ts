/**
 * Suggestions on every fixture service: they parse, applying them never loosens any directive,
 * and they actually reach the profile (every change lands in the extracted sandbox).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from '../../src/hardening/compare.js';
import { parseFile } from '../../src/nix/ast.js';
import { analyseText } from '../../src/nixos/extract.js';
import type { OptionValue } from '../../src/nixos/services.js';
import { applyEdits, suggest } from '../../src/policy/suggest.js';

const dir = join(process.cwd(), 'test/fixtures/modules');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.nix')).sort();
const side = (v: OptionValue | undefined) => (v === undefined ? { absent: true as const } : 'unknown' in v ? { unknown: v.unknown } : { value: v.value });

describe.each(fixtures)('suggest on %s', (file) => {
  const text = readFileSync(join(dir, file), 'utf8');
  const analysis = analyseText(file, text);
  const services = analysis.file.services;
  if (services.length === 0) {
    it('has no services to suggest for', () => expect(analysis.file.services).toEqual([]));
    return;
  }
  it.each(services.map((s) => [`${s.scope}:${s.name}`, s] as const))('%s', (_k, service) => {
    for (const profile of ['strict-v1', 'baseline-v1']) {
      const s = suggest(service, analysis, { profile });
      // A kept value that the target systemd does not know yet scores as unset there.
      const versionKept = s.kept.some((k) => k.reason.includes('needs systemd'));
      if (s.exposure && s.exposure.target !== null && !versionKept) {
        // At or below what the profile promises; with unknown values, at least in the best case.
        expect(s.exposure.afterRange[0]).toBeLessThanOrEqual(s.exposure.target);
        if (s.exposure.afterRange[0] === s.exposure.afterRange[1]) expect(s.exposure.after).toBeLessThanOrEqual(s.exposure.target);
        expect(s.exposure.after).toBeLessThanOrEqual(s.exposure.before);
      }
      if (s.snippet) expect(parseFile(`{ ${s.snippet} }`).diagnostics).toEqual([]);
      if (s.edits.length === 0) continue;
      const after = applyEdits(text, s.edits);
      const parsedBefore = parseFile(text).diagnostics.length;
      expect(parseFile(after).diagnostics.length).toBeLessThanOrEqual(parsedBefore);
      const again = analyseText(file, after).file.services.find((x) => x.name === service.name && x.scope === service.scope)!;
      expect(again).toBeDefined();
      const looser = Object.keys({ ...service.options, ...again.options }).filter((d) => compare(d, side(service.options[d]), side(again.options[d])) === 'loosened');
      expect(looser).toEqual([]);
      for (const c of s.changes.filter((c) => !s.snippet || c.line > 0)) {
        expect([c.directive, compare(c.directive, { value: c.to }, side(again.options[c.directive]))]).toEqual([c.directive, 'equal']);
      }
    }
  });
});
