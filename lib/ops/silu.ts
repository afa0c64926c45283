// silu (swish): x·σ(x) elementwise. d/dx = σ(x)·(1 + x·(1 − σ(x))).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { add } from './add.js';
import { mul } from './mul.js';
import { sigmoid } from './sigmoid.js';
import { sub } from './sub.js';
import { checkTensorArg, run1 } from './util.js';

export class Silu extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('silu', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor]): void {
    ctx.saveForBackward(x);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    const s = sigmoid(x);
    return mul(g, mul(s, add(mul(x, sub(1, s)), 1)));
  }
}

/** x·σ(x) elementwise (SiLU / swish); same shape. d/dx = σ(x)·(1 + x·(1 − σ(x))). */
export function silu(x: Tensor): Tensor {
  checkTensorArg(x, 'silu', 'x');
  return run1(Silu, x);
}
