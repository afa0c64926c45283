// std over dims: √var (see var.ts for the arguments). d/dx = (x − mean)/((N − correction)·std),
// and 0 where std = 0, as PyTorch's std_backward (which masks result == 0).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import type { Tensor, Dims } from '../tensor.js';
import { add, div, mul, sub } from './elementwise.js';
import { eq } from './compare.js';
import { mean } from './mean.js';
import { expandReduced } from './sum.js';
import { runN } from './util.js';
import { where } from './where.js';
import { divisor, varArgs, varianceKernel, type VarOptions } from './var.js';

/** What Std keeps for backward besides saved tensors. */
type StdCtx = FunctionCtx<{ dims: number[]; keepdim: boolean; divisor: number }>;

export class Std extends Function {
  static override forward(x: Tensor, dims: number[], correction: number, keepdim: boolean): Tensor {
    return unary('sqrt', varianceKernel(x, dims, correction, keepdim));
  }
  static override setupContext(
    ctx: StdCtx,
    [x, dims, correction, keepdim]: [Tensor, number[], number, boolean],
    y: Tensor,
  ): void {
    ctx.saveForBackward(x, y);
    ctx.saved = { dims, keepdim, divisor: divisor(x, dims, correction) };
  }
  static override backward(ctx: StdCtx, g: Tensor): [Tensor, null, null, null] {
    const [x, y] = ctx.savedTensors;
    const dims = ctx.saved.dims;
    const keepdim = ctx.saved.keepdim;
    let scaled = div(g, mul(y, ctx.saved.divisor)); // g / ((N − c)·std), still of the reduced shape
    if (y.data.indexOf(0) >= 0) {
      // Zero spread: gradient 0 (not NaN); std replaced by 1 there so double backward stays finite too.
      const zero = eq(y, 0);
      scaled = where(zero, 0, div(g, mul(add(y, zero), ctx.saved.divisor)));
    }
    const dev = sub(x, mean(x, dims, true));
    return [mul(expandReduced(scaled, x.shape, dims, keepdim), dev), null, null, null];
  }
}

/** Standard deviation over dim; arguments as var: keepdim or { correction = 1, keepdim = false }. */
export function std(x: Tensor, dim?: Dims | null | VarOptions, options?: Omit<VarOptions, 'dim'> | boolean): Tensor {
  return runN(Std, varArgs('std', x, dim, options)) as Tensor;
}
