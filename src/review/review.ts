/**
 * The review of a pull request, as a pure function of the file texts and the policy: per changed
 * service the semantic diff, lint findings, waivers, a profile suggestion and VM-test requests;
 * then what to publish (summary, inline comments with suggestion blocks, check run, labels).
 * The GitHub app and `nixos-harden review` both call this; only the edges talk to the world.
 */
import { nixValue } from '../nix/builder.js';
import type { Json } from '../nix/render.js';
import type { Analysis } from '../nixos/extract.js';
import { analyseCached } from '../nixos/analysis-cache.js';
import type { Service } from '../nixos/services.js';
import { type Change, type ServiceDiff, diffFiles } from '../hardening/diff.js';
import { lintService } from '../hardening/lint.js';
import { RULES } from '../hardening/rules/index.js';
import type { Finding } from '../hardening/rules/rule.js';
import { scoreService } from '../hardening/service-score.js';
import { bindingLinePattern } from '../hardening/source.js';
import type { Config, Waiver } from '../policy/config.js';
import { pathMatcher } from '../policy/glob.js';
import { type Suggestion, suggest } from '../policy/suggest.js';
import { code, fenced } from './escape.js';
import { commentableLines, hunkOf } from './patch-lines.js';

export interface PrFile {
  path: string;
  status: string;
  previousPath?: string;
  /** The file's patch as GitHub gives it (absent for large diffs). */
  patch?: string;
  /** Texts at the base and head commits; null when the file does not exist there. */
  base: string | null;
  head: string | null;
  /** Why the texts could not be read (too large, binary), if so. */
  problem?: string;
}

/** The VM tests of a module, with the commands that run them (the GitHub layer finds them). */
export interface VmTests {
  tests: { attr: string }[];
  nixBuild: string[];
  ofborg: string | null;
}

export interface ReviewInput {
  files: PrFile[];
  /** The policy, read from the base branch. */
  config: Config;
  headSha: string;
  now?: Date;
  /** VM tests of a module path, already looked up at the base commit. */
  vmTests?: (modulePath: string, moduleText: string) => VmTests;
  /** Waivers that the PR itself adds to the config: reported, never honoured. */
  waiversAddedByPr?: Waiver[];
  /** Changed files GitHub did not list (it lists at most 3 000): said in the summary. */
  unlisted?: { listed: number; total: number };
}

export interface WaivedChange {
  change: Change;
  waiver: Waiver;
}

export interface ServiceReview {
  file: string;
  diff: ServiceDiff;
  /** Changes that count (not waived). */
  loosened: Change[];
  tightened: Change[];
  otherChanges: Change[];
  waived: WaivedChange[];
  findings: Finding[];
  suggestion: Suggestion | null;
  /** Asked for when the sandbox is tightened (null otherwise). */
  vmTests: VmTests | null;
  exposureRange: { before: [number, number] | null; after: [number, number] | null };
}

export interface InlineComment {
  path: string;
  line: number;
  startLine?: number;
  body: string;
}

export type Conclusion = 'success' | 'neutral' | 'failure';

export interface Annotation {
  path: string;
  startLine: number;
  endLine: number;
  level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

export interface ReviewResult {
  services: ServiceReview[];
  /** Files that could not be analysed, or not fully (path '' for the pull request as a whole). */
  problems: { path: string; message: string }[];
  /** Inline comments, only on lines of the PR's diff. */
  comments: InlineComment[];
  conclusion: Conclusion;
  annotations: Annotation[];
  labels: { add: string[]; remove: string[] };
  gates: { path: string; service: string; exposure: number; max: number }[];
}

const LEVEL: Record<string, Annotation['level'] | null> = { error: 'failure', warning: 'warning', notice: 'notice', info: 'notice', off: null };

function sameValue(a: Json | { unknown: string }, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function matchesService(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  // A waiver written for a pattern service (`foo-<name>`) matches it as reported.
  return pattern.replace(/<[^>]*>/g, '<name>') === name.replace(/<[^>]*>/g, '<name>');
}

function waiverFor(config: Config, service: string, change: Change): Waiver | undefined {
  return config.waivers.find((w) => matchesService(w.service, service) && w.directive === change.directive && sameValue(change.after as Json, w.allow as Json));
}

/** Which revisions of a file to analyse, and whether it is in the policy's paths. */
function relevant(config: Config, f: PrFile): boolean {
  const inScope = pathMatcher(config.paths, config.ignore);
  return f.path.endsWith('.nix') && (inScope(f.path) || (f.previousPath !== undefined && inScope(f.previousPath)));
}

/** The text of a suggestion block that puts back the value a loosened directive had. */
function revertSuggestion(head: string, change: Change): { startLine: number; line: number; text: string } | null {
  const lines = head.split('\n');
  const l = lines[change.line - 1];
  if (l === undefined) return null;
  const m = bindingLinePattern(change.directive).exec(l);
  if (!m) return null;
  // Only single-line bindings are replaced; the rest is left to the author.
  if (!m[2]!.trimEnd().endsWith(';')) return null;
  if (change.before !== null && typeof change.before === 'object' && !Array.isArray(change.before) && 'unknown' in change.before) return null;
  const indent = /^\s*/.exec(l)![0];
  if (change.before === null) return { startLine: change.line, line: change.line, text: '' };
  return { startLine: change.line, line: change.line, text: `${m[1]}${nixValue(change.before as Json, indent)};` };
}

export function reviewPullRequest(input: ReviewInput): ReviewResult {
  const { config } = input;
  const services: ServiceReview[] = [];
  const problems: ReviewResult['problems'] = [];
  if (input.unlisted && input.unlisted.total > input.unlisted.listed) {
    const { listed, total } = input.unlisted;
    problems.push({ path: '', message: `GitHub lists only the first ${listed} of the ${total} changed files; modules among the other ${total - listed} were not reviewed.` });
  }
  const comments: InlineComment[] = [];
  const annotations: Annotation[] = [];
  const gates: ReviewResult['gates'] = [];
  const severities = config.severities as unknown as Record<string, string>;
  const ruleLevels = config.severities.rules as Record<string, string>;
  const rules = RULES.filter((r) => ruleLevels[r.meta.id] !== 'off');
  const maxComments = config.output.max_inline_comments;

  for (const f of input.files) {
    if (!relevant(config, f)) continue;
    if (f.problem) {
      problems.push({ path: f.path, message: f.problem });
      continue;
    }
    const before: Analysis | undefined = f.base === null ? undefined : analyseCached(f.previousPath ?? f.path, f.base);
    const after: Analysis | undefined = f.head === null ? undefined : analyseCached(f.path, f.head);
    for (const d of after?.file.diagnostics ?? []) {
      if (d.id.startsWith('parse-') || d.id === 'internal-error' || d.id === 'eval-budget') problems.push({ path: f.path, message: `line ${d.line}: ${d.id}: ${d.message}` });
    }
    const diffs = diffFiles(before?.file ? { ...before.file, path: f.path } : undefined, after?.file, (s) => scoreService(s).exposure);
    const commentable = commentableLines(f.patch);
    const hunks = hunkOf(f.patch);
    for (const d of diffs) {
      if (d.status === 'unchanged' && config.ratchet) continue;
      const headService = after?.file.services.find((s) => s.scope === d.scope && s.name === d.name);
      const baseService = before?.file.services.find((s) => s.scope === d.scope && s.name === d.name);
      const waived: WaivedChange[] = [];
      const loosened: Change[] = [];
      for (const c of d.changes.filter((x) => x.verdict === 'loosened')) {
        const w = waiverFor(config, d.name, c);
        if (w) waived.push({ change: c, waiver: w });
        else loosened.push(c);
      }
      const tightened = d.changes.filter((c) => c.verdict === 'tightened');
      const otherChanges = d.changes.filter((c) => c.verdict === 'changed' || c.verdict === 'unknown');
      // Lint only what the change touched: findings on the new version that the old one lacked.
      let findings: Finding[] = [];
      if (headService && after) {
        const now = lintService(headService, after, { rules, systemdVersion: config.systemd.version, before });
        const old = baseService && before ? lintService(baseService, before, { rules, systemdVersion: config.systemd.version }) : [];
        const key = (x: Finding) => `${x.ruleId}\u0000${x.directive}\u0000${x.message}`;
        const had = new Set(old.map(key));
        findings = now.filter((x) => !had.has(key(x))).map((x) => ({ ...x, severity: (ruleLevels[x.ruleId] as Finding['severity']) ?? x.severity }));
      }
      const suggestion = headService && after && d.status !== 'removed' && (loosened.length > 0 || d.status === 'added' || tightened.length > 0)
        ? safeSuggest(headService, after, config)
        : null;
      const vmTests = tightened.length > 0 && config.vm_tests.request_on_tighten ? input.vmTests?.(f.path, f.base ?? f.head ?? '') ?? { tests: [], nixBuild: [], ofborg: null } : null;
      const sb = baseService ? scoreService(baseService) : null;
      const sa = headService ? scoreService(headService) : null;
      services.push({
        file: f.path,
        diff: d,
        loosened,
        tightened,
        otherChanges,
        waived,
        findings,
        suggestion,
        vmTests,
        exposureRange: { before: sb ? sb.range : null, after: sa ? sa.range : null },
      });

      // Check-run annotations and inline comments.
      for (const c of loosened) {
        const level = LEVEL[severities.loosened ?? 'warning'];
        const where = c.when ? ` (when ${c.when})` : '';
        if (level) annotations.push({ path: f.path, startLine: c.line || d.line, endLine: c.line || d.line, level, title: `${c.directive} loosened`, message: `${d.name}.service: ${c.directive} ${show(c.before)} → ${show(c.after)}${where}` });
        if (config.output.inline_comments && f.head !== null && commentable.has(c.line) && comments.length < maxComments) {
          const fix = config.output.suggestions ? revertSuggestion(f.head, c) : null;
          comments.push({ path: f.path, line: c.line, body: inlineBody(d.name, c, fix && hunks.get(fix.startLine) === hunks.get(fix.line) ? fix.text : null) });
        }
      }
      for (const c of tightened) {
        const level = LEVEL[severities.tightened ?? 'notice'];
        if (level) annotations.push({ path: f.path, startLine: c.line || d.line, endLine: c.line || d.line, level, title: `${c.directive} tightened`, message: `${d.name}.service: ${c.directive} ${show(c.before)} → ${show(c.after)}` });
      }
      for (const c of otherChanges) {
        const level = LEVEL[severities[c.verdict] ?? 'notice'];
        if (level) annotations.push({ path: f.path, startLine: c.line || d.line, endLine: c.line || d.line, level, title: `${c.directive} ${c.verdict}`, message: `${d.name}.service: ${c.directive} ${show(c.before)} → ${show(c.after)}` });
      }
      for (const x of findings) {
        const level = LEVEL[x.severity];
        if (level) annotations.push({ path: f.path, startLine: x.line, endLine: x.line, level, title: x.ruleId, message: x.message });
      }
      for (const g of config.gates.max_exposure) {
        if (sa && !sa.loadError && pathMatcher([g.path], [])(f.path) && sa.exposure > g.max) gates.push({ path: f.path, service: d.name, exposure: sa.exposure, max: g.max });
      }
    }
  }

  const regressions = services.some((s) => s.loosened.length > 0);
  const errors = annotations.some((a) => a.level === 'failure') || gates.length > 0;
  const conclusion: Conclusion = errors ? 'failure' : regressions ? config.gates.conclusion_on_regression : 'success';
  const labels = { add: [] as string[], remove: [] as string[] };
  if (config.output.labels.enabled) {
    (regressions ? labels.add : labels.remove).push(config.output.labels.regression);
    (services.some((s) => s.tightened.length > 0) ? labels.add : labels.remove).push(config.output.labels.tightened);
  }
  return { services, problems, comments, conclusion, annotations, labels, gates };
}

function safeSuggest(service: Service, analysis: Analysis, config: Config): Suggestion | null {
  try {
    return suggest(service, analysis, { profile: config.profile, systemdVersion: config.systemd.version });
  } catch {
    return null;
  }
}

export function show(v: Change['before']): string {
  if (v === null) return 'not set';
  if (typeof v === 'object' && !Array.isArray(v) && 'unknown' in v) return `unknown (${String((v as { unknown: string }).unknown)})`;
  return JSON.stringify(v);
}


function inlineBody(service: string, c: Change, fix: string | null): string {
  const lines = [
    `**${code(c.directive)} loosened** for ${code(`${service}.service`)}${c.when ? ` when ${code(c.when)}` : ''}: ${code(show(c.before))} → ${code(show(c.after))}.`,
  ];
  if (fix !== null) lines.push('', 'To keep the previous sandbox:', '', fenced(fix, 'suggestion'));
  lines.push('', `<sub>nixos-harden · \`nixos-harden explain ${c.directive}\` says what it protects against</sub>`);
  return lines.join('\n');
}
