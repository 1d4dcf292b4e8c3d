#!/usr/bin/env node
/**
 * Runs jest test files again and again, each time in a new jest process, and counts the runs in
 * which every test passed: the evidence behind "passes N times in a row".
 *
 *   node scripts/repeat-tests.mjs --repeat 20 test/github/faults.test.ts [more files or jest args]
 *
 * Stops at the first failing run (and prints its output) unless --keep-going is given.
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
let repeat = 20;
let keepGoing = false;
const rest = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--repeat') repeat = Number(args[++i]);
  else if (args[i] === '--keep-going') keepGoing = true;
  else rest.push(args[i]);
}
if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat needs a positive integer');
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() };
let passed = 0;
let tests = 0;
const started = Date.now();
for (let run = 1; run <= repeat; run++) {
  const r = spawnSync(process.execPath, ['node_modules/jest/bin/jest.js', '--ci', ...rest], { env, encoding: 'utf8' });
  const summary = /Tests:\s+(.*)/.exec(r.stderr)?.[1] ?? '?';
  tests = Number(/(\d+) total/.exec(summary)?.[1] ?? tests);
  process.stdout.write(`run ${run}/${repeat}: ${r.status === 0 ? 'pass' : 'FAIL'} (${summary})\n`);
  if (r.status === 0) passed++;
  else {
    process.stdout.write(r.stderr.split('\n').slice(-80).join('\n') + '\n');
    if (!keepGoing) break;
  }
}
process.stdout.write(`${passed} of ${repeat} runs passed (${tests} tests each) in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
process.exit(passed === repeat ? 0 : 1);
