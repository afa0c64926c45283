// expm1: eˣ − 1 elementwise, accurate for small x. d/dx = eˣ = y + 1 (from the saved output).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { add } from './add.js';
import { mul } from './mul.js';
import { checkTensorArg, run1 } from './util.js';

export class Expm1 extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('expm1', x);
  }
  static override setupContext(ctx: FunctionCtx, _inputs: [Tensor], y: Tensor): void {
    ctx.saveForBackward(y);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [y] = ctx.savedTensors;
    return mul(g, add(y, 1));
  }
}

/** eˣ − 1 elementwise, accurate for small |x|; same shape. d/dx = y + 1. */
export function expm1(x: Tensor): Tensor {
  checkTensorArg(x, 'expm1', 'x');
  return run1(Expm1, x);
}
