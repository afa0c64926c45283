// sin: sine elementwise. d/dx = cos x.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { cos } from './cos.js';
import { mul } from './mul.js';
import { checkTensorArg, run1 } from './util.js';

export class Sin extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('sin', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor], y: Tensor): void {
    ctx.saveForBackward(x);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [saved] = ctx.savedTensors;
    return mul(g, cos(saved));
  }
}

/** sine elementwise. d/dx = cos x. */
export function sin(x: Tensor): Tensor {
  checkTensorArg(x, 'sin', 'x');
  return run1(Sin, x);
}
