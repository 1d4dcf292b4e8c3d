/** `nixos-harden explain` and `nixos-harden list`: the catalogue and the rules, for people. */
import { didYouMean, CATALOGUE, FAMILIES, BY_FAMILY } from '../hardening/catalogue/index.js';
import { RULES } from '../hardening/rules/index.js';
import { explain } from '../docs/render.js';
import { UsageError, flag, parseArgs } from './args.js';
import type { Io } from './io.js';

export const EXPLAIN_HELP = `nixos-harden explain <Directive|rule-id>

Explains a systemd sandbox directive (what it does, how strictness is judged, the systemd version
that introduced it, what tends to break) or a lint rule (why, messages, examples).`;

export const LIST_HELP = `nixos-harden list [rules|directives] [--format text|json]

Lists the lint rules and the directives of the catalogue.`;

export function runExplain(argv: string[], io: Io): number {
  const p = parseArgs(argv, { help: { value: false } });
  if (p.flags.has('help')) {
    io.stdout.write(EXPLAIN_HELP + '\n');
    return 0;
  }
  if (p.positionals.length !== 1) throw new UsageError('explain needs one directive or rule id');
  const name = p.positionals[0]!;
  const text = explain(name);
  if (text) {
    io.stdout.write(text + '\n');
    return 0;
  }
  const hint = didYouMean(name);
  io.stderr.write(`nixos-harden explain: '${name}' is neither a catalogue directive nor a rule${hint ? `; did you mean ${hint}?` : ''}\n`);
  return 1;
}

export function runList(argv: string[], io: Io): number {
  const p = parseArgs(argv, { format: { value: true, choices: ['text', 'json'] }, help: { value: false } });
  if (p.flags.has('help')) {
    io.stdout.write(LIST_HELP + '\n');
    return 0;
  }
  const what = p.positionals[0] ?? 'all';
  if (!['all', 'rules', 'directives'].includes(what)) throw new UsageError(`list takes rules or directives, not ${what}`);
  const json = (flag(p, 'format') ?? 'text') === 'json';
  if (json) {
    const out: Record<string, unknown> = {};
    if (what !== 'directives') out.rules = RULES.map((r) => ({ id: r.meta.id, severity: r.meta.severity, description: r.meta.docs.description }));
    if (what !== 'rules') out.directives = CATALOGUE.map((d) => ({ name: d.name, family: d.family, since: d.since, summary: d.summary }));
    io.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  const lines: string[] = [];
  if (what !== 'directives') {
    lines.push(`Rules (${RULES.length}):`);
    for (const r of RULES) lines.push(`  ${r.meta.id.padEnd(50)} ${r.meta.severity.padEnd(7)} ${r.meta.docs.description}`);
  }
  if (what !== 'rules') {
    if (lines.length) lines.push('');
    lines.push(`Directives (${CATALOGUE.length}):`);
    for (const f of FAMILIES) {
      lines.push(`  ${f}:`);
      for (const d of BY_FAMILY[f]) lines.push(`    ${d.name.padEnd(28)} since ${String(d.since).padEnd(4)} ${d.summary}`);
    }
  }
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}
