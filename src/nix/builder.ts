/**
 * Building Nix text: values in nixfmt style (RFC 166), so suggestions are valid, idiomatic Nix
 * that a maintainer can apply as they are.
 */
import type { Json } from './render.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_'-]*$/;
const KEYWORDS = new Set(['if', 'then', 'else', 'let', 'in', 'with', 'rec', 'inherit', 'assert', 'or']);

/** A Nix string literal: escapes `"`, `\`, `${` and control characters. */
export function nixString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === '\\') out += '\\' + c;
    else if (c === '$' && s[i + 1] === '{') out += '\\$';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else out += c;
  }
  return out + '"';
}

/** An attribute name, quoted when it is not a plain identifier. */
export function nixAttrName(name: string): string {
  return IDENT.test(name) && !KEYWORDS.has(name) ? name : nixString(name);
}

/**
 * A value as nixfmt lays it out at the given indentation: scalars inline, lists with more than
 * one element one item per line, sets one binding per line.
 */
export function nixValue(v: Json, indent = ''): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return nixString(v);
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[ ]';
    if (v.length === 1 && !isCompound(v[0]!)) return `[ ${nixValue(v[0]!, indent)} ]`;
    return `[\n${v.map((x) => inner + nixValue(x, inner)).join('\n')}\n${indent}]`;
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return '{ }';
  return `{\n${keys.map((k) => `${inner}${nixAttrName(k)} = ${nixValue(v[k]!, inner)};`).join('\n')}\n${indent}}`;
}

function isCompound(v: Json): boolean {
  return v !== null && typeof v === 'object';
}

/** An attribute path (`a.b."c-d"`), each part quoted as needed. */
export function nixAttrPath(path: readonly string[]): string {
  return path.map(nixAttrName).join('.');
}

/** `name = value;` (or `a.b.name = value;` for a path) at an indentation. */
export function nixBinding(name: string | readonly string[], value: Json, indent: string): string {
  return `${indent}${typeof name === 'string' ? nixAttrName(name) : nixAttrPath(name)} = ${nixValue(value, indent)};`;
}
