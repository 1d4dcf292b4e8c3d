/**
 * SARIF 2.1.0 logs of diff, review and census results, for GitHub code scanning
 * (`github/codeql-action/upload-sarif`). Paths are repository-relative URIs under %SRCROOT%.
 */
import type { Change, ServiceDiff } from '../hardening/diff.js';
import type { Census } from '../census/summary.js';
import type { ReviewResult } from './review.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFO_URI = 'https://github.com/nixos-harden/nixos-harden';

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  defaultConfiguration: { level: SarifLevel };
  helpUri?: string;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; endLine?: number } } }[];
  partialFingerprints?: Record<string, string>;
  properties?: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; informationUri: string; version: string; rules: SarifRule[] } };
    automationDetails?: { id: string };
    results: SarifResult[];
  }[];
}

/** Collects rules as results use them, so each log lists exactly the rules it refers to. */
class Builder {
  readonly rules: SarifRule[] = [];
  readonly results: SarifResult[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly catalogue: Record<string, Omit<SarifRule, 'id'>>) {}

  add(ruleId: string, level: SarifLevel, text: string, path: string, line: number, extra: Pick<SarifResult, 'partialFingerprints' | 'properties'> = {}, endLine?: number): void {
    let i = this.index.get(ruleId);
    if (i === undefined) {
      const known = this.catalogue[ruleId] ?? { name: ruleId, shortDescription: { text: ruleId }, defaultConfiguration: { level: 'warning' as const } };
      i = this.rules.push({ id: ruleId, ...known }) - 1;
      this.index.set(ruleId, i);
    }
    const startLine = Math.max(1, Math.floor(line));
    const region: { startLine: number; endLine?: number } = { startLine };
    if (endLine !== undefined && endLine >= startLine) region.endLine = endLine;
    this.results.push({
      ruleId,
      ruleIndex: i,
      level,
      message: { text },
      // A finding about no file in particular (path '') has no location.
      locations: path === '' ? [] : [{ physicalLocation: { artifactLocation: { uri: toUri(path), uriBaseId: '%SRCROOT%' }, region } }],
      ...extra,
    });
  }

  log(version: string, automationId: string): SarifLog {
    return {
      $schema: SARIF_SCHEMA,
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'nixos-harden', informationUri: INFO_URI, version, rules: this.rules } }, automationDetails: { id: automationId }, results: this.results }],
    };
  }
}

/** A relative path as a URI reference: posix separators, no leading ./, each segment escaped. */
export function toUri(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

const rule = (name: string, text: string, level: SarifLevel, full?: string): Omit<SarifRule, 'id'> => ({
  name,
  shortDescription: { text },
  ...(full ? { fullDescription: { text: full } } : {}),
  defaultConfiguration: { level },
});

const DIFF_RULES: Record<string, Omit<SarifRule, 'id'>> = {
  'sandbox-loosened': rule('SandboxLoosened', 'A systemd sandboxing directive was loosened', 'warning', 'The change gives the service more privileges or exposes more of the system to it.'),
  'sandbox-tightened': rule('SandboxTightened', 'A systemd sandboxing directive was tightened', 'note', 'The change restricts the service further; run its VM tests.'),
  'sandbox-changed': rule('SandboxChanged', 'A systemd sandboxing directive changed', 'note'),
  'sandbox-unknown': rule('SandboxUnknown', 'A sandboxing directive changed to a value not known statically', 'note'),
};

const shown = (v: Change['before']): string => (v === null ? 'not set' : typeof v === 'object' && !Array.isArray(v) && 'unknown' in v ? `unknown (${String(v.unknown)})` : JSON.stringify(v));
const score = (n: number | null) => (n === null ? '?' : n.toFixed(1));

/** `diff --format sarif`: one result per changed directive. */
export function diffToSarif(diffs: ServiceDiff[], version: string): SarifLog {
  const b = new Builder(DIFF_RULES);
  for (const d of diffs) {
    for (const c of d.changes) {
      const level: SarifLevel = c.verdict === 'loosened' ? 'warning' : 'note';
      b.add(
        `sandbox-${c.verdict}`,
        level,
        `${d.name}.service: ${c.directive} ${c.verdict}: ${shown(c.before)} → ${shown(c.after)}${c.when ? ` (when ${c.when})` : ''}; exposure ${score(d.score.before)} → ${score(d.score.after)}`,
        d.file,
        c.line,
        { partialFingerprints: { 'nixosHarden/v1': `${d.name}/${c.directive}/${c.when ?? ''}` }, properties: { service: d.name, directive: c.directive, verdict: c.verdict } },
      );
    }
  }
  return b.log(version, 'nixos-harden/diff/');
}

const ANNOTATION_LEVEL: Record<string, SarifLevel> = { failure: 'error', warning: 'warning', notice: 'note' };

/** `review --format sarif`: the check run's annotations as results. */
export function reviewToSarif(result: ReviewResult, version: string): SarifLog {
  const b = new Builder({});
  for (const a of result.annotations) {
    const id = a.title.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'finding';
    b.add(`review/${id}`, ANNOTATION_LEVEL[a.level] ?? 'warning', `${a.title}: ${a.message}`, a.path, a.startLine, {}, a.endLine);
  }
  for (const p of result.problems) b.add('review/not-analysed', 'note', p.message, p.path, 1);
  return b.log(version, 'nixos-harden/review/');
}

const CENSUS_RULES: Record<string, Omit<SarifRule, 'id'>> = {
  'census-missing-hardening': rule('MissingHardening', 'The service does not meet its best-fitting hardening profile', 'note', 'Directives the profile asks for are missing or looser; `nixos-harden suggest` prints the edits.'),
  'census-unloadable': rule('UnloadableUnit', 'systemd would refuse to load the unit', 'error'),
};

const RATING_LEVEL: Record<string, SarifLevel> = { OK: 'note', MEDIUM: 'note', EXPOSED: 'warning', UNSAFE: 'warning', DANGEROUS: 'error' };

/** `census --format sarif`: one result per service that misses directives of its profile. */
export function censusToSarif(c: Census, version: string): SarifLog {
  const b = new Builder(CENSUS_RULES);
  for (const s of c.services) {
    const fp = { 'nixosHarden/v1': `${s.file}/${s.scope}/${s.name}` };
    if (s.loadError) {
      b.add('census-unloadable', 'error', `${s.name}.service: systemd would refuse this unit: ${s.loadError}`, s.file, s.line, { partialFingerprints: fp });
      continue;
    }
    if (s.profile.changes === 0) continue;
    const profile = s.profile.class ? `${s.profile.id} (${s.profile.class})` : s.profile.id;
    b.add(
      'census-missing-hardening',
      RATING_LEVEL[s.rating] ?? 'note',
      `${s.name}.service: exposure ${s.exposure.toFixed(1)} ${s.rating}; profile ${profile} asks for ${s.profile.missing.join(', ')}${s.profile.after !== null ? ` (exposure ${s.profile.after.toFixed(1)} after)` : ''}`,
      s.file,
      s.line,
      { partialFingerprints: fp, properties: { exposure: s.exposure, rating: s.rating, missing: s.profile.missing } },
    );
  }
  return b.log(version, 'nixos-harden/census/');
}
