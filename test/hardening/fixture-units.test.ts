/**
 * The unit rendered from every fixture service is scored by the real systemd-analyze (252) and
 * by us: the overall exposure must be the same, and so must every check's badness.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderUnit, scoreService, unitFileName } from '../../src/hardening/service-score.js';
import { extractText } from '../../src/nixos/extract.js';
import { requireSystemd252, runTool, toolExposure } from '../support/systemd-analyze.js';

const sources = [
  ...readdirSync('test/fixtures/modules').filter((f) => f.endsWith('.nix')).map((f) => join('test/fixtures/modules', f)),
  'examples/pastebin.nix',
];

describe('scores of the units rendered from the fixtures', () => {
  it('agree with systemd-analyze security --offline for every service', () => {
    requireSystemd252();
    // Unit names must be unique in one run of the tool (it loads units by name).
    const used = new Set<string>();
    const units = sources.flatMap((file) =>
      extractText(file, readFileSync(file, 'utf8')).services.map((s) => {
        let service = s;
        for (let n = 2; used.has(unitFileName(service)); n++) service = { ...s, name: `${s.name}-${n}` };
        used.add(unitFileName(service));
        return { file, service, name: unitFileName(service), text: renderUnit(service) };
      }),
    );
    expect(units.length).toBeGreaterThanOrEqual(50);
    const tool = runTool(units.map((u) => ({ name: u.name, text: u.text })));
    const mismatches: string[] = [];
    units.forEach((u, i) => {
      const rows = tool[i];
      if (rows === null) {
        if (scoreService(u.service).loadError === null) mismatches.push(`${u.file} ${u.name}: systemd refused the unit, we did not`);
        return;
      }
      // With unknown values, the rendered unit (unknowns left out) is what both sides score.
      const known = scoreService({ ...u.service, options: Object.fromEntries(Object.entries(u.service.options).filter(([, v]) => 'value' in v)) });
      const theirs = toolExposure(rows);
      if (Math.round(known.exposure * 10) !== theirs) mismatches.push(`${u.file} ${u.name}: ours ${known.exposure} tool ${theirs / 10}`);
      // The exposure-only scoring (census, suggestions) agrees too, and builds no checks.
      const lite = scoreService(u.service, { checks: false });
      const full = scoreService(u.service);
      if (lite.checks.length > 0 || JSON.stringify({ ...lite, checks: [] }) !== JSON.stringify({ ...full, checks: [] })) {
        mismatches.push(`${u.file} ${u.name}: exposure-only ${JSON.stringify(lite)} full ${JSON.stringify({ ...full, checks: '…' })}`);
      }
      for (const r of rows) {
        const c = known.checks.find((x) => x.jsonField === r.json_field);
        const b = r.badness > r.range ? null : r.badness;
        if (!c || c.badness !== b) mismatches.push(`${u.file} ${u.name} ${r.json_field}: ours ${c?.badness} tool ${b}`);
      }
    });
    expect(mismatches).toEqual([]);
  });
});
