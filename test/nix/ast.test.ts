import { parseFile, type Expr } from '../../src/nix/ast.js';

function strOf(src: string): unknown {
  const { root } = parseFile(src);
  if (root.k !== 'str') throw new Error(`not a string: ${root.k}`);
  return root.parts.map((p) => (typeof p === 'string' ? p : `<${p.k}>`));
}

describe('parseFile', () => {
  it('builds the syntax tree of a small module with positions', () => {
    const { root, diagnostics } = parseFile('{ lib, ... }:\n{\n  config.x = lib.mkIf true 1;\n}\n');
    expect(diagnostics).toEqual([]);
    expect(root.k).toBe('lambda');
    const body = (root as Extract<Expr, { k: 'lambda' }>).body;
    expect(body.k).toBe('attrs');
    const binding = (body as Extract<Expr, { k: 'attrs' }>).bindings[0];
    expect(binding.k === 'bind' && binding.path.map((p) => (p.k === 'static' ? p.name : '?'))).toEqual(['config', 'x']);
    expect(binding.span.line).toBe(3);
  });

  it('reads formals with a trailing comma (as nixfmt writes them) without a finding', () => {
    const formalsOf = (src: string) => {
      const { root, diagnostics } = parseFile(src);
      if (root.k !== 'lambda') throw new Error(`not a function: ${root.k}`);
      return { names: root.formals?.map((f) => f.name), ellipsis: root.ellipsis, diagnostics: diagnostics.map((d) => d.id) };
    };
    expect(formalsOf('{\n  system,\n  pkgs,\n  callTest,\n}:\n{ }\n')).toEqual({ names: ['system', 'pkgs', 'callTest'], ellipsis: false, diagnostics: [] });
    expect(formalsOf('{ a ? 1, b, }: a')).toEqual({ names: ['a', 'b'], ellipsis: false, diagnostics: [] });
    // After a single formal the grammar reads the comma differently; still a trailing comma.
    expect(formalsOf('{ lib, }: lib')).toEqual({ names: ['lib'], ellipsis: false, diagnostics: [] });
    expect(formalsOf('{ lib ? null, }: lib')).toEqual({ names: ['lib'], ellipsis: false, diagnostics: [] });
    expect(formalsOf('{\n  # the package set\n  pkgs,\n}: pkgs')).toEqual({ names: ['pkgs'], ellipsis: false, diagnostics: [] });
    // Not Nix: a comma with nothing before the next formal or before the brace, or after `...`.
    expect(formalsOf('{ a, , b }: a').diagnostics).not.toEqual([]);
    expect(formalsOf('{ , }: 1').diagnostics).not.toEqual([]);
    expect(formalsOf('{ a, ..., }: a').diagnostics).not.toEqual([]);
  });

  it('decodes escapes in double-quoted strings', () => {
    expect(strOf('"a\\nb\\"c\\${d}"')).toEqual(['a\nb"c${d}']);
  });

  it('strips the common indentation of indented strings as Nix does', () => {
    expect(strOf("''\n    a\n      b\n    c\n  ''")).toEqual(['a\n  b\nc\n']);
    expect(strOf("''x\n  y''")).toEqual(['x\n  y']);
    expect(strOf("''\n  a ${b}\n  '''c ''$d $${e}\n''")).toEqual(['a ', '<var>', "\n''c $d $${e}\n"]);
  });

  it('flattens long operator chains instead of nesting them', () => {
    const src = Array.from({ length: 5000 }, () => '"a"').join(' + ');
    const { root, diagnostics } = parseFile(src);
    expect(diagnostics).toEqual([]);
    expect(root.k === 'binary' && root.operands.length).toBe(5000);
  });

  it('reports syntax errors and merge-conflict markers as findings', () => {
    const { diagnostics } = parseFile('{\n  a = 1;\n<<<<<<< HEAD\n  b = 2;\n=======\n  b = 3;\n>>>>>>> other\n}\n');
    expect(diagnostics.some((d) => d.id === 'parse-error')).toBe(true);
    const missing = parseFile('{ a = 1 }');
    expect(missing.diagnostics.map((d) => d.id)).toContain('parse-missing');
  });

  it('cuts subtrees nested too deeply with a finding', () => {
    const src = '['.repeat(3000) + ']'.repeat(3000);
    const { diagnostics } = parseFile(src);
    expect(diagnostics.map((d) => d.id)).toContain('parse-too-deep');
  });
});
