/**
 * Everything quoted from a pull request (service names, values, paths, messages built from them)
 * goes through these before it reaches Markdown: no @mentions, no HTML, no breaking out of code
 * spans, tables or details blocks.
 */

/** Text for running Markdown: HTML, mentions, references and Markdown syntax neutralised. */
export function md(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1')
    .replace(/@/g, '@\u200b')
    .replace(/#(\d)/g, '#\u200b$1');
}

/**
 * A code span that cannot be broken out of (backticks inside are handled by the fence length).
 * GitHub does not turn @names in code spans into mentions.
 */
export function code(text: string): string {
  const t = text.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || t === '' ? ' ' : '';
  // Pipes would end a table cell even inside a code span.
  return `${fence}${pad}${t.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run in the content. */
export function fenced(content: string, info = ''): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${content}\n${fence}`;
}

/** A value for a plain-text channel (check-run annotation messages, labels). */
export function plain(text: string, max = 1000): string {
  const t = text.replace(/[\u0000-\u0008\u000b-\u001f]/g, '').replace(/@/g, '@\u200b');
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}
