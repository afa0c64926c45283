// softplus as PyTorch: log(1 + e^(β·x))/β, and x itself where β·x > threshold (there the two agree to
// within e^(−threshold)). d/dx = σ(β·x) below the threshold, 1 above it.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { describe } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add, mul, sigmoid, sub } from './elementwise.js';
import { checkTensorArg, runN, keywordArgs } from './util.js';

/** What Softplus keeps for backward besides saved tensors. */
type SoftplusCtx = FunctionCtx<{ linear: Tensor; beta: number }>;

export class Softplus extends Function {
  static override forward(x: Tensor, beta: number, threshold: number): Tensor {
    return unary('softplus', x, beta, threshold);
  }
  static override setupContext(ctx: SoftplusCtx, [x, beta, threshold]: [Tensor, number, number]): void {
    ctx.saveForBackward(x);
    // constant: 1 where β·x > threshold
    ctx.saved = { linear: unary('softplusMask', x, beta, threshold), beta };
  }
  static override backward(ctx: SoftplusCtx, g: Tensor): [Tensor, null, null] {
    const [x] = ctx.savedTensors;
    const lin = ctx.saved.linear;
    const slope = add(lin, mul(sub(1, lin), sigmoid(mul(x, ctx.saved.beta))));
    return [mul(g, slope), null, null];
  }
}

/** softplus's keyword arguments: softplus(x, { beta: 2, threshold: 10 }). */
export interface SoftplusOptions {
  beta?: number;
  threshold?: number;
}

/** log(1 + e^(β·x))/β elementwise (x where β·x > threshold); same shape. */
export function softplus(x: Tensor, beta?: number | SoftplusOptions, threshold?: number | Pick<SoftplusOptions, 'threshold'>): Tensor {
  checkTensorArg(x, 'softplus', 'x');
  [beta = 1, threshold = 20] = keywordArgs('softplus', ['beta', 'threshold'], [beta, threshold]) as [number | undefined, number | undefined];
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta === 0)
    throw new TypeError(`softplus: argument 'beta' must be a finite non-zero number, got ${describe(beta)}`);
  if (typeof threshold !== 'number' || Number.isNaN(threshold))
    throw new TypeError(`softplus: argument 'threshold' must be a number, got ${describe(threshold)}`);
  return runN(Softplus, [x, beta, threshold]) as Tensor;
}
