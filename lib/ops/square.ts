// square: x² elementwise. d/dx = 2x.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { checkTensorArg, run1 } from './util.js';

export class Square extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('square', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor]): void {
    ctx.saveForBackward(x);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    return mul(g, mul(x, 2));
  }
}

/** x² elementwise (integer tensors stay integer); same shape. d/dx = 2x. */
export function square(x: Tensor): Tensor {
  checkTensorArg(x, 'square', 'x');
  return run1(Square, x);
}
