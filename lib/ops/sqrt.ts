// sqrt: √x elementwise. d/dx = 1/(2√x).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { checkTensorArg, run1 } from './util.js';

export class Sqrt extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('sqrt', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor], y: Tensor): void {
    ctx.saveForBackward(y);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [saved] = ctx.savedTensors;
    return div(g, mul(saved, 2));
  }
}

/** √x elementwise. d/dx = 1/(2√x). */
export function sqrt(x: Tensor): Tensor {
  checkTensorArg(x, 'sqrt', 'x');
  return run1(Sqrt, x);
}
