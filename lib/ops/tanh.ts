// tanh: hyperbolic tangent elementwise. d/dx = 1 − tanh²x (from the saved output).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { checkTensorArg, run1 } from './util.js';

export class Tanh extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('tanh', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor], y: Tensor): void {
    ctx.saveForBackward(y);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [saved] = ctx.savedTensors;
    return mul(g, sub(1, mul(saved, saved))); // PyTorch's order: g·(1 − y²)
  }
}

/** hyperbolic tangent elementwise. d/dx = 1 − tanh²x (from the saved output). */
export function tanh(x: Tensor): Tensor {
  checkTensorArg(x, 'tanh', 'x');
  return run1(Tanh, x);
}
