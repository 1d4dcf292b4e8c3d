/**
 * `npm start`: the app as a standalone server (Probot's own: webhooks at /api/github/webhooks,
 * GET /ping). In production it refuses to start without WEBHOOK_SECRET (Probot would otherwise
 * accept deliveries signed with its built-in "development" secret).
 */
import { run } from 'probot';
import app from './app.js';
import { HardenOctokit } from './octokit.js';

export function checkEnvironment(env: NodeJS.ProcessEnv): string | null {
  if (env.NODE_ENV === 'production' && !env.WEBHOOK_SECRET) return 'WEBHOOK_SECRET must be set in production';
  if (env.NODE_ENV === 'production' && env.WEBHOOK_SECRET === 'development') return 'WEBHOOK_SECRET must not be the development default';
  return null;
}

const problem = checkEnvironment(process.env);
if (problem) {
  process.stderr.write(`nixos-harden: ${problem}\n`);
  process.exit(1);
}
await run(app, { Octokit: HardenOctokit });
