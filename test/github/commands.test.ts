import { CommandLimiter, parseSlashCommand } from '../../src/github/commands.js';

describe('slash commands', () => {
  it('parses the first /harden line', () => {
    expect(parseSlashCommand('hi\n/harden suggest pastebin strict-v1')).toEqual({ name: 'suggest', args: ['pastebin', 'strict-v1'], raw: '/harden suggest pastebin strict-v1' });
    expect(parseSlashCommand('/harden')?.name).toBe('help');
    expect(parseSlashCommand('/harden frobnicate')?.name).toBe('unknown');
    expect(parseSlashCommand('/hardenX suggest')).toBeNull();
    expect(parseSlashCommand('no command here')).toBeNull();
  });

  it('answers a few commands per pull request and window, then ignores them', () => {
    let now = 0;
    const l = new CommandLimiter(3, 1000, () => now);
    expect([l.allow('a'), l.allow('a'), l.allow('a'), l.allow('a')]).toEqual([true, true, true, false]);
    expect(l.allow('b')).toBe(true);
    now = 1001;
    expect(l.allow('a')).toBe(true);
  });
});
