#!/usr/bin/env node
// Fidelity harness: compares `nixos-harden extract` (the static extractor) with
// real Nix evaluation (eval-module.nix run by nix-instantiate) on a held-out set
// of NixOS service modules. See README.md next to this file.
//
//   node scripts/fidelity/compare.mjs [--heldout DIR] [--lib DIR] [--json]
//        [--extractor CMD] [--only SUBSTRING] [--no-cache] [--cache DIR]
//        [--nix-instantiate PATH] [--fail-on-wrong]
//
// Plain Node ESM, no dependencies.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const EVAL_MODULE = join(HERE, 'eval-module.nix');
const SKIP = (d) => d.startsWith('Exec') || d.startsWith('Environment');
const NIX_TIMEOUT_MS = 120_000;
const EXTRACT_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const opts = {
    heldout: '/tmp/fidelity/heldout',
    lib: '/tmp/fidelity/nixpkgs/lib',
    json: false,
    extractor: null,
    only: null,
    cache: '/tmp/fidelity/reference',
    useCache: true,
    nixInstantiate: 'nix-instantiate',
    failOnWrong: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--heldout': opts.heldout = resolve(next()); break;
      case '--lib': opts.lib = resolve(next()); break;
      case '--json': opts.json = true; break;
      case '--extractor': opts.extractor = next(); break;
      case '--only': opts.only = next(); break;
      case '--cache': opts.cache = resolve(next()); break;
      case '--no-cache': opts.useCache = false; break;
      case '--nix-instantiate': opts.nixInstantiate = next(); break;
      case '--fail-on-wrong': opts.failOnWrong = true; break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  return opts;
}

function usage(problem) {
  const text = `usage: node scripts/fidelity/compare.mjs [--heldout DIR] [--lib DIR] [--json]
       [--extractor CMD] [--only SUBSTRING] [--no-cache] [--cache DIR]
       [--nix-instantiate PATH] [--fail-on-wrong]

  --heldout DIR      held-out modules (*.nix), default /tmp/fidelity/heldout
  --lib DIR          a nixpkgs lib/ directory, default /tmp/fidelity/nixpkgs/lib
  --json             machine-readable output
  --extractor CMD    extractor command; the module path is appended
                     (default: node bin/nixos-harden.js extract --format json)
  --only SUBSTRING   only modules whose file name contains SUBSTRING
  --no-cache         re-run Nix even when a cached reference exists
  --cache DIR        reference cache, default /tmp/fidelity/reference
  --fail-on-wrong    exit 1 when any concrete value is wrong
`;
  if (problem) {
    process.stderr.write(`${problem}\n\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

// ---------------------------------------------------------------- helpers

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

function libFingerprint(libDir) {
  const h = createHash('sha256');
  for (const f of listFiles(libDir)) {
    if (!f.endsWith('.nix') && !f.endsWith('.version')) continue;
    h.update(f.slice(libDir.length));
    h.update(readFileSync(f));
  }
  // trivial.nix reads ../.version (or ./.version, depending on the lib version)
  for (const v of [join(libDir, '..', '.version'), join(libDir, '.version')]) {
    if (existsSync(v)) h.update(readFileSync(v));
  }
  return h.digest('hex');
}

function firstErrorLine(stderr) {
  const lines = String(stderr || '').split('\n').map((l) => l.trim()).filter(Boolean);
  const err = lines.find((l) => l.startsWith('error:'))
    ?? lines.find((l) => /^[A-Za-z]*Error\b|\berror\b/i.test(l) && !l.startsWith('at '));
  return (err || lines[0] || 'unknown error').slice(0, 300);
}

function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const show = (v) => (v === undefined ? '-' : JSON.stringify(v));

// ---------------------------------------------------------------- reference (Nix)

function runNix(opts, modulePath, extra) {
  const args = [
    '--store', 'dummy://',
    '--eval', '--strict', '--json', EVAL_MODULE,
    '--argstr', 'libPath', opts.lib,
    '--argstr', 'modulePath', modulePath,
  ];
  for (const [k, v] of Object.entries(extra)) args.push('--argstr', k, v);
  const env = { ...process.env, NIX_PATH: '' };
  delete env.NIX_REMOTE;
  const r = spawnSync(opts.nixInstantiate, args, {
    encoding: 'utf8', env, timeout: NIX_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) return { ok: false, error: `could not run ${opts.nixInstantiate}: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, error: firstErrorLine(r.stderr) };
  try {
    return { ok: true, value: JSON.parse(r.stdout) };
  } catch (e) {
    return { ok: false, error: `nix-instantiate printed invalid JSON: ${e.message}` };
  }
}

// Evaluates one scope ("system" or "user") of a module. Falls back to finer
// granularity when an error that builtins.tryEval cannot catch (missing
// attribute, type error, ...) aborts the whole evaluation.
function referenceScope(opts, modulePath, scope, enable) {
  const base = enable ? { scope, enable } : { scope };
  const full = runNix(opts, modulePath, base);
  const services = [];
  if (full.ok) {
    for (const [name, s] of Object.entries(full.value.services)) {
      services.push(s.error
        ? { name, scope, error: s.error }
        : { name, scope, confinement: s.confinement, directives: s.directives });
    }
    return { enable: full.value.enable, services, evaluations: 1 };
  }
  let evaluations = 1;
  const list = runNix(opts, modulePath, { ...base, mode: 'services' });
  evaluations++;
  if (!list.ok) return { error: list.error, services, evaluations };
  for (const name of list.value.services) {
    const names = runNix(opts, modulePath, { ...base, mode: 'names', service: name });
    evaluations++;
    if (!names.ok || names.value.services[name].error) {
      services.push({ name, scope, error: names.ok ? names.value.services[name].error : names.error });
      continue;
    }
    const directives = {};
    for (const d of names.value.services[name].directives) {
      const one = runNix(opts, modulePath, { ...base, mode: 'directive', service: name, directive: d });
      evaluations++;
      if (!one.ok) directives[d] = { error: one.error };
      else if (!one.value.result.absent) directives[d] = one.value.result;
    }
    services.push({ name, scope, confinement: null, directives, isolated: true });
  }
  return { enable: list.value.enable, services, evaluations, fallback: full.error };
}

// Optional hand list: <heldout>/ENABLE.tsv with lines "<file name>\t<a.b.enable,c.enable>"
// overrides the automatic detection of the options to set to true.
function enableOverrides(heldout) {
  const f = join(heldout, 'ENABLE.tsv');
  const map = new Map();
  if (!existsSync(f)) return map;
  for (const line of readFileSync(f, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [name, paths] = line.split('\t');
    if (name && paths !== undefined) map.set(name.trim(), paths.trim());
  }
  return map;
}

function reference(opts, file, libHash) {
  const source = readFileSync(file);
  const enable = opts.enableOverrides.get(file.split('/').pop()) ?? '';
  const key = sha256(source, '\0', readFileSync(EVAL_MODULE), '\0', libHash, '\0', enable);
  const cacheFile = join(opts.cache, `${key}.json`);
  if (opts.useCache && existsSync(cacheFile)) {
    // The cache key is the module's content, not its path: report the current path.
    return { ...JSON.parse(readFileSync(cacheFile, 'utf8')), file, cached: true };
  }
  const sys = referenceScope(opts, file, 'system', enable);
  const usr = referenceScope(opts, file, 'user', enable);
  const ref = {
    file,
    enable: sys.enable ?? usr.enable ?? [],
    error: sys.error && usr.error ? sys.error : null,
    scopeErrors: { system: sys.error ?? null, user: usr.error ?? null },
    fallback: { system: sys.fallback ?? null, user: usr.fallback ?? null },
    evaluations: sys.evaluations + usr.evaluations,
    services: [...sys.services, ...usr.services],
  };
  mkdirSync(opts.cache, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(ref, null, 1));
  return { ...ref, cached: false };
}

// ---------------------------------------------------------------- extractor

function extract(opts, file) {
  let cmd;
  let args;
  let shell = false;
  if (opts.extractor) {
    cmd = `${opts.extractor} ${JSON.stringify(file)}`;
    args = [];
    shell = true;
  } else {
    cmd = process.execPath;
    args = [join(REPO, 'bin', 'nixos-harden.js'), 'extract', file, '--format', 'json'];
  }
  const r = spawnSync(cmd, args, {
    encoding: 'utf8', shell, cwd: REPO, timeout: EXTRACT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) return { crash: `could not run extractor: ${r.error.message}` };
  if (r.status !== 0) {
    return { crash: `exit status ${r.status ?? r.signal}: ${firstErrorLine(r.stderr) || ''}` };
  }
  let json;
  try {
    json = JSON.parse(r.stdout);
  } catch (e) {
    return { crash: `invalid JSON: ${e.message}` };
  }
  const files = Array.isArray(json?.files) ? json.files : null;
  if (!files || files.length === 0) return { crash: 'JSON has no files[]' };
  const entry = files.find((f) => resolve(String(f.path)) === resolve(file)) ?? files[0];
  if (!Array.isArray(entry.services)) return { crash: 'files[0].services is not a list' };
  return { services: entry.services, diagnostics: entry.diagnostics ?? [] };
}

// ---------------------------------------------------------------- comparison

function serviceKey(scope, name) {
  return `${scope}:${name}`;
}

function oursName(svc) {
  if (typeof svc.name === 'string' && svc.name) return svc.name;
  if (typeof svc.unit === 'string') return svc.unit.replace(/\.service$/, '');
  return '';
}

function compareModule(ref, ours) {
  const row = {
    file: ref.file,
    pairs: 0, equal: 0, unknown: 0, wrong: 0, missing: 0, extra: 0,
    refErrors: 0, refServiceErrors: 0, crash: null,
    services: ref.services.filter((s) => !s.error).length,
    notes: [],
    details: [],
  };
  if (ref.error) row.notes.push(`reference failed: ${ref.error}`);
  if (ref.services.length === 0 && !ref.error) row.notes.push('no services in the defaults view');
  if (ref.services.some((s) => s.confinement)) row.notes.push('uses confinement (not modelled by the reference)');
  if (ref.fallback?.system || ref.fallback?.user) row.notes.push('reference isolated per directive');

  const refByKey = new Map();
  for (const s of ref.services) {
    if (s.error) {
      row.refServiceErrors++;
      continue;
    }
    refByKey.set(serviceKey(s.scope, s.name), s);
  }

  // Reference pairs.
  const refPairs = [];
  for (const s of refByKey.values()) {
    for (const [d, r] of Object.entries(s.directives)) {
      if (SKIP(d)) continue;
      if ('error' in r) {
        row.refErrors++;
        continue;
      }
      refPairs.push({ service: s.name, scope: s.scope, directive: d, value: r.value });
    }
  }
  row.pairs = refPairs.length;

  if (ours.crash) {
    row.crash = ours.crash;
    return row;
  }

  const oursByKey = new Map();
  for (const svc of ours.services) {
    if (svc.pattern) continue;
    oursByKey.set(serviceKey(svc.scope === 'user' ? 'user' : 'system', oursName(svc)), svc);
  }

  for (const p of refPairs) {
    const svc = oursByKey.get(serviceKey(p.scope, p.service));
    const o = svc?.options?.[p.directive];
    if (!svc || o === undefined) {
      row.missing++;
      row.details.push({ kind: 'missing', ...p, ours: svc ? undefined : '(service absent)' });
    } else if (o && typeof o === 'object' && 'unknown' in o && !('value' in o)) {
      row.unknown++;
    } else if (o && typeof o === 'object' && 'value' in o) {
      if (canonical(o.value) === canonical(p.value)) row.equal++;
      else {
        row.wrong++;
        row.details.push({ kind: 'wrong', ...p, ours: o.value, line: o.line });
      }
    } else {
      row.unknown++;
    }
  }

  // Extra: concrete directives the extractor reports that Nix does not have.
  for (const [key, svc] of oursByKey) {
    const refSvc = refByKey.get(key);
    const refErrorService = ref.services.some((s) => s.error && serviceKey(s.scope, s.name) === key);
    if (refErrorService) continue;
    for (const [d, o] of Object.entries(svc.options ?? {})) {
      if (SKIP(d) || !o || typeof o !== 'object' || !('value' in o)) continue;
      if (refSvc && d in refSvc.directives) continue; // equal/wrong/ref-error handled above
      row.extra++;
      row.details.push({
        kind: 'extra', service: oursName(svc), scope: svc.scope ?? 'system', directive: d,
        value: undefined, ours: o.value, line: o.line,
        note: refSvc ? undefined : '(service absent in the reference)',
      });
    }
  }
  return row;
}

// ---------------------------------------------------------------- output

const pct = (n, d) => (d === 0 ? '   -  ' : `${((100 * n) / d).toFixed(1).padStart(5)}%`);

function printTable(rows, total) {
  const name = (f) => f.split('/').pop();
  const w = Math.max(8, ...rows.map((r) => name(r.file).length));
  const head = `${'module'.padEnd(w)}  pairs  equal%  unkn%  wrong%  miss  extra  refErr  notes`;
  const lines = [head, '-'.repeat(head.length + 10)];
  for (const r of rows) {
    const notes = [r.crash ? `CRASH: ${r.crash}` : null, ...r.notes].filter(Boolean).join('; ');
    lines.push(`${name(r.file).padEnd(w)}  ${String(r.pairs).padStart(5)}  ${pct(r.equal, r.pairs)}  ${pct(r.unknown, r.pairs)}  ${pct(r.wrong, r.pairs)}  ${String(r.missing).padStart(4)}  ${String(r.extra).padStart(5)}  ${String(r.refErrors + r.refServiceErrors).padStart(6)}  ${notes}`);
  }
  lines.push('-'.repeat(head.length + 10));
  lines.push(`${'TOTAL'.padEnd(w)}  ${String(total.pairs).padStart(5)}  ${pct(total.equal, total.pairs)}  ${pct(total.unknown, total.pairs)}  ${pct(total.wrong, total.pairs)}  ${String(total.missing).padStart(4)}  ${String(total.extra).padStart(5)}  ${String(total.refErrors + total.refServiceErrors).padStart(6)}  ${total.crashes} crash(es), ${total.modules} module(s), ${total.modulesWithPairs} with pairs, ${total.refFailures} reference failure(s)`);
  process.stdout.write(`${lines.join('\n')}\n`);

  const kinds = ['wrong', 'missing', 'extra'];
  for (const kind of kinds) {
    const items = rows.flatMap((r) => r.details.filter((d) => d.kind === kind).map((d) => ({ file: name(r.file), ...d })));
    if (items.length === 0) continue;
    process.stdout.write(`\n${kind.toUpperCase()} (${items.length})\n`);
    for (const it of items) {
      const where = it.line ? ` (line ${it.line})` : '';
      process.stdout.write(`  ${it.file}  ${it.scope === 'user' ? 'user:' : ''}${it.service}.${it.directive}${where}\n      nix:  ${show(it.value)}\n      ours: ${typeof it.ours === 'string' && it.ours.startsWith('(') ? it.ours : show(it.ours)}${it.note ? `  ${it.note}` : ''}\n`);
    }
  }
}

// ---------------------------------------------------------------- main

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(opts.heldout) || !statSync(opts.heldout).isDirectory()) usage(`no such directory: ${opts.heldout}`);
  if (!existsSync(join(opts.lib, 'default.nix'))) usage(`not a nixpkgs lib directory: ${opts.lib}`);
  const probe = spawnSync(opts.nixInstantiate, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    usage(`cannot run ${opts.nixInstantiate} (install Nix: apt-get install -y nix-bin)`);
  }
  const files = readdirSync(opts.heldout)
    .filter((f) => f.endsWith('.nix'))
    .filter((f) => !opts.only || f.includes(opts.only))
    .sort()
    .map((f) => join(opts.heldout, f));
  const libHash = libFingerprint(opts.lib);
  opts.enableOverrides = enableOverrides(opts.heldout);

  const rows = [];
  const refs = [];
  for (const file of files) {
    if (!opts.json) process.stderr.write(`… ${file.split('/').pop()}\n`);
    const ref = reference(opts, file, libHash);
    const ours = extract(opts, file);
    refs.push(ref);
    rows.push(compareModule(ref, ours));
  }

  const total = {
    modules: rows.length,
    modulesWithPairs: rows.filter((r) => r.pairs > 0).length,
    refFailures: refs.filter((r) => r.error).length,
    services: rows.reduce((a, r) => a + r.services, 0),
    crashes: rows.filter((r) => r.crash).length,
  };
  for (const k of ['pairs', 'equal', 'unknown', 'wrong', 'missing', 'extra', 'refErrors', 'refServiceErrors']) {
    total[k] = rows.reduce((a, r) => a + r[k], 0);
  }
  total.crashPairs = rows.filter((r) => r.crash).reduce((a, r) => a + r.pairs, 0);
  const rate = (n) => (total.pairs === 0 ? null : n / total.pairs);
  total.rates = {
    equal: rate(total.equal), unknown: rate(total.unknown), wrong: rate(total.wrong),
    missing: rate(total.missing), crashed: rate(total.crashPairs),
  };

  if (opts.json) {
    process.stdout.write(`${JSON.stringify({
      lib: opts.lib, heldout: opts.heldout, total,
      modules: rows.map((r) => ({ ...r, file: r.file })),
      references: refs.map((r) => ({ file: r.file, enable: r.enable, error: r.error, evaluations: r.evaluations, cached: r.cached })),
    }, null, 2)}\n`);
  } else {
    printTable(rows, total);
  }
  if (opts.failOnWrong && total.wrong > 0) process.exitCode = 1;
}

main();
