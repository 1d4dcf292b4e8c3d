/**
 * The Octokit the app runs with: Probot's, with rate-limit retries bounded and a time limit on
 * every request. Probot's defaults retry a rate-limited request forever (waiting up to an hour);
 * here a request is retried at most twice, and only when GitHub asks to wait a minute or less.
 * Server errors keep plugin-retry's bounded retries (3, with back-off). A request GitHub does not
 * answer within `requestTimeoutMs` (default 20 s; env GITHUB_REQUEST_TIMEOUT_MS) fails like a
 * server error, so a hung connection cannot hold a review, and the PR's queue, forever.
 */
import { ProbotOctokit } from 'probot';

export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

type Requester = (options: Record<string, unknown>) => Promise<unknown>;
interface Hookable {
  hook: { wrap(name: 'request', wrapper: (request: Requester, options: Record<string, unknown>) => Promise<unknown>): void };
}

/** The time limit from the constructor options, the environment, or the default. */
export function requestTimeoutMs(options: { requestTimeoutMs?: unknown }, env: NodeJS.ProcessEnv = process.env): number {
  const fromOptions = Number(options.requestTimeoutMs);
  if (Number.isFinite(fromOptions) && fromOptions > 0) return fromOptions;
  const fromEnv = Number(env['GITHUB_REQUEST_TIMEOUT_MS']);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_REQUEST_TIMEOUT_MS;
}

/** Octokit plugin: every request gets an AbortSignal that fires after the time limit. */
export function requestTimeout(octokit: Hookable, options: { requestTimeoutMs?: unknown }): void {
  const ms = requestTimeoutMs(options);
  octokit.hook.wrap('request', (request, opts) => {
    // The hooks further in were bound to this options object: set the signal on it, do not copy it.
    const req = (opts['request'] ?? {}) as { signal?: AbortSignal };
    if (!req.signal) opts['request'] = { ...req, signal: AbortSignal.timeout(ms) };
    return request(opts);
  });
}

export const MAX_RATE_LIMIT_RETRIES = 2;
export const MAX_RETRY_AFTER_SECONDS = 60;

export function shouldRetryRateLimit(retryAfter: number, retryCount: number): boolean {
  return retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= MAX_RETRY_AFTER_SECONDS;
}

export const HardenOctokit = ProbotOctokit.plugin(requestTimeout as never).defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: {
    ...((options.throttle as object | undefined) ?? {}),
    onRateLimit: (retryAfter: number, _o: unknown, _k: unknown, retryCount: number) => shouldRetryRateLimit(retryAfter, retryCount),
    onSecondaryRateLimit: (retryAfter: number, _o: unknown, _k: unknown, retryCount: number) => shouldRetryRateLimit(retryAfter, retryCount),
  },
}));
