// sub: a − b with broadcasting. d/da = 1, d/db = −1.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { binary } from '../kernels/elementwise.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { neg } from './neg.js';
import { gradForInput } from './sum_to.js';
import { checkOperand, run2 } from './util.js';

export class Sub extends Function {
  static override forward(a: TensorLike, b: TensorLike): Tensor {
    return binary('sub', a, b);
  }
  static override setupContext(): void {
    // Nothing to save: the gradients need only the input shapes, which the node keeps.
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [Tensor | null, Tensor | null] {
    return [
      ctx.needsInputGrad[0] ? gradForInput(ctx, 0, g) : null,
      ctx.needsInputGrad[1] ? gradForInput(ctx, 1, neg(g)) : null,
    ];
  }
}

/** a − b, broadcasting like NumPy; either may be a number. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  checkOperand(a, 'sub', 'a');
  checkOperand(b, 'sub', 'b');
  if (typeof a === 'number' && typeof b === 'number') throw new TypeError("sub: at least one of 'a' and 'b' must be a Tensor");
  return run2(Sub, a, b);
}
