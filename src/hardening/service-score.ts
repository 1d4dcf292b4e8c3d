/**
 * The exposure score of an extracted service (or a unit file), on systemd-analyze's scale:
 * the unit NixOS would write is rendered, read the way systemd reads it and scored. Directives
 * whose value is unknown are left out of the point score (systemd's default applies) and give
 * the best and worst case over their possible values.
 */
import type { Json } from '../nix/render.js';
import type { OptionValue, Service } from '../nixos/services.js';
import { type CheckResult, type MaybeKnown, type Rating, isUnloadable, rating, scoreRange, scoreSettings, unknownMatters } from './score.js';
import { parseUnitFile, renderServiceEntries, renderServiceSection, serviceSettings } from './unit.js';

export interface ServiceScore {
  /** 0.0–10.0, as systemd-analyze prints it. */
  exposure: number;
  rating: Rating;
  checks: readonly CheckResult[];
  /** Best and worst exposure over the values unknown directives could have. */
  range: [number, number];
  /** Directives that were unknown and matter to the score. */
  unknown: string[];
  /** Why systemd would refuse to load the unit, if it would. */
  loadError: string | null;
}

/** The systemd version whose `systemd-analyze security --offline` is reproduced. */
export const SCORER_SYSTEMD = 252 as const;

/** A unit file name systemd can take for a service (templates and patterns get an instance). */
export function unitFileName(service: Pick<Service, 'name'>): string {
  const base = service.name.replace(/<[^>]*>/g, 'instance');
  return base.endsWith('@') ? `${base}instance.service` : `${base}.service`;
}

/** The known serviceConfig values, and the unknown ones by name. */
export function splitKnown(service: Service): { known: Record<string, Json>; unknown: Record<string, { unknown: string }> } {
  const { known, unknown } = classify(Object.entries(service.options));
  return { known: record(known), unknown: record(unknown) };
}

type Classified = { known: [string, Json][]; unknown: [string, { unknown: string }][] };

/** Options NixOS can write into the unit, and the others with why not. */
function classify(entries: Iterable<readonly [string, OptionValue]>): Classified {
  const out: Classified = { known: [], unknown: [] };
  for (const [k, v] of entries) {
    if ('value' in v && renderable(v.value)) out.known.push([k, v.value]);
    else if ('value' in v) out.unknown.push([k, { unknown: 'an attribute set, which cannot be written into a unit file' }]);
    else out.unknown.push([k, { unknown: v.unknown }]);
  }
  return out;
}

/** A record of entries, without a prototype: a directive named `__proto__` is a name like any other. */
function record<T>(...lists: (readonly (readonly [string, T])[])[]): Record<string, T> {
  const out: Record<string, T> = Object.create(null);
  for (const list of lists) for (const [k, v] of list) out[k] = v;
  return out;
}

/** Whether NixOS can write the value into a unit file (an attribute set needs an `outPath`). */
function renderable(v: Json): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) return v.every(renderable);
  return typeof v['outPath'] === 'string';
}

const tenth = (e: number) => e / 10;

/** What to work out: `checks: false` when only the exposure is wanted (`checks` is then empty). */
export interface ServiceScoreOptions {
  checks?: boolean;
}

/** Scores the text of a unit file. */
export function scoreUnitText(text: string, unitName: string, opts: ServiceScoreOptions = {}): ServiceScore {
  const settings = serviceSettings(parseUnitFile(text), { systemdVersion: SCORER_SYSTEMD, unitName });
  const r = scoreSettings(settings, { systemdVersion: SCORER_SYSTEMD, checks: opts.checks });
  if (isUnloadable(r)) {
    return { exposure: 10, rating: 'DANGEROUS', checks: [], range: [10, 10], unknown: [], loadError: r.loadError.message };
  }
  // The scorer's check results are fresh per call and hold exactly these fields: shared, not copied.
  const exposure = tenth(r.exposure);
  return { exposure, rating: r.rating, checks: r.checks, range: [exposure, exposure], unknown: [], loadError: null };
}

/** The `[Service]` section NixOS would write for the service's known values. */
export function renderUnit(service: Service): string {
  const { known, unknown } = splitKnown(service);
  const lines = ['[Service]', ...renderServiceSection(known)];
  for (const [k, v] of Object.entries(unknown)) lines.push(`# ${k}= is not known statically (${v.unknown.replace(/\n/g, ' ')})`);
  if (!('ExecStart' in known)) {
    // systemd refuses a service without a command; the command does not change the score.
    lines.push('# stand-in command, so that systemd loads the unit', 'ExecStart=/bin/true');
  }
  return lines.join('\n') + '\n';
}

export function scoreService(service: Service, opts: ServiceScoreOptions = {}): ServiceScore {
  return scoreEntries(unitFileName(service), Object.entries(service.options), opts);
}

/**
 * {@link scoreService} of the service with some options replaced or added (a suggestion's
 * changes), without copying its options.
 */
export function scoreServiceWith(service: Service, changes: ReadonlyMap<string, OptionValue>, opts: ServiceScoreOptions = {}): ServiceScore {
  // Changed options keep their place and new ones come last, as in a copy with the changes assigned.
  const entries: [string, OptionValue][] = [];
  for (const [k, v] of Object.entries(service.options)) entries.push([k, changes.get(k) ?? v]);
  for (const [k, v] of changes) if (!Object.hasOwn(service.options, k)) entries.push([k, v]);
  return scoreEntries(unitFileName(service), entries, opts);
}

function scoreEntries(name: string, entries: readonly (readonly [string, OptionValue])[], opts: ServiceScoreOptions): ServiceScore {
  const { known, unknown } = classify(entries);
  const lines = renderServiceEntries(known);
  const point = scoreUnitText(lines.length === 0 ? '[Service]' : `[Service]\n${lines.join('\n')}`, name, opts);
  // Unknown commands, paths and the like do not move the score: no range to search.
  if (point.loadError || !unknown.some(([k]) => unknownMatters(k))) return point;
  const r = scoreRange(record<MaybeKnown>(known, unknown), { systemdVersion: SCORER_SYSTEMD, unitName: name });
  const range: [number, number] = [tenth(r.range[0]), tenth(r.range[1])];
  const exposure = Math.min(Math.max(point.exposure, range[0]), range[1]);
  return { ...point, exposure, rating: rating(Math.round(exposure * 10)), range, unknown: [...r.unknown] };
}
