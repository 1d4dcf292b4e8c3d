/**
 * The PR-review latency of the app: a pull request changing 20 modules, delivered as a signed
 * webhook to the real Probot app, which reads it from and posts its review to the local
 * GitHub-compatible server. The server runs in a child process, so the CPU time measured here is
 * the app's own (Probot, Octokit, our analysis and rendering), not the fake GitHub's.
 *
 * Reports, for the first delivery (cold: code not yet compiled by the JIT) and the median of the
 * following ones (each a new PR): wall time, this process's CPU time, and API requests made.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Probot, createNodeMiddleware } from 'probot';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import app from '../src/github/app.js';
import { HardenOctokit } from '../src/github/octokit.js';
import { signedDelivery } from '../test/support/github/webhooks.js';

const MODULES = 20;
const PULLS = 6;
const OWNER = 'nixos-demo';
const REPO = 'nixpkgs';
const SECRET = 'bench-secret';

type Msg =
  | { t: 'ready'; url: string; appId: number; privateKey: string; payloads: unknown[] }
  | { t: 'requests'; n: number };

/** A module in the style of nixpkgs with one service; `variant` changes its sandbox. */
function moduleText(i: number, variant: number): string {
  const loosen = variant % 3 === 1;
  return `{ config, lib, pkgs, ... }:

let
  cfg = config.services.bench${i};
in
{
  options.services.bench${i} = {
    enable = lib.mkEnableOption "bench service ${i}";
    port = lib.mkOption {
      type = lib.types.port;
      default = ${8000 + i};
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.services.bench${i} = {
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = {
        ExecStart = "\${pkgs.hello}/bin/hello --port \${toString cfg.port}";
        DynamicUser = true;
        ProtectSystem = "${loosen ? 'full' : 'strict'}";
        ProtectHome = true;
        PrivateTmp = true;
        PrivateDevices = ${variant % 2 === 0};
        NoNewPrivileges = true;
        RestrictAddressFamilies = [
          "AF_INET"
          "AF_INET6"
        ];
        SystemCallArchitectures = "native";
        SystemCallFilter = [ "@system-service"${variant === 0 ? ' "~@privileged"' : ''} ];
        UMask = "0077";
      };
    };
  };
}
`;
}

/** Child process: the fake GitHub with PULLS pull requests of MODULES modules each. */
async function serve(): Promise<void> {
  const { startGitHubServer, pullRequestPayload } = await import('../test/support/github/index.js');
  const gh = await startGitHubServer();
  gh.addRepo({ owner: OWNER, repo: REPO, defaultBranch: 'master' });
  const files = (variant: number) => Object.fromEntries(Array.from({ length: MODULES }, (_, i) => [`nixos/modules/services/misc/bench${i}.nix`, moduleText(i, variant)]));
  const base = gh.commit(OWNER, REPO, { branch: 'master', files: { ...files(0), 'nixos/tests/all-tests.nix': '{ ... }: { }\n' } });
  const payloads: unknown[] = [];
  for (let k = 1; k <= PULLS; k++) {
    const head = gh.commit(OWNER, REPO, { parent: base, branch: `pr${k}`, files: files(k) });
    const number = gh.openPullRequest({ owner: OWNER, repo: REPO, base, head, author: 'bob', headRef: `pr${k}` });
    payloads.push(pullRequestPayload(gh, { action: 'opened', owner: OWNER, repo: REPO, number }));
  }
  process.on('message', (m: { t: string }) => {
    if (m.t === 'count') process.send!({ t: 'requests', n: gh.requests.length } satisfies Msg);
    else if (m.t === 'stop') void gh.close().then(() => process.exit(0));
  });
  process.send!({ t: 'ready', url: gh.url, appId: gh.app.id, privateKey: gh.app.privateKey, payloads } satisfies Msg);
}

export interface LatencyRow {
  what: string;
  wallMs: number;
  cpuMs: number;
  requests: number;
}

export async function reviewLatency(): Promise<LatencyRow[]> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T extends Msg['t']>(t: T) => new Promise<Extract<Msg, { t: T }>>((resolve) => {
    const on = (m: Msg) => {
      if (m.t !== t) return;
      child.off('message', on);
      resolve(m as Extract<Msg, { t: T }>);
    };
    child.on('message', on);
  });
  const ready = await next('ready');
  const probot = new Probot({
    appId: ready.appId,
    privateKey: ready.privateKey,
    secret: SECRET,
    baseUrl: ready.url,
    logLevel: 'fatal',
    Octokit: HardenOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { enabled: false }, retry: { enabled: false } })),
  });
  const middleware = await createNodeMiddleware(app, { probot });
  const web = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}/api/github/webhooks`;
  const runs: LatencyRow[] = [];
  try {
    for (const [k, payload] of ready.payloads.entries()) {
      child.send({ t: 'count' });
      const before = (await next('requests')).n;
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const d = signedDelivery(SECRET, 'pull_request', payload);
      const res = await fetch(webhookUrl, { method: 'POST', headers: d.headers, body: d.body });
      await res.text();
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpu = process.cpuUsage(cpu0);
      if (res.status !== 200) throw new Error(`delivery ${k + 1} answered ${res.status}`);
      child.send({ t: 'count' });
      const after = (await next('requests')).n;
      runs.push({ what: `PR ${k + 1}`, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, requests: after - before });
    }
  } finally {
    web.close();
    child.send({ t: 'stop' });
  }
  const warm = runs.slice(1).sort((a, b) => a.cpuMs - b.cpuMs);
  const median = warm[Math.floor(warm.length / 2)]!;
  return [
    { ...runs[0]!, what: `review of a ${MODULES}-module PR, first delivery (cold)` },
    { ...median, what: `review of a ${MODULES}-module PR, median of ${warm.length} more` },
  ];
}

if (process.argv.includes('--serve')) void serve();
