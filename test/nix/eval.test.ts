import { evaluateText, render, Thunk, attrs, type Value } from '../../src/nix/index.js';

/** Evaluates `src`; a top-level function is called with `{ lib }`. Returns the rendered JSON. */
function run(src: string) {
  const f = evaluateText(src);
  let v: Value = f.value;
  if (v.t === 'lambda') v = f.ev.applyValue(v, Thunk.of(attrs([['lib', Thunk.of(f.lib)]])));
  return { r: render(f.ev, Thunk.of(v)), diagnostics: f.ev.diagnostics, value: v };
}
const val = (src: string) => run(src).r;

describe('the partial evaluator', () => {
  it('evaluates literals, lists and sets', () => {
    expect(val('{ a = 1; b = [ true null "x" ]; c.d = 2.5; }')).toEqual({ value: { a: 1, b: [true, null, 'x'], c: { d: 2.5 } } });
  });

  it('resolves let, rec, with and inherit with lexical scope before with', () => {
    expect(val('let x = 1; s = { x = 2; y = 3; }; in with s; [ x y ]')).toEqual({ value: [1, 3] });
    expect(val('rec { a = b + 1; b = 2; }')).toEqual({ value: { a: 3, b: 2 } });
    expect(val('let s = { p = 4; q = 5; }; in { inherit (s) p q; }')).toEqual({ value: { p: 4, q: 5 } });
    expect(val('let x = 7; in rec { inherit x; y = x; }')).toEqual({ value: { x: 7, y: 7 } });
  });

  it('applies functions with formals, defaults and @-patterns', () => {
    expect(val('let f = { a, b ? a + 1, ... }@args: [ a b args.c ]; in f { a = 1; c = 9; }')).toEqual({ value: [1, 2, 9] });
  });

  it('implements the operators', () => {
    expect(val('[ (1 + 2 * 3) ("a" + "b") (7 / 2) (1 < 2) ([1] ++ [2]) ({ a = 1; b = 1; } // { b = 2; }) ({ a.b = 1; } ? a.b) (!true) (1 == 1.0) (true -> false) ]'))
      .toEqual({ value: [7, 'ab', 3, true, [1, 2], { a: 1, b: 2 }, true, false, true, false] });
    expect(val('let s = { a = 1; }; in [ (s.b or 5) (s.a or 6) ]')).toEqual({ value: [5, 1] });
  });

  it('interpolates strings and keeps unknown parts unknown', () => {
    expect(val('let n = "x"; in "pre-${n}-${toString 3}"')).toEqual({ value: 'pre-x-3' });
    expect('unknown' in val('{ pkgs }: "${pkgs.hello}/bin/hello"')).toBe(true);
    expect('unknown' in val('"${./file.conf}"')).toBe(true);
  });

  it('implements the lib functions modules use', () => {
    expect(val(`{ lib }: with lib; [
      (optional true "a") (optionals false [ "b" ]) (optionalString true "c")
      (concatStringsSep " " [ "x" "y" ]) (concatMapStringsSep "," (s: s + "!") [ "p" "q" ])
      (flatten [ 1 [ 2 [ 3 ] ] ]) (unique [ 1 2 1 ]) (elem 2 [ 1 2 ]) (attrNames { b = 1; a = 2; })
      (mapAttrs' (n: v: nameValuePair "x-\${n}" (v + 1)) { a = 1; })
      (listToAttrs (map (n: { name = n; value = true; }) [ "k" ]))
      (filterAttrs (n: v: v > 1) { a = 1; b = 2; }) (genAttrs [ "u" ] (n: n))
      (recursiveUpdate { a = { b = 1; c = 2; }; } { a = { c = 3; }; })
      (escapeShellArg "it's") (toString [ 1 "a" ]) (lib.strings.hasPrefix "/var" "/var/lib")
    ]`)).toEqual({ value: [['a'], [], 'c', 'x y', 'p!,q!', [1, 2, 3], [1, 2], true, ['a', 'b'], { 'x-a': 2 }, { k: true }, { b: 2 }, { u: 'u' }, { a: { b: 1, c: 3 } }, "'it'\\''s'", '1 a', true] });
  });

  it('keeps module-system markers visible', () => {
    const { value } = run('{ lib }: { a = lib.mkDefault 1; b = lib.mkIf true 2; c = lib.mkMerge [ 1 ]; d = lib.mkForce 3; e = lib.mkBefore [ 4 ]; }');
    if (value.t !== 'attrs') throw new Error('not a set');
    const kinds = Object.fromEntries([...value.attrs].map(([k, a]) => [k, a.th.force().t]));
    expect(kinds).toEqual({ a: 'override', b: 'cond', c: 'merge', d: 'override', e: 'order' });
  });

  it('says unknown instead of guessing', () => {
    for (const src of ['{ pkgs }: pkgs.stdenv.isLinux', 'builtins.readFile ./x', 'undefinedName', '{ config }: config.networking.hostName', 'throw "no"', 'assert false; 1']) {
      expect('unknown' in val(src)).toBe(true);
    }
    expect(val('{ pkgs }: if pkgs.stdenv.isLinux then 1 else 1')).toHaveProperty('unknown');
    expect(val('{ pkgs }: false && pkgs.x')).toEqual({ value: false });
  });

  it('turns infinite recursion into a finding', () => {
    const a = run('let x = x; in x');
    expect('unknown' in a.r).toBe(true);
    expect(a.diagnostics.map((d) => d.id)).toContain('eval-infinite-recursion');
    const b = run('(rec { a = b; b = a; }).a');
    expect(b.diagnostics.map((d) => d.id)).toContain('eval-infinite-recursion');
  });

  it('stops at the depth and step budgets with a finding', () => {
    const deep = run('let f = n: f (n + 1); in f 0');
    expect('unknown' in deep.r).toBe(true);
    expect(deep.diagnostics.map((d) => d.id)).toContain('eval-budget');
    const wide = run('let f = n: if n == 0 then 0 else (f (n - 1)) + (f (n - 1)); in f 40');
    expect('unknown' in wide.r).toBe(true);
    expect(wide.diagnostics.map((d) => d.id)).toContain('eval-budget');
  });

  it('concatenates 100 000 strings without recursion', () => {
    const src = Array.from({ length: 100_000 }, () => '"a"').join(' + ');
    const { r } = run(src);
    expect(r).toEqual({ value: 'a'.repeat(100_000) });
  });
});

describe('attribute path helpers', () => {
  it('walk paths for attrByPath, getAttrFromPath and hasAttrByPath', () => {
    expect(val('{ lib }: [ (lib.attrByPath ["a" "b"] 0 { a.b = 1; }) (lib.attrByPath ["a" "c"] 0 { a.b = 1; }) (lib.getAttrFromPath ["a" "b"] { a.b = 2; }) (lib.hasAttrByPath ["a" "b"] { a.b = 1; }) (lib.hasAttrByPath ["x"] { }) ]'))
      .toEqual({ value: [1, 0, 2, true, false] });
    expect(val('{ lib, pkgs }: lib.hasAttrByPath ["x"] pkgs')).toHaveProperty('unknown');
  });
});
