/** What the server needs from its environment before it may start. */
export function checkEnvironment(env: NodeJS.ProcessEnv): string | null {
  if (env.NODE_ENV === 'production' && !env.WEBHOOK_SECRET) return 'WEBHOOK_SECRET must be set in production';
  if (env.NODE_ENV === 'production' && env.WEBHOOK_SECRET === 'development') return 'WEBHOOK_SECRET must not be the development default';
  return null;
}
