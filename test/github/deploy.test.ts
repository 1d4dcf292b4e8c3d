/**
 * The deployment files: the GitHub App manifest (app.yml), the Dockerfile and .dockerignore, and
 * the example Actions workflow (docs/actions-workflow.yml). Docker does not run here, so the
 * Dockerfile is checked as text: its stages, user, health check, and that everything it copies
 * exists in the repository or is produced by `npm ci`.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix } from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'yaml';

const root = process.cwd();
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

describe('app.yml', () => {
  const manifest = parse(read('app.yml')) as Record<string, unknown>;

  it('subscribes to the events the app handles', () => {
    expect(manifest.default_events).toEqual(['pull_request', 'issue_comment', 'check_run']);
  });

  it('asks for least-privilege permissions', () => {
    expect(manifest.default_permissions).toEqual({
      contents: 'read',
      pull_requests: 'write',
      issues: 'write',
      checks: 'write',
      metadata: 'read',
    });
  });

  it('has the permission each event needs', () => {
    const perms = manifest.default_permissions as Record<string, string>;
    const needs: Record<string, string> = { pull_request: 'pull_requests', issue_comment: 'issues', check_run: 'checks' };
    for (const event of manifest.default_events as string[]) expect(perms[needs[event]!]).toBeDefined();
  });

  it('names the app, with a real homepage and no webhook URL of its own', () => {
    expect(manifest.name).toBe('nixos-harden');
    expect(typeof manifest.description).toBe('string');
    expect((manifest.description as string).length).toBeGreaterThan(20);
    expect(manifest.url).toMatch(/^https:\/\/github\.com\/[^/]+\/nixos-harden$/);
    expect(manifest.url).not.toMatch(/example\.invalid/);
    expect(manifest.public).toBe(false);
    // Probot fills hook_attributes; an app.yml value would replace the webhook URL it generates.
    expect(manifest).not.toHaveProperty('hook_attributes');
  });

  it('stays private once Probot spreads it over its generated manifest', () => {
    // What Probot's setup does: { …generated, public: true, …app.yml }.
    const generated = { public: true, hook_attributes: { url: 'https://smee.io/x' }, url: 'https://h', version: 'v1' };
    const merged = { ...generated, ...manifest };
    expect(merged.public).toBe(false);
    expect(merged.hook_attributes).toEqual({ url: 'https://smee.io/x' });
  });
});

/** One Dockerfile instruction, with continuation lines joined. */
interface Instruction {
  op: string;
  args: string;
  stage: number;
}

function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    pending += (pending ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(pending);
    pending = '';
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    if (op === 'FROM') stage++;
    out.push({ op, args: m[2]!, stage });
  }
  return out;
}

/** COPY's sources and destination (flags such as --from and --chown are returned apart). */
function copyParts(args: string): { flags: Record<string, string>; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const [k, v] = words.shift()!.slice(2).split('=');
    flags[k!] = v ?? '';
  }
  const dest = words.pop()!;
  return { flags, sources: words, dest };
}

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const all = instructions(text);
  const froms = all.filter((i) => i.op === 'FROM');
  const runtime = froms.length - 1;
  const inStage = (stage: number, op: string) => all.filter((i) => i.stage === stage && i.op === op);

  it('builds on node:20-bookworm and runs on node:20-bookworm-slim', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms[0]!.args).toMatch(/^node:20-bookworm\s+AS\s+build$/i);
    expect(froms[runtime]!.args).toMatch(/^node:20-bookworm-slim(\s+AS\s+\w+)?$/i);
  });

  it('compiles with npm ci and drops the dev dependencies in the build stage', () => {
    const runs = inStage(0, 'RUN').map((r) => r.args);
    expect(runs.some((r) => /apt-get install\b.*\bpython3\b/.test(r) && /\bmake\b/.test(r) && /\bg\+\+/.test(r))).toBe(true);
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r));
    const prune = runs.findIndex((r) => /\bnpm prune --omit=dev\b/.test(r));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(prune).toBeGreaterThan(ci);
    expect(inStage(runtime, 'RUN')).toEqual([]); // nothing is built or installed at runtime
  });

  it('runs as the unprivileged node user, listening on all interfaces', () => {
    const users = inStage(runtime, 'USER').map((u) => u.args);
    expect(users).toEqual(['node']);
    const env = inStage(runtime, 'ENV').map((e) => e.args).join(' ');
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bPORT=3000\b/);
    expect(inStage(runtime, 'EXPOSE').map((e) => e.args)).toEqual(['3000']);
  });

  it('checks health with node (no curl in slim) on /ping', () => {
    const [hc] = inStage(runtime, 'HEALTHCHECK');
    expect(hc).toBeDefined();
    expect(hc!.args).toMatch(/CMD \["node", "-e",/);
    expect(hc!.args).toMatch(/127\.0\.0\.1/);
    expect(hc!.args).toMatch(/\/ping/);
    expect(hc!.args).not.toMatch(/\b(curl|wget)\b/);
  });

  it('starts with npm start, which runs the standalone server', () => {
    expect(inStage(runtime, 'CMD').map((c) => c.args)).toEqual(['["npm", "start"]']);
    expect(pkg.scripts.start).toBe('node dist/src/github/server.js');
    expect(existsSync(join(root, 'src/github/server.ts'))).toBe(true);
    expect(existsSync(join(root, 'src/github/app.ts'))).toBe(true);
  });

  // What `npm ci` produces in the build stage: dependencies, the native binding, the TypeScript output.
  const produced = ['node_modules', 'dist', 'build/Release/tree_sitter_nix_napi.node'];

  it('copies into the build stage only files that exist and are not ignored', () => {
    const ignored = dockerIgnore();
    for (const copy of inStage(0, 'COPY')) {
      const { flags, sources } = copyParts(copy.args);
      expect(flags.from).toBeUndefined();
      for (const src of sources) {
        expect([src, existsSync(join(root, src))]).toEqual([src, true]);
        expect([src, ignored(src)]).toEqual([src, false]);
        if (statSync(join(root, src)).isDirectory()) {
          for (const f of listFiles(src)) expect([f, ignored(f)]).toEqual([f, false]);
        }
      }
    }
  });

  it('copies every file the TypeScript it compiles imports (npm ci runs tsc in the image)', () => {
    // The build stage's `npm ci` compiles tsconfig.build.json's sources that were copied in; a
    // relative import of a file that was not copied (test/ is ignored) fails the image build.
    const copied = inStage(0, 'COPY').flatMap((c) => copyParts(c.args).sources);
    const inImage = (f: string) => copied.some((src) => f === src || f.startsWith(`${src.replace(/\/$/, '')}/`));
    const missing: string[] = [];
    for (const src of copied.filter((c) => existsSync(join(root, c)) && statSync(join(root, c)).isDirectory())) {
      for (const file of listFiles(src).filter((f) => f.endsWith('.ts'))) {
        for (const m of read(file).matchAll(/(?:^import|^export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
          const target = join(dirname(file), m[1]!).replace(/\.js$/, '.ts');
          if (!inImage(target)) missing.push(`${file} imports ${target}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('copies into the runtime stage only what the build stage has', () => {
    const buildCopied = inStage(0, 'COPY').flatMap((c) => copyParts(c.args).sources);
    const copies = inStage(runtime, 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    const copied: string[] = [];
    for (const copy of copies) {
      const { flags, sources } = copyParts(copy.args);
      expect(flags.from).toBe('build');
      expect(flags.chown).toBe('node:node');
      for (const src of sources) {
        expect(src.startsWith('/app/')).toBe(true);
        const rel = src.slice('/app/'.length);
        copied.push(rel);
        const fromBuild = produced.includes(rel) || buildCopied.some((b) => rel === b || rel.startsWith(`${b.replace(/\/$/, '')}/`));
        expect([rel, fromBuild]).toEqual([rel, true]);
        // Produced by npm ci here too (the test suite runs after it), or in the repository.
        expect([rel, existsSync(join(root, rel))]).toEqual([rel, true]);
      }
    }
    // What the server needs at run time: the package root markers (parser.ts), the code, the binding, the profiles.
    for (const need of ['package.json', 'binding.gyp', 'node_modules', 'dist', 'build/Release/tree_sitter_nix_napi.node', 'policies', 'schemas', 'bin']) {
      expect(copied).toContain(need);
    }
  });

  it('keeps everything the server imports in dependencies (npm prune --omit=dev drops the rest)', () => {
    const builtins = new Set(builtinModules);
    const missing: string[] = [];
    for (const file of listFiles('src').filter((f) => f.endsWith('.ts'))) {
      for (const m of read(file).matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
        const spec = m[1]!;
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!(name in pkg.dependencies)) missing.push(`${file}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('.dockerignore', () => {
  const ignored = dockerIgnore();

  it.each(['node_modules', 'dist', 'build', '.git', 'test', 'coverage', '.env', 'app.private-key.pem'])('excludes %s', (p) => {
    expect(ignored(p)).toBe(true);
  });

  it.each(['package.json', 'package-lock.json', 'binding.gyp', 'native/binding.cc', 'src/nix/ast.ts', 'policies/strict-v1.yml', 'app.yml'])(
    'keeps %s',
    (p) => {
      expect(ignored(p)).toBe(false);
    },
  );
});

describe('docs/actions-workflow.yml', () => {
  const wf = parse(read('docs/actions-workflow.yml')) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, { steps: { uses?: string; run?: string; env?: Record<string, string> }[] }>;
  };
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps);

  it('runs on pull_request_target and PR comments, never plain pull_request', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['issue_comment', 'pull_request_target']);
  });

  it('grants exactly the permissions the app uses', () => {
    expect(wf.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', issues: 'write', checks: 'write' });
  });

  it('never checks out code (pull_request_target runs with a write token)', () => {
    expect(steps.filter((s) => s.uses?.startsWith('actions/checkout'))).toEqual([]);
    expect(steps.some((s) => /\bgit (clone|fetch|checkout)\b/.test(s.run ?? ''))).toBe(false);
  });

  it('runs the app with probot receive and the job token', () => {
    const review = steps.find((s) => s.run?.includes('probot receive'));
    expect(review).toBeDefined();
    expect(review!.run).toContain('./node_modules/nixos-harden/dist/src/github/app.js');
    expect(review!.run).toMatch(/-e "\$EVENT"/);
    expect(review!.env?.GITHUB_TOKEN).toBe('${{ secrets.GITHUB_TOKEN }}');
    expect(existsSync(join(root, 'src/github/app.ts'))).toBe(true);
  });
});

/** The .dockerignore patterns as a predicate on context-relative paths (a directory's pattern covers what is under it). */
function dockerIgnore(): (path: string) => boolean {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const exclude = patterns.filter((p) => !p.startsWith('!')).map((p) => picomatch(p.replace(/^\/|\/$/g, ''), { dot: true }));
  const include = patterns.filter((p) => p.startsWith('!')).map((p) => picomatch(p.slice(1).replace(/^\/|\/$/g, ''), { dot: true }));
  return (path) => {
    const parts = posix.normalize(path).split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    const hit = (ms: ((s: string) => boolean)[]) => prefixes.some((p) => ms.some((m) => m(p)));
    return hit(exclude) && !hit(include);
  };
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}
