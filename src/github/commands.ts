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
