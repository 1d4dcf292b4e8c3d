/** `/harden` comments: parsing and help. */

export interface SlashCommand {
  name: 'suggest' | 'explain' | 'help' | 'unknown';
  args: string[];
  raw: string;
}

export const HELP_TEXT = [
  '**nixos-harden commands** (in a pull request comment):',
  '',
  '- `/harden suggest [service] [profile]`: the hardening profile for the services this PR changes, as suggestion blocks (authors and users with write access)',
  '- `/harden explain <Directive|rule>`: what a systemd sandbox directive or a lint rule is about',
  '- `/harden help`: this list',
].join('\n');

/** The first line that starts with `/harden`, if any. */
export function parseSlashCommand(body: string): SlashCommand | null {
  for (const line of body.split(/\r?\n/)) {
    const t = line.trim();
    if (!/^\/harden(\s|$)/.test(t)) continue;
    const words = t.split(/\s+/).slice(1).filter((w) => w.length > 0 && w.length <= 100).slice(0, 4);
    const name = words[0] ?? 'help';
    const known = name === 'suggest' || name === 'explain' || name === 'help';
    return { name: known ? name : 'unknown', args: words.slice(1), raw: t.slice(0, 200) };
  }
  return null;
}

/** Slash commands answered per pull request within the window; more are ignored (and logged). */
export const COMMANDS_PER_WINDOW = 5;
export const COMMAND_WINDOW_MS = 10 * 60 * 1000;

/** Keeps every pull request to a few answered commands per window (in this process). */
export class CommandLimiter {
  private readonly seen = new Map<string, number[]>();
  constructor(
    private readonly max = COMMANDS_PER_WINDOW,
    private readonly windowMs = COMMAND_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  allow(key: string): boolean {
    const t = this.now();
    const recent = (this.seen.get(key) ?? []).filter((x) => t - x < this.windowMs);
    if (recent.length >= this.max) {
      this.seen.set(key, recent);
      return false;
    }
    recent.push(t);
    this.seen.set(key, recent);
    return true;
  }
}
