/** `nixos-harden extract PATH...`: the services of NixOS modules and their serviceConfig. */
import { extractText, type FileResult } from '../nixos/extract.js';
import type { BranchValue } from '../nixos/services.js';
import { UsageError, flag, parseArgs } from './args.js';
import { expandPaths, readText } from './files.js';
import type { Io } from './io.js';

export const EXTRACT_HELP = `nixos-harden extract PATH... [--format text|json]

Prints every systemd service that the NixOS modules at PATH define, with the effective value of
each serviceConfig directive when the module is enabled and its other options are at their
defaults, and the values that differ under non-default conditions. A directory means every .nix
file below it. Values that cannot be known from the file alone are shown as unknown, with why.`;

export function runExtract(argv: string[], io: Io): number {
  const p = parseArgs(argv, { format: { value: true, choices: ['text', 'json'] }, help: { value: false } });
  if (p.flags.has('help')) {
    io.stdout.write(EXTRACT_HELP + '\n');
    return 0;
  }
  if (p.positionals.length === 0) throw new UsageError('extract needs at least one PATH');
  const { files, errors } = expandPaths(p.positionals);
  const results: FileResult[] = [];
  for (const e of errors) results.push({ path: e.path, diagnostics: [{ id: 'io-error', line: 0, message: e.message }], services: [] });
  for (const f of files) {
    let text: string;
    try {
      text = readText(f);
    } catch (e) {
      results.push({ path: f, diagnostics: [{ id: 'io-error', line: 0, message: (e as Error).message }], services: [] });
      continue;
    }
    results.push(extractText(f, text));
  }
  if ((flag(p, 'format') ?? 'text') === 'json') {
    io.stdout.write(JSON.stringify({ files: results }, null, 2) + '\n');
  } else {
    io.stdout.write(formatExtractText(results));
  }
  return errors.length > 0 ? 2 : 0;
}

function showValue(v: BranchValue): string {
  if ('absent' in v) return 'not set';
  if ('unknown' in v) return `unknown (${v.unknown})`;
  return JSON.stringify(v.value);
}

export function formatExtractText(results: FileResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    out.push(`${r.path}`);
    for (const d of r.diagnostics) out.push(`  ${d.line > 0 ? `line ${d.line}: ` : ''}${d.id}: ${d.message}`);
    if (r.services.length === 0) out.push('  no systemd services defined');
    for (const s of r.services) {
      const tags = [s.scope === 'user' ? 'user unit' : null, s.pattern ? 'one per instance' : null, s.case !== 'nixpkgs' ? s.case : null].filter(Boolean);
      out.push(`  ${s.unit} (line ${s.line})${tags.length ? ` [${tags.join(', ')}]` : ''}`);
      const names = Object.keys(s.options);
      const width = Math.max(0, ...names.map((n) => n.length));
      for (const n of names) out.push(`    ${n.padEnd(width)}  ${showValue(s.options[n]!)}  (line ${s.options[n]!.line})`);
      for (const b of s.branches) {
        out.push(`    when ${b.when}:`);
        for (const [n, v] of Object.entries(b.options)) out.push(`      ${n.padEnd(width)}  ${showValue(v)}  (line ${v.line})`);
      }
    }
    out.push('');
  }
  return out.join('\n');
}
