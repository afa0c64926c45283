// abs: |x| elementwise. d/dx = sign(x) (0 at 0, as PyTorch; a constant).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { checkTensorArg, run1 } from './util.js';

export class Abs extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('abs', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor], y: Tensor): void {
    ctx.saveForBackward(x);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [saved] = ctx.savedTensors;
    return mul(g, unary('sign', saved));
  }
}

/** |x| elementwise. d/dx = sign(x) (0 at 0, as PyTorch; a constant). */
export function abs(x: Tensor): Tensor {
  checkTensorArg(x, 'abs', 'x');
  return run1(Abs, x);
}
