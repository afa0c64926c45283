// relu: max(x, 0) elementwise. d/dx = 1 where x > 0, else 0 (a constant mask).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { checkTensorArg, run1 } from './util.js';

export class Relu extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('relu', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor], y: Tensor): void {
    ctx.saveForBackward(y);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [saved] = ctx.savedTensors;
    return mul(g, unary('reluMask', saved));
  }
}

/** max(x, 0) elementwise. d/dx = 1 where x > 0, else 0 (a constant mask). */
export function relu(x: Tensor): Tensor {
  checkTensorArg(x, 'relu', 'x');
  return run1(Relu, x);
}
