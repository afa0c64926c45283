// elu: x > 0 ? x : α·(eˣ − 1). d/dx = 1 where x > 0, else α·eˣ = y + α (from the saved output).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { describe } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add } from './add.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { checkTensorArg, runN } from './util.js';

export class Elu extends Function {
  static override forward(x: Tensor, alpha: number): Tensor {
    return unary('elu', x, alpha);
  }
  static override setupContext(ctx: FunctionCtx, [x, alpha]: [Tensor, number], y: Tensor): void {
    // y + α is finite on both sides (α·eˣ would overflow for large positive x, times a 0 mask = NaN).
    ctx.saveForBackward(y);
    ctx.positive = unary('reluMask', x); // constant: 1 where x > 0
    ctx.alpha = alpha;
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [Tensor, null] {
    const [y] = ctx.savedTensors;
    const pos = ctx.positive as Tensor;
    const slope = add(pos, mul(sub(1, pos), add(y, ctx.alpha as number)));
    return [mul(g, slope), null];
  }
}

/** x > 0 ? x : α·(eˣ − 1) elementwise; same shape. */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkTensorArg(x, 'elu', 'x');
  if (typeof alpha !== 'number' || !Number.isFinite(alpha))
    throw new TypeError(`elu: argument 'alpha' must be a finite number, got ${describe(alpha)}`);
  return runN(Elu, [x, alpha]) as Tensor;
}
