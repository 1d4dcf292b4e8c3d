/**
 * The Markdown a review publishes: the sticky summary comment (one per PR, found again by its
 * hidden marker), the review body, and the check-run output. Every value quoted from the PR is
 * escaped (escape.ts). Bodies stay under GitHub's 65 536 characters; what does not fit is cut
 * with a note, and the full report goes into the check run's text.
 */
import { nixBinding } from '../nix/builder.js';
import { code, fenced, md } from './escape.js';
import { type ReviewResult, type ServiceReview, show } from './review.js';

export const SUMMARY_MARKER = '<!-- nixos-harden:summary -->';
export const REVIEW_MARKER = '<!-- nixos-harden:review -->';
/** GitHub rejects comment bodies and check-run texts longer than this. */
export const MAX_BODY = 65_536;

const fmt = (n: number | null) => (n === null ? '?' : n.toFixed(1));

function exposure(s: ServiceReview): string {
  const { before, after } = s.diff.score;
  const r = s.exposureRange.after;
  const range = r && r[0] !== r[1] ? ` (${r[0].toFixed(1)}–${r[1].toFixed(1)} with unknown values)` : '';
  if (s.diff.status === 'added') return `new, exposure ${fmt(after)}${range}`;
  if (s.diff.status === 'removed') return `removed (exposure was ${fmt(before)})`;
  const arrow = before !== null && after !== null ? (after > before ? ' ⬆️' : after < before ? ' ⬇️' : '') : '';
  return `exposure ${fmt(before)} → ${fmt(after)}${arrow}${range}`;
}

function serviceSection(s: ServiceReview): string[] {
  const out: string[] = [];
  const title = `${code(`${s.diff.name}.service`)} in ${code(s.file)}`;
  out.push(`#### ${title}: ${exposure(s)}`, '');
  const row = (verdict: string, c: { directive: string; before: unknown; after: unknown; line: number; when: string | null }) =>
    `| ${verdict} | ${code(c.directive)} | ${code(show(c.before as never))} | ${code(show(c.after as never))} | ${c.line || ''}${c.when ? ` (when ${code(c.when)})` : ''} |`;
  const rows = [
    ...s.loosened.map((c) => row('🔴 loosened', c)),
    ...s.waived.map((w) => row(`⚪ waived (${md(w.waiver.reason)})`, w.change)),
    ...s.tightened.map((c) => row('🟢 tightened', c)),
    ...s.otherChanges.map((c) => row(c.verdict === 'unknown' ? '❔ unknown' : '🔵 changed', c)),
  ];
  if (rows.length > 0) out.push('| | directive | before | after | line |', '|---|---|---|---|---|', ...rows, '');
  for (const f of s.findings) out.push(`- ${f.severity === 'error' ? '❌' : f.severity === 'warning' ? '⚠️' : 'ℹ️'} ${md(f.message)} (${code(f.ruleId)}, line ${f.line})`);
  if (s.findings.length > 0) out.push('');
  if (s.vmTests !== null) {
    if (s.vmTests.tests.length > 0) {
      out.push(`The sandbox is tightened: please run the NixOS VM test${s.vmTests.tests.length === 1 ? '' : 's'} ${s.vmTests.tests.map((t) => code(t.attr)).join(', ')} before merging.`, '', fenced(s.vmTests.nixBuild.join('\n'), 'sh'), '');
      // Inert (a zero-width space after the @): the bot itself must never trigger ofborg.
      if (s.vmTests.ofborg) out.push(`or comment ${code(s.vmTests.ofborg.replace('@', '@\u200b'))} to have ofborg run ${s.vmTests.tests.length === 1 ? 'it' : 'them'}.`, '');
    } else {
      out.push('The sandbox is tightened, but no NixOS VM test covers this module. Please add one under `nixos/tests/` (and to `all-tests.nix`), so that the service is shown to still work.', '');
    }
  }
  const g = s.suggestion;
  if (g && g.changes.length > 0) {
    out.push('<details><summary>Profile suggestion: ' + md(`${g.profile}${g.class ? ` (${g.class})` : ''}`) + ` — exposure ${fmt(g.exposure?.after ?? null)} after the changes</summary>`, '');
    for (const r of g.relaxations) out.push(`- relaxation ${code(r.id)}: ${r.because.map((b) => `${md(b.fact)} (line ${b.line})`).join('; ')}`);
    out.push('', fenced(g.changes.map((c) => nixBinding(c.directive, c.to, '')).join('\n'), 'nix'), '', 'Comment `/harden suggest ' + md(s.diff.name) + '` for these as suggestion blocks.', '', '</details>', '');
  }
  return out;
}

export interface SummaryInput {
  result: ReviewResult;
  headSha: string;
  waiversAddedByPr?: { service: string; directive: string }[];
}

export function renderSummary({ result, headSha, waiversAddedByPr = [] }: SummaryInput): string {
  const regress = result.services.filter((s) => s.loosened.length > 0).length;
  const tight = result.services.filter((s) => s.tightened.length > 0).length;
  const head = [
    SUMMARY_MARKER,
    `### nixos-harden: ${result.services.length === 0 ? 'no change to any service sandbox' : `${result.services.length} service${result.services.length === 1 ? '' : 's'} changed`}`,
    '',
    result.services.length > 0 ? `${regress > 0 ? `🔴 ${regress} loosened` : '✅ nothing loosened'} · ${tight > 0 ? `🟢 ${tight} tightened` : 'nothing tightened'} · head ${code(headSha.slice(0, 12))}` : `Head ${code(headSha.slice(0, 12))}.`,
    '',
  ];
  const body: string[] = [];
  for (const s of result.services) body.push(...serviceSection(s));
  if (result.problems.length > 0) {
    body.push('#### Files not fully analysed', '');
    for (const p of result.problems) body.push(`- ${p.path ? `${code(p.path)}: ` : ''}${md(p.message)}`);
    body.push('');
  }
  if (waiversAddedByPr.length > 0) {
    body.push('#### Waivers added by this PR', '', 'Waivers come from the base branch; these are not applied to this review:', '');
    for (const w of waiversAddedByPr) body.push(`- ${code(w.service)} ${code(w.directive)}`);
    body.push('');
  }
  for (const g of result.gates) body.push(`❌ ${code(`${g.service}.service`)} in ${code(g.path)} has exposure ${g.exposure.toFixed(1)}, above the maximum ${g.max.toFixed(1)} set for this path.`, '');
  const footer = ['<sub>Exposure on the scale of `systemd-analyze security` (0.0 best, 10.0 worst), computed statically for systemd 252. `/harden help` lists the commands.</sub>'];
  return fitBody([...head, ...body, ...footer].join('\n'), 'The summary is too long for one comment; the check run has the full report.');
}

/** Cuts a body to GitHub's limit, with a note. */
export function fitBody(text: string, note: string, max = MAX_BODY): string {
  if (text.length <= max) return text;
  const tail = `\n\n… ${note}`;
  return text.slice(0, max - tail.length - 10) + tail;
}

/**
 * The check run's output. The summary is the comment's report when it fits; otherwise a line per
 * service. The text always lists every change, one line each, so that nothing is lost when the
 * comment had to be cut.
 */
export function renderCheck(result: ReviewResult, headSha: string): { title: string; summary: string; text: string } {
  const regress = result.services.filter((s) => s.loosened.length > 0).length;
  const title = result.services.length === 0 ? 'No sandbox changes' : regress > 0 ? `${regress} service${regress === 1 ? '' : 's'} loosened` : `${result.services.length} service${result.services.length === 1 ? '' : 's'} changed, nothing loosened`;
  const full = renderSummary({ result, headSha }).replace(SUMMARY_MARKER + '\n', '');
  const summary =
    full.length <= 65_535
      ? full
      : fitBody(
          [
            `${result.services.length} services changed; the full report is below and in the annotations.`,
            '',
            ...result.services.map((s) => `- ${code(`${s.diff.name}.service`)} in ${code(s.file)}: ${exposure(s)}, ${s.loosened.length} loosened, ${s.tightened.length} tightened`),
          ].join('\n'),
          'cut; every change is listed below.',
          65_535,
        );
  const rows = result.services.flatMap((s) =>
    [...s.loosened.map((c) => ['loosened', c] as const), ...s.tightened.map((c) => ['tightened', c] as const), ...s.otherChanges.map((c) => [c.verdict, c] as const), ...s.waived.map((w) => ['waived', w.change] as const)].map(
      ([v, c]) => `${v} ${s.file}:${c.line} ${s.diff.name}.service ${c.directive}: ${show(c.before)} -> ${show(c.after)}${c.when ? ` (when ${c.when})` : ''}`,
    ),
  );
  const text = rows.length > 0 ? fitBody(['Every change:', '', fenced(rows.join('\n'), 'text')].join('\n'), 'cut (more changes than fit; see the annotations).', 65_535) : '';
  return { title, summary, text };
}
