/** The command dispatcher: version, usage, unknown commands. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('nixos-harden', () => {
  it('prints its version with --version and -V', async () => {
    const version = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')).version as string;
    for (const flag of ['--version', '-V']) expect(await run([flag])).toEqual({ code: 0, stdout: `nixos-harden ${version}\n`, stderr: '' });
  });

  it('lists the commands with --help, and refuses an unknown one with the list', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/nixos-harden census ROOT/);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'[\s\S]*nixos-harden extract PATH/);
  });
});
