// clone: a copy with its own storage. d/dx = g.
import { Function } from '../autograd/function.js';
import { copy } from '../kernels/elementwise.js';
import type { Tensor } from '../tensor.js';
import { checkTensorArg, run1 } from './util.js';

export class Clone extends Function {
  static override forward(x: Tensor): Tensor {
    return copy(x);
  }
  static override setupContext(): void {
    // Nothing to save.
  }
  static override backward(_ctx: unknown, g: Tensor): Tensor {
    return g;
  }
}

/** A copy of x with its own storage (differentiable). */
export function clone(x: Tensor): Tensor {
  x = checkTensorArg(x, 'clone', 'x');
  return run1(Clone, x);
}
