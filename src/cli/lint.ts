/** `nixos-harden lint`: the lint rules over NixOS modules. */
import { lintFile } from '../hardening/lint.js';
import { RULES } from '../hardening/rules/index.js';
import type { Finding } from '../hardening/rules/rule.js';
import { analyseText } from '../nixos/extract.js';
import { UsageError, flag, parseArgs } from './args.js';
import { readCliConfig } from './config.js';
import { expandPaths, readText } from './files.js';
import type { Io } from './io.js';

export const LINT_HELP = `nixos-harden lint PATH... [--format text|json] [--config FILE]

Runs the lint rules (nixos-harden list rules) over the services of NixOS modules: misspelled
directives, settings the target systemd does not know, MemoryDenyWriteExecute with a JIT runtime,
PrivateNetwork with open ports, and so on. The target systemd version and per-rule severities
('off' disables a rule) come from the config. Exit status 1 when there are errors.`;

export async function runLint(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, { format: { value: true, choices: ['text', 'json'] }, config: { value: true }, help: { value: false } });
  if (p.flags.has('help')) {
    io.stdout.write(LINT_HELP + '\n');
    return 0;
  }
  if (p.positionals.length === 0) throw new UsageError('lint needs at least one PATH');
  const loaded = await readCliConfig(flag(p, 'config'), io, 'lint');
  if (typeof loaded === 'number') return loaded;
  const { config } = loaded;
  const levels = config.severities.rules as Record<string, string>;
  const rules = RULES.filter((r) => levels[r.meta.id] !== 'off');
  const { files, errors } = expandPaths(p.positionals);
  for (const e of errors) io.stderr.write(`nixos-harden lint: ${e.path}: ${e.message}\n`);
  const findings: Finding[] = [];
  for (const f of files) {
    for (const finding of lintFile(analyseText(f, readText(f)), { rules, systemdVersion: config.systemd.version })) {
      const level = levels[finding.ruleId];
      findings.push(level && level !== 'off' ? { ...finding, severity: level === 'notice' ? 'info' : (level as Finding['severity']) } : finding);
    }
  }
  if ((flag(p, 'format') ?? 'text') === 'json') io.stdout.write(JSON.stringify({ findings }, null, 2) + '\n');
  else {
    for (const x of findings) io.stdout.write(`${x.file}:${x.line}: ${x.severity}: ${x.message} [${x.ruleId}] (${x.service}.service)\n`);
    if (findings.length === 0) io.stdout.write('No findings.\n');
  }
  if (errors.length > 0) return 2;
  return findings.some((x) => x.severity === 'error') ? 1 : 0;
}
