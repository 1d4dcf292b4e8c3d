/** The `nixos-harden` command: dispatches to one module per subcommand. */
import { UsageError } from './args.js';
import type { Io } from './io.js';

interface Command {
  run: (argv: string[], io: Io) => number | Promise<number>;
  help: string;
}

/**
 * Each command's module is loaded only when the command runs, so that a command that needs no
 * analyser (a warm `census`) does not pay for loading the parser and the catalogue.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  extract: async () => import('./extract.js').then((m) => ({ run: m.runExtract, help: m.EXTRACT_HELP })),
  diff: async () => import('./diff.js').then((m) => ({ run: m.runDiff, help: m.DIFF_HELP })),
  lint: async () => import('./lint.js').then((m) => ({ run: m.runLint, help: m.LINT_HELP })),
  review: async () => import('./review.js').then((m) => ({ run: m.runReview, help: m.REVIEW_HELP })),
  score: async () => import('./score.js').then((m) => ({ run: m.runScore, help: m.SCORE_HELP })),
  unit: async () => import('./score.js').then((m) => ({ run: m.runUnit, help: m.UNIT_HELP })),
  suggest: async () => import('./suggest.js').then((m) => ({ run: m.runSuggest, help: m.SUGGEST_HELP })),
  census: async () => import('./census.js').then((m) => ({ run: m.runCensusCommand, help: m.CENSUS_HELP })),
  explain: async () => import('./explain.js').then((m) => ({ run: m.runExplain, help: m.EXPLAIN_HELP })),
  list: async () => import('./explain.js').then((m) => ({ run: m.runList, help: m.LIST_HELP })),
  'dump-config': async () => import('./config.js').then((m) => ({ run: m.runDumpConfig, help: m.DUMP_CONFIG_HELP })),
};

async function usage(): Promise<string> {
  // One at a time: jest's ESM loader mislinks modules imported concurrently.
  const commands: Command[] = [];
  for (const load of Object.values(COMMANDS)) commands.push(await load());
  return `nixos-harden: review the systemd sandboxing of NixOS service modules, statically.

Usage: nixos-harden <command> [options]

Commands:
${commands.map((c) => '  ' + c.help.split('\n')[0]).join('\n')}

Run 'nixos-harden <command> --help' for a command's options; 'nixos-harden --version' for the version.`;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.stdout.write((await usage()) + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-V') {
    io.stdout.write(`nixos-harden ${(await import('../census/run.js')).packageVersion()}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!load) {
    io.stderr.write(`nixos-harden: unknown command '${cmd}'\n\n${await usage()}\n`);
    return 2;
  }
  const command = await load();
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`nixos-harden ${cmd}: ${e.message}\n\n${command.help}\n`);
      return 2;
    }
    throw e;
  }
}
