/**
 * The real nixos-harden Probot app behind a real HTTP server on 127.0.0.1, talking to the fake
 * GitHub of ./github. Used by the end-to-end tests and by `npm run demo`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Probot, createNodeMiddleware } from 'probot';
import { pino } from 'pino';
import app from '../../src/github/app.js';
import { HardenOctokit } from '../../src/github/octokit.js';
import { type GitHubServer, signedDelivery, startGitHubServer } from './github/index.js';

export interface Harness {
  gh: GitHubServer;
  secret: string;
  webhookUrl: string;
  /** Delivers a signed webhook; returns the HTTP status of the app's answer. */
  deliver(event: string, payload: unknown, opts?: { secret?: string; unsigned?: boolean }): Promise<number>;
  close(): Promise<void>;
}

/**
 * `throttling`: run with the app's production Octokit (bounded rate-limit retries) instead of
 * one with throttling and retries off.
 */
export async function startHarness(opts: { logLevel?: 'fatal' | 'info'; throttling?: boolean; requestTimeoutMs?: number; log?: NodeJS.WritableStream } = {}): Promise<Harness> {
  const gh = await startGitHubServer();
  const secret = 'nixos-harden-test-secret';
  const probot = new Probot({
    appId: gh.app.id,
    privateKey: gh.app.privateKey,
    secret,
    baseUrl: gh.url,
    // With `log`, everything the app and Probot log (debug and up) goes to that stream as JSON lines.
    ...(opts.log ? { log: pino({ level: 'debug' }, opts.log) } : { logLevel: opts.logLevel ?? 'fatal' }),
    // The app's own Octokit (request time limit, bounded rate-limit retries); throttling and
    // plugin-retry's back-off are off unless a test is about them.
    Octokit: HardenOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
      retry: { enabled: false },
      ...(opts.throttling ? {} : { throttle: { enabled: false } }),
    })),
  });
  const middleware = await createNodeMiddleware(app, { probot });
  const web: Server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}/api/github/webhooks`;
  return {
    gh,
    secret,
    webhookUrl,
    async deliver(event, payload, o = {}) {
      const d = signedDelivery(o.secret ?? secret, event, payload);
      const headers: Record<string, string> = { ...d.headers };
      if (o.unsigned) delete headers['x-hub-signature-256'];
      const res = await fetch(webhookUrl, { method: 'POST', headers, body: d.body });
      await res.text();
      return res.status;
    },
    async close() {
      await new Promise((resolve) => web.close(resolve));
      await gh.close();
    },
  };
}
