// sigmoid: logistic sigmoid 1/(1+e⁻ˣ) elementwise, overflow-free. d/dx = σ(1 − σ) (from the saved output).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { checkTensorArg, run1 } from './util.js';

export class Sigmoid extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('sigmoid', x);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor], y: Tensor): void {
    ctx.saveForBackward(y);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [saved] = ctx.savedTensors;
    return mul(mul(g, sub(1, saved)), saved); // PyTorch's order: g·(1 − σ)·σ
  }
}

/** logistic sigmoid 1/(1+e⁻ˣ) elementwise, overflow-free. d/dx = σ(1 − σ) (from the saved output). */
export function sigmoid(x: Tensor): Tensor {
  checkTensorArg(x, 'sigmoid', 'x');
  return run1(Sigmoid, x);
}
