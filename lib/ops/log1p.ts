// log1p: log(1 + x) elementwise, accurate for small x. d/dx = 1/(1 + x).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { add } from './add.js';
import { div } from './div.js';
import { checkTensorArg, run1 } from './util.js';

export class Log1p extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('log1p', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor]): void {
    ctx.saveForBackward(x);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    return div(g, add(x, 1));
  }
}

/** log(1 + x) elementwise, accurate for small |x|; same shape. d/dx = 1/(1 + x). */
export function log1p(x: Tensor): Tensor {
  checkTensorArg(x, 'log1p', 'x');
  return run1(Log1p, x);
}
