// exp: eˣ elementwise. d/dx = eˣ (the output, saved).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { checkTensorArg, run1 } from './util.js';

export class Exp extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('exp', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor], y: Tensor): void {
    ctx.saveForBackward(y);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [saved] = ctx.savedTensors;
    return mul(g, saved);
  }
}

/** eˣ elementwise. d/dx = eˣ (the output, saved). */
export function exp(x: Tensor): Tensor {
  checkTensorArg(x, 'exp', 'x');
  return run1(Exp, x);
}
