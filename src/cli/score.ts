/** `nixos-harden score` and `nixos-harden unit`: the exposure of services, without installing them. */
import { basename } from 'node:path';
import { type ServiceScore, renderUnit, scoreService, scoreUnitText } from '../hardening/service-score.js';
import { extractText } from '../nixos/extract.js';
import { UsageError, flag, parseArgs } from './args.js';
import { expandPaths, readText } from './files.js';
import type { Io } from './io.js';

export const SCORE_HELP = `nixos-harden score PATH... [--format text|json]

The exposure of each service on systemd-analyze security's scale (0.0 = perfect, 10.0 =
dangerous), as systemd 252 'systemd-analyze security --offline' would print it, without
installing anything. Takes NixOS modules (.nix, directories) and unit files (.service). With
unknown values the range [best, worst] is given too.`;

export const UNIT_HELP = `nixos-harden unit FILE --service NAME

Prints the [Service] section NixOS would write for a service of a module (known values; unknown
ones as comments), so that 'systemd-analyze security --offline=yes' can be run on it.`;

interface Scored {
  file: string;
  name: string;
  score: ServiceScore;
}

export function runScore(argv: string[], io: Io): number {
  const p = parseArgs(argv, { format: { value: true, choices: ['text', 'json'] }, help: { value: false } });
  if (p.flags.has('help')) {
    io.stdout.write(SCORE_HELP + '\n');
    return 0;
  }
  if (p.positionals.length === 0) throw new UsageError('score needs at least one PATH');
  const out: Scored[] = [];
  const { files, errors } = expandPaths(p.positionals);
  for (const e of errors) io.stderr.write(`nixos-harden score: ${e.path}: ${e.message}\n`);
  for (const f of files) {
    const text = readText(f);
    if (f.endsWith('.service')) out.push({ file: f, name: basename(f).replace(/\.service$/, ''), score: scoreUnitText(text, basename(f)) });
    else for (const s of extractText(f, text).services) out.push({ file: f, name: s.name, score: scoreService(s) });
  }
  if ((flag(p, 'format') ?? 'text') === 'json') {
    const services = out.map((x) => ({ file: x.file, name: x.name, exposure: x.score.exposure, rating: x.score.rating, checks: x.score.checks, range: x.score.range, unknown: x.score.unknown, loadError: x.score.loadError }));
    io.stdout.write(JSON.stringify({ services }, null, 2) + '\n');
  } else {
    for (const x of out) {
      const range = x.score.range[0] !== x.score.range[1] ? ` (between ${x.score.range[0].toFixed(1)} and ${x.score.range[1].toFixed(1)}: ${x.score.unknown.join(', ')} unknown)` : '';
      io.stdout.write(x.score.loadError ? `${x.file}: ${x.name}: systemd would refuse this unit: ${x.score.loadError}\n` : `${x.file}: ${x.name}: ${x.score.exposure.toFixed(1)} ${x.score.rating}${range}\n`);
    }
  }
  return errors.length > 0 ? 2 : 0;
}

export function runUnit(argv: string[], io: Io): number {
  const p = parseArgs(argv, { service: { value: true }, help: { value: false } });
  if (p.flags.has('help')) {
    io.stdout.write(UNIT_HELP + '\n');
    return 0;
  }
  if (p.positionals.length !== 1) throw new UsageError('unit needs one FILE');
  const file = p.positionals[0]!;
  const services = extractText(file, readText(file)).services;
  const name = flag(p, 'service') ?? (services.length === 1 ? services[0]!.name : undefined);
  const s = services.find((x) => x.name === name);
  if (!s) {
    io.stderr.write(`nixos-harden unit: ${name ? `no service ${name}` : '--service is needed'} in ${file}; services: ${services.map((x) => x.name).join(', ') || 'none'}\n`);
    return 1;
  }
  io.stdout.write(renderUnit(s));
  return 0;
}
