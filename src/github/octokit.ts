/**
 * The Octokit the app runs with: Probot's, with rate-limit retries bounded. Probot's defaults
 * retry a rate-limited request forever (waiting up to an hour); here a request is retried at
 * most twice, and only when GitHub asks to wait a minute or less. Server errors keep
 * plugin-retry's bounded retries (3, with back-off).
 */
import { ProbotOctokit } from 'probot';

export const MAX_RATE_LIMIT_RETRIES = 2;
export const MAX_RETRY_AFTER_SECONDS = 60;

export function shouldRetryRateLimit(retryAfter: number, retryCount: number): boolean {
  return retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= MAX_RETRY_AFTER_SECONDS;
}

export const HardenOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: {
    ...((options.throttle as object | undefined) ?? {}),
    onRateLimit: (retryAfter: number, _o: unknown, _k: unknown, retryCount: number) => shouldRetryRateLimit(retryAfter, retryCount),
    onSecondaryRateLimit: (retryAfter: number, _o: unknown, _k: unknown, retryCount: number) => shouldRetryRateLimit(retryAfter, retryCount),
  },
}));
