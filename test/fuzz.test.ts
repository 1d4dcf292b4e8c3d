/**
 * The CI share of the fuzzer (Issue 7): 5 000 seeded inputs, grammar-based and mutated, through
 * every engine entry point. None may crash (throw, or make analyseText report `internal-error`),
 * and none may take longer than the fuzzer's 5 s limit. `npm run fuzz` runs 100 000.
 */
import { runFuzz } from '../fuzz/fuzz.js';
import { makeInput } from '../fuzz/gen.js';
import { loadSeedlings, runInput } from '../fuzz/engine.js';

describe('fuzzing', () => {
  it('generates the same input for the same seed and index', () => {
    const seedlings = loadSeedlings();
    expect(makeInput(7, 123, seedlings)).toEqual(makeInput(7, 123, seedlings));
    expect(makeInput(7, 123, seedlings).text).not.toEqual(makeInput(8, 123, seedlings).text);
  });

  it('counts internal errors and exceptions as crashes (regressions found by the fuzzer)', () => {
    // `config` forced before the module's options are known used to throw inside analyseText.
    expect(runInput({ path: 'a.nix', text: '{ config, ... }: let cfg = config.services.x; in "${cfg}"' }).crash).toBeNull();
    // An attribute set as a serviceConfig value used to make scoreService (and diffFiles) throw.
    const r = runInput({ path: 'b.nix', text: '{ config.systemd.services.x.serviceConfig.PrivateUsers = { a = 1; }; }' });
    expect(r.crash).toBeNull();
    expect(r.services).toBe(1);
    // A directive name with regex syntax in it (a quoted key) used to make suggest throw.
    const q = runInput({ path: 'c.nix', text: '{ config.systemd.services.x.serviceConfig = {\n  "Foo[ (" = 1;\n  PrivateTmp = false;\n}; }' });
    expect(q.crash).toBeNull();
  });

  it('survives 5 000 inputs with 0 crashes', async () => {
    const report = await runFuzz({ inputs: 5000, seed: 20240607 });
    const summary = report.crashList.map((c) => `${c.reproduce}: ${c.stage}: ${c.message}\n${c.input}`);
    expect(summary).toEqual([]);
    expect(report.inputs).toBe(5000);
    expect(report.crashes).toBe(0);
    expect(report.timeouts).toEqual([]);
    // Both families of input are exercised, and some inputs still yield services.
    expect(Object.keys(report.byKind)).toEqual(expect.arrayContaining(['grammar-expr', 'grammar-module', 'mutate:deep-nesting', 'mutate:huge-string', 'mutate:truncate']));
    expect(report.withServices).toBeGreaterThan(500);
  }, 180_000);
});
