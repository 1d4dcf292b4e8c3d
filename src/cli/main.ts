/** The `nixos-harden` command: dispatches to one module per subcommand. */
import { UsageError } from './args.js';
import { DUMP_CONFIG_HELP, runDumpConfig } from './config.js';
import { DIFF_HELP, runDiff } from './diff.js';
import { EXPLAIN_HELP, LIST_HELP, runExplain, runList } from './explain.js';
import { EXTRACT_HELP, runExtract } from './extract.js';
import { LINT_HELP, runLint } from './lint.js';
import { REVIEW_HELP, runReview } from './review.js';
import { SCORE_HELP, UNIT_HELP, runScore, runUnit } from './score.js';
import { SUGGEST_HELP, runSuggest } from './suggest.js';
import type { Io } from './io.js';

const COMMANDS: Record<string, { run: (argv: string[], io: Io) => number | Promise<number>; help: string }> = {
  extract: { run: runExtract, help: EXTRACT_HELP },
  diff: { run: runDiff, help: DIFF_HELP },
  lint: { run: runLint, help: LINT_HELP },
  review: { run: runReview, help: REVIEW_HELP },
  score: { run: runScore, help: SCORE_HELP },
  unit: { run: runUnit, help: UNIT_HELP },
  suggest: { run: runSuggest, help: SUGGEST_HELP },
  explain: { run: runExplain, help: EXPLAIN_HELP },
  list: { run: runList, help: LIST_HELP },
  'dump-config': { run: runDumpConfig, help: DUMP_CONFIG_HELP },
};

const USAGE = `nixos-harden: review the systemd sandboxing of NixOS service modules, statically.

Usage: nixos-harden <command> [options]

Commands:
${Object.values(COMMANDS).map((c) => '  ' + c.help.split('\n')[0]).join('\n')}

Run 'nixos-harden <command> --help' for a command's options.`;

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.stdout.write(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  const command = COMMANDS[cmd];
  if (!command) {
    io.stderr.write(`nixos-harden: unknown command '${cmd}'\n\n${USAGE}\n`);
    return 2;
  }
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
