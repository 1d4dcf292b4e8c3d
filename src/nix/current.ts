/**
 * The evaluator the shared builtins work for (see makeStdlib in ./builtins.ts): the one that
 * applied a builtin last (Evaluator.apply sets it) or asked for the library last. One per thread.
 */
import type { Evaluator } from './eval.js';

export const current: { ev: Evaluator } = { ev: undefined as unknown as Evaluator };
