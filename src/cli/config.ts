/** `nixos-harden dump-config`: the effective repository configuration, or every error in it. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Config } from '../policy/config.js';
import { formatErrorsTable } from '../policy/config-errors.js';
import { CONFIG_FILE, loadConfig, type ExtendsTarget } from '../policy/load.js';
import { UsageError, flag, parseArgs } from './args.js';
import type { Io } from './io.js';

export const DUMP_CONFIG_HELP = `nixos-harden dump-config [--config FILE] [--format yaml|json]

Prints the effective repository configuration: FILE (default ${CONFIG_FILE}, when it exists)
with every default filled in and _extends followed, as a path relative to the file that names it.
When the configuration is invalid, prints every error as a path | problem table on stderr and
exits with status 1.`;

export interface DumpConfigDeps {
  /** The clock for waiver expiry. */
  now?: Date;
  /** The directory paths are relative to. */
  cwd?: string;
}

const OTHER_REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(:.+)?$/;

/** Usage errors are thrown before the returned promise, so the dispatcher reports them as usual. */
export function runDumpConfig(argv: string[], io: Io, deps: DumpConfigDeps = {}): Promise<number> {
  const p = parseArgs(argv, { config: { value: true }, format: { value: true, choices: ['yaml', 'json'] }, help: { value: false } });
  if (p.flags.has('help')) {
    io.stdout.write(DUMP_CONFIG_HELP + '\n');
    return Promise.resolve(0);
  }
  if (p.positionals.length > 0) throw new UsageError(`dump-config takes no positional arguments (got ${p.positionals[0]})`);
  return dumpConfig(flag(p, 'config'), flag(p, 'format') ?? 'yaml', io, deps);
}

/**
 * The configuration every command runs with: --config FILE, else .github/nixos-harden.yml in
 * the current directory when there is one, else the defaults. On errors the path | problem
 * table goes to stderr and the exit status is returned instead.
 */
export async function readCliConfig(
  explicit: string | undefined,
  io: Io,
  command: string,
  deps: DumpConfigDeps = {},
): Promise<{ config: Config; found: boolean; file: string } | number> {
  const cwd = deps.cwd ?? process.cwd();
  const file = explicit ?? CONFIG_FILE;
  const path = resolve(cwd, file);
  let text = '';
  const found = explicit !== undefined || existsSync(path);
  if (found) {
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      io.stderr.write(`nixos-harden ${command}: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
      return 2;
    }
  }
  const source = relative(cwd, path) || path;
  const resolveExtends = (ref: string, from: string | undefined): ExtendsTarget | undefined => {
    const target = resolve(cwd, dirname(from ?? source), ref);
    if (!existsSync(target)) {
      if (OTHER_REPOSITORY.test(ref)) throw new Error('the command line reads files only; extend a path relative to this file');
      return undefined;
    }
    return { text: readFileSync(target, 'utf8'), source: relative(cwd, target) || target };
  };
  const result = await loadConfig(text, { now: deps.now, source, resolveExtends });
  if (!result.ok) {
    const n = result.errors.length;
    io.stderr.write(`nixos-harden ${command}: ${file} has ${n} error${n === 1 ? '' : 's'}:\n\n${formatErrorsTable(result.errors)}`);
    return 1;
  }
  return { config: result.config, found, file };
}

async function dumpConfig(explicit: string | undefined, format: string, io: Io, deps: DumpConfigDeps): Promise<number> {
  const loaded = await readCliConfig(explicit, io, 'dump-config', deps);
  if (typeof loaded === 'number') return loaded;
  const { config, found, file } = loaded;
  const result = { config };
  if (format === 'json') io.stdout.write(JSON.stringify(result.config, null, 2) + '\n');
  else {
    const from = found ? file : `the defaults (no ${CONFIG_FILE})`;
    io.stdout.write(`# effective nixos-harden configuration: ${from}\n` + stringify(result.config));
  }
  return 0;
}
