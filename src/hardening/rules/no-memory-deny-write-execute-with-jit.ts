/** `MemoryDenyWriteExecute` kills just-in-time compilers. */
import { defineRule } from './rule.js';
import { exampleModule } from './examples.js';
import { bindingText } from './source.js';
import { jitRuntimeIn } from '../source.js';

export default defineRule({
  meta: {
    id: 'no-memory-deny-write-execute-with-jit',
    type: 'problem',
    severity: 'warning',
    docs: {
      description: 'Reports `MemoryDenyWriteExecute = true` on services whose command runs a JIT runtime (Node.js, Java, .NET, LuaJIT, the BEAM, PHP, PyPy, ...).',
      rationale:
        'MemoryDenyWriteExecute forbids memory that is both writable and executable, which is exactly what a just-in-time compiler needs; such services crash or fall back to slow interpreters at start. The rule reads the ExecStart binding text, so it only sees runtimes named there.',
      breakage: 'Node.js, Java and .NET services fail at start; PCRE JIT and PHP with opcache JIT degrade or fail.',
    },
    messages: {
      jit: 'MemoryDenyWriteExecute = true, but ExecStart runs {{runtime}}, which compiles code at run time; the service will fail. Drop it (or set it to false) for this service.',
    },
    examples: {
      weak: [{ module: exampleModule('ExecStart = "${pkgs.nodejs}/bin/node ${./server.js}";\nMemoryDenyWriteExecute = true;') }],
      strong: [
        { module: exampleModule('ExecStart = "${pkgs.nodejs}/bin/node ${./server.js}";') },
        { module: exampleModule('ExecStart = "${pkgs.hello}/bin/hello";\nMemoryDenyWriteExecute = true;') },
      ],
    },
  },
  check(ctx) {
    if (ctx.value('MemoryDenyWriteExecute') !== true) return;
    const text = ['ExecStart', 'ExecStartPre'].map((n) => bindingText(ctx, n)).join('\n');
    const runtime = jitRuntimeIn(text);
    if (runtime) ctx.report({ messageId: 'jit', data: { runtime }, directive: 'MemoryDenyWriteExecute' });
  },
});
