// log: natural logarithm elementwise. d/dx = 1/x.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { div } from './div.js';
import { checkTensorArg, run1 } from './util.js';

export class Log extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('log', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor], y: Tensor): void {
    ctx.saveForBackward(x);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [saved] = ctx.savedTensors;
    return div(g, saved);
  }
}

/** natural logarithm elementwise. d/dx = 1/x. */
export function log(x: Tensor): Tensor {
  checkTensorArg(x, 'log', 'x');
  return run1(Log, x);
}
