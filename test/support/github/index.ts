/** The fake GitHub for end-to-end tests: see server.ts for the API and webhooks.ts for deliveries. */
export { startGitHubServer } from './server.js';
export type {
  FaultHandle,
  FaultMatcher,
  FaultRequest,
  FaultSpec,
  GitHubServer,
  GitHubServerOptions,
  RequestLogEntry,
  StateView,
  Violation,
  ViolationKind,
} from './server.js';
export {
  assertValidWebhook,
  checkRunPayload,
  issueCommentPayload,
  pullRequestPayload,
  signedDelivery,
  webhookProblems,
} from './webhooks.js';
export type { CheckRunPayloadOptions, Delivery, IssueCommentPayloadOptions, PullRequestPayloadOptions } from './webhooks.js';
export { parsePatch, findLine, type ParsedPatch, type PatchLine, type Side } from './patch.js';
export type { Permission, FileContent, UserType } from './model.js';
