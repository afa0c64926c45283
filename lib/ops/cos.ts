// cos: cosine elementwise. d/dx = −sin x.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { sin } from './sin.js';
import { checkTensorArg, run1 } from './util.js';

export class Cos extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('cos', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor], y: Tensor): void {
    ctx.saveForBackward(x);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [saved] = ctx.savedTensors;
    return neg(mul(g, sin(saved)));
  }
}

/** cosine elementwise. d/dx = −sin x. */
export function cos(x: Tensor): Tensor {
  checkTensorArg(x, 'cos', 'x');
  return run1(Cos, x);
}
