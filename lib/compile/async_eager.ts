// Async eager calls (tg.matmulAsync, t.backwardAsync): the call runs as usual on the main thread but
// with its addon calls deferred (a deferred recording: trace.ts); its autograd graph, gradients and
// results are wired at once, and the deferred kernels then run off the main thread as a one-shot plan.
// Every tensor the call reads or writes is locked until the promise settles: touching one throws.
import { recording } from './state.js';
import { releaseHeld } from '../memory.js';
import { type Tensor, lockStorage, unlockStorage } from '../tensor.js';
import { Plan, outputTensors } from './plan.js';
import { matmul } from '../ops/matmul.js';
import { checkTensorArg } from '../ops/util.js';
import { Trace } from './trace.js';

/** Runs body with its kernels deferred, then runs them off the event loop; resolves to body's result. */
export async function runDeferred<R>(what: string, body: () => R): Promise<R> {
  if (recording.active !== null)
    throw new Error(`${what}: cannot run while tg.compile records a step (use the synchronous call inside it)`);
  const trace = new Trace([], false, true);
  let result: R;
  try {
    result = trace.record(body);
  } catch (err) {
    // The call stopped part way (a bad argument, a hook): run what it recorded, here, so that the
    // tensors it already wired (gradients set so far) hold the values an eager call leaves behind.
    try {
      new Plan(trace, [], undefined, { relocate: false }).run([]);
    } finally {
      releaseHeld(trace.heldReleases);
    }
    throw err;
  }
  const plan = new Plan(trace, [], undefined, { relocate: false });
  const locked = new Set<Tensor>(trace.tensors.keys());
  for (const t of outputTensors(result)) locked.add(t);
  for (const t of trace.gradsBefore.keys()) {
    locked.add(t);
    const g = t._peekGrad();
    if (g !== null) locked.add(g);
  }
  const lockAll = (): void => locked.forEach(lockStorage);
  const unlockAll = (): void => locked.forEach(unlockStorage);
  lockAll();
  try {
    await plan.runAsync([], unlockAll, lockAll);
  } finally {
    unlockAll();
    plan.dispose();
    releaseHeld(trace.heldReleases);
  }
  return result;
}

/**
 * a·b (tg.matmul's rules, autograd included) with the product computed off the main thread: the
 * event loop keeps running while it does. a, b and the result are locked until the promise settles.
 */
export function matmulAsync(a: Tensor, b: Tensor): Promise<Tensor> {
  // Bad arguments throw here, synchronously, naming matmulAsync; the product's own checks follow.
  checkTensorArg(a, 'matmulAsync', 'a');
  checkTensorArg(b, 'matmulAsync', 'b');
  return runDeferred('matmulAsync', () => matmul(a, b));
}

/**
 * t.backward(gradient, options) with the kernels of the pass computed off the main thread. The
 * graph's tensors and the leaves' gradients are locked until the promise settles. Hooks are JS code
 * that may read values not yet computed: a graph with hooks throws; use backward() for it.
 */
export function backwardAsync(
  t: Tensor,
  gradient?: Tensor | null,
  options?: Parameters<Tensor['backward']>[1],
): Promise<void> {
  return runDeferred('backwardAsync', () => t.backward(gradient, options));
}
