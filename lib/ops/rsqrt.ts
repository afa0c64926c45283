// rsqrt: 1/√x elementwise. d/dx = −½·x^(−3/2) = −½·y³ (from the saved output).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { checkTensorArg, run1 } from './util.js';

export class Rsqrt extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('rsqrt', x);
  }
  static override setupContext(ctx: FunctionCtx, _inputs: [Tensor], y: Tensor): void {
    ctx.saveForBackward(y);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [y] = ctx.savedTensors;
    return mul(g, mul(mul(mul(y, y), y), -0.5));
  }
}

/** 1/√x elementwise (inf at 0, NaN below); same shape. d/dx = −½·y³. */
export function rsqrt(x: Tensor): Tensor {
  checkTensorArg(x, 'rsqrt', 'x');
  return run1(Rsqrt, x);
}
