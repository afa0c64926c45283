// elu: x > 0 ? x : α·(eˣ − 1). d/dx = 1 where x > 0, else α·eˣ (as PyTorch; y + α would cancel
// for very negative x: float32 x = −20 gives 0 instead of 2.06e-9).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { describe } from '../shape.js';
import { Tensor } from '../tensor.js';
import { gt } from './compare.js';
import { exp, mul } from './elementwise.js';
import { checkTensorArg, runN, keywordArgs } from './util.js';
import { where } from './where.js';

/** What Elu keeps for backward besides saved tensors. */
type EluCtx = FunctionCtx<{ alpha: number }>;

export class Elu extends Function {
  static override forward(x: Tensor, alpha: number): Tensor {
    return unary('elu', x, alpha);
  }
  static override setupContext(ctx: EluCtx, [x, alpha]: [Tensor, number]): void {
    ctx.saveForBackward(x);
    ctx.saved = { alpha };
  }
  static override backward(ctx: EluCtx, g: Tensor): [Tensor, null] {
    const [x] = ctx.savedTensors;
    // eˣ is taken only where x ≤ 0 (elsewhere of 0), so a large positive x cannot overflow to inf·0.
    const positive = gt(x, 0);
    const slope = where(positive, 1, mul(exp(where(positive, 0, x)), ctx.saved.alpha));
    return [mul(g, slope), null];
  }
}

/** x > 0 ? x : α·(eˣ − 1) elementwise; same shape. */
export function elu(x: Tensor, alpha?: number | { alpha?: number }): Tensor {
  checkTensorArg(x, 'elu', 'x');
  [alpha = 1] = keywordArgs('elu', ['alpha'], [alpha]) as [number | undefined];
  if (typeof alpha !== 'number' || !Number.isFinite(alpha))
    throw new TypeError(`elu: argument 'alpha' must be a finite number, got ${describe(alpha)}`);
  return runN(Elu, [x, alpha]) as Tensor;
}
