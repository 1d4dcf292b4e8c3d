/** ProtectSystem=strict makes the whole file system read-only; a service with state needs a way out. */
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';
import { bindingText } from './source.js';

const WRITABLE = ['StateDirectory', 'CacheDirectory', 'LogsDirectory', 'RuntimeDirectory', 'ReadWritePaths', 'BindPaths', 'TemporaryFileSystem', 'RootDirectory'];
const STATE_HINT = /\/var\/(lib|cache|log|spool)\/|\b(dataDir|stateDir|dataPath|statePath|cacheDir)\b/;

export default defineRule({
  meta: {
    id: 'require-writable-path-for-state',
    type: 'problem',
    severity: 'warning',
    docs: {
      description: 'Reports services under `ProtectSystem = "strict"` (or `DynamicUser`, which implies it) that keep state but declare no writable path.',
      rationale:
        'With ProtectSystem=strict everything but /dev, /proc, /sys and the private /tmp is read-only; a service that writes to /var/lib or a data directory fails at its first write unless a StateDirectory, CacheDirectory, LogsDirectory, RuntimeDirectory, ReadWritePaths or BindPaths makes the place writable. The rule looks for state paths in ExecStart and WorkingDirectory.',
      breakage: 'Services fail with "Read-only file system" on first write, often only on a code path tests do not reach.',
    },
    messages: {
      noWritable: '{{why}} makes the file system read-only, but the service uses {{hint}} and declares no StateDirectory or ReadWritePaths.',
    },
    examples: {
      weak: [{ module: exampleModule('ExecStart = "${pkgs.hello}/bin/hello --data /var/lib/example";\nProtectSystem = "strict";') }],
      strong: [
        { module: exampleModule('ExecStart = "${pkgs.hello}/bin/hello --data /var/lib/example";\nProtectSystem = "strict";\nStateDirectory = "example";') },
        { module: exampleModule('ExecStart = "${pkgs.hello}/bin/hello";\nProtectSystem = "strict";') },
      ],
    },
  },
  check(ctx) {
    const strict = ctx.value('ProtectSystem') === 'strict';
    const dynamic = ctx.value('DynamicUser') === true;
    if (!strict && !dynamic) return;
    if (WRITABLE.some((n) => ctx.option(n) !== undefined)) return;
    const text = ['ExecStart', 'WorkingDirectory'].map((n) => bindingText(ctx, n)).join('\n');
    const wd = ctx.value('WorkingDirectory');
    const m = STATE_HINT.exec(text) ?? (typeof wd === 'string' ? STATE_HINT.exec(wd) : null);
    if (m) ctx.report({ messageId: 'noWritable', data: { why: strict ? 'ProtectSystem = "strict"' : 'DynamicUser = true', hint: m[0] }, directive: strict ? 'ProtectSystem' : 'DynamicUser' });
  },
});
