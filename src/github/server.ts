/**
 * `npm start`: the app as a standalone server (Probot's own: webhooks at /api/github/webhooks,
 * GET /ping). In production it refuses to start without WEBHOOK_SECRET (Probot would otherwise
 * accept deliveries signed with its built-in "development" secret).
 */
import { run } from 'probot';
import app from './app.js';
import { checkEnvironment } from './environment.js';
import { HardenOctokit } from './octokit.js';


const problem = checkEnvironment(process.env);
if (problem) {
  process.stderr.write(`nixos-harden: ${problem}\n`);
  process.exit(1);
}
await run(app, { Octokit: HardenOctokit });
