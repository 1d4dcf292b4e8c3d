/** Reading the source text behind a directive, for checks that look at commands. */

/** The text of the binding that starts at `line` (1-based), up to its closing `;` (at most 20 lines). */
export function bindingTextAt(text: string, line: number): string {
  if (line <= 0) return '';
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = line - 1; i < lines.length && out.length < 20; i++) {
    out.push(lines[i]!);
    if (lines[i]!.trimEnd().endsWith(';')) break;
  }
  return out.join('\n');
}

/** Runtimes that generate machine code at run time, as they appear in commands and package names. */
const JIT_RUNTIMES = ['nodejs', 'node', 'deno', 'bun', 'java', 'jdk', 'jre', 'openjdk', 'dotnet', 'mono', 'luajit', 'openresty', 'erlang', 'elixir', 'beam', 'php', 'pypy', 'julia', 'graalvm'];
const JIT_PATTERN = new RegExp(`(^|[^A-Za-z0-9_])(${JIT_RUNTIMES.join('|')})([^A-Za-z0-9_]|$)`);

/** The JIT runtime a command text names, if any. */
export function jitRuntimeIn(text: string): string | undefined {
  return JIT_PATTERN.exec(text)?.[2];
}

/**
 * Matches the start of a binding of `name` on a line (`  Name = `, or with a dotted path before
 * it, `  systemd.services.x.serviceConfig.Name = `); group 1 is that prefix, group 2 the rest.
 * The name comes from the module's text, so it is escaped.
 */
export function bindingLinePattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(\\s*(?:[A-Za-z_][\\w'-]*\\.)*${escaped}\\s*=\\s*)(.*)$`);
}
