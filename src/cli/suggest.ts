/** `nixos-harden suggest`: a hardening profile for each service, as edits, text or a patch. */
import { createTwoFilesPatch } from 'diff';
import { analyseText } from '../nixos/extract.js';
import { applyEdits, suggest, type Suggestion } from '../policy/suggest.js';
import { UsageError, flag, parseArgs } from './args.js';
import { readText } from './files.js';
import type { Io } from './io.js';
import { readCliConfig } from './config.js';

export const SUGGEST_HELP = `nixos-harden suggest FILE [--service NAME] [--profile NAME] [--format text|json|patch]

Suggests the strictest bundled profile with the fewest relaxations the module's needs call for
(each relaxation explained by the fact that triggered it), and the directives to add or tighten.
--format patch prints a unified diff that 'git apply' takes. Suggestions never loosen anything.
Profiles: strict-v1 (default: the config's profile), baseline-v1. --config FILE as for diff.`;

export async function runSuggest(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, {
    service: { value: true },
    profile: { value: true },
    format: { value: true, choices: ['text', 'json', 'patch'] },
    config: { value: true },
    help: { value: false },
  });
  if (p.flags.has('help')) {
    io.stdout.write(SUGGEST_HELP + '\n');
    return 0;
  }
  if (p.positionals.length !== 1) throw new UsageError('suggest needs one FILE');
  const loaded = await readCliConfig(flag(p, 'config'), io, 'suggest');
  if (typeof loaded === 'number') return loaded;
  const { config } = loaded;
  const file = p.positionals[0]!;
  const text = readText(file);
  const analysis = analyseText(file, text);
  const wanted = flag(p, 'service');
  const services = analysis.file.services.filter((s) => !wanted || s.name === wanted);
  if (wanted && services.length === 0) {
    io.stderr.write(`nixos-harden suggest: no service ${wanted} in ${file}; services: ${analysis.file.services.map((s) => s.name).join(', ') || 'none'}\n`);
    return 1;
  }
  let suggestions: Suggestion[];
  try {
    suggestions = services.map((s) => suggest(s, analysis, { profile: flag(p, 'profile') ?? config.profile, systemdVersion: config.systemd.version }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const format = flag(p, 'format') ?? 'text';
  if (format === 'json') io.stdout.write(JSON.stringify({ file, suggestions }, null, 2) + '\n');
  else if (format === 'patch') {
    const edits = suggestions.flatMap((s) => s.edits);
    const after = applyEdits(text, edits);
    if (after !== text) {
      const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, text, after, undefined, undefined, { context: 3 });
      io.stdout.write(patch.slice(patch.indexOf('--- ')));
    }
  } else io.stdout.write(formatSuggestions(suggestions, text));
  return 0;
}

export function formatSuggestions(suggestions: Suggestion[], text: string): string {
  const out: string[] = [];
  for (const s of suggestions) {
    out.push(`${s.service}.service: profile ${s.profile}${s.class ? ` (class ${s.class})` : ''}`);
    if (s.note) out.push(`  ${s.note}`);
    if (s.exposure) {
      const range = s.exposure.afterRange[0] !== s.exposure.afterRange[1] ? ` (between ${s.exposure.afterRange[0].toFixed(1)} and ${s.exposure.afterRange[1].toFixed(1)})` : '';
      out.push(`  exposure ${s.exposure.before.toFixed(1)} now → ${s.exposure.after.toFixed(1)}${range} after the changes; the profile promises ${s.exposure.target === null ? '?' : s.exposure.target.toFixed(1)}`);
    }
    for (const r of s.relaxations) out.push(`  relaxation ${r.id}: ${r.because.map((b) => `${b.fact} (line ${b.line})`).join('; ')}`);
    for (const k of s.kept) out.push(`  kept ${k.directive}: ${k.reason}`);
    if (s.changes.length > 0) {
      out.push('  changes:');
      for (const c of s.changes) out.push(`    ${c.directive}: ${c.from === null ? 'not set' : JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`);
    }
    if (s.edits.length > 0) {
      const after = applyEdits(text, s.edits).split('\n');
      out.push('  edits:');
      let shift = 0;
      for (const e of s.edits) {
        out.push(`    at line ${e.line}${e.deleteCount ? `, replacing ${e.deleteCount} line(s)` : ''}:`);
        for (const l of after.slice(e.line - 1 + shift, e.line - 1 + shift + e.insert.length)) out.push(`      + ${l}`);
        shift += e.insert.length - e.deleteCount;
      }
    }
    if (s.snippet) out.push('  add to the module:', ...s.snippet.split('\n').map((l) => `    ${l}`));
    out.push('');
  }
  return out.join('\n');
}
