// minimum: the elementwise smaller of a and b, broadcasting; NaN propagates. Gradients as PyTorch
// (ties split equally; see maximum.ts, which holds the shared backward).
import { Function } from '../autograd/function.js';
import { binary } from '../kernels/elementwise.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { extremumBackward, extremumSetup, type ExtremumCtx } from './maximum.js';
import { checkOperand, run2 } from './util.js';

export class Minimum extends Function {
  static override forward(a: TensorLike, b: TensorLike): Tensor {
    return binary('minimum', a, b);
  }
  static override setupContext(ctx: ExtremumCtx, [a, b]: [TensorLike, TensorLike]): void {
    extremumSetup(ctx, a, b);
  }
  static override backward(ctx: ExtremumCtx, g: Tensor): [Tensor | null, Tensor | null] {
    return extremumBackward(ctx, g, false);
  }
}

/** The elementwise minimum of a and b, broadcasting (either may be a number); NaN propagates. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  checkOperand(a, 'minimum', 'a');
  checkOperand(b, 'minimum', 'b');
  if (typeof a === 'number' && typeof b === 'number') throw new TypeError("minimum: at least one of 'a' and 'b' must be a Tensor");
  return run2(Minimum, a, b);
}
