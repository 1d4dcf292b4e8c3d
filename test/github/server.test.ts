import { spawnSync } from 'node:child_process';
import { checkEnvironment } from '../../src/github/environment.js';

describe('starting the server', () => {
  it('refuses production without a real webhook secret', () => {
    expect(checkEnvironment({ NODE_ENV: 'production' })).toMatch(/WEBHOOK_SECRET must be set/);
    expect(checkEnvironment({ NODE_ENV: 'production', WEBHOOK_SECRET: 'development' })).toMatch(/development default/);
    expect(checkEnvironment({ NODE_ENV: 'production', WEBHOOK_SECRET: 's3cret' })).toBeNull();
    expect(checkEnvironment({})).toBeNull();
  });

  it('exits with a message instead of serving (the built server)', () => {
    const { WEBHOOK_SECRET: _w, ...env } = process.env;
    const r = spawnSync(process.execPath, ['dist/src/github/server.js'], { env: { ...env, NODE_ENV: 'production', APP_ID: '1', PRIVATE_KEY: 'x' }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('WEBHOOK_SECRET must be set in production');
  });
});
