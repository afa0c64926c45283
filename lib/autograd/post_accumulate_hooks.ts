// Post-accumulate-grad hooks (tensor.registerPostAccumulateGradHook): called with the leaf after
// backward has accumulated its gradient into .grad. Kept in a WeakMap, not a field of every Tensor,
// because few tensors have one (an optimizer stepping each parameter as its gradient is ready).
import { recorder } from '../compile/state.js';
import type { Tensor } from '../tensor.js';

export type PostAccumulateGradHook = (tensor: Tensor) => void;

const hooksByTensor = new WeakMap<Tensor, PostAccumulateGradHook[]>();
let registered = 0;

/** @internal adds hook for leaf t; returns its remover. */
export function addPostAccumulateGradHook(t: Tensor, hook: PostAccumulateGradHook): { remove(): void } {
  let hooks = hooksByTensor.get(t);
  if (hooks === undefined) {
    hooks = [];
    hooksByTensor.set(t, hooks);
  }
  hooks.push(hook);
  registered++;
  const list = hooks;
  return {
    remove: () => {
      const i = list.indexOf(hook);
      if (i >= 0) {
        list.splice(i, 1);
        registered--;
      }
    },
  };
}

/** @internal runs t's hooks (the engine calls it once t.grad holds this pass's gradient). */
export function runPostAccumulateGradHooks(t: Tensor): void {
  if (registered === 0) return;
  const hooks = hooksByTensor.get(t);
  if (hooks === undefined) return;
  recorder()?.graphBreak('a post-accumulate-grad hook', 'a hook is JS code that may read tensor values');
  for (const hook of hooks.slice()) {
    const r: unknown = hook(t);
    if (r !== undefined)
      throw new TypeError(
        `backward: a hook registered with registerPostAccumulateGradHook must return undefined, got ${typeof r}`,
      );
  }
}
