/** Reading the source text behind a directive, for checks that look at commands. */

let startsOf: { text: string; starts: number[] } | undefined;

/** Where each line of the text starts; the last text's answer is kept (callers ask per service). */
function lineStarts(text: string): number[] {
  if (startsOf?.text !== text) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    startsOf = { text, starts };
  }
  return startsOf.starts;
}

/** The text of the binding that starts at `line` (1-based), up to its closing `;` (at most 20 lines). */
export function bindingTextAt(text: string, line: number): string {
  if (line <= 0) return '';
  const starts = lineStarts(text);
  const out: string[] = [];
  for (let i = line - 1; i < starts.length && out.length < 20; i++) {
    const l = text.slice(starts[i]!, i + 1 < starts.length ? starts[i + 1]! - 1 : text.length);
    out.push(l);
    if (l.trimEnd().endsWith(';')) break;
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
